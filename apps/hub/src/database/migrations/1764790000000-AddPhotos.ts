// Photo sync (issue 14, protocol section 5): one row per photo the hub has received, keyed by the
// SHA-256 of the file as taken, so the same photo from any device is one row, one stored copy
// and one receipt. `staged` while it waits in the hub's staging folder (the store unavailable),
// `stored` once it is written, flushed and renamed into the store: the receipt.
import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timeCol } from './columns';

export class AddPhotos1764790000000 implements MigrationInterface {
  name = 'AddPhotos1764790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'photos',
        columns: [
          { name: 'sha256', type: 'varchar', length: '64', isPrimary: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'content_type', type: 'varchar', length: '16' },
          { name: 'size_bytes', type: 'bigint' },
          { name: 'stored_name', type: 'varchar', length: '255' },
          { name: 'stored_sha256', type: 'varchar', length: '64', isNullable: true },
          { name: 'device_id', type: 'varchar', length: '36' },
          { name: 'device_tag', type: 'varchar', length: '128' },
          { name: 'device_name', type: 'varchar', length: '128', isNullable: true },
          { name: 'trip_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'trip_short_name', type: 'varchar', length: '64', isNullable: true },
          timeCol('taken_at'),
          { name: 'day', type: 'varchar', length: '10' },
          timeCol('received_at'),
          timeCol('stored_at', true),
        ],
      }),
    );
    // One at a time: TypeORM's createIndices makes them all at once, and on SQLite one index's
    // reading of the table could meet another's half made ("reading 'sql'" of undefined), so the
    // start-up failed and retried now and then.
    for (const index of [
      new TableIndex({ name: 'IDX_photos_trip_day', columnNames: ['trip_id', 'day'] }),
      new TableIndex({ name: 'IDX_photos_day', columnNames: ['day'] }),
      new TableIndex({ name: 'IDX_photos_device', columnNames: ['device_id'] }),
      new TableIndex({ name: 'IDX_photos_status', columnNames: ['status'] }),
      new TableIndex({ name: 'IDX_photos_stored_at', columnNames: ['stored_at'] }),
    ]) {
      await queryRunner.createIndex('photos', index);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('photos');
  }
}
