// Enrolment tokens made for re-enrolment (protocol 1.1 section 1, issue 8 item 12): re-enrolling a
// serial whose device is enrolled and not revoked needs one, since a serial number is printed on
// the case and proves nothing. Existing tokens are ordinary ones.
import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

export class AddReenrolmentTokens1764600000000 implements MigrationInterface {
  name = 'AddReenrolmentTokens1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'enrollment_tokens',
      new TableColumn({ name: 'reenrol', type: 'boolean', default: false }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('enrollment_tokens', 'reenrol');
  }
}
