// Staff accounts, sign-in sessions, login throttling, AUP versions and acceptances, and the
// append-only audit log.
import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, seqColumn, timeCol } from './columns';

export class CreateStaffAndAudit1764000000000 implements MigrationInterface {
  name = 'CreateStaffAndAudit1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'staff_accounts',
        columns: [
          idColumn('id'),
          { name: 'username', type: 'varchar', length: '64', isUnique: true },
          { name: 'display_name', type: 'varchar', length: '128' },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'roles', type: 'varchar', length: '255' },
          { name: 'disabled', type: 'boolean', default: false },
          timeCol('created_at'),
          timeCol('updated_at'),
          timeCol('password_changed_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'staff_sessions',
        columns: [
          idColumn('id'),
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'staff_id', type: 'varchar', length: '36' },
          timeCol('created_at'),
          timeCol('expires_at'),
          timeCol('revoked_at', true),
        ],
        foreignKeys: [
          {
            columnNames: ['staff_id'],
            referencedTableName: 'staff_accounts',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [{ columnNames: ['staff_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'login_throttles',
        columns: [
          { name: 'username', type: 'varchar', length: '64', isPrimary: true },
          { name: 'failures', type: 'integer', default: 0 },
          timeCol('last_failure_at'),
          timeCol('locked_until', true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'aup_versions',
        columns: [
          seqColumn(),
          { name: 'hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'text', type: 'text' },
          { name: 'created_by', type: 'varchar', length: '36', isNullable: true },
          timeCol('created_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'aup_acceptances',
        columns: [
          idColumn('id'),
          { name: 'staff_id', type: 'varchar', length: '36' },
          { name: 'aup_hash', type: 'varchar', length: '64' },
          timeCol('accepted_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['staff_id'],
            referencedTableName: 'staff_accounts',
            referencedColumnNames: ['id'],
          },
          {
            columnNames: ['aup_hash'],
            referencedTableName: 'aup_versions',
            referencedColumnNames: ['hash'],
          },
        ],
        uniques: [{ columnNames: ['staff_id', 'aup_hash'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_entries',
        columns: [
          seqColumn(),
          timeCol('at'),
          { name: 'actor_type', type: 'varchar', length: '16' },
          { name: 'actor_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'actor_label', type: 'varchar', length: '128', isNullable: true },
          { name: 'action', type: 'varchar', length: '64' },
          { name: 'target_type', type: 'varchar', length: '32', isNullable: true },
          { name: 'target_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'detail', type: 'text', isNullable: true },
          { name: 'correlation_id', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
    );
    // One at a time (not createIndices, which makes them at once and on SQLite could fail with
    // "reading 'sql'"); the schema is the same.
    for (const columnNames of [['at'], ['actor_id', 'at'], ['action', 'at']]) {
      await queryRunner.createIndex('audit_entries', new TableIndex({ columnNames }));
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'audit_entries',
      'aup_acceptances',
      'aup_versions',
      'login_throttles',
      'staff_sessions',
      'staff_accounts',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
