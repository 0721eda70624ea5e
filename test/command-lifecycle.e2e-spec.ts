// The life of a command where it meets another (issue 8): an expiring lock ends its desired
// state with it (item 7); a newer lock or unlock retires the waiting ones, even one already
// fetched for sending (item 8); an answer after the expiry still counts (item 9); two reports
// at once queue one restore (item 3), and a report the device sent before it answered a lock
// or a policy asks for none again; revoking a device cancels its queue (item 21).
import { io, Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import {
  CommandEnvelope,
  DeviceIdentity,
  DeviceState,
  makeProof,
  SimulatedEnforcer,
} from '@app/devices';
import { teachClass } from './support/classroom';
import { startHub, TestHub } from './support/hub';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForBaselinePlanned,
  waitForConnect,
} from './support/devices';

interface CommandRow {
  id: string;
  type: string;
  status: string;
  detail: string | null;
  issuedBy: { type: string; id: string | null };
}

describe('command lifecycle', () => {
  let hub: TestHub;
  let admin: string;
  let token: string;
  const devices: TestDevice[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    token = await createEnrollmentToken(hub, admin, { maxUses: 100 });
  });

  afterEach(() => {
    for (const device of devices.splice(0)) {
      device.client.destroy();
    }
    for (const socket of sockets.splice(0)) {
      socket.disconnect();
    }
  });

  afterAll(() => hub.close());

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const send = (deviceId: string, body: object) =>
    hub.http.post(`/api/devices/${deviceId}/commands`).set(auth()).send(body);
  const commandsOf = async (deviceId: string) =>
    (
      (await hub.http.get(`/api/devices/${deviceId}/commands?pageSize=100`).set(auth())).body
        .items as CommandRow[]
    ).filter((c) => c.type !== 'policy.apply');
  const commandById = async (deviceId: string, id: string) =>
    (await commandsOf(deviceId)).find((c) => c.id === id);
  const auditOf = async (commandId: string) =>
    (
      (await hub.http.get('/api/audit?action=command.&pageSize=500').set(auth())).body.items as {
        action: string;
        detail: { commandId?: string };
      }[]
    )
      .filter((entry) => entry.detail?.commandId === commandId)
      .map((entry) => entry.action)
      .sort();

  async function online(identity: DeviceIdentity, enforcer?: SimulatedEnforcer) {
    const device = connectTestDevice(identity, { enforcer });
    devices.push(device);
    await waitForConnect(device);
    await waitFor(() => device.enforcer.currentState().policyVersion !== null, 'baseline applied');
    return device;
  }

  /** Moves the hub's clock on until the expiry sweep has run, then back. */
  async function afterExpiry(deviceId: string, commandId: string) {
    hub.clock.advance(61_000);
    try {
      await waitFor(
        async () => (await commandById(deviceId, commandId))?.status === 'expired',
        'expired',
      );
    } finally {
      hub.clock.advance(-61_000);
    }
  }

  it('ends the desired lock of a lock that expired undelivered: the device is not locked later', async () => {
    const identity = await enrollTestDevice(hub, token);
    const lock = await send(identity.deviceId, {
      type: 'device.lock',
      payload: { reason: 'class' },
      expiresAt: new Date(hub.clock.nowMs() + 60_000).toISOString(),
    });
    expect(lock.status).toBe(201);
    await afterExpiry(identity.deviceId, lock.body.id as string);
    const detail = await hub.http.get(`/api/devices/${identity.deviceId}`).set(auth());
    expect(detail.body.desiredState).toMatchObject({ locked: false, lock: null, lockOwner: null });

    // The device connects unlocked and reports so: nothing locks it.
    const device = await online(identity);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(device.enforcer.executed.filter((c) => c.type === 'device.lock')).toEqual([]);
    expect(device.enforcer.currentState().locked).toBe(false);
    expect((await commandsOf(identity.deviceId)).map((c) => [c.type, c.status])).toEqual([
      ['device.lock', 'expired'],
    ]);
  });

  it('expires a message sent without an expiry after a day, for a device that stays offline', async () => {
    const identity = await enrollTestDevice(hub, token);
    const issuedAt = hub.clock.nowMs();
    const message = await send(identity.deviceId, {
      type: 'message.show',
      payload: { text: 'Tablets away now' },
    });
    expect(message.status).toBe(201);
    const expiresAt = Date.parse(message.body.expiresAt as string);
    expect(expiresAt - issuedAt).toBeGreaterThanOrEqual(24 * 3600_000);
    expect(expiresAt - issuedAt).toBeLessThan(24 * 3600_000 + 60_000);
    // An expiry the sender names is kept.
    const named = new Date(issuedAt + 3600_000).toISOString();
    const kept = await send(identity.deviceId, {
      type: 'message.show',
      payload: { text: 'Within the hour' },
      expiresAt: named,
    });
    expect(Date.parse(kept.body.expiresAt as string)).toBe(Date.parse(named));

    // A day on (read from the database: staff sessions do not last a day).
    const rows = hub.app.get(DataSource);
    hub.clock.advance(24 * 3600_000 + 61_000);
    try {
      await waitFor(async () => {
        const found = await rows
          .createQueryBuilder()
          .select('c.status', 'status')
          .from('commands', 'c')
          .where('c.id = :id', { id: message.body.id as string })
          .getRawOne<{ status: string }>();
        return found?.status === 'expired';
      }, 'the message expired');
    } finally {
      hub.clock.advance(-(24 * 3600_000 + 61_000));
    }
    const device = await online(identity);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(device.enforcer.executed.filter((c) => c.type === 'message.show')).toEqual([]);
  });

  it('keeps the desired lock of a newer command when an older expiring one expires', async () => {
    const identity = await enrollTestDevice(hub, token);
    const first = await send(identity.deviceId, {
      type: 'app.lock',
      payload: { appId: 'org.school.old' },
      expiresAt: new Date(hub.clock.nowMs() + 60_000).toISOString(),
    });
    // A newer single-app lock without expiry retires the first and owns the desired state.
    await send(identity.deviceId, { type: 'app.lock', payload: { appId: 'org.school.new' } });
    expect((await commandById(identity.deviceId, first.body.id as string))?.status).toBe('expired');
    hub.clock.advance(61_000);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2500)); // a sweep or two
    } finally {
      hub.clock.advance(-61_000);
    }
    const detail = await hub.http.get(`/api/devices/${identity.deviceId}`).set(auth());
    expect(detail.body.desiredState).toMatchObject({ appLock: 'org.school.new' });
  });

  it('retires a lock answered not_now when an unlock follows: the device ends unlocked', async () => {
    const enforcer = new SimulatedEnforcer();
    enforcer.notNowTypes.add('device.lock');
    const device = await online(await enrollTestDevice(hub, token), enforcer);
    const id = device.identity.deviceId;
    const lock = await send(id, { type: 'device.lock', payload: { reason: 'admin' } });
    await waitFor(
      async () => (await commandById(id, lock.body.id as string))?.status === 'not_now',
      'not_now',
    );
    const unlock = await send(id, { type: 'device.unlock', payload: {} });
    await waitFor(
      async () => (await commandById(id, unlock.body.id as string))?.status === 'acknowledged',
      'unlock acknowledged',
    );
    expect(await commandById(id, lock.body.id as string)).toMatchObject({
      status: 'expired',
      detail: 'replaced by a newer device.unlock',
    });
    expect(await auditOf(lock.body.id as string)).toEqual([
      'command.issued',
      'command.not_now',
      'command.superseded',
    ]);

    // The device could lock now, and the retry time comes: the old lock is not sent again.
    enforcer.notNowTypes.delete('device.lock');
    hub.clock.advance(31_000);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      hub.clock.advance(-31_000);
    }
    expect(enforcer.executed.filter((c) => c.type === 'device.lock')).toEqual([]);
    expect(enforcer.currentState().locked).toBe(false);
    const detail = await hub.http.get(`/api/devices/${id}`).set(auth());
    expect(detail.body.desiredState.locked).toBe(false);
  });

  it('retires a lock answered not_now after an unlock was issued while it was on its way', async () => {
    const identity = await enrollTestDevice(hub, token);
    const socket = io(`${hub.url}/device`, {
      auth: { proof: makeProof(identity.deviceId, identity.privateKeyPem) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const received: CommandEnvelope[] = [];
    const replies = new Map<string, (answer: object) => void>();
    socket.on('command', (command: CommandEnvelope, reply: (answer: object) => void) => {
      received.push(command);
      if (command.type === 'device.lock') {
        replies.set(command.id, reply); // the device is busy: it answers later
      } else {
        reply({ status: 'acknowledged' });
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const lock = await send(identity.deviceId, {
      type: 'device.lock',
      payload: { reason: 'admin' },
    });
    const lockId = lock.body.id as string;
    await waitFor(() => replies.get(lockId), 'lock sent');
    // ICT unlocks while the lock is with the device, unanswered: it cannot be retired yet.
    const unlock = await send(identity.deviceId, { type: 'device.unlock', payload: {} });
    expect(unlock.status).toBe(201);
    (replies.get(lockId) as (answer: object) => void)({ status: 'not_now' });
    await waitFor(
      async () =>
        (await commandById(identity.deviceId, unlock.body.id as string))?.status === 'acknowledged',
      'unlock acknowledged',
    );
    // The lock's retry time comes: it must not be sent again after the unlock.
    hub.clock.advance(31_000);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      hub.clock.advance(-31_000);
    }
    expect(received.filter((c) => c.type === 'device.lock').map((c) => c.id)).toEqual([lockId]);
    expect(await commandById(identity.deviceId, lockId)).toMatchObject({
      status: 'expired',
      detail: 'replaced by a newer device.unlock',
    });
    expect(await auditOf(lockId)).toEqual([
      'command.issued',
      'command.not_now',
      'command.superseded',
    ]);
  });

  it('keeps a device’s answer detail to plain text: no control characters reach staff', async () => {
    const identity = await enrollTestDevice(hub, token);
    const socket = io(`${hub.url}/device`, {
      auth: { proof: makeProof(identity.deviceId, identity.privateKeyPem) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    socket.on('command', (command: CommandEnvelope, reply: (answer: object) => void) => {
      reply(
        command.type === 'message.show'
          ? { status: 'error', detail: `screen\u0000 off\u0007 ${'é'.repeat(488)}\ud83d\ude00` }
          : { status: 'acknowledged' },
      );
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const message = await send(identity.deviceId, {
      type: 'message.show',
      payload: { text: 'hello' },
    });
    const answered = await waitFor(async () => {
      const row = await commandById(identity.deviceId, message.body.id as string);
      return row?.status === 'error' ? row : null;
    }, 'error recorded');
    const detail = answered.detail as string;
    expect(detail.startsWith('screen off ')).toBe(true);
    expect(detail.length).toBeLessThanOrEqual(500);
    expect(detail).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
    expect(detail).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('lets a teacher whose name ends in an emoji at the 100th character send a message', async () => {
    const name = `${'a'.repeat(99)}\ud83d\ude00 b`;
    const created = await hub.http
      .post('/api/staff')
      .set(auth())
      .send({
        username: 'emoji.teacher',
        displayName: name,
        password: 'Staff-Pass1!',
        roles: ['teacher'],
      });
    expect(created.status).toBe(201);
    const teacher = await hub.login('emoji.teacher', 'Staff-Pass1!');
    const identity = await enrollTestDevice(hub, token);
    // A teacher messages only their classes' tablets.
    await teachClass(hub, admin, [created.body.id as string], { deviceIds: [identity.deviceId] });
    const message = await hub.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set('Authorization', `Bearer ${teacher}`)
      .send({ type: 'message.show', payload: { text: 'Eyes on the board' } });
    expect([message.status, message.body.payload?.from]).toEqual([201, 'a'.repeat(99)]);
  });

  it('does not send a lock retired after it was fetched for sending', async () => {
    const identity = await enrollTestDevice(hub, token);
    // Queued while offline: fetched together on connecting, sent one after another.
    const message = await send(identity.deviceId, {
      type: 'message.show',
      payload: { text: 'slow to read' },
    });
    const lock = await send(identity.deviceId, {
      type: 'device.lock',
      payload: { reason: 'class' },
    });
    const enforcer = new SimulatedEnforcer({ actionDelayMs: 600 });
    const received: string[] = [];
    const execute = enforcer.execute.bind(enforcer);
    enforcer.execute = (command) => {
      received.push(command.id); // as it starts acting on it
      return execute(command);
    };
    const device = connectTestDevice(identity, { enforcer });
    devices.push(device);
    // While the device reads the message, with the lock fetched and next in line, ICT unlocks.
    await waitFor(() => received.includes(message.body.id as string), 'message received');
    const unlock = await send(identity.deviceId, { type: 'device.unlock', payload: {} });
    await waitFor(
      async () =>
        (await commandById(identity.deviceId, unlock.body.id as string))?.status === 'acknowledged',
      'unlock acknowledged',
    );
    expect(received).not.toContain(lock.body.id);
    expect(enforcer.executed.filter((c) => c.type === 'device.lock')).toEqual([]);
    expect((await commandById(identity.deviceId, lock.body.id as string))?.status).toBe('expired');
  });

  it('records an answer that comes after the expiry of a command sent before it', async () => {
    const enforcer = new SimulatedEnforcer();
    const device = await online(await enrollTestDevice(hub, token), enforcer);
    const id = device.identity.deviceId;
    enforcer.actionDelayMs = 3000;
    const message = await send(id, {
      type: 'message.show',
      payload: { text: 'answered late' },
      expiresAt: new Date(hub.clock.nowMs() + 60_000).toISOString(),
    });
    await waitFor(
      async () => (await commandById(id, message.body.id as string))?.status === 'sent',
      'sent',
    );
    // The expiry passes while the device is acting; the sweep runs meanwhile.
    hub.clock.advance(61_000);
    try {
      await waitFor(
        async () => (await commandById(id, message.body.id as string))?.status === 'acknowledged',
        'acknowledged after its expiry',
      );
    } finally {
      hub.clock.advance(-61_000);
    }
    expect(await auditOf(message.body.id as string)).toEqual([
      'command.acknowledged',
      'command.issued',
    ]);
  });

  it('queues one restore when a device reports the lost lock several times at once', async () => {
    const identity = await enrollTestDevice(hub, token);
    const socket = io(`${hub.url}/device`, {
      auth: { proof: makeProof(identity.deviceId, identity.privateKeyPem) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const locks: string[] = [];
    // Acknowledges everything but restores: those stay sent, as on a device slow to lock.
    socket.on('command', (command: CommandEnvelope, reply: (answer: object) => void) => {
      if (command.type === 'device.lock' && locks.length > 0) {
        locks.push(command.id);
        return;
      }
      if (command.type === 'device.lock') {
        locks.push(command.id);
      }
      reply({ status: 'acknowledged' });
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const lock = await send(identity.deviceId, {
      type: 'device.lock',
      payload: { reason: 'class' },
    });
    await waitFor(
      async () =>
        (await commandById(identity.deviceId, lock.body.id as string))?.status === 'acknowledged',
      'lock acknowledged',
    );
    for (let i = 0; i < 6; i += 1) {
      socket.emit('state', { locked: false, appLock: null, policyVersion: null });
    }
    await waitFor(() => locks.length >= 2, 'a restore');
    await new Promise((resolve) => setTimeout(resolve, 800));
    const restores = (await commandsOf(identity.deviceId)).filter(
      (c) => c.type === 'device.lock' && c.issuedBy.type === 'system',
    );
    expect(restores).toHaveLength(1);
    expect(locks).toHaveLength(2);
  });

  /**
   * A device on a raw socket that acknowledges every command, acts on it and then reports its
   * state, as the agent does; for the types in `reportFirst` it first reports its state as it
   * still is (a report already on its way when the command came, a battery change), then
   * answers. Those reports reach the hub before the answer, on the same socket.
   */
  async function deviceReportingFirst(identity: DeviceIdentity, reportFirst: readonly string[]) {
    const socket = io(`${hub.url}/device`, {
      auth: { proof: makeProof(identity.deviceId, identity.privateKeyPem) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const state: DeviceState = { locked: false, appLock: null, policyVersion: null };
    const received: CommandEnvelope[] = [];
    socket.on('command', (command: CommandEnvelope, reply: (answer: object) => void) => {
      received.push(command);
      if (reportFirst.includes(command.type)) {
        socket.emit('state', { ...state });
      }
      if (command.type === 'device.lock') {
        state.locked = true;
      } else if (command.type === 'app.lock') {
        state.appLock = command.payload.appId;
      } else if (command.type === 'policy.apply') {
        state.policyVersion = command.payload.policyVersion;
      }
      reply({ status: 'acknowledged' });
      socket.emit('state', { ...state });
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.emit('state', { ...state });
    return { state, received };
  }

  it('queues no restore from a report the device sent before it answered the lock', async () => {
    const identity = await enrollTestDevice(hub, token);
    await waitForBaselinePlanned(hub, admin, [identity.deviceId]);
    const device = await deviceReportingFirst(identity, ['device.lock', 'app.lock']);
    await waitFor(() => device.state.policyVersion !== null, 'baseline applied');
    const ids: string[] = [];
    for (const body of [
      { type: 'device.lock', payload: { reason: 'class' } },
      { type: 'app.lock', payload: { appId: 'org.school.reader' } },
    ]) {
      ids.push((await send(identity.deviceId, body)).body.id as string);
    }
    await waitFor(
      async () =>
        (await Promise.all(ids.map((id) => commandById(identity.deviceId, id)))).every(
          (command) => command?.status === 'acknowledged',
        ),
      'lock and app lock acknowledged',
    );
    // A restore would be queued within milliseconds of the answer being written.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // No restore (issued by `system`): only the two that staff sent.
    expect(
      (await commandsOf(identity.deviceId)).map((c) => `${c.type} by ${c.issuedBy.type}`).sort(),
    ).toEqual(['app.lock by staff', 'device.lock by staff']);
    expect(device.received.filter((c) => c.type !== 'policy.apply').map((c) => c.id)).toEqual(ids);
    expect(device.state).toMatchObject({ locked: true, appLock: 'org.school.reader' });
  });

  it('sends the policy once to a device that reported its old version before it answered', async () => {
    const identity = await enrollTestDevice(hub, token);
    const device = await deviceReportingFirst(identity, ['policy.apply']);
    await waitFor(() => device.state.policyVersion !== null, 'baseline applied');
    // A policy sent again would be planned 200 ms after the report, and sent at once.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(device.received.map((c) => c.type)).toEqual(['policy.apply']);
    await waitFor(
      async () =>
        (await hub.http.get(`/api/devices/${identity.deviceId}`).set(auth())).body.compliance
          ?.status === 'applied',
      'shown applied',
    );
  });

  it('cancels the open commands of a revoked device, and audits each', async () => {
    const identity = await enrollTestDevice(hub, token);
    // So that it is one of the open commands the revocation cancels rather than a plan that
    // lands while the revocation is written.
    await waitForBaselinePlanned(hub, admin, [identity.deviceId]);
    const ids: string[] = [];
    for (const body of [
      { type: 'message.show', payload: { text: 'never read' } },
      { type: 'device.lock', payload: { reason: 'lost' } },
    ]) {
      ids.push((await send(identity.deviceId, body)).body.id as string);
    }
    const revoked = await hub.http.delete(`/api/devices/${identity.deviceId}`).set(auth());
    expect(revoked.status).toBe(200);
    const all = (
      (await hub.http.get(`/api/devices/${identity.deviceId}/commands?pageSize=100`).set(auth()))
        .body.items as CommandRow[]
    ).map((c) => c.status);
    expect(all).toHaveLength(3); // the baseline policy, the message and the lock
    expect(new Set(all)).toEqual(new Set(['cancelled']));
    const detail = await hub.http.get(`/api/devices/${identity.deviceId}`).set(auth());
    expect(detail.body.pendingCommands).toEqual([]);
    for (const id of ids) {
      expect(await auditOf(id)).toEqual(['command.cancelled', 'command.issued']);
    }
    // The desired state is kept for a later re-enrolment.
    expect(detail.body.desiredState).toMatchObject({ locked: true, lockOwner: 'lost' });
    // Only cancelled commands are listed under that status.
    const cancelled = await hub.http
      .get(`/api/devices/${identity.deviceId}/commands?status=cancelled`)
      .set(auth());
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.total).toBe(all.length);
  });
});
