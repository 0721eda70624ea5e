// Compliance that tells the truth (protocol 1.1, issue 9): a device that applied a policy may list
// the settings it could not enforce, and the hub keeps that list beside the device's compliance
// status (`partial`). JSON text, like the other lists the hub stores; null when there is none.
import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

export class AddPolicyUnenforced1764700000000 implements MigrationInterface {
  name = 'AddPolicyUnenforced1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'devices',
      new TableColumn({ name: 'policy_unenforced', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('devices', 'policy_unenforced');
  }
}
