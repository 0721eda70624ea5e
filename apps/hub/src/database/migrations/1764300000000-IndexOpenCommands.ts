// Indexes the command queue by what is still open, so that a command's status changes (sent,
// then answered) no longer move it around an index of every device's whole history. The index
// on (device, status, seq) put each status change at a different place among thousands of
// devices: at a 5,000-device policy change, every send and every answer rewrote most of that
// index's pages. Now:
// - (device, seq) over every command: a device's history; a status change leaves it alone;
// - (device, status, seq) over open commands only: what to deliver next; small, since most are
//   answered, so the moves between pending and sent touch few pages. (Its status column also
//   makes it the planner's choice over the history index without collected statistics.)
// (status, expiry) stays: its entries cluster by status, so it is cheap to keep and counts fast.
// Queries on open commands repeat the index's `status IN (...)` condition word for word, which is
// how SQLite (and PostgreSQL) know they may use it.
import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

const OLD_COLUMNS = ['device_id', 'status', 'seq'];

export class IndexOpenCommands1764300000000 implements MigrationInterface {
  name = 'IndexOpenCommands1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = await queryRunner.getTable('commands');
    const old = table?.indices.find((index) => index.columnNames.join() === OLD_COLUMNS.join());
    if (old) {
      await queryRunner.dropIndex('commands', old);
    }
    // One at a time (not createIndices, which makes them at once and on SQLite could fail with
    // "reading 'sql'"); the schema is the same.
    await queryRunner.createIndex(
      'commands',
      new TableIndex({ name: 'IDX_commands_device_history', columnNames: ['device_id', 'seq'] }),
    );
    await queryRunner.createIndex(
      'commands',
      new TableIndex({
        name: 'IDX_commands_device_open',
        columnNames: ['device_id', 'status', 'seq'],
        where: "status IN ('pending', 'sent', 'not_now')",
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('commands', 'IDX_commands_device_open');
    await queryRunner.dropIndex('commands', 'IDX_commands_device_history');
    await queryRunner.createIndex('commands', new TableIndex({ columnNames: OLD_COLUMNS }));
  }
}
