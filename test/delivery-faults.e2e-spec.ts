// Delivery when its own writes fail or are slow (protocol section 3): a claim batch that fails
// (claims are written in batches of up to 2,500 devices) must not leave its connected devices
// without their commands until they next reconnect, and a command whose expiry passes while its
// claim is being written is never sent. The failures and the slow write are made by wrapping the
// hub's own repository method; what is asserted is what the device receives.
import { io, Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { CommandEnvelope, DeviceIdentity, makeProof, SimulatedEnforcer } from '@app/devices';
import { CommandDeliveryService } from '../apps/hub/src/commands/command-delivery.service';
import { CommandsRepository } from '../apps/hub/src/commands/commands.repository';
import { makeDataDir, startHub, TestHub } from './support/hub';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';
import { postgresOnly, TEST_DATABASE_NAME } from './support/test-database';

interface CommandRow {
  id: string;
  type: string;
  status: string;
}

type ClaimAndMarkSent = CommandsRepository['claimAndMarkSent'];

/** A command's status as `admin` reads it on `hub` (GET /api/devices/:id/commands), if listed. */
async function commandStatus(
  hub: TestHub,
  admin: string,
  deviceId: string,
  id: string,
): Promise<string | undefined> {
  const response = await hub.http
    .get(`/api/devices/${deviceId}/commands?pageSize=100`)
    .set({ Authorization: `Bearer ${admin}` });
  return (response.body.items as CommandRow[]).find((c) => c.id === id)?.status;
}

/**
 * Two hubs on one PostgreSQL database for the enclosing describe block, with ICT signed in on
 * `a` and a token for five devices; the sockets pushed to `sockets` are disconnected and both hubs
 * closed after the block. Its fields are set once its beforeAll has run.
 */
function twoHubsOnOneDatabase(): {
  a: TestHub;
  b: TestHub;
  admin: string;
  token: string;
  sockets: Socket[];
} {
  const two = { sockets: [] as Socket[] } as ReturnType<typeof twoHubsOnOneDatabase>;
  beforeAll(async () => {
    const dataDir = makeDataDir();
    two.a = await startHub({ dataDir });
    two.b = await startHub({ dataDir });
    two.admin = await two.a.login();
    two.token = await createEnrollmentToken(two.a, two.admin, { maxUses: 5 });
  });
  afterAll(async () => {
    two.sockets.forEach((socket) => socket.disconnect());
    await two.a.close();
    await two.b.close();
  });
  return two;
}

describe(`delivery when its writes fail or are slow (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let token: string;
  let repository: CommandsRepository;
  let original: ClaimAndMarkSent;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    token = await createEnrollmentToken(hub, admin, { maxUses: 20 });
    repository = hub.app.get(CommandsRepository);
    original = repository.claimAndMarkSent.bind(repository);
  });

  afterEach(() => {
    repository.claimAndMarkSent = original;
    for (const device of devices.splice(0)) {
      device.client.destroy();
    }
  });

  afterAll(() => hub.close());

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const commandsOf = async (deviceId: string) =>
    (await hub.http.get(`/api/devices/${deviceId}/commands?pageSize=100`).set(auth())).body
      .items as CommandRow[];
  const statusOf = async (deviceId: string, id: string) =>
    (await commandsOf(deviceId)).find((c) => c.id === id)?.status;

  /** Connects a device that notes every command it is sent, once its baseline is applied. */
  async function online(identity: DeviceIdentity) {
    const enforcer = new SimulatedEnforcer();
    const received: CommandEnvelope[] = [];
    const execute = enforcer.execute.bind(enforcer);
    enforcer.execute = (command) => {
      received.push(command);
      return execute(command);
    };
    const device = connectTestDevice(identity, { enforcer });
    devices.push(device);
    await waitForConnect(device);
    await waitFor(() => enforcer.currentState().policyVersion !== null, 'baseline applied');
    await waitFor(
      async () =>
        (await commandsOf(identity.deviceId)).every((c) =>
          ['acknowledged', 'error', 'expired'].includes(c.status),
        ),
      'the baseline answered',
    );
    return { device, received };
  }

  it('delivers a command whose claim batch failed, without the device reconnecting', async () => {
    const identity = await enrollTestDevice(hub, token);
    const { received } = await online(identity);
    let failures = 0;
    repository.claimAndMarkSent = (...args: Parameters<ClaimAndMarkSent>) => {
      if (failures === 0) {
        failures += 1;
        return Promise.reject(new Error('the database is briefly unavailable'));
      }
      return original(...args);
    };
    const message = await hub.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set(auth())
      .send({ type: 'message.show', payload: { text: 'after a failed claim' } });
    expect(message.status).toBe(201);
    await waitFor(
      async () => (await statusOf(identity.deviceId, message.body.id as string)) === 'acknowledged',
      'the message acknowledged on the same connection',
    );
    expect(failures).toBe(1);
    expect(received.filter((c) => c.id === message.body.id)).toHaveLength(1);
  });

  it('never sends a command whose expiry passed while its claim was being written', async () => {
    const identity = await enrollTestDevice(hub, token);
    const { received } = await online(identity);
    let reached!: () => void;
    const claimWritten = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The claim is made in its transaction, which then waits (a slow batch) until released.
    repository.claimAndMarkSent = async (...args: Parameters<ClaimAndMarkSent>) => {
      const result = await original(...args);
      reached();
      await released;
      return result;
    };
    const message = await hub.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set(auth())
      .send({
        type: 'message.show',
        payload: { text: 'only for the next five seconds' },
        expiresAt: new Date(hub.clock.nowMs() + 5_000).toISOString(),
      });
    expect(message.status).toBe(201);
    await claimWritten;
    hub.clock.advance(6_000);
    try {
      release();
      await waitFor(
        async () =>
          ['expired', 'acknowledged', 'error'].includes(
            (await statusOf(identity.deviceId, message.body.id as string)) ?? '',
          ),
        'the message settled',
      );
      expect(await statusOf(identity.deviceId, message.body.id as string)).toBe('expired');
      expect(received.map((c) => c.id)).not.toContain(message.body.id);
    } finally {
      hub.clock.advance(-6_000);
    }
  });
});

const describePostgres = postgresOnly('SQLite runs an issue and an answer one after the other');
describePostgres('a not_now answered while a newer unlock is being issued', () => {
  let hub: TestHub;
  let admin: string;
  let token: string;
  let repository: CommandsRepository;
  let socket: Socket | null = null;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    token = await createEnrollmentToken(hub, admin, { maxUses: 5 });
    repository = hub.app.get(CommandsRepository);
  });

  afterAll(async () => {
    socket?.disconnect();
    await hub.close();
  });

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const statusOf = (deviceId: string, id: string) => commandStatus(hub, admin, deviceId, id);

  it('retires the lock, never sends it after the unlock', async () => {
    const identity = await enrollTestDevice(hub, token);
    const received: string[] = [];
    let answerLock: ((answer: unknown) => void) | null = null;
    socket = io(`${hub.url}/device`, {
      auth: { proof: makeProof(identity.deviceId, identity.privateKeyPem) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    socket.on('command', (command: CommandEnvelope, reply: (answer: unknown) => void) => {
      received.push(command.type);
      if (command.type === 'device.lock' && answerLock === null) {
        answerLock = reply; // answered by the test, while the unlock is being issued
      } else {
        reply({ status: 'acknowledged' });
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket?.once('connect', () => resolve());
      socket?.once('connect_error', reject);
    });
    await waitFor(() => received.includes('policy.apply'), 'the baseline sent');
    const lock = await hub.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set(auth())
      .send({ type: 'device.lock', payload: { reason: 'admin' } });
    expect(lock.status).toBe(201);
    await waitFor(() => answerLock, 'the lock on the device');

    // The unlock's transaction has retired what it replaces (the lock is on its way: left to
    // its answer) and waits to commit while the device answers the lock not_now.
    const original = repository.supersedeOpen.bind(repository);
    let reached!: () => void;
    const supersededDone = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    repository.supersedeOpen = async (...args: Parameters<CommandsRepository['supersedeOpen']>) => {
      const result = await original(...args);
      reached();
      await released;
      return result;
    };
    const unlockSent = hub.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set(auth())
      .send({ type: 'device.unlock', payload: {} })
      .then((response) => response);
    try {
      await supersededDone;
      (answerLock as unknown as (answer: unknown) => void)({ status: 'not_now' });
      // The answer is written, or waits for the unlock's transaction.
      const dataSource = hub.app.get(DataSource);
      await waitFor(
        async () =>
          (await statusOf(identity.deviceId, lock.body.id as string)) !== 'sent' ||
          Number(
            (
              (await dataSource.query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
              )) as { n: string }[]
            )[0].n,
          ) > 0,
        'the not_now answer written or waiting',
      );
    } finally {
      release();
      repository.supersedeOpen = original;
    }
    const unlock = await unlockSent;
    expect(unlock.status).toBe(201);
    await waitFor(
      async () => (await statusOf(identity.deviceId, unlock.body.id as string)) === 'acknowledged',
      'the unlock acknowledged',
    );
    // A not_now is tried again after 30 s.
    hub.clock.advance(31_000);
    try {
      await waitFor(
        async () =>
          ['expired', 'acknowledged'].includes(
            (await statusOf(identity.deviceId, lock.body.id as string)) ?? '',
          ),
        'the lock settled',
      );
    } finally {
      hub.clock.advance(-31_000);
    }
    expect(await statusOf(identity.deviceId, lock.body.id as string)).toBe('expired');
    expect(received.slice(received.indexOf('device.unlock'))).not.toContain('device.lock');
  });
});

describePostgres('a not_now answered on one hub while the other is about to send it', () => {
  const two = twoHubsOnOneDatabase();
  const auth = () => ({ Authorization: `Bearer ${two.admin}` });
  const statusOf = (deviceId: string, id: string) => commandStatus(two.a, two.admin, deviceId, id);

  /** The device's socket to `hub`: answers a photo sync not_now the first time, the rest yes. */
  function connect(hub: TestHub, identity: DeviceIdentity, received: string[]): Promise<void> {
    const socket = io(`${hub.url}/device`, {
      auth: { proof: makeProof(identity.deviceId, identity.privateKeyPem) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    two.sockets.push(socket);
    socket.on('command', (command: CommandEnvelope, reply: (answer: unknown) => void) => {
      const first = !received.includes(command.id);
      received.push(command.id);
      reply({ status: command.type === 'photos.sync' && first ? 'not_now' : 'acknowledged' });
    });
    return new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
  }

  it('is not sent again by the other hub before its retry time', async () => {
    const { a, b, token } = two;
    const identity = await enrollTestDevice(a, token);
    const sync = await a.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set(auth())
      .send({ type: 'photos.sync', payload: {} });
    expect(sync.status).toBe(201);
    const received: string[] = [];
    // Hub B has fetched the sync to send it and is about to claim it...
    const repository = b.app.get(CommandsRepository);
    const original = repository.claimAndMarkSent.bind(repository);
    let reached!: () => void;
    const claimAsked = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let claimDone!: () => void;
    const claimAnswered = new Promise<void>((resolve) => (claimDone = resolve));
    repository.claimAndMarkSent = async (...args: Parameters<ClaimAndMarkSent>) => {
      if (!args[1].includes(sync.body.id as string)) {
        return original(...args);
      }
      reached();
      await released;
      try {
        return await original(...args);
      } finally {
        claimDone();
      }
    };
    try {
      await connect(b, identity, received);
      await claimAsked;
      // ...when hub A sends it and the device answers not_now.
      await connect(a, identity, received);
      await waitFor(
        async () => (await statusOf(identity.deviceId, sync.body.id as string)) === 'not_now',
        'the sync answered not_now on hub A',
      );
    } finally {
      release();
    }
    await claimAnswered;
    // Whatever hub B does with the sync, it does before a message issued after it.
    const message = await a.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set(auth())
      .send({ type: 'message.show', payload: { text: 'after the sync' } });
    await waitFor(
      async () => (await statusOf(identity.deviceId, message.body.id as string)) === 'acknowledged',
      'the message acknowledged',
    );
    repository.claimAndMarkSent = original;
    expect(received.filter((id) => id === sync.body.id)).toHaveLength(1);
    expect(await statusOf(identity.deviceId, sync.body.id as string)).toBe('not_now');
  });
});

describePostgres('a device back on the same hub before its claim was given up', () => {
  const two = twoHubsOnOneDatabase();
  const auth = () => ({ Authorization: `Bearer ${two.admin}` });
  const statusOf = (deviceId: string, id: string) => commandStatus(two.a, two.admin, deviceId, id);

  /** A socket to `hub` that notes each message and leaves it unanswered until `answer()`. */
  async function connect(hub: TestHub, identity: DeviceIdentity) {
    const socket = io(`${hub.url}/device`, {
      auth: { proof: makeProof(identity.deviceId, identity.privateKeyPem) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    two.sockets.push(socket);
    const received: string[] = [];
    const waiting: Array<(answer: unknown) => void> = [];
    socket.on('command', (command: CommandEnvelope, reply: (answer: unknown) => void) => {
      received.push(command.id);
      if (command.type === 'message.show') {
        waiting.push(reply);
      } else {
        reply({ status: 'acknowledged' });
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return {
      socket,
      received,
      answer: () => waiting.splice(0).forEach((reply) => reply({ status: 'acknowledged' })),
    };
  }

  it('keeps its new claim: the other hub does not send the command too', async () => {
    const { a, b, token } = two;
    const identity = await enrollTestDevice(a, token);
    const message = await a.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set(auth())
      .send({ type: 'message.show', payload: { text: 'read me once' } });
    const id = message.body.id as string;
    const first = await connect(a, identity);
    await waitFor(() => first.received.includes(id), 'the message on the first connection');

    // Hub A is slow to give up its claim when that connection goes.
    const repositoryA = a.app.get(CommandsRepository);
    const releaseOriginal = repositoryA.releaseClaims.bind(repositoryA);
    let reached!: () => void;
    const releaseAsked = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    repositoryA.releaseClaims = async (
      ...args: Parameters<CommandsRepository['releaseClaims']>
    ) => {
      reached();
      await released;
      return releaseOriginal(...args);
    };
    first.socket.disconnect();
    await releaseAsked;
    const second = await connect(a, identity);
    // Hub A serves the new connection: it sends the message again, or waits for the release
    // (the device's delivery on hub A not yet over, the new connection's wake set aside).
    const delivery = a.app.get(CommandDeliveryService) as unknown as {
      wakeAgain: Map<string, boolean>;
    };
    await waitFor(
      () => second.received.includes(id) || delivery.wakeAgain.has(identity.deviceId),
      'hub A serving the new connection',
    );
    release();
    await waitFor(() => second.received.includes(id), 'the message again on hub A');
    repositoryA.releaseClaims = releaseOriginal;

    // The device (still on hub A, reading the message) is seen by hub B too.
    const repositoryB = b.app.get(CommandsRepository);
    const claimOriginal = repositoryB.claimAndMarkSent.bind(repositoryB);
    const claimedByB: string[] = [];
    let triedByB!: () => void;
    const bTried = new Promise<void>((resolve) => (triedByB = resolve));
    repositoryB.claimAndMarkSent = async (...args: Parameters<ClaimAndMarkSent>) => {
      const result = await claimOriginal(...args);
      claimedByB.push(...result.sent);
      if (args[1].includes(id)) {
        triedByB();
      }
      return result;
    };
    const onB = await connect(b, identity);
    await bTried;
    second.answer();
    onB.answer();
    await waitFor(async () => (await statusOf(identity.deviceId, id)) === 'acknowledged', 'read');
    repositoryB.claimAndMarkSent = claimOriginal;
    expect(claimedByB).not.toContain(id);
    expect(onB.received).not.toContain(id);
  });
});
