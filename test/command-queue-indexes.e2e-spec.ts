// The command queue's hot queries use the small index of open commands. A query that words its
// `status IN (...)` condition differently from the index still works, only by walking every
// device's whole history instead, so nothing else would notice until a school's queue is large.
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource } from 'typeorm';
import { CommandsRepository } from '../apps/hub/src/commands/commands.repository';
import { startHub, TestHub } from './support/hub';
import { sqliteOnly } from './support/test-database';

interface SqliteHandle {
  all(sql: string, params: unknown[], callback: (...args: unknown[]) => void): unknown;
  run(sql: string, params: unknown[], callback: (...args: unknown[]) => void): unknown;
}

const describeSqlite = sqliteOnly(
  'reads SQLite query plans (EXPLAIN QUERY PLAN) through its one connection',
);

describeSqlite('command queue indexes', () => {
  let hub: TestHub;
  let dataSource: DataSource;
  let commands: CommandsRepository;

  beforeAll(async () => {
    hub = await startHub();
    dataSource = hub.app.get(DataSource);
    commands = hub.app.get(CommandsRepository);
  });
  afterAll(() => hub.close());

  /** Runs `work` and returns every statement it sent to SQLite, with its parameters. */
  const capture = new AsyncLocalStorage<symbol>();

  async function statementsOf(work: () => Promise<unknown>) {
    const handle = (dataSource.driver as unknown as { databaseConnection: SqliteHandle })
      .databaseConnection;
    const seen: { sql: string; params: unknown[] }[] = [];
    const { all, run } = handle;
    // Only the work's own statements: the hub's timers (the expiry sweep) share the connection.
    const mine = Symbol('work');
    handle.all = function (sql, params, callback) {
      if (capture.getStore() === mine) {
        seen.push({ sql, params });
      }
      return all.call(this, sql, params, callback);
    };
    handle.run = function (sql, params, callback) {
      if (capture.getStore() === mine) {
        seen.push({ sql, params });
      }
      return run.call(this, sql, params, callback);
    };
    try {
      await capture.run(mine, work);
    } finally {
      handle.all = all;
      handle.run = run;
    }
    return seen.filter(({ sql }) => !/^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(sql));
  }

  async function planOf({ sql, params }: { sql: string; params: unknown[] }): Promise<string> {
    const rows: { detail: string }[] = await dataSource.query(`EXPLAIN QUERY PLAN ${sql}`, params);
    return rows.map((row) => row.detail).join('; ');
  }

  const devices = ['0b7e4c7e-8f0a-4f57-9a3e-2d3c9a1b5e6f', '1c8f5d8f-9a1b-4a68-8b4f-3e4d0b2c6f70'];

  // What a policy change or a class lock does for thousands of devices at once, and what each
  // device's delivery asks after every answer.
  it.each([
    ['delivery to many devices', () => commands.findDeliverableForDevices(devices, new Date())],
    ['delivery to one device', () => commands.findDeliverable(devices[0], new Date(), 20)],
    ['open commands of a device', () => commands.openForDevice(devices[0])],
    ['retry times', () => commands.nextRetryTimes(devices)],
    ['open commands of some types', () => commands.countOpenOfTypes(devices[0], ['device.lock'])],
    [
      'replacing a waiting policy',
      () =>
        dataSource.transaction((tx) =>
          commands.supersedeOpen(tx, devices, ['policy.apply'], new Date(), 'replaced'),
        ),
    ],
    [
      'replacing waiting locks and unlocks',
      () =>
        dataSource.transaction((tx) =>
          commands.supersedeOpen(
            tx,
            devices,
            ['device.lock', 'device.unlock'],
            new Date(),
            'replaced',
          ),
        ),
    ],
    [
      'cancelling a device’s queue',
      () => dataSource.transaction((tx) => commands.cancelOpenForDevice(tx, devices[0])),
    ],
    [
      'open commands of some types, in a transaction',
      () =>
        dataSource.transaction((tx) =>
          commands.countOpenOfTypes(devices[0], ['device.lock', 'device.unlock'], tx),
        ),
    ],
  ])('%s uses the open-commands index', async (_what, work) => {
    const statements = await statementsOf(work);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(await planOf(statement)).toContain('IDX_commands_device_open');
    }
  });

  // Sends and answers are recorded by command id, a batch at a time.
  const ids = Array.from(
    { length: 30 },
    (_, i) => `0b7e4c7e-8f0a-4f57-9a3e-${String(i).padStart(12, '0')}`,
  );
  it.each([
    [
      'claiming and marking sent',
      () =>
        dataSource.transaction((tx) =>
          commands.claimAndMarkSent(tx, ids, new Date(), { hub: 'hub-a', until: new Date() }),
        ),
    ],
    [
      'recording answers',
      () =>
        dataSource.transaction((tx) =>
          commands.recordAnswers(tx, ids, {
            status: 'acknowledged',
            answeredAt: new Date(),
            detail: null,
            nextAttemptAt: null,
          }),
        ),
    ],
    ['expiring', () => dataSource.transaction((tx) => commands.markExpired(tx, ids, new Date()))],
  ])('%s looks the commands up by id', async (_what, work) => {
    const statements = await statementsOf(work);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(await planOf(statement)).toMatch(/USING INDEX sqlite_autoindex_commands_\d \(id=\?\)/);
    }
  });

  it('a device’s history uses the history index', async () => {
    const statements = await statementsOf(() =>
      commands.findPageForDevice(devices[0], undefined, 0, 20),
    );
    const plans = await Promise.all(statements.map(planOf));
    expect(plans.join(' | ')).toContain('IDX_commands_device_history');
  });
});
