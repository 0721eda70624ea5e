// SQLite has one connection, shared by every statement the hub makes. A statement made while
// another unit of work holds a transaction open must neither see that transaction's rows nor be
// rolled back with it (issue 8, item 5): the audit retention's delete and the audit reader are
// the cases here, but the queue holds for any statement made outside `TransactionRunner`.
// PostgreSQL has a pool of connections and no queue: its side is in database-dialects.e2e-spec.ts.
import { AuditRepository } from '../apps/hub/src/audit/audit.repository';
import { DataSource } from 'typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  BatchRequest,
  runAsBackgroundWork,
  Settled,
  TransactionRunner,
  Tx,
} from '../apps/hub/src/database/transaction-runner';
import { createEnrollmentToken, enrollTestDevice, waitFor } from './support/devices';
import { fetchPhotoReceipt } from '@app/devices';
import { startHub, TestHub } from './support/hub';
import { sqliteOnly } from './support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A unit of work that holds the SQLite connection until released: `started` resolves once it
 * has the connection (whatever else the hub had queued went first), `done` once it commits.
 */
function holdConnection(
  tx: TransactionRunner,
  options: { background?: boolean; then?: () => void } = {},
) {
  let release!: () => void;
  let started!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const running = new Promise<void>((resolve) => (started = resolve));
  const done = tx.run(async () => {
    started();
    await gate;
    options.then?.();
  }, options);
  return { started: running, release, done };
}

/** An audit row written by hand, as SQL for the hub's SQLite connection. */
function insertEntry(action: string, at: string): [string, unknown[]] {
  return [
    `INSERT INTO audit_entries (at, actor_type, action) VALUES (?, 'system', ?)`,
    [at, action],
  ];
}

const describeSqlite = sqliteOnly(
  'PostgreSQL runs each transaction on its own pooled connection, with no queue',
);

describeSqlite('statements outside a transaction, on the one SQLite connection', () => {
  let hub: TestHub;
  let token: string;

  beforeAll(async () => {
    hub = await startHub();
    token = await hub.login();
  });
  afterAll(() => hub.close());

  it('neither see another transaction’s uncommitted rows nor roll back with it', async () => {
    const tx = hub.app.get(TransactionRunner);
    const audit = hub.app.get(AuditRepository);
    // A committed entry old enough for retention to delete.
    await tx.run((t) => t.query(...insertEntry('test.ancient', '2001-01-01T00:00:00.000Z')));

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const failing = tx.run(async (t) => {
      await t.query(...insertEntry('test.uncommitted', new Date().toISOString()));
      await gate;
      throw new Error('this change is rolled back');
    });
    // While that transaction is open: a staff read of the log, and the retention's delete.
    const read = hub.http
      .get('/api/audit?action=test.uncommitted')
      .set('Authorization', `Bearer ${token}`)
      .then((response) => response);
    const retention = audit.deleteOlderThan(new Date('2002-01-01T00:00:00.000Z'));
    await sleep(150);
    release();

    await expect(failing).rejects.toThrow('this change is rolled back');
    const seen = await read;
    expect(seen.status).toBe(200);
    expect((seen.body as { total: number }).total).toBe(0);
    expect(await retention).toBe(1);
    const ancient = await hub.http
      .get('/api/audit?action=test.ancient')
      .set('Authorization', `Bearer ${token}`);
    expect((ancient.body as { total: number }).total).toBe(0);
  });

  it('queues a statement from work a finished unit left behind (a timer it set)', async () => {
    const tx = hub.app.get(TransactionRunner);
    const audit = hub.app.get(AuditRepository);
    // A unit of work that starts a read it does not wait for: the read runs after it ended.
    let late!: Promise<number>;
    await tx.run(async () => {
      late = new Promise<number>((resolve, reject) => {
        setTimeout(() => {
          audit.find({ action: 'test.late' }, 0, 10).then(([, total]) => resolve(total), reject);
        }, 100);
      });
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const failing = tx.run(async (t) => {
      await t.query(...insertEntry('test.late', new Date().toISOString()));
      await gate;
      throw new Error('this change is rolled back');
    });
    await sleep(300); // the late read is made while that transaction is open
    release();
    await expect(failing).rejects.toThrow('this change is rolled back');
    expect(await late).toBe(0);
  });

  it("lets a person's request go ahead of queued background batches, and never starves them", async () => {
    const tx = hub.app.get(TransactionRunner);
    const order: string[] = [];
    // A background batch holds the connection; three more batches and then ten requests queue.
    const held = holdConnection(tx, { background: true, then: () => order.push('batch-0') });
    await held.started;
    const batches = [1, 2, 3].map((n) =>
      tx.run(async () => void order.push(`batch-${n}`), { background: true }),
    );
    const requests = Array.from({ length: 10 }, (_, n) =>
      tx.run(async () => void order.push(`request-${n}`)),
    );
    await sleep(50);
    held.release();
    await Promise.all([held.done, ...batches, ...requests]);
    // Requests first, eight units of the first lane in a row at most while a batch waits; then
    // the batches get turns. The hub's own timers (its clean-ups, the clock's lesson ends) may
    // put a unit of theirs in the first lane among the requests, so it may be seven of these.
    const firstBatch = order.indexOf('batch-1');
    const ahead = firstBatch - 1;
    expect(ahead).toBeGreaterThanOrEqual(7);
    expect(ahead).toBeLessThanOrEqual(8);
    const request = (n: number) => `request-${n}`;
    expect(order).toEqual([
      'batch-0',
      ...Array.from({ length: ahead }, (_, n) => request(n)),
      'batch-1',
      ...Array.from({ length: 10 - ahead }, (_, n) => request(ahead + n)),
      'batch-2',
      'batch-3',
    ]);
  });

  it('queues in the background lane everything started as background work, however deep', async () => {
    const tx = hub.app.get(TransactionRunner);
    const order: string[] = [];
    const held = holdConnection(tx, { then: () => order.push('held') });
    await held.started;
    // A unit and a bare statement from background work, after an await, queue first...
    const background = runAsBackgroundWork(async () => {
      await sleep(1);
      return Promise.all([
        tx.run(async () => void order.push('background unit')),
        hub.app
          .get(DataSource)
          .query('SELECT 1')
          .then(() => order.push('background statement')),
      ]);
    });
    await waitFor(() => tx.waiting().background >= 2, 'both queued');
    // ...and a person's request, queued after them, goes first.
    const request = tx.run(async () => void order.push('request'));
    held.release();
    await Promise.all([held.done, background, request]);
    expect(order).toEqual(['held', 'request', 'background unit', 'background statement']);
  });

  it("queues a device's photo requests in the background lane, behind a teacher's", async () => {
    const tx = hub.app.get(TransactionRunner);
    const device = await enrollTestDevice(hub, await createEnrollmentToken(hub, token));
    // The enrolment's own work (its baseline policy, planned within 200 ms) done first.
    await waitFor(async () => {
      const record = await hub.http
        .get(`/api/devices/${device.deviceId}`)
        .set('Authorization', `Bearer ${token}`);
      return record.body.compliance?.desiredVersion;
    }, 'the baseline planned');
    await sleep(100);
    const held = holdConnection(tx);
    await held.started;
    // A receipt not there yet: null (the hub's 404).
    const receipt = fetchPhotoReceipt(device, 'a'.repeat(64));
    // The device's proof waits for the connection in the background lane, not the first.
    await waitFor(() => tx.waiting().background > 0, 'the receipt request queued');
    const staff = hub.http
      .get('/api/devices')
      .set('Authorization', `Bearer ${token}`)
      .then((response) => response.status);
    await waitFor(() => tx.waiting().first > 0, 'the staff request queued');
    held.release();
    await held.done;
    expect(await Promise.all([receipt, staff])).toEqual([null, 200]);
  });
});

describeSqlite('requests of one kind waiting together run as one batch (runBatch)', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.close());

  /** Rows of the test's audit action, by their `actor_label` (the request's name). */
  async function written(action: string): Promise<string[]> {
    const rows = (await hub.app
      .get(DataSource)
      .query(`SELECT actor_label FROM audit_entries WHERE action = ? ORDER BY seq`, [
        action,
      ])) as Array<{ actor_label: string }>;
    return rows.map((row) => row.actor_label);
  }

  /** A batch's work: each request writes a row, and those named `refuse-*` are refused first. */
  function writeEach(action: string, calls: string[][]) {
    return async (t: Tx, requests: Array<BatchRequest<string>>) => {
      calls.push(requests.map((request) => request.input));
      const answers: Array<Settled<string>> = [];
      for (const request of requests) {
        if (request.input.startsWith('refuse')) {
          answers.push({ ok: false, error: new Error(`${request.input} was refused`) });
          continue;
        }
        await t.query(
          `INSERT INTO audit_entries (at, actor_type, actor_label, action)
          VALUES (?, 'system', ?, ?)`,
          [new Date().toISOString(), request.input, action],
        );
        answers.push({ ok: true, value: `${request.input} done` });
      }
      return answers;
    };
  }

  it('takes every request waiting when it starts, in order, and answers each with its own result', async () => {
    const tx = hub.app.get(TransactionRunner);
    const calls: string[][] = [];
    const held = holdConnection(tx);
    await held.started;
    const work = writeEach('test.batch', calls);
    const results = ['first', 'refuse-second', 'third'].map((name) =>
      tx.runBatch('test.batch', name, work).then(
        (value) => value,
        (error: Error) => `error: ${error.message}`,
      ),
    );
    held.release();
    expect(await Promise.all(results)).toEqual([
      'first done',
      'error: refuse-second was refused',
      'third done',
    ]);
    expect(calls).toEqual([['first', 'refuse-second', 'third']]);
    expect(await written('test.batch')).toEqual(['first', 'third']);
  });

  it('rolls the batch back when every request in it was refused', async () => {
    const tx = hub.app.get(TransactionRunner);
    const calls: string[][] = [];
    const work = async (t: Tx, requests: Array<BatchRequest<string>>) => {
      calls.push(requests.map((request) => request.input));
      // Written before the refusals were known: a batch that ends with none done keeps nothing.
      await t.query(
        `INSERT INTO audit_entries (at, actor_type, actor_label, action)
        VALUES (?, 'system', 'shared', 'test.refused')`,
        [new Date().toISOString()],
      );
      return requests.map((request): Settled<string> => ({
        ok: false,
        error: new Error(`${request.input} no`),
      }));
    };
    const held = holdConnection(tx);
    await held.started;
    const results = ['a', 'b'].map((name) =>
      tx.runBatch('test.refused', name, work).catch((error: Error) => error.message),
    );
    held.release();
    expect(await Promise.all(results)).toEqual(['a no', 'b no']);
    expect(calls).toEqual([['a', 'b']]);
    expect(await written('test.refused')).toEqual([]);
  });

  it('runs `within` in each request’s own async context, and more than 100 in further batches', async () => {
    const tx = hub.app.get(TransactionRunner);
    const context = new AsyncLocalStorage<string>();
    const sizes: number[] = [];
    const work = async (_t: Tx, requests: Array<BatchRequest<string>>) => {
      sizes.push(requests.length);
      const answers: Array<Settled<string>> = [];
      for (const request of requests) {
        answers.push({
          ok: true,
          value: await request.within(async () => context.getStore() ?? 'none'),
        });
      }
      return answers;
    };
    const held = holdConnection(tx);
    await held.started;
    const names = Array.from({ length: 130 }, (_, i) => `request-${i}`);
    const results = names.map((name) =>
      context.run(name, () => tx.runBatch('test.context', name, work)),
    );
    held.release();
    expect(await Promise.all(results)).toEqual(names);
    expect(sizes).toEqual([100, 30]);
  });
});
