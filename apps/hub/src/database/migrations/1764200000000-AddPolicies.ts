// Policy profiles with their revision history and assignments, and each device's policy
// compliance (the version it should run and whether it does).
import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { idColumn, timeCol } from './columns';

export class AddPolicies1764200000000 implements MigrationInterface {
  name = 'AddPolicies1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'policies',
        columns: [
          idColumn('id'),
          { name: 'name', type: 'varchar', length: '128', isUnique: true },
          { name: 'description', type: 'varchar', length: '500', isNullable: true },
          { name: 'settings', type: 'text' },
          { name: 'enforced', type: 'text' },
          { name: 'revision', type: 'integer' },
          timeCol('created_at'),
          timeCol('updated_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'policy_revisions',
        columns: [
          idColumn('id'),
          { name: 'policy_id', type: 'varchar', length: '36' },
          { name: 'revision', type: 'integer' },
          { name: 'name', type: 'varchar', length: '128' },
          { name: 'settings', type: 'text' },
          { name: 'enforced', type: 'text' },
          { name: 'changed', type: 'text' },
          { name: 'note', type: 'varchar', length: '200', isNullable: true },
          { name: 'changed_by_type', type: 'varchar', length: '16' },
          { name: 'changed_by_id', type: 'varchar', length: '36', isNullable: true },
          timeCol('changed_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['policy_id'],
            referencedTableName: 'policies',
            referencedColumnNames: ['id'],
          },
        ],
        uniques: [{ columnNames: ['policy_id', 'revision'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'policy_assignments',
        columns: [
          idColumn('id'),
          { name: 'policy_id', type: 'varchar', length: '36' },
          { name: 'scope', type: 'varchar', length: '16' },
          { name: 'target_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'priority', type: 'integer', default: 0 },
          timeCol('created_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['policy_id'],
            referencedTableName: 'policies',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [{ columnNames: ['scope', 'target_id'] }, { columnNames: ['policy_id'] }],
      }),
    );
    await queryRunner.addColumns('devices', [
      new TableColumn({
        name: 'desired_policy_version',
        type: 'varchar',
        length: '64',
        isNullable: true,
      }),
      new TableColumn({ name: 'policy_status', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'policy_detail', type: 'varchar', length: '500', isNullable: true }),
      new TableColumn({
        name: 'policy_changed_at',
        type: 'varchar',
        length: '30',
        isNullable: true,
      }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of [
      'policy_changed_at',
      'policy_detail',
      'policy_status',
      'desired_policy_version',
    ]) {
      await queryRunner.dropColumn('devices', column);
    }
    await queryRunner.dropTable('policy_assignments');
    await queryRunner.dropTable('policy_revisions');
    await queryRunner.dropTable('policies');
  }
}
