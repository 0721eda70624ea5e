// The /staff Socket.IO namespace (issue 9): staff connect with their bearer token, are refused
// with `unauthorized` without a live sign-in, and receive the live events their roles allow:
// device presence for anyone signed in, device state for those who may list devices, command
// progress for those who may read a device's commands. A sign-in that ends ends the socket.
import { io, Socket } from 'socket.io-client';
import type {
  CommandUpdatedEvent,
  ComplianceProgressEvent,
  DevicePresenceChange,
  DevicePresenceEvent,
  DeviceStateEvent,
  SessionEndedEvent,
} from '@app/devices';
import { StaffGateway } from '../apps/hub/src/live/staff.gateway';
import { StaffRepository } from '../apps/hub/src/staff/staff.repository';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';
import { teachClass } from './support/classroom';
import { createStaff, startHub, TestHub } from './support/hub';

const as = (token: string) => `Bearer ${token}`;

/** A connected staff socket and everything it was sent. */
interface Watcher {
  socket: Socket;
  events: { name: string; body: unknown }[];
  of<T>(name: string): T[];
}

function connectStaff(hub: TestHub, token: unknown): Promise<Watcher | string> {
  const socket = io(`${hub.url}/staff`, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const events: Watcher['events'] = [];
  socket.onAny((name: string, body: unknown) => events.push({ name, body }));
  const watcher: Watcher = {
    socket,
    events,
    of: <T>(name: string) => events.filter((e) => e.name === name).map((e) => e.body as T),
  };
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(watcher));
    socket.once('connect_error', (error) => {
      socket.close();
      resolve(error.message);
    });
  });
}

async function mustConnect(hub: TestHub, token: string): Promise<Watcher> {
  const result = await connectStaff(hub, token);
  if (typeof result === 'string') {
    throw new Error(`/staff refused: ${result}`);
  }
  return result;
}

describe('the /staff namespace', () => {
  let hub: TestHub;
  let admin: string;
  let enrolToken: string;
  const watchers: Watcher[] = [];
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    enrolToken = await createEnrollmentToken(hub, admin);
  });
  afterEach(() => {
    watchers.splice(0).forEach((watcher) => watcher.socket.disconnect());
    devices.splice(0).forEach((device) => device.client.close());
  });
  afterAll(() => hub.close());

  async function watch(token: string): Promise<Watcher> {
    const watcher = await mustConnect(hub, token);
    watchers.push(watcher);
    return watcher;
  }

  it('refuses a missing, unknown or ended token with unauthorized', async () => {
    expect(await connectStaff(hub, undefined)).toBe('unauthorized');
    expect(await connectStaff(hub, 'x'.repeat(43))).toBe('unauthorized');
    expect(await connectStaff(hub, 42)).toBe('unauthorized');
    const person = await createStaff(hub, admin, 'gone', ['teacher']);
    await hub.http.post('/api/auth/logout').set('Authorization', as(person.token));
    expect(await connectStaff(hub, person.token)).toBe('unauthorized');
  });

  it('tells every signed-in member of staff when a device comes online and goes offline', async () => {
    const office = await createStaff(hub, admin, 'olive', ['office']);
    const safeguarding = await createStaff(hub, admin, 'sam', ['safeguarding']);
    const officeWatch = await watch(office.token);
    const safeguardingWatch = await watch(safeguarding.token);
    const identity = await enrollTestDevice(hub, enrolToken);
    const before = Date.now();

    const device = connectTestDevice(identity);
    devices.push(device);
    await waitForConnect(device);

    for (const watcher of [officeWatch, safeguardingWatch]) {
      const online = await waitFor(
        () =>
          watcher
            .of<DevicePresenceEvent>('device.online')
            .find((e) => e.deviceId === identity.deviceId),
        'device.online',
      );
      expect(Object.keys(online).sort()).toEqual(['at', 'deviceId']);
      expect(Date.parse(online.at)).toBeGreaterThanOrEqual(before - 5);
    }

    device.client.close();
    for (const watcher of [officeWatch, safeguardingWatch]) {
      await waitFor(
        () =>
          watcher
            .of<DevicePresenceEvent>('device.offline')
            .some((e) => e.deviceId === identity.deviceId),
        'device.offline',
      );
    }
  });

  it('tells every signed-in member of staff device.presence: online, then offline, with when', async () => {
    const teacher = await createStaff(hub, admin, 'petra', ['teacher']);
    const watcher = await watch(teacher.token);
    const identity = await enrollTestDevice(hub, enrolToken);
    const device = connectTestDevice(identity);
    devices.push(device);
    await waitForConnect(device);
    const mine = () =>
      watcher
        .of<DevicePresenceChange>('device.presence')
        .filter((e) => e.deviceId === identity.deviceId);
    const online = await waitFor(() => mine()[0], 'device.presence online');
    expect(online).toEqual({
      deviceId: identity.deviceId,
      online: true,
      lastSeenAt: expect.any(String),
    });
    const seenOnline = Date.parse(online.lastSeenAt);
    expect(Math.abs(seenOnline - Date.now())).toBeLessThan(60_000);

    device.client.close();
    const offline = await waitFor(() => mine()[1], 'device.presence offline');
    expect(offline).toEqual({
      deviceId: identity.deviceId,
      online: false,
      lastSeenAt: expect.any(String),
    });
    expect(Date.parse(offline.lastSeenAt)).toBeGreaterThanOrEqual(seenOnline);
  });

  it('sends ICT coalesced compliance.progress while devices apply their policy, and nobody else', async () => {
    const ict = await createStaff(hub, admin, 'ivy', ['ict']);
    const teacher = await createStaff(hub, admin, 'theo', ['teacher']);
    const ictWatch = await watch(ict.token);
    const teacherWatch = await watch(teacher.token);
    const before = (await hub.http.get('/api/compliance').set('Authorization', as(admin))).body as {
      byStatus: { applied: number };
    };
    const started = Date.now();
    const count = 12;
    const identities = await Promise.all(
      Array.from({ length: count }, () => enrollTestDevice(hub, enrolToken)),
    );
    for (const identity of identities) {
      const device = connectTestDevice(identity);
      devices.push(device);
    }
    const overall = () =>
      ictWatch.of<ComplianceProgressEvent>('compliance.progress').filter((e) => !e.policyId);
    // Every new device gets the baseline policy (pending) and applies it. (Devices of the tests
    // before, closed at once, may stay pending: only this test's are counted.)
    const done = await waitFor(
      () => overall().find((e) => e.applied >= before.byStatus.applied + count),
      'compliance.progress with every new device applied',
      20_000,
    );
    const elapsed = Date.now() - started;
    expect(done.devices).toBeGreaterThanOrEqual(count);
    expect(Object.keys(done).sort()).toEqual(
      ['applied', 'devices', 'failed', 'none', 'partial', 'pending'].sort(),
    );
    // Per policy too: the baseline reaches every active device.
    const baseline = ictWatch
      .of<ComplianceProgressEvent>('compliance.progress')
      .filter((e) => e.policyId);
    expect(baseline.length).toBeGreaterThan(0);
    // Coalesced: 24 status changes (12 pending, 12 applied), at most one reading per 250 ms.
    expect(overall().length).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 1);
    expect(overall().length).toBeLessThan(2 * count);
    // Counts only: no device ids. Teachers may not read compliance.
    expect(JSON.stringify(ictWatch.of('compliance.progress'))).not.toContain(
      identities[0].deviceId,
    );
    expect(teacherWatch.of('compliance.progress')).toEqual([]);
  });

  it('sends device state to roles that may list devices, without secrets', async () => {
    const office = await createStaff(hub, admin, 'oscar', ['office']);
    const safeguarding = await createStaff(hub, admin, 'sian', ['safeguarding']);
    const officeWatch = await watch(office.token);
    const safeguardingWatch = await watch(safeguarding.token);
    const identity = await enrollTestDevice(hub, enrolToken);
    const device = connectTestDevice(identity);
    devices.push(device);
    await waitForConnect(device);

    device.client.reportState();

    const state = await waitFor(
      () =>
        officeWatch
          .of<DeviceStateEvent>('device.state')
          .find((e) => e.deviceId === identity.deviceId),
      'device.state for office',
    );
    expect(state).toEqual({
      deviceId: identity.deviceId,
      at: expect.any(String),
      state: expect.objectContaining({ locked: false, appLock: null }),
    });
    expect(JSON.stringify(state)).not.toMatch(/proof|token|privateKey|BEGIN/i);
    // Safeguarding may not list devices: it saw the device come online, and no state.
    await waitFor(
      () => safeguardingWatch.of('device.online').length > 0,
      'device.online for safeguarding',
    );
    expect(safeguardingWatch.of('device.state')).toEqual([]);
  });

  it("sends command progress to the roles that read any device's commands, from queued to answered", async () => {
    const teacher = await createStaff(hub, admin, 'tara', ['teacher']);
    const ict = await createStaff(hub, admin, 'ines', ['ict']);
    const safeguarding = await createStaff(hub, admin, 'saul', ['safeguarding']);
    const office = await createStaff(hub, admin, 'otto', ['office']);
    const teacherWatch = await watch(teacher.token);
    const ictWatch = await watch(ict.token);
    const safeguardingWatch = await watch(safeguarding.token);
    const officeWatch = await watch(office.token);
    const identity = await enrollTestDevice(hub, enrolToken);
    const device = connectTestDevice(identity);
    devices.push(device);
    await waitForConnect(device);
    // A tablet of the teacher's class: theirs to lock.
    await teachClass(hub, admin, [teacher.id], { deviceIds: [identity.deviceId] });

    const issued = await hub.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set('Authorization', as(teacher.token))
      .send({ type: 'device.lock', payload: { reason: 'class', message: 'Eyes on me' } });
    expect(issued.status).toBe(201);
    const commandId = (issued.body as { id: string }).id;

    for (const watcher of [ictWatch, safeguardingWatch]) {
      await waitFor(
        () =>
          watcher
            .of<CommandUpdatedEvent>('command.updated')
            .some((e) => e.commandId === commandId && e.status === 'acknowledged'),
        'command acknowledged',
      );
      expect(
        watcher.of<CommandUpdatedEvent>('command.updated').filter((e) => e.commandId === commandId),
      ).toEqual([
        {
          commandId,
          deviceId: identity.deviceId,
          type: 'device.lock',
          status: 'pending',
          detail: null,
        },
        {
          commandId,
          deviceId: identity.deviceId,
          type: 'device.lock',
          status: 'sent',
          detail: null,
        },
        {
          commandId,
          deviceId: identity.deviceId,
          type: 'device.lock',
          status: 'acknowledged',
          detail: null,
        },
      ]);
    }
    // The payload (the lock message) is not in the event; office may not read commands at all. A
    // teacher reads only their classes' tablets' commands, and an event is not sorted per reader,
    // so a teacher hears no command progress here (their tiles show their tablets' `pending`).
    expect(JSON.stringify(ictWatch.of('command.updated'))).not.toContain('Eyes on me');
    expect(officeWatch.of('command.updated')).toEqual([]);
    expect(teacherWatch.of('command.updated')).toEqual([]);
  });

  it('moves a socket to the rooms of the roles ICT gives the account', async () => {
    const person = await createStaff(hub, admin, 'omar', ['safeguarding']);
    const watcher = await watch(person.token);
    const identity = await enrollTestDevice(hub, enrolToken);
    const device = connectTestDevice(identity);
    devices.push(device);
    await waitForConnect(device);
    device.client.reportState();
    await waitFor(() => watcher.of('device.online').length > 0, 'device.online');
    expect(watcher.of('device.state')).toEqual([]);

    const changed = await hub.http
      .patch(`/api/staff/${person.id}`)
      .set('Authorization', as(admin))
      .send({ roles: ['safeguarding', 'office'] });
    expect(changed.status).toBe(200);

    await waitFor(() => {
      device.client.reportState();
      return watcher
        .of<DeviceStateEvent>('device.state')
        .some((e) => e.deviceId === identity.deviceId);
    }, 'device.state after the new role');
    expect(watcher.socket.connected).toBe(true);
  });

  it('answers an event it does not take, sent with an acknowledgement, and stays connected', async () => {
    const watcher = await watch(admin);
    const ask = (...args: unknown[]) =>
      watcher.socket.timeout(5000).emitWithAck(...(args as [string]));
    // A misspelt event, one of /device, one with no body and one with two: each is answered.
    expect(await ask('class.wtach', { classId: '6f1c2a56-0d4e-4a4f-9d41-3c6f0b7a1e22' })).toEqual({
      ok: false,
      error: 'unknown_event',
      message: "'class.wtach' is not a /staff event: /staff takes class.watch and class.unwatch",
    });
    expect(await ask('state', { locked: true })).toMatchObject({
      ok: false,
      error: 'unknown_event',
      message: "'state' is not a /staff event: /staff takes class.watch and class.unwatch",
    });
    expect(await ask('toString')).toMatchObject({ ok: false, error: 'unknown_event' });
    expect(await ask('x'.repeat(5000), 1, 2)).toMatchObject({
      ok: false,
      error: 'unknown_event',
      message: `'${'x'.repeat(100)}' is not a /staff event: /staff takes class.watch and class.unwatch`,
    });
    // Sent with no acknowledgement: ignored. A known event with a bad body keeps its own answer.
    watcher.socket.emit('class.wtach', {});
    expect(await ask('class.watch', 'not an object')).toEqual({ ok: false, error: 'invalid' });
    expect(watcher.socket.connected).toBe(true);
    expect(watcher.events.filter((e) => e.name === 'exception')).toEqual([]);
  });

  it('answers class.watch unavailable when the sign-in cannot be read, rather than never', async () => {
    const watcher = await watch(admin);
    // The failure is made by wrapping the hub's own repository method, as delivery-faults does:
    // the read of the sign-in behind the watch fails as a database that went away would.
    const repository = hub.app.get(StaffRepository);
    const original = repository.sessionForRequest.bind(repository);
    repository.sessionForRequest = () => Promise.reject(new Error('the database went away'));
    try {
      expect(
        await watcher.socket
          .timeout(5000)
          .emitWithAck('class.watch', { classId: '6f1c2a56-0d4e-4a4f-9d41-3c6f0b7a1e22' }),
      ).toEqual({ ok: false, error: 'unavailable' });
    } finally {
      repository.sessionForRequest = original;
    }
    expect(watcher.socket.connected).toBe(true);
  });

  describe('a sign-in that ends', () => {
    async function endedOn(watcher: Watcher): Promise<SessionEndedEvent[]> {
      await waitFor(() => watcher.socket.disconnected, 'the socket to be dropped');
      return watcher.of<SessionEndedEvent>('session.ended');
    }

    it('drops the socket on sign-out', async () => {
      const person = await createStaff(hub, admin, 'una', ['teacher']);
      const watcher = await watch(person.token);
      await hub.http.post('/api/auth/logout').set('Authorization', as(person.token));
      expect(await endedOn(watcher)).toEqual([{ message: expect.stringMatching(/sign in again/) }]);
    });

    it('drops the sockets of an account ICT disables', async () => {
      const person = await createStaff(hub, admin, 'vera', ['teacher']);
      const watcher = await watch(person.token);
      const disabled = await hub.http
        .patch(`/api/staff/${person.id}`)
        .set('Authorization', as(admin))
        .send({ disabled: true });
      expect(disabled.status).toBe(200);
      expect(await endedOn(watcher)).toHaveLength(1);
    });

    it('drops the other sessions of someone who changes their password, and keeps this one', async () => {
      const person = await createStaff(hub, admin, 'wynn', ['teacher']);
      const other = await hub.login('wynn', 'Staff-Pass1!');
      const keptWatch = await watch(person.token);
      const otherWatch = await watch(other);
      const changed = await hub.http
        .patch('/api/staff/me/password')
        .set('Authorization', as(person.token))
        .send({ currentPassword: 'Staff-Pass1!', newPassword: 'Newer-Pass2!' });
      expect(changed.status).toBe(204);
      expect(await endedOn(otherWatch)).toHaveLength(1);
      // Still there after the check that dropped the other one.
      hub.app.get(StaffGateway).recheckAll();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(keptWatch.socket.connected).toBe(true);
    });

    it('drops a socket whose sign-in expired at the next periodic check', async () => {
      const person = await createStaff(hub, admin, 'xena', ['teacher']);
      const watcher = await watch(person.token);
      hub.clock.advance(13 * 3600 * 1000); // past HUB_SESSION_HOURS (12)
      try {
        hub.app.get(StaffGateway).recheckAll();
        expect(await endedOn(watcher)).toHaveLength(1);
      } finally {
        hub.clock.advance(-13 * 3600 * 1000);
      }
    });
  });
});

describe('the /staff namespace with one sign-in per account (HUB_ONE_SESSION_PER_ACCOUNT)', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startHub({ env: { HUB_ONE_SESSION_PER_ACCOUNT: 'true' } });
  });
  afterAll(() => hub.close());

  it('drops the live connection of the sign-in that signing in again elsewhere ended, at once', async () => {
    const admin = await hub.login();
    const person = await createStaff(hub, admin, 'yves', ['teacher']);
    const first = await mustConnect(hub, person.token);
    try {
      const second = await hub.login('yves', 'Staff-Pass1!');

      // Not at the next periodic check (30 s), as with any sign-in this hub ends.
      await waitFor(() => first.socket.disconnected, 'the first sign-in to be dropped', 2_000);
      expect(first.of<SessionEndedEvent>('session.ended')).toHaveLength(1);
      expect((await hub.http.get('/api/auth/me').set('Authorization', as(second))).status).toBe(
        200,
      );
    } finally {
      first.socket.disconnect();
    }
  });
});
