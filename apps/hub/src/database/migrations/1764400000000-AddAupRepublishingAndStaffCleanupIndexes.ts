// Lets an older AUP text become the current version again (issue 8 item 20): the current
// version is the one published last, kept in `published_seq` and `published_at`, no longer the
// one created last. Also indexes what the staff clean-up deletes by (issue 8 item 21): ended
// sessions by expiry, throttle rows by their last attempt.
import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

export class AddAupRepublishingAndStaffCleanupIndexes1764400000000 implements MigrationInterface {
  name = 'AddAupRepublishingAndStaffCleanupIndexes1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('aup_versions', [
      new TableColumn({ name: 'published_seq', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'published_at', type: 'varchar', length: '30', isNullable: true }),
    ]);
    await queryRunner.query(
      'UPDATE aup_versions SET published_seq = seq, published_at = created_at',
    );
    await queryRunner.createIndex(
      'staff_sessions',
      new TableIndex({ name: 'IDX_staff_sessions_expires_at', columnNames: ['expires_at'] }),
    );
    await queryRunner.createIndex(
      'login_throttles',
      new TableIndex({
        name: 'IDX_login_throttles_last_failure_at',
        columnNames: ['last_failure_at'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('login_throttles', 'IDX_login_throttles_last_failure_at');
    await queryRunner.dropIndex('staff_sessions', 'IDX_staff_sessions_expires_at');
    await queryRunner.dropColumn('aup_versions', 'published_at');
    await queryRunner.dropColumn('aup_versions', 'published_seq');
  }
}
