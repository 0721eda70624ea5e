// Classes and their lessons (issue 12): a class's teachers and tablets (a group, named devices,
// or both) and its timetable; its sessions, with the tablets marked absent in each; and policy
// overlays, the settings a source (a class session's camera allowance, a trip's kit) lays over
// a device's resolved policy until it is removed or its expiry passes.
import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { idColumn, timeCol } from './columns';

const classRef = (column = 'class_id') => ({
  columnNames: [column],
  referencedTableName: 'classes',
  referencedColumnNames: ['id'],
  onDelete: 'CASCADE',
});

export class AddClassesAndPolicyOverlays1764770000000 implements MigrationInterface {
  name = 'AddClassesAndPolicyOverlays1764770000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'classes',
        columns: [
          idColumn('id'),
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'group_id', type: 'varchar', length: '36', isNullable: true },
          /** TimetableSlot[] as JSON. */
          { name: 'timetable', type: 'text' },
          /** The highest action number given out for the class: the one in force. */
          { name: 'action_seq', type: 'integer', default: 0 },
          timeCol('created_at'),
          timeCol('updated_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['group_id'],
            referencedTableName: 'device_groups',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'class_teachers',
        columns: [
          { name: 'class_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'staff_id', type: 'varchar', length: '36', isPrimary: true },
        ],
        foreignKeys: [
          classRef(),
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
        name: 'class_devices',
        columns: [
          { name: 'class_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'device_id', type: 'varchar', length: '36', isPrimary: true },
        ],
        foreignKeys: [
          classRef(),
          {
            columnNames: ['device_id'],
            referencedTableName: 'devices',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [{ columnNames: ['device_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'class_sessions',
        columns: [
          idColumn('id'),
          { name: 'class_id', type: 'varchar', length: '36' },
          { name: 'started_by', type: 'varchar', length: '36' },
          timeCol('started_at'),
          timeCol('ends_at'),
          timeCol('ended_at', true),
          /** The staff id that ended it; null when the clock (or the hub at start) did. */
          { name: 'ended_by', type: 'varchar', length: '36', isNullable: true },
        ],
        foreignKeys: [classRef()],
        indices: [{ columnNames: ['class_id', 'started_at'] }],
      }),
    );
    // One running session per class, whatever two hubs do at once; and the clock's sweep finds
    // running sessions by their end without reading ended ones. Partial indexes: both databases.
    await queryRunner.query(
      'CREATE UNIQUE INDEX class_sessions_one_running ON class_sessions (class_id) WHERE ended_at IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX class_sessions_running_end ON class_sessions (ends_at) WHERE ended_at IS NULL',
    );
    await queryRunner.createTable(
      new Table({
        name: 'class_session_absences',
        columns: [
          { name: 'session_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'device_id', type: 'varchar', length: '36', isPrimary: true },
        ],
        foreignKeys: [
          {
            columnNames: ['session_id'],
            referencedTableName: 'class_sessions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'policy_overlays',
        columns: [
          idColumn('id'),
          /** `class_session` or `trip`. */
          { name: 'source_kind', type: 'varchar', length: '32' },
          { name: 'source_id', type: 'varchar', length: '36' },
          { name: 'device_id', type: 'varchar', length: '36' },
          /** What the overlay is called where a setting's origin is shown. */
          { name: 'label', type: 'varchar', length: '200' },
          /** PartialPolicySettings as JSON. */
          { name: 'settings', type: 'text' },
          timeCol('expires_at', true),
          timeCol('applied_at'),
          { name: 'applied_by_type', type: 'varchar', length: '16' },
          { name: 'applied_by_id', type: 'varchar', length: '36', isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['device_id'],
            referencedTableName: 'devices',
            referencedColumnNames: ['id'],
          },
        ],
        uniques: [{ columnNames: ['source_kind', 'source_id', 'device_id'] }],
        indices: [{ columnNames: ['device_id'] }, { columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('policy_overlays');
    await queryRunner.dropTable('class_session_absences');
    await queryRunner.query('DROP INDEX class_sessions_running_end');
    await queryRunner.query('DROP INDEX class_sessions_one_running');
    await queryRunner.dropTable('class_sessions');
    await queryRunner.dropTable('class_devices');
    await queryRunner.dropTable('class_teachers');
    await queryRunner.dropTable('classes');
  }
}
