// Enrolled devices, groups and memberships, enrolment tokens, used proof nonces, and the
// durable command queue.
import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { idColumn, seqColumn, timeCol } from './columns';

export class AddDevicesEnrollmentAndCommands1764100000000 implements MigrationInterface {
  name = 'AddDevicesEnrollmentAndCommands1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'devices',
        columns: [
          idColumn('id'),
          { name: 'serial_number', type: 'varchar', length: '128', isUnique: true },
          { name: 'platform', type: 'varchar', length: '16' },
          { name: 'model', type: 'varchar', length: '128', isNullable: true },
          { name: 'os_version', type: 'varchar', length: '64', isNullable: true },
          { name: 'name', type: 'varchar', length: '128', isNullable: true },
          { name: 'asset_tag', type: 'varchar', length: '64', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'certificate_pem', type: 'text' },
          { name: 'certificate_serial', type: 'varchar', length: '64' },
          timeCol('enrolled_at'),
          timeCol('revoked_at', true),
          { name: 'online', type: 'boolean', default: false },
          timeCol('last_seen_at', true),
          { name: 'reported_state', type: 'text', isNullable: true },
          timeCol('reported_at', true),
          { name: 'desired_lock', type: 'text', isNullable: true },
          { name: 'desired_app_lock', type: 'varchar', length: '255', isNullable: true },
          timeCol('created_at'),
        ],
        indices: [
          { columnNames: ['asset_tag'] },
          { columnNames: ['platform'] },
          { columnNames: ['online'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'revoked_certificates',
        columns: [
          { name: 'serial', type: 'varchar', length: '64', isPrimary: true },
          { name: 'device_id', type: 'varchar', length: '36' },
          { name: 'reason', type: 'varchar', length: '32' },
          timeCol('revoked_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'device_groups',
        columns: [
          idColumn('id'),
          { name: 'name', type: 'varchar', length: '128', isUnique: true },
          { name: 'description', type: 'varchar', length: '500', isNullable: true },
          timeCol('created_at'),
          timeCol('updated_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'device_group_members',
        columns: [
          { name: 'group_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'device_id', type: 'varchar', length: '36', isPrimary: true },
          timeCol('added_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['group_id'],
            referencedTableName: 'device_groups',
            referencedColumnNames: ['id'],
          },
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
        name: 'device_nonces',
        columns: [
          { name: 'device_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'nonce', type: 'varchar', length: '64', isPrimary: true },
          timeCol('expires_at'),
        ],
        indices: [{ columnNames: ['expires_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'enrollment_tokens',
        columns: [
          idColumn('id'),
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'label', type: 'varchar', length: '128', isNullable: true },
          { name: 'group_ids', type: 'text' },
          { name: 'max_uses', type: 'integer' },
          { name: 'uses', type: 'integer', default: 0 },
          timeCol('expires_at'),
          { name: 'created_by', type: 'varchar', length: '36' },
          timeCol('created_at'),
          timeCol('revoked_at', true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'commands',
        columns: [
          seqColumn(),
          { name: 'id', type: 'varchar', length: '36', isUnique: true },
          { name: 'device_id', type: 'varchar', length: '36' },
          { name: 'type', type: 'varchar', length: '32' },
          { name: 'payload', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          timeCol('issued_at'),
          timeCol('expires_at', true),
          timeCol('sent_at', true),
          timeCol('answered_at', true),
          timeCol('next_attempt_at', true),
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'detail', type: 'varchar', length: '500', isNullable: true },
          { name: 'issued_by_type', type: 'varchar', length: '16' },
          { name: 'issued_by_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'group_id', type: 'varchar', length: '36', isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['device_id'],
            referencedTableName: 'devices',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [
          { columnNames: ['device_id', 'status', 'seq'] },
          { columnNames: ['status', 'expires_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'commands',
      'enrollment_tokens',
      'device_nonces',
      'device_group_members',
      'device_groups',
      'revoked_certificates',
      'devices',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
