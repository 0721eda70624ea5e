// A command is delivered by one hub only (issue 10): the hub that sends it claims it in the same
// write that marks it sent, and another hub that sees the same device connect leaves it alone
// until the claim ends (the answer, the connection gone, or the claim run out because its hub
// died: the durable queue still delivers it). A device proof's nonce is single-use across hubs.
// Two hubs on one database need PostgreSQL; the single-hub path runs on SQLite too.
import { DataSource } from 'typeorm';
import { io, Socket } from 'socket.io-client';
import { CommandAnswer, CommandEnvelope, DeviceIdentity, makeProof } from '@app/devices';
import { makeDataDir, startHub, TestHub } from './support/hub';
import { createEnrollmentToken, enrollTestDevice, waitFor } from './support/devices';
import { postgresOnly, sqliteOnly, TEST_DATABASE_NAME } from './support/test-database';

interface CommandRow {
  id: string;
  type: string;
  status: string;
}

/**
 * A device's socket to one hub that notes every command and answers it `acknowledged`; with
 * `answerMessages: false` it leaves messages unanswered (its baseline policy is still answered).
 */
interface DeviceSocket {
  socket: Socket;
  received: CommandEnvelope[];
}

const sockets: Socket[] = [];

function connectRaw(
  hub: TestHub,
  identity: DeviceIdentity,
  options: { answerMessages?: boolean } = {},
): DeviceSocket {
  const socket = io(`${hub.url}/device`, {
    auth: { proof: makeProof(identity.deviceId, identity.privateKeyPem) },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  const received: CommandEnvelope[] = [];
  socket.on('command', (command: CommandEnvelope, reply: (answer: unknown) => void) => {
    received.push(command);
    if (command.type !== 'message.show' || (options.answerMessages ?? true)) {
      reply({ status: 'acknowledged' } satisfies CommandAnswer);
    }
  });
  return { socket, received };
}

function connected(device: DeviceSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (device.socket.connected) {
      resolve();
      return;
    }
    device.socket.once('connect', () => resolve());
    device.socket.once('connect_error', reject);
  });
}

function closeSockets(): void {
  for (const socket of sockets.splice(0)) {
    socket.disconnect();
  }
}

async function commandsOf(hub: TestHub, admin: string, deviceId: string): Promise<CommandRow[]> {
  const response = await hub.http
    .get(`/api/devices/${deviceId}/commands?pageSize=100`)
    .set('Authorization', `Bearer ${admin}`);
  return response.body.items as CommandRow[];
}

async function issueMessage(
  hub: TestHub,
  admin: string,
  deviceId: string,
  text: string,
): Promise<string> {
  const response = await hub.http
    .post(`/api/devices/${deviceId}/commands`)
    .set('Authorization', `Bearer ${admin}`)
    .send({ type: 'message.show', payload: { text } });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

/** Marks a command as sent and claimed by a hub that is not running, until `until`. */
async function claimForAnotherHub(hub: TestHub, commandId: string, until: Date): Promise<void> {
  const dataSource = hub.app.get(DataSource);
  const p = (index: number) => dataSource.driver.createParameter(`p${index + 1}`, index);
  await dataSource.query(
    `UPDATE commands SET status = 'sent', claimed_by = ${p(0)}, claimed_until = ${p(1)} WHERE id = ${p(2)}`,
    ['hub-that-died', until.toISOString(), commandId],
  );
}

afterEach(closeSockets);

describe(`command claims on one hub (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });

  afterAll(async () => {
    await hub.close();
  });

  it('leaves a command claimed by another hub until the claim runs out, then delivers it', async () => {
    const identity = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    const id = await issueMessage(hub, admin, identity.deviceId, 'claimed elsewhere');
    await claimForAnotherHub(hub, id, new Date(hub.clock.nowMs() + 60 * 60 * 1000));

    const device = connectRaw(hub, identity);
    await connected(device);
    // Its baseline policy (queued after enrolment) comes first, then nothing: the message is
    // another hub's to answer, and nothing after it may overtake it.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(device.received.map((command) => command.id)).not.toContain(id);
    expect((await commandsOf(hub, admin, identity.deviceId)).find((c) => c.id === id)?.status).toBe(
      'sent',
    );

    // That hub died: its claim runs out, and the command is delivered once, and answered.
    hub.clock.advance(2 * 60 * 60 * 1000);
    try {
      await waitFor(
        async () =>
          (await commandsOf(hub, admin, identity.deviceId)).find((c) => c.id === id)?.status ===
          'acknowledged',
        'the message acknowledged after the claim ran out',
      );
    } finally {
      // Back, so that the device proofs of the next tests are fresh by the hub's clock.
      hub.clock.advance(-2 * 60 * 60 * 1000);
    }
    expect(device.received.filter((command) => command.id === id)).toHaveLength(1);
  });

  it('takes a command this hub claimed and the device never answered to its next connection', async () => {
    // A token of its own: another test here moves the hub's clock past the first one's expiry.
    const identity = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    const id = await issueMessage(hub, admin, identity.deviceId, 'unanswered');
    const silent = connectRaw(hub, identity, { answerMessages: false });
    await waitFor(() => silent.received.some((c) => c.id === id), 'the message sent');
    silent.socket.disconnect();

    const again = connectRaw(hub, identity);
    await waitFor(
      async () =>
        (await commandsOf(hub, admin, identity.deviceId)).find((c) => c.id === id)?.status ===
        'acknowledged',
      'the message sent again and acknowledged',
    );
    expect(again.received.filter((command) => command.id === id)).toHaveLength(1);
  });
});

const describeSqlite = sqliteOnly('a SQLite file has one hub, so claims of its earlier run end');
describeSqlite('command claims after a SQLite hub restarts', () => {
  it('gives up the claims of its earlier run at start, and delivers at once', async () => {
    const dataDir = makeDataDir();
    let hub = await startHub({ dataDir });
    const admin = await hub.login();
    const identity = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    const id = await issueMessage(hub, admin, identity.deviceId, 'after a crash');
    // As a crash would leave it: sent, claimed by the hub's earlier run for an hour more.
    await claimForAnotherHub(hub, id, new Date(Date.now() + 60 * 60 * 1000));
    await hub.close();

    hub = await startHub({ dataDir });
    try {
      const device = connectRaw(hub, identity);
      const admin2 = await hub.login();
      await waitFor(
        async () =>
          (await commandsOf(hub, admin2, identity.deviceId)).find((c) => c.id === id)?.status ===
          'acknowledged',
        'the message delivered after the restart',
        5000,
      );
      expect(device.received.filter((command) => command.id === id)).toHaveLength(1);
    } finally {
      closeSockets();
      await hub.close();
    }
  });
});

const describePostgres = postgresOnly('two hubs share one database only on PostgreSQL');
describePostgres('two hubs on one database', () => {
  let a: TestHub;
  let b: TestHub;
  let admin: string;
  let enrolment: string;

  beforeAll(async () => {
    const dataDir = makeDataDir();
    a = await startHub({ dataDir });
    b = await startHub({ dataDir });
    admin = await a.login();
    enrolment = await createEnrollmentToken(a, admin, { maxUses: 20 });
  });

  afterAll(async () => {
    closeSockets();
    await a.close();
    await b.close();
  });

  it('never delivers a pending command twice when the device connects to both hubs at once', async () => {
    const identity = await enrollTestDevice(a, enrolment);
    const runs = 15;
    for (let run = 0; run < runs; run += 1) {
      const ids: string[] = [];
      for (const text of ['one', 'two', 'three']) {
        ids.push(await issueMessage(a, admin, identity.deviceId, `run ${run} ${text}`));
      }
      // Its old socket on one hub and its new one on the other, both seeing it connect at once.
      const onA = connectRaw(a, identity);
      const onB = connectRaw(b, identity);
      await Promise.all([connected(onA), connected(onB)]);
      await waitFor(async () => {
        const rows = await commandsOf(a, admin, identity.deviceId);
        return ids.every((id) => rows.find((c) => c.id === id)?.status === 'acknowledged');
      }, `run ${run}: every command acknowledged`);
      const received = [...onA.received, ...onB.received].map((command) => command.id);
      for (const id of ids) {
        expect({ run, id, deliveries: received.filter((r) => r === id).length }).toEqual({
          run,
          id,
          deliveries: 1,
        });
      }
      // In issue order, whichever hub sent each.
      const order = received.filter((id) => ids.includes(id));
      expect(order.sort((x, y) => ids.indexOf(x) - ids.indexOf(y))).toEqual(ids);
      closeSockets();
      await waitFor(async () => {
        const response = await a.http
          .get(`/api/devices/${identity.deviceId}`)
          .set('Authorization', `Bearer ${admin}`);
        return response.body.online === false;
      }, `run ${run}: the device offline again`);
    }
  }, 120_000);

  it('sends at once on the other hub a command whose connection to the first hub is gone', async () => {
    const identity = await enrollTestDevice(a, enrolment);
    const id = await issueMessage(a, admin, identity.deviceId, 'moved hub');
    const silent = connectRaw(a, identity, { answerMessages: false });
    await waitFor(() => silent.received.some((c) => c.id === id), 'the message sent by hub A');
    silent.socket.disconnect();

    // Hub A gives its claim up when the connection goes: hub B need not wait for it to run out
    // (the answer timeout and more, 45 s by default).
    const started = Date.now();
    const onB = connectRaw(b, identity);
    await waitFor(
      async () =>
        (await commandsOf(b, admin, identity.deviceId)).find((c) => c.id === id)?.status ===
        'acknowledged',
      'the message sent again by hub B and acknowledged',
      10_000,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(onB.received.filter((command) => command.id === id)).toHaveLength(1);
  });

  it('refuses a proof replayed against the other hub', async () => {
    const identity = await enrollTestDevice(a, enrolment);
    const self = (hub: TestHub, proof: string) =>
      hub.http.get('/api/device/self').set('Authorization', `Device ${proof}`);
    for (let run = 0; run < 10; run += 1) {
      const proof = makeProof(identity.deviceId, identity.privateKeyPem);
      const [first, second] = run % 2 === 0 ? [a, b] : [b, a];
      expect((await self(first, proof)).status).toBe(200);
      expect((await self(second, proof)).status).toBe(401);
    }
    // The same proof at both hubs at once: exactly one accepts it.
    for (let run = 0; run < 10; run += 1) {
      const proof = makeProof(identity.deviceId, identity.privateKeyPem);
      const statuses = (await Promise.all([self(a, proof), self(b, proof)])).map((r) => r.status);
      expect(statuses.sort()).toEqual([200, 401]);
    }
  });
});
