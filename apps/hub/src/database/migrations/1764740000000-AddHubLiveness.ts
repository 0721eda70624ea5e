// Several hubs on one database (issue 10): a liveness row per running hub process, beaten every
// few seconds, and on each device the hub that holds its connection. A live hub marks offline
// the devices of a hub whose heartbeat stopped, so a dead hub's devices are not shown online
// for ever. A hub on its own (no HUB_REDIS) writes neither.
import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { idColumn, timeCol } from './columns';

export class AddHubLiveness1764740000000 implements MigrationInterface {
  name = 'AddHubLiveness1764740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'hubs',
        columns: [idColumn(), timeCol('started_at'), timeCol('heartbeat_at')],
      }),
    );
    await queryRunner.addColumn(
      'devices',
      new TableColumn({ name: 'hub_id', type: 'varchar', length: '36', isNullable: true }),
    );
    await queryRunner.createIndex(
      'devices',
      new TableIndex({ name: 'IDX_devices_hub_id', columnNames: ['hub_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('devices', 'IDX_devices_hub_id');
    await queryRunner.dropColumn('devices', 'hub_id');
    await queryRunner.dropTable('hubs');
  }
}
