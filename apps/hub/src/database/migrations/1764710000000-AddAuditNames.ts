// Names in the audit log as they were when each entry was written (issue 9): the actor's display
// name (or a device's name and asset tag) and a label for the target, so an entry still reads
// right after the person leaves or the device is renamed. Older entries keep NULL in both.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddAuditNames1764710000000 implements MigrationInterface {
  name = 'AddAuditNames1764710000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Plain ALTER TABLE ... ADD COLUMN, the same SQL on SQLite and PostgreSQL: TypeORM's
    // addColumn rebuilds an SQLite table row by row, and the audit log is the hub's longest.
    await queryRunner.query('ALTER TABLE audit_entries ADD COLUMN actor_name varchar(255) NULL');
    await queryRunner.query('ALTER TABLE audit_entries ADD COLUMN target_label varchar(255) NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('audit_entries', 'target_label');
    await queryRunner.dropColumn('audit_entries', 'actor_name');
  }
}
