// Commands end to end (protocol section 3): what staff may send and what is refused, group
// commands, a device's queue and desired state, the device list, a device too slow to answer,
// and malformed events that must not disturb anyone else.
import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import {
  CommandAnswer,
  CommandEnvelope,
  DeviceIdentity,
  enrollDevice,
  makeProof,
  Platform,
  SimulatedEnforcer,
} from '@app/devices';
import { teachClass } from './support/classroom';
import { createStaff, startHub, TestHub } from './support/hub';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  testKeys,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';

interface CommandRow {
  id: string;
  deviceId: string;
  type: string;
  status: string;
  detail: string | null;
  attempts: number;
}

/** Every new device is first sent the school's baseline policy; these tests look past it. */
const notPolicy = <T extends { type: string }>(commands: T[]): T[] =>
  commands.filter((c) => c.type !== 'policy.apply');

/** Small HTTP helpers over one hub for one staff token. */
function staffApi(hub: TestHub, bearer: () => string) {
  return {
    command: (deviceId: string, body: object, token = bearer()) =>
      hub.http
        .post(`/api/devices/${deviceId}/commands`)
        .set('Authorization', `Bearer ${token}`)
        .send(body),
    commands: async (deviceId: string): Promise<CommandRow[]> =>
      (
        await hub.http
          .get(`/api/devices/${deviceId}/commands?pageSize=100`)
          .set('Authorization', `Bearer ${bearer()}`)
      ).body.items as CommandRow[],
    async commandById(deviceId: string, id: string): Promise<CommandRow | undefined> {
      return (await this.commands(deviceId)).find((c) => c.id === id);
    },
  };
}

describe('issuing commands', () => {
  let hub: TestHub;
  let admin: string;
  let token: string;
  let teacher: string;
  let teacherId: string;
  let office: string;
  let offline: DeviceIdentity;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    token = await createEnrollmentToken(hub, admin, { maxUses: 100 });
    const teaching = await createStaff(hub, admin, 'cmd-teacher', ['teacher']);
    teacher = teaching.token;
    teacherId = teaching.id;
    office = (await createStaff(hub, admin, 'cmd-office', ['office'])).token;
    offline = await enrollTestDevice(hub, token);
    // A teacher commands only their classes' tablets: this one is a tablet of theirs.
    await teachClass(hub, admin, [teacherId], { deviceIds: [offline.deviceId] });
  });

  afterEach(() => {
    for (const device of devices.splice(0)) {
      device.client.destroy();
    }
  });

  afterAll(() => hub.close());

  const api = () => staffApi(hub, () => admin);
  const get = (url: string, bearer = admin) =>
    hub.http.get(url).set('Authorization', `Bearer ${bearer}`);

  async function online(identity: DeviceIdentity): Promise<TestDevice> {
    const device = connectTestDevice(identity);
    devices.push(device);
    await waitForConnect(device);
    return device;
  }

  async function createGroup(name: string): Promise<string> {
    const group = await hub.http
      .post('/api/groups')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name });
    expect(group.status).toBe(201);
    return group.body.id as string;
  }

  it('refuses an unknown type and bad payloads with 400 naming the field', async () => {
    const cases: [object, string][] = [
      [{ type: 'device.selfdestruct', payload: {} }, 'type'],
      [{ payload: {} }, 'type'],
      [{ type: 'device.lock', payload: { reason: 'nap' } }, 'payload.reason'],
      [{ type: 'device.lock', payload: {} }, 'payload.reason'],
      [
        { type: 'device.lock', payload: { reason: 'class', message: 'm'.repeat(201) } },
        'payload.message',
      ],
      [{ type: 'message.show', payload: { text: 'x'.repeat(501) } }, 'payload.text'],
      [{ type: 'message.show', payload: { text: '' } }, 'payload.text'],
      [{ type: 'app.lock', payload: {} }, 'payload.appId'],
      [{ type: 'device.unlock', payload: { now: true } }, 'payload.now'],
      [{ type: 'device.unlock', payload: 'please' }, 'payload'],
      [{ type: 'device.unlock', payload: {}, priority: 'high' }, 'priority'],
      [{ type: 'device.unlock', payload: {}, expiresAt: 'tomorrow' }, 'expiresAt'],
    ];
    for (const [body, field] of cases) {
      const response = await api().command(offline.deviceId, body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect({ body, message: response.body.message }).toEqual({
        body,
        message: expect.stringContaining(field),
      });
    }
    // The exact message for the first: it lists what is allowed.
    const unknown = await api().command(offline.deviceId, {
      type: 'device.selfdestruct',
      payload: {},
    });
    expect(unknown.body.message).toMatch(/^type must be one of .*device\.lock/);
    // Nothing was queued by any of them.
    expect(notPolicy(await api().commands(offline.deviceId))).toEqual([]);
  });

  it('never lets staff send policy.apply, which the hub sends from policies', async () => {
    const response = await api().command(offline.deviceId, {
      type: 'policy.apply',
      payload: { policyVersion: 'a'.repeat(64), settings: {} },
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('policy');
  });

  it('lets a teacher lock for class, but not for lost, nor unenrol; office sends nothing', async () => {
    const classLock = await api().command(
      offline.deviceId,
      { type: 'device.lock', payload: { reason: 'class' } },
      teacher,
    );
    expect(classLock.status).toBe(201);
    expect(classLock.body).toMatchObject({
      type: 'device.lock',
      status: 'pending',
      deviceId: offline.deviceId,
    });
    const lost = await api().command(
      offline.deviceId,
      { type: 'device.lock', payload: { reason: 'lost' } },
      teacher,
    );
    expect(lost.status).toBe(403);
    const unenroll = await api().command(
      offline.deviceId,
      { type: 'device.unenroll', payload: {} },
      teacher,
    );
    expect(unenroll.status).toBe(403);
    const fromOffice = await api().command(
      offline.deviceId,
      { type: 'device.lock', payload: { reason: 'class' } },
      office,
    );
    expect(fromOffice.status).toBe(403);
    const message = await api().command(
      offline.deviceId,
      { type: 'message.show', payload: { text: 'hi' } },
      office,
    );
    expect(message.status).toBe(403);
    expect(
      (
        await hub.http
          .post(`/api/devices/${offline.deviceId}/commands`)
          .send({ type: 'device.unlock', payload: {} })
      ).status,
    ).toBe(401);
    // Only the one class lock was queued; ICT may lock for lost.
    expect(notPolicy(await api().commands(offline.deviceId)).map((c) => c.id)).toEqual([
      classLock.body.id,
    ]);
    const ictLost = await api().command(offline.deviceId, {
      type: 'device.lock',
      payload: { reason: 'lost' },
    });
    expect(ictLost.status).toBe(201);
  });

  it('answers 404 for an unknown device, 409 for a revoked one, 400 for an expiry in the past', async () => {
    const unknown = await api().command(randomUUID(), { type: 'device.unlock', payload: {} });
    expect(unknown.status).toBe(404);
    const notUuid = await api().command('not-a-device', { type: 'device.unlock', payload: {} });
    expect(notUuid.status).toBe(400);

    const revoked = await enrollTestDevice(hub, token);
    expect(
      (
        await hub.http
          .delete(`/api/devices/${revoked.deviceId}`)
          .set('Authorization', `Bearer ${admin}`)
      ).status,
    ).toBe(200);
    const toRevoked = await api().command(revoked.deviceId, {
      type: 'device.lock',
      payload: { reason: 'lost' },
    });
    expect(toRevoked.status).toBe(409);

    const identity = await enrollTestDevice(hub, token);
    const past = await api().command(identity.deviceId, {
      type: 'message.show',
      payload: { text: 'too late' },
      expiresAt: new Date(hub.clock.nowMs() - 1000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(past.body.message).toContain('expiresAt');
    expect(notPolicy(await api().commands(identity.deviceId))).toEqual([]);
  });

  it('sends a group command to every active member: the connected ones now, the offline one when it connects', async () => {
    const groupId = await createGroup('Commands 8C');
    await teachClass(hub, admin, [teacherId], { groupId });
    const groupToken = await createEnrollmentToken(hub, admin, {
      groupIds: [groupId],
      maxUses: 10,
    });
    const first = await online(await enrollTestDevice(hub, groupToken));
    const second = await online(await enrollTestDevice(hub, groupToken));
    const absent = await enrollTestDevice(hub, groupToken);
    const revoked = await enrollTestDevice(hub, groupToken);
    await hub.http
      .delete(`/api/devices/${revoked.deviceId}`)
      .set('Authorization', `Bearer ${admin}`);

    const issued = await hub.http
      .post(`/api/groups/${groupId}/commands`)
      .set('Authorization', `Bearer ${teacher}`)
      .send({ type: 'device.lock', payload: { reason: 'class', message: 'Eyes front' } });
    expect(issued.status).toBe(201);
    expect(issued.body.count).toBe(3);
    const byDevice = new Map(
      (issued.body.commands as { id: string; deviceId: string }[]).map((c) => [c.deviceId, c.id]),
    );
    expect([...byDevice.keys()].sort()).toEqual(
      [first.identity.deviceId, second.identity.deviceId, absent.deviceId].sort(),
    );

    for (const device of [first, second]) {
      const id = byDevice.get(device.identity.deviceId) as string;
      await waitFor(
        async () =>
          (await api().commandById(device.identity.deviceId, id))?.status === 'acknowledged',
        'acknowledged',
      );
      expect(device.enforcer.currentState().locked).toBe(true);
      expect(device.enforcer.lockMessage).toBe('Eyes front');
      expect(notPolicy(device.enforcer.executed).map((c) => c.id)).toEqual([id]);
    }

    // The offline member: locked in the hub's eyes, its lock waiting.
    const absentId = byDevice.get(absent.deviceId) as string;
    const detail = await get(`/api/devices/${absent.deviceId}`);
    expect(detail.body).toMatchObject({
      online: false,
      desiredState: { locked: true, lock: { reason: 'class', message: 'Eyes front' } },
      groupIds: [groupId],
    });
    expect(notPolicy(detail.body.pendingCommands as CommandRow[])).toEqual([
      expect.objectContaining({ id: absentId, type: 'device.lock', status: 'pending' }),
    ]);

    const late = await online(absent);
    await waitFor(
      async () => (await api().commandById(absent.deviceId, absentId))?.status === 'acknowledged',
      'acknowledged late',
    );
    expect(late.enforcer.currentState().locked).toBe(true);
    const after = await get(`/api/devices/${absent.deviceId}`);
    expect(notPolicy(after.body.pendingCommands as CommandRow[])).toEqual([]);
    expect(after.body.desiredState.locked).toBe(true);

    // An empty group: 201 with nothing queued; an unknown group: 404.
    const empty = await createGroup('Commands empty');
    const none = await hub.http
      .post(`/api/groups/${empty}/commands`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ type: 'device.unlock', payload: {} });
    expect(none.status).toBe(201);
    expect(none.body.count).toBe(0);
    const missing = await hub.http
      .post(`/api/groups/${randomUUID()}/commands`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ type: 'device.unlock', payload: {} });
    expect(missing.status).toBe(404);
  });

  it('lists devices by group, online, platform and search, a page at a time', async () => {
    const groupId = await createGroup('Commands list');
    const listToken = await createEnrollmentToken(hub, admin, { groupIds: [groupId], maxUses: 10 });
    const tag = `L${process.pid}`;
    const specs: { platform: Platform; name: string; assetTag: string }[] = [
      { platform: 'ipados', name: 'Amber iPad', assetTag: `${tag}-A1` },
      { platform: 'ipados', name: 'Birch iPad', assetTag: `${tag}-B2` },
      { platform: 'chromeos', name: 'Cedar Chromebook', assetTag: `${tag}-C3` },
      { platform: 'windows', name: 'Damson laptop', assetTag: `${tag}-D4` },
      { platform: 'linux', name: 'Elder laptop', assetTag: `${tag}-E5` },
    ];
    const keys = await testKeys();
    const ids: string[] = [];
    const identities: DeviceIdentity[] = [];
    for (const [i, spec] of specs.entries()) {
      const identity = await enrollDevice({
        hubUrl: hub.url,
        token: listToken,
        keys,
        device: { serialNumber: `SER${tag}X${i}`, ...spec },
      });
      identities.push(identity);
      ids.push(identity.deviceId);
    }
    // Someone outside the group with a similar name.
    await enrollTestDevice(hub, token, { name: 'Amber outside' });

    await online(identities[1]);
    await online(identities[3]);

    const list = (query: Record<string, string | number>) => get('/api/devices').query(query);
    const idsOf = (response: { body: { items: { id: string }[] } }) =>
      response.body.items.map((d) => d.id);

    const all = await list({ groupId });
    expect(all.body.total).toBe(5);
    expect(idsOf(all)).toEqual(ids); // ordered by name

    const onlineNow = await waitFor(async () => {
      const response = await list({ groupId, online: 'true' });
      return response.body.total === 2 ? response : null;
    }, 'two online');
    expect(idsOf(onlineNow)).toEqual([ids[1], ids[3]]);
    expect(onlineNow.body.items.every((d: { online: boolean }) => d.online)).toBe(true);
    expect(idsOf(await list({ groupId, online: 'false' }))).toEqual([ids[0], ids[2], ids[4]]);

    expect(idsOf(await list({ groupId, platform: 'ipados' }))).toEqual([ids[0], ids[1]]);
    expect(idsOf(await list({ groupId, platform: 'windows', online: 'true' }))).toEqual([ids[3]]);
    expect((await list({ platform: 'palmos' })).status).toBe(400);
    expect((await list({ online: 'maybe' })).status).toBe(400);

    expect(idsOf(await list({ search: `SER${tag}X2` }))).toEqual([ids[2]]);
    expect(idsOf(await list({ search: `ser${tag.toLowerCase()}x` }))).toEqual(ids);
    expect(idsOf(await list({ search: `${tag}-D4` }))).toEqual([ids[3]]);
    expect(idsOf(await list({ search: 'cedar chrome' }))).toEqual([ids[2]]);
    expect(idsOf(await list({ search: 'amber', groupId }))).toEqual([ids[0]]);
    expect((await list({ search: 'amber' })).body.total).toBe(2);
    expect((await list({ search: '%' })).body.total).toBe(0);

    const pages = [];
    for (const page of [1, 2, 3]) {
      const response = await list({ groupId, pageSize: 2, page });
      expect(response.body).toMatchObject({ total: 5, page, pageSize: 2 });
      pages.push(idsOf(response));
    }
    expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    expect(idsOf(await list({ groupId, pageSize: 2, page: 4 }))).toEqual([]);
    expect((await list({ pageSize: 0 })).status).toBe(400);
    expect((await list({ pageSize: 501 })).status).toBe(400);

    // Every staff role that works with devices may read the list.
    expect((await get('/api/devices', office)).status).toBe(200);
    expect((await get('/api/devices', teacher)).status).toBe(200);
  });
});

describe('a device that does not answer in time', () => {
  let hub: TestHub;
  let admin: string;
  let device: TestDevice | undefined;

  beforeAll(async () => {
    hub = await startHub({ env: { HUB_COMMAND_ACK_TIMEOUT_MS: '1000' } });
    admin = await hub.login();
  });

  afterAll(async () => {
    device?.client.destroy();
    await hub.close();
  });

  it('is disconnected, gets the command again on reconnecting, and acts once', async () => {
    const identity = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    const enforcer = new SimulatedEnforcer();
    device = connectTestDevice(identity, { enforcer });
    const received: { id: string; replayed: boolean }[] = [];
    const disconnects: string[] = [];
    device.client.on('command', (command, _answer, info) =>
      received.push({ id: command.id, replayed: info.replayed }),
    );
    device.client.on('disconnect', (reason) => disconnects.push(reason));
    await waitForConnect(device);
    await waitFor(() => enforcer.currentState().policyVersion !== null, 'baseline policy applied');

    // The next action takes longer than the hub waits for an answer; the ones after are quick.
    enforcer.actionDelayMs = 1500;
    const execute = enforcer.execute.bind(enforcer);
    enforcer.execute = (command) => {
      const answer = execute(command); // reads the delay now
      enforcer.actionDelayMs = 0;
      return answer;
    };

    const api = staffApi(hub, () => admin);
    const issued = await api.command(identity.deviceId, {
      type: 'message.show',
      payload: { text: 'slowly' },
    });
    expect(issued.status).toBe(201);
    await waitFor(() => disconnects.length > 0, 'the hub dropping the slow device');
    expect(disconnects[0]).toBe('io server disconnect');
    expect((await api.commandById(identity.deviceId, issued.body.id as string))?.status).toBe(
      'sent',
    );

    const final = await waitFor(async () => {
      const row = await api.commandById(identity.deviceId, issued.body.id as string);
      return row?.status === 'acknowledged' ? row : null;
    }, 'acknowledged after reconnecting');
    expect(final.attempts).toBeGreaterThanOrEqual(2);
    expect(notPolicy(enforcer.executed).map((c) => c.id)).toEqual([issued.body.id]);
    expect(received.filter((r) => r.id === issued.body.id && r.replayed)).not.toHaveLength(0);
    expect(device.client.connected).toBe(true);

    // Now quick again: the next command goes through without a disconnect.
    const next = await api.command(identity.deviceId, {
      type: 'message.show',
      payload: { text: 'quickly' },
    });
    await waitFor(
      async () =>
        (await api.commandById(identity.deviceId, next.body.id as string))?.status ===
        'acknowledged',
      'next',
    );
    expect(disconnects).toHaveLength(1);
  });
});

describe('malformed device events', () => {
  let hub: TestHub;
  let admin: string;
  let token: string;
  const sockets: Socket[] = [];
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    token = await createEnrollmentToken(hub, admin, { maxUses: 10 });
  });

  afterAll(async () => {
    for (const socket of sockets) {
      socket.disconnect();
    }
    for (const device of devices) {
      device.client.destroy();
    }
    await hub.close();
  });

  async function rawSocket(identity: DeviceIdentity): Promise<Socket> {
    const socket = io(`${hub.url}/device`, {
      auth: { proof: makeProof(identity.deviceId, identity.privateKeyPem) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }

  it('answers garbage with an error and goes on serving everyone else', async () => {
    const api = staffApi(hub, () => admin);
    const bystander = connectTestDevice(await enrollTestDevice(hub, token));
    devices.push(bystander);
    await waitForConnect(bystander);

    const rogue = await enrollTestDevice(hub, token);
    const socket = await rawSocket(rogue);
    const ack = (event: string, ...args: unknown[]) =>
      socket.timeout(3000).emitWithAck(event, ...args) as Promise<{ ok: boolean; error?: string }>;

    const garbage = await ack('state', { locked: 'yes', appLock: null, policyVersion: null });
    expect(garbage.ok).toBe(false);
    expect(garbage.error).toContain('locked');
    const missing = await ack('state', { battery: 250 });
    expect(missing.ok).toBe(false);
    expect(missing.error).toMatch(/locked/);
    expect(missing.error).toMatch(/battery/);
    const extra = await ack('state', {
      locked: false,
      appLock: null,
      policyVersion: null,
      root: true,
    });
    expect(extra).toMatchObject({ ok: false, error: expect.stringContaining('root') });
    for (const notAnObject of ['locked', 42, null, [true], true]) {
      const answer = await ack('state', notAnObject);
      expect({ notAnObject, ok: answer.ok }).toEqual({ notAnObject, ok: false });
      expect(answer.error).toMatch(/object/);
    }
    expect(await ack('self-destruct', { now: true })).toEqual({
      ok: false,
      error: 'self-destruct is not a device event',
    });
    socket.emit('state', 'no ack asked for');
    socket.emit('self-destruct', { now: true });
    socket.emit('command', { id: 'x' });
    socket.emit('state');

    // The rogue's bad reports changed nothing the hub keeps about it, and it is still connected.
    const rogueDetail = await hub.http
      .get(`/api/devices/${rogue.deviceId}`)
      .set('Authorization', `Bearer ${admin}`);
    expect(rogueDetail.body).toMatchObject({ online: true, reportedState: null });
    expect(
      await ack('state', { locked: false, appLock: null, policyVersion: null, battery: 50 }),
    ).toEqual({ ok: true });

    // A message over the size limit: the hub may drop that socket, and nothing else.
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const huge = ack('state', {
      locked: false,
      appLock: null,
      policyVersion: null,
      osVersion: 'x'.repeat(300 * 1024),
    }).then(
      (answer) => `answered ${JSON.stringify(answer)}`,
      () => 'no answer',
    );
    const outcome = await Promise.race([dropped.then((reason) => `dropped: ${reason}`), huge]);
    expect(outcome).toMatch(/^dropped|^answered \{"ok":false/);

    const lock = await api.command(bystander.identity.deviceId, {
      type: 'device.lock',
      payload: { reason: 'class' },
    });
    expect(lock.status).toBe(201);
    await waitFor(
      async () =>
        (await api.commandById(bystander.identity.deviceId, lock.body.id as string))?.status ===
        'acknowledged',
      'lock',
    );
    expect(bystander.enforcer.currentState().locked).toBe(true);
    expect(bystander.client.connected).toBe(true);
    expect((await hub.http.get('/api/health')).status).toBe(200);

    // The rogue can come back with a fresh proof.
    const again = await rawSocket(rogue);
    expect(again.connected).toBe(true);
  });

  it('answers a state sent with no body, or with more than one, with an error and keeps nothing', async () => {
    const identity = await enrollTestDevice(hub, token);
    const socket = await rawSocket(identity);
    const ack = (...args: unknown[]) =>
      socket.timeout(3000).emitWithAck('state', ...args) as Promise<{
        ok: boolean;
        error?: string;
      }>;
    const state = { locked: true, appLock: null, policyVersion: null };

    expect(await ack()).toEqual({ ok: false, error: 'state must be sent as one object' });
    expect(await ack(state, 'and more')).toEqual({
      ok: false,
      error: 'state must be sent as one object',
    });
    const detail = await hub.http
      .get(`/api/devices/${identity.deviceId}`)
      .set('Authorization', `Bearer ${admin}`);
    expect(detail.body).toMatchObject({ online: true, reportedState: null });
    expect(await ack(state)).toEqual({ ok: true });
    expect(socket.connected).toBe(true);
  });

  it('records an answer that is not in the protocol as an error', async () => {
    const api = staffApi(hub, () => admin);
    const identity = await enrollTestDevice(hub, token);
    const socket = await rawSocket(identity);
    const received: CommandEnvelope[] = [];
    const answers: unknown[] = [{ status: 'maybe' }, { status: 'acknowledged', detail: 42 }, 'yes'];
    socket.on('command', (command: CommandEnvelope, reply: (answer: unknown) => void) => {
      if (command.type === 'policy.apply') {
        reply({ status: 'acknowledged' } satisfies CommandAnswer);
        return;
      }
      received.push(command);
      reply(answers[received.length - 1] ?? ({ status: 'acknowledged' } satisfies CommandAnswer));
    });
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three', 'four']) {
      ids.push(
        (await api.command(identity.deviceId, { type: 'message.show', payload: { text } })).body
          .id as string,
      );
    }
    const rows = await waitFor(async () => {
      const all = await Promise.all(ids.map((id) => api.commandById(identity.deviceId, id)));
      return all.every((row) => row && row.status !== 'pending' && row.status !== 'sent')
        ? all
        : null;
    }, 'all four answered');
    expect(rows.map((row) => row?.status)).toEqual(['error', 'error', 'error', 'acknowledged']);
    for (const row of rows.slice(0, 3)) {
      expect(row?.detail).toMatch(/not in the protocol/);
    }
    expect(received.map((c) => c.id)).toEqual(ids);
    expect(socket.connected).toBe(true);
  });

  // Last in this block: it moves the hub's clock on.
  it('does not queue a lock restore on every report of a device that answers the lock with error, but tries again later', async () => {
    const api = staffApi(hub, () => admin);
    const identity = await enrollTestDevice(hub, token);
    const socket = await rawSocket(identity);
    const locks: CommandEnvelope[] = [];
    let policyVersion: string | null = null;
    socket.on('command', (command: CommandEnvelope, reply: (answer: unknown) => void) => {
      if (command.type === 'policy.apply') {
        policyVersion = (command.payload as { policyVersion: string }).policyVersion;
      }
      if (command.type === 'device.lock') {
        locks.push(command);
        reply({ status: 'error', detail: 'no screen lock on this device' } satisfies CommandAnswer);
        return;
      }
      reply({ status: 'acknowledged' } satisfies CommandAnswer);
    });
    const lock = await api.command(identity.deviceId, {
      type: 'device.lock',
      payload: { reason: 'admin' },
    });
    expect(lock.status).toBe(201);
    await waitFor(
      async () =>
        (await api.commandById(identity.deviceId, lock.body.id as string))?.status === 'error',
      'the lock answered with error',
    );
    const lockCommands = async () =>
      (await api.commands(identity.deviceId)).filter((c) => c.type === 'device.lock');
    // The device keeps reporting itself unlocked, as its battery runs down.
    const report = async (battery: number) => {
      const ack = (await socket.emitWithAck('state', {
        locked: false,
        appLock: null,
        policyVersion,
        battery,
      })) as { ok: boolean };
      expect(ack.ok).toBe(true);
    };
    for (const battery of [90, 89, 88, 87, 86]) {
      await report(battery);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await lockCommands()).toHaveLength(1);
    expect(locks).toHaveLength(1);

    // Ten minutes on, the next report restores the lock once more (and it fails once more).
    hub.clock.advance(10 * 60_000 + 1_000);
    await report(85);
    await waitFor(() => (locks.length === 2 ? true : null), 'the restore sent');
    for (const battery of [84, 83, 82]) {
      await report(battery);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await lockCommands()).toHaveLength(2);
    expect(locks).toHaveLength(2);
  });
});
