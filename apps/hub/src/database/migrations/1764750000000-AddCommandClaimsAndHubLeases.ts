// Work that must happen once across the hubs of a cluster (issue 10). A command sent by one hub
// is claimed by it until its answer is due (`claimed_by`, `claimed_until`), so a second hub that
// sees the same device connect does not send it again; a claim left by a dead hub runs out. And
// `hub_leases` names which hub runs the scheduled work (expiry, retention, clean-ups), until when.
import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { timeCol } from './columns';

export class AddCommandClaimsAndHubLeases1764750000000 implements MigrationInterface {
  name = 'AddCommandClaimsAndHubLeases1764750000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Plain ALTER TABLE, the same on both databases: TypeORM's addColumn rebuilds a SQLite table,
    // a copy of every command and a rebuild of the open-commands partial index for nothing.
    await queryRunner.query('ALTER TABLE commands ADD COLUMN claimed_by varchar(100)');
    await queryRunner.query('ALTER TABLE commands ADD COLUMN claimed_until varchar(30)');
    await queryRunner.createTable(
      new Table({
        name: 'hub_leases',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'holder', type: 'varchar', length: '100' },
          timeCol('expires_at'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('hub_leases');
    await queryRunner.query('ALTER TABLE commands DROP COLUMN claimed_until');
    await queryRunner.query('ALTER TABLE commands DROP COLUMN claimed_by');
  }
}
