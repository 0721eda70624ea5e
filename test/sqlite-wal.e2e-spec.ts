// The hub's SQLite WAL: a burst of writes (a policy change to thousands of devices) is copied
// back into the database file by the hub's second connection, and the WAL starts again from the
// beginning afterwards instead of growing with every change the hub ever made.
import * as fs from 'node:fs';
import * as path from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import { SqliteTuning } from '../apps/hub/src/database/sqlite-tuning';
import { TransactionRunner } from '../apps/hub/src/database/transaction-runner';
import { startHub, TestHub } from './support/hub';
import { sqliteOnly } from './support/test-database';

/** Frames in the WAL now, as another program opening the file would see them. */
function walFrames(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (openError) => {
      if (openError) {
        reject(openError);
        return;
      }
      db.get('PRAGMA wal_checkpoint(PASSIVE)', (error: Error | null, row?: { log: number }) => {
        db.close();
        if (error) {
          reject(error);
        } else {
          resolve(row?.log ?? -1);
        }
      });
    });
  });
}

/** Makes `table` and writes about 24 MB to it in six transactions (6 x 1,300 rows). */
async function burst(tx: TransactionRunner, table: string): Promise<void> {
  await tx.run((t) => t.query(`CREATE TABLE ${table} (body BLOB)`));
  for (let i = 0; i < 6; i += 1) {
    await tx.run((t) =>
      t.query(
        `INSERT INTO ${table} SELECT randomblob(3000) FROM
           (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1300)
            SELECT i FROM n)`,
      ),
    );
  }
}

const describeSqlite = sqliteOnly('PostgreSQL has no WAL file for the hub to checkpoint');

describeSqlite('the SQLite WAL', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.close());

  it('is copied back after a burst of writes and then starts again from the beginning', async () => {
    const dataSource = hub.app.get(DataSource);
    const tx = hub.app.get(TransactionRunner);
    const file = path.join(hub.dataDir, 'hub.sqlite');
    // About 24 MB in six transactions: thousands of pages, as a large fan-out writes.
    await burst(tx, 'wal_burst');
    const afterBurst = fs.statSync(`${file}-wal`).size;
    expect(afterBurst).toBeGreaterThan(16 * 1024 * 1024);

    await hub.app.get(SqliteTuning).checkpoint();
    await tx.run((t) => t.query("INSERT INTO wal_burst VALUES (x'00')"));

    // The next write went to the start of the WAL: only its own few frames are in use.
    expect(await walFrames(file)).toBeLessThan(50);
    expect(fs.statSync(`${file}-wal`).size).toBeLessThanOrEqual(afterBurst);
    const [{ rows }] = await dataSource.query('SELECT COUNT(*) AS rows FROM wal_burst');
    expect(rows).toBe(6 * 1300 + 1);
  });

  it('copies, when asked while a checkpoint runs, what was committed after that one began', async () => {
    const tuning = hub.app.get(SqliteTuning);
    const tx = hub.app.get(TransactionRunner);
    const file = path.join(hub.dataDir, 'hub.sqlite');
    await burst(tx, 'wal_late');
    // A checkpoint starts copying the burst (as the hub's timer starts one every second); a
    // small write commits while it runs; then a checkpoint is asked for.
    const running = tuning.checkpoint();
    await tx.run((t) => t.query("INSERT INTO wal_late VALUES (x'01')"));
    const asked = tuning.checkpoint();
    await Promise.all([running, asked]);
    await tx.run((t) => t.query("INSERT INTO wal_late VALUES (x'02')"));

    // Everything was copied, the small write included, so the next write began the WAL again.
    expect(await walFrames(file)).toBeLessThan(50);
  });
});
