// What a database leaves behind, or breaks off, must not lose work (issue 10): a deadlock that
// PostgreSQL breaks by rolling one transaction back is run again, and a hub on its own gives up
// at start the command claims its earlier run left (a crash), instead of waiting 45 s for them
// to run out before delivering.
import { CommandEntity } from '../apps/hub/src/commands/command.entity';
import { TransactionRunner } from '../apps/hub/src/database/transaction-runner';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
} from './support/devices';
import { makeDataDir, startHub, TestHub } from './support/hub';
import { postgresOnly, TEST_DATABASE_NAME } from './support/test-database';

describe(`work a database left or broke off, on ${TEST_DATABASE_NAME}`, () => {
  const hubs: TestHub[] = [];
  const devices: TestDevice[] = [];

  afterEach(async () => {
    devices.splice(0).forEach((device) => device.client.destroy());
    for (const hub of hubs.splice(0)) {
      await hub.close();
    }
  });

  it('delivers at once, after a crash of a hub on its own, a command its earlier run had claimed', async () => {
    const dataDir = makeDataDir();
    const first = await startHub({ dataDir });
    const admin = await first.login();
    const identity = await enrollTestDevice(first, await createEnrollmentToken(first, admin));
    const issued = await first.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ type: 'message.show', payload: { text: 'Left claimed by a crash' } });
    expect(issued.status).toBe(201);
    // As a crash leaves it: sent by the earlier run, claimed by it for minutes to come.
    await first.app.get(TransactionRunner).run((tx) =>
      tx.update(
        CommandEntity,
        { id: issued.body.id as string },
        {
          claimedBy: 'the-run-that-crashed',
          claimedUntil: new Date(Date.now() + 10 * 60_000),
        },
      ),
    );
    await first.close();

    const second = await startHub({ dataDir });
    hubs.push(second);
    const device = connectTestDevice({ ...identity, hubUrl: second.url });
    devices.push(device);

    await waitFor(
      () => device.enforcer.messages.some((message) => message.text === 'Left claimed by a crash'),
      'the message shown',
      10_000,
    );
  });

  postgresOnly('PostgreSQL breaks deadlocks by rolling one transaction back')('a deadlock', () => {
    it('runs the unit of work PostgreSQL rolled back again, so both writes stand', async () => {
      const hub = await startHub();
      hubs.push(hub);
      const runner = hub.app.get(TransactionRunner);
      await runner.run((tx) =>
        tx.query(
          'CREATE TABLE deadlock_probe (id integer PRIMARY KEY, n integer NOT NULL); ' +
            'INSERT INTO deadlock_probe VALUES (1, 0), (2, 0)',
        ),
      );
      let tries = 0;
      const locked = [0, 1].map(() => {
        let signal = () => {};
        const promise = new Promise<void>((resolve) => (signal = resolve));
        return { promise, signal };
      });
      // Two units that update the same two rows in opposite orders, each waiting until the
      // other holds its first row: PostgreSQL must roll one of them back.
      const unit = (index: number, order: [number, number]) =>
        runner.run(async (tx) => {
          tries += 1;
          await tx.query('UPDATE deadlock_probe SET n = n + 1 WHERE id = $1', [order[0]]);
          locked[index].signal();
          await locked[1 - index].promise;
          await tx.query('UPDATE deadlock_probe SET n = n + 1 WHERE id = $1', [order[1]]);
        });

      await Promise.all([unit(0, [1, 2]), unit(1, [2, 1])]);

      expect(tries).toBe(3);
      const rows = (await runner.reader.query('SELECT id, n FROM deadlock_probe ORDER BY id')) as {
        id: number;
        n: number;
      }[];
      expect(rows).toEqual([
        { id: 1, n: 2 },
        { id: 2, n: 2 },
      ]);
    }, 60_000);
  });
});
