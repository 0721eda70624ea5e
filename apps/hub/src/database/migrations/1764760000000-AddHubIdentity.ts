// What the hub's database knows about the hub itself (issue 10): for now the SHA-256 fingerprint
// of the certificate authority that signs its devices, recorded at the first start, so that a
// hub of a cluster with another CA (or a freshly made one) refuses to start on it.
import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { timeCol } from './columns';

export class AddHubIdentity1764760000000 implements MigrationInterface {
  name = 'AddHubIdentity1764760000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'hub_identity',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'value', type: 'text' },
          timeCol('recorded_at'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('hub_identity');
  }
}
