// What differs between the hub's two databases, checked on whichever this run uses (issue 10):
// time comparisons on ISO text, NULLs in sort order, booleans written through a VALUES list;
// and on PostgreSQL, which has no transaction queue, real transactions side by side and a
// unique key taken by one of them answered with a 409, not a 500.
// (SQLite's queue and WAL have their own specs: transaction-queue, sqlite-wal.)
import { enrollDevice } from '@app/devices';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAdmin } from '../apps/hub/src/admin';
import { TransactionRunner, Tx } from '../apps/hub/src/database/transaction-runner';
import { createEnrollmentToken, testKeys } from './support/devices';
import { makeDataDir, startHub, TestHub } from './support/hub';
import { freePort, startHubProcess } from './support/hub-process';
import { postgresOnly, serverUrl, TEST_DATABASE_NAME } from './support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An audit row written by hand, in SQL both databases take. */
function insertEntry(tx: Tx, action: string, at: string): Promise<unknown> {
  return tx.query(`INSERT INTO audit_entries (at, actor_type, action) VALUES ($1, 'system', $2)`, [
    at,
    action,
  ]);
}

describe(`the hub's database, on ${TEST_DATABASE_NAME}`, () => {
  let hub: TestHub;
  let admin: string;
  const as = () => `Bearer ${admin}`;
  const audit = (query: Record<string, string>) =>
    hub.http
      .get('/api/audit')
      .query({ pageSize: 500, ...query })
      .set('Authorization', as());

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });
  afterAll(() => hub.close());

  it('compares times to the millisecond, whatever offset the question is asked in', async () => {
    const times = [
      '2025-12-31T23:59:59.999Z',
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.001Z',
      '2026-01-01T09:59:59.999Z',
      '2026-01-01T10:00:00.000Z',
    ];
    await hub.app.get(TransactionRunner).run(async (tx) => {
      for (const at of times) {
        await insertEntry(tx, 'test.time', at);
      }
    });

    // From is inclusive, to exclusive: the same instants written in UTC and in New York time.
    for (const [from, to] of [
      ['2026-01-01T00:00:00Z', '2026-01-01T10:00:00Z'],
      ['2025-12-31T19:00:00-05:00', '2026-01-01T05:00:00-05:00'],
    ]) {
      const page = await audit({ action: 'test.time', from, to });
      expect(page.status).toBe(200);
      expect((page.body as { items: { at: string }[] }).items.map((e) => e.at)).toEqual([
        '2026-01-01T09:59:59.999Z',
        '2026-01-01T00:00:00.001Z',
        '2026-01-01T00:00:00.000Z',
      ]);
    }
  });

  it('lists unnamed devices before named ones, as SQLite sorts NULL', async () => {
    const token = await createEnrollmentToken(hub, admin);
    const keys = await testKeys();
    const enrol = (serialNumber: string, name?: string) =>
      enrollDevice({
        hubUrl: hub.url,
        token,
        keys,
        device: { serialNumber, platform: 'linux', model: 'Test laptop', name },
      });
    await enrol('DIALECT-B', 'Alpha');
    await enrol('DIALECT-C');
    await enrol('DIALECT-A', 'Beta');
    await enrol('DIALECT-D');

    const list = await hub.http
      .get('/api/devices')
      .query({ search: 'dialect-' })
      .set('Authorization', as());
    expect(list.status).toBe(200);
    expect(
      (list.body as { items: { serialNumber: string; name: string | null }[] }).items.map((d) => [
        d.serialNumber,
        d.name,
      ]),
    ).toEqual([
      ['DIALECT-C', null],
      ['DIALECT-D', null],
      ['DIALECT-B', 'Alpha'],
      ['DIALECT-A', 'Beta'],
    ]);
  });
});

// SQLite runs one transaction at a time by design (transaction-queue spec).
const describePostgres = postgresOnly('SQLite queues its transactions on one connection');

describePostgres('transactions on PostgreSQL', () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });
  afterAll(() => hub.close());

  const countOf = async (tx: Tx | TransactionRunner['reader'], action: string) =>
    Number(
      (
        (await tx.query('SELECT COUNT(*) AS n FROM audit_entries WHERE action = $1', [action])) as {
          n: string;
        }[]
      )[0].n,
    );

  it('run side by side, neither seeing the other’s uncommitted rows', async () => {
    const runner = hub.app.get(TransactionRunner);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstSaw = -1;
    const first = runner.run(async (tx) => {
      await insertEntry(tx, 'test.first', new Date().toISOString());
      await gate;
      firstSaw = await countOf(tx, 'test.second');
    });
    await sleep(100);

    // The second commits while the first is still open: there is no queue.
    const secondSaw = await runner.run(async (tx) => {
      await insertEntry(tx, 'test.second', new Date().toISOString());
      return { first: await countOf(tx, 'test.first'), second: await countOf(tx, 'test.second') };
    });
    expect(secondSaw).toEqual({ first: 0, second: 1 });
    expect(await countOf(runner.reader, 'test.first')).toBe(0);

    release();
    await first;
    // Read committed: the first saw the second's row once that had committed.
    expect(firstSaw).toBe(1);
    expect(await countOf(runner.reader, 'test.first')).toBe(1);
  });

  it('roll back alone: one that fails leaves the other’s rows', async () => {
    const runner = hub.app.get(TransactionRunner);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const failing = runner.run(async (tx) => {
      await insertEntry(tx, 'test.rolled_back', new Date().toISOString());
      await gate;
      throw new Error('this change is rolled back');
    });
    await runner.run((tx) => insertEntry(tx, 'test.kept', new Date().toISOString()));
    release();
    await expect(failing).rejects.toThrow('this change is rolled back');
    expect(await countOf(runner.reader, 'test.rolled_back')).toBe(0);
    expect(await countOf(runner.reader, 'test.kept')).toBe(1);
  });

  it('answer 409 when a username is taken by a transaction that commits meanwhile', async () => {
    const runner = hub.app.get(TransactionRunner);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const now = new Date().toISOString();
    // Another hub creating "ines": its row is written, not committed, so the request's own
    // check finds no "ines" and its insert waits on the unique key until this commits.
    const other = runner.run(async (tx) => {
      await tx.query(
        `INSERT INTO staff_accounts (id, username, display_name, password_hash, roles, disabled,
             created_at, updated_at, password_changed_at)
           VALUES ($1, 'ines', 'Ines (other hub)', 'x', 'teacher', false, $2, $2, $2)`,
        [randomUUID(), now],
      );
      await gate;
    });
    await sleep(100);
    const creating = hub.http
      .post('/api/staff')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        username: 'ines',
        displayName: 'Ines',
        password: 'Staff-Pass1!',
        roles: ['teacher'],
      })
      .then((response) => response);
    await sleep(500);
    release();
    await other;

    const created = await creating;
    expect(created.status).toBe(409);
    expect(created.body.message).toMatch(/ines/);
    const staff = await hub.http.get('/api/staff').set('Authorization', `Bearer ${admin}`);
    const ines = (staff.body as { items?: unknown[] }).items ?? (staff.body as unknown[]);
    expect(
      (ines as { username: string; displayName: string }[]).filter((s) => s.username === 'ines'),
    ).toEqual([expect.objectContaining({ displayName: 'Ines (other hub)' })]);
  });

  it('stop the start in one closing line when HUB_DB names a database that is not there', async () => {
    const starting = startHubProcess(makeDataDir(), await freePort(), {
      env: { HUB_DB: serverUrl('hub_test_no_such_database') },
    });
    await expect(starting).rejects.toThrow(
      /The hub could not start: database "hub_test_no_such_database" does not exist\n$/,
    );
  });

  it('refuse a backup by the admin command, pointing to pg_dump', async () => {
    let err = '';
    const file = path.join(hub.dataDir, 'backup.tar.gz');
    const code = await runAdmin(
      ['backup', file],
      { HUB_DATA_DIR: hub.dataDir, HUB_LOG_LEVEL: 'silent', ...hub.databaseEnv },
      { out: () => undefined, err: (text) => (err += text) },
    );
    expect(code).toBe(1);
    expect(err).toMatch(/this hub is on PostgreSQL \(HUB_DB\): back that database up with pg_dump/);
    expect(fs.existsSync(file)).toBe(false);
  });
});
