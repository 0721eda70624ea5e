// The AUP is a gate, not a form (issue 9): an account that has not accepted the current version
// gets 403 with a message saying why on every staff route but the few it needs to accept it, and
// is refused on /staff; accepting opens everything; a new version closes it again; a school that
// records acceptance on paper turns the gate off. Every acceptance is audited.
import { randomUUID } from 'node:crypto';
import { makeProof } from '@app/devices';
import { io, Socket } from 'socket.io-client';
import type { AccessRule } from '../apps/hub/src/common/access';
import { RouteAccess, RouteAccessCheck } from '../apps/hub/src/common/route-access.check';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';
import { acceptAup, createStaff, startHub, TestHub } from './support/hub';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

const as = (token: string) => `Bearer ${token}`;

/** The routes an account may use before accepting: the AUP itself, itself, its password, sign-out. */
const EXEMPT = [
  'GET /api/aup',
  'POST /api/staff/me/aup-acceptance',
  'GET /api/auth/me',
  'PATCH /api/staff/me/password',
  // The rule the change-password form shows as you type (issue 11): it goes with the form.
  'GET /api/auth/password-rule',
  'POST /api/auth/logout',
];

/** Connects to /staff and waits for the outcome: connected, or the connect_error message. */
function connectStaff(hub: TestHub, token: string): Promise<{ socket: Socket; error?: string }> {
  const socket = io(`${hub.url}/staff`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error) => resolve({ socket, error: error.message }));
  });
}

describe('the AUP gate', () => {
  let hub: TestHub;
  let admin: string;
  let routes: RouteAccess[];
  const sockets: Socket[] = [];
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    routes = hub.app.get(RouteAccessCheck).routes();
  });
  afterEach(() => {
    sockets.splice(0).forEach((socket) => socket.disconnect());
    devices.splice(0).forEach((device) => device.client.close());
  });
  afterAll(() => hub.close());

  async function newTeacher(username: string) {
    return createStaff(hub, admin, username, ['teacher', 'ict'], 'Staff-Pass1!', {
      acceptAup: false,
    });
  }

  async function currentVersion(token: string): Promise<string> {
    return (
      (await hub.http.get('/api/aup').set('Authorization', as(token))).body as {
        version: string;
      }
    ).version;
  }

  async function expectRefused(token: string) {
    const version = await currentVersion(token);
    const message =
      `Accept the acceptable use policy (version ${version}) before using the hub: ` +
      'GET /api/aup, then POST /api/staff/me/aup-acceptance with its version';
    const command = await hub.http
      .post(`/api/devices/${randomUUID()}/commands`)
      .set('Authorization', as(token))
      .send({ type: 'device.lock', payload: { reason: 'class' } });
    // The console shows the AUP by `code`, never by the message's words.
    expect([command.status, command.body]).toEqual([
      403,
      { statusCode: 403, message, code: 'aup_required' },
    ]);
    const list = await hub.http.get('/api/devices').set('Authorization', as(token));
    expect([list.status, list.body]).toEqual([
      403,
      { statusCode: 403, message, code: 'aup_required' },
    ]);
    const live = await connectStaff(hub, token);
    sockets.push(live.socket);
    expect(live.error).toBe(`aup_required: ${message}`);
  }

  it('declares exactly the routes needed to accept the AUP exempt', () => {
    const exempt = routes
      .filter((route) => (route.rule as AccessRule).kind === 'staff')
      .filter((route) => (route.rule as Extract<AccessRule, { kind: 'staff' }>).aup === 'exempt')
      .map((route) => `${route.method} ${route.path}`);
    expect(exempt.sort()).toEqual([...EXEMPT].sort());
  });

  it('refuses a new account on a device command, the device list and /staff until it accepts', async () => {
    const person = await newTeacher('nina');
    await expectRefused(person.token);

    const accepted = await hub.http
      .post('/api/staff/me/aup-acceptance')
      .set('Authorization', as(person.token))
      .send({ version: await currentVersion(person.token) });
    expect(accepted.status).toBe(201);

    expect((await hub.http.get('/api/devices').set('Authorization', as(person.token))).status).toBe(
      200,
    );
    const command = await hub.http
      .post(`/api/devices/${randomUUID()}/commands`)
      .set('Authorization', as(person.token))
      .send({ type: 'device.lock', payload: { reason: 'class' } });
    expect(command.status).toBe(404); // past the gate: the device does not exist
    const live = await connectStaff(hub, person.token);
    sockets.push(live.socket);
    expect(live.error).toBeUndefined();
  });

  it('answers 403 with the reason on every staff route but the exempt ones', async () => {
    const person = await newTeacher('olga');
    const answers: string[] = [];
    for (const route of routes) {
      const rule = route.rule as AccessRule;
      const name = `${route.method} ${route.path}`;
      if (rule.kind !== 'staff' || EXEMPT.includes(name)) {
        continue;
      }
      const path = route.path.replace(/:[A-Za-z0-9_]+/g, () => randomUUID());
      const response = await hub.http[route.method.toLowerCase() as Method](path).set(
        'Authorization',
        as(person.token),
      );
      const aup =
        /^Accept the acceptable use policy/.test(String(response.body.message)) &&
        response.body.code === 'aup_required';
      answers.push(`${name} -> ${response.status}${aup ? ' aup' : ''}`);
    }
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((answer) => !answer.endsWith('-> 403 aup'))).toEqual([]);
  });

  it('leaves the AUP, the account itself, its password and sign-out open before accepting', async () => {
    const person = await newTeacher('pam');
    const aup = await hub.http.get('/api/aup').set('Authorization', as(person.token));
    expect([aup.status, aup.body.acceptedAt]).toEqual([200, null]);
    const me = await hub.http.get('/api/auth/me').set('Authorization', as(person.token));
    expect([me.status, me.body.username]).toEqual([200, 'pam']);
    const rule = await hub.http
      .get('/api/auth/password-rule')
      .set('Authorization', as(person.token));
    expect([rule.status, typeof rule.body.minLength]).toEqual([200, 'number']);
    const password = await hub.http
      .patch('/api/staff/me/password')
      .set('Authorization', as(person.token))
      .send({ currentPassword: 'Staff-Pass1!', newPassword: 'Other-Pass2!' });
    expect(password.status).toBe(204);
    const out = await hub.http.post('/api/auth/logout').set('Authorization', as(person.token));
    expect(out.status).toBe(204);
    expect((await hub.http.get('/api/auth/me').set('Authorization', as(person.token))).status).toBe(
      401,
    );
  });

  it('does not gate device-proof or public routes, even while nobody has accepted', async () => {
    const identity = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    const published = await hub.http
      .put('/api/aup')
      .set('Authorization', as(admin))
      .send({ text: 'An edition nobody has accepted yet.\n' });
    expect(published.status).toBe(200);
    try {
      expect((await hub.http.get('/api/devices').set('Authorization', as(admin))).status).toBe(403);
      expect((await hub.http.get('/api/health')).status).toBe(200);
      const proof = makeProof(identity.deviceId, identity.privateKeyPem);
      const self = await hub.http.get('/api/device/self').set('Authorization', `Device ${proof}`);
      expect(self.status).toBe(200);
      const device = connectTestDevice(identity);
      devices.push(device);
      await waitForConnect(device);
    } finally {
      await acceptAup(hub, admin);
    }
  });

  it('audits each acceptance with the account, the version hash and the time', async () => {
    const person = await newTeacher('quinn');
    const version = await currentVersion(person.token);
    const before = Date.now();
    const accepted = await hub.http
      .post('/api/staff/me/aup-acceptance')
      .set('Authorization', as(person.token))
      .send({ version });
    const after = Date.now();
    const acceptedAt = accepted.body.acceptedAt as string;
    expect(Date.parse(acceptedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(acceptedAt)).toBeLessThanOrEqual(after);

    const audit = await hub.http
      .get('/api/audit')
      .query({ action: 'aup.accepted', targetId: version, actor: 'quinn' })
      .set('Authorization', as(admin));
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        actorType: 'staff',
        actorId: person.id,
        actor: 'quinn',
        action: 'aup.accepted',
        targetType: 'aup',
        targetId: version,
        detail: { version, acceptedAt },
      }),
    ]);
    const at = Date.parse(audit.body.items[0].at as string);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
  });

  describe('a new version', () => {
    it('gates everyone again, publisher included, on HTTP and on /staff', async () => {
      const person = await newTeacher('rose');
      await acceptAup(hub, person.token);
      const live = await connectStaff(hub, person.token);
      sockets.push(live.socket);
      expect(live.error).toBeUndefined();
      const told: { version: string; message: string }[] = [];
      live.socket.on('aup.required', (event: { version: string; message: string }) =>
        told.push(event),
      );
      const dropped = new Promise<string>((resolve) => live.socket.once('disconnect', resolve));

      const published = await hub.http
        .put('/api/aup')
        .set('Authorization', as(admin))
        .send({ text: 'The second edition: be kind online.\n' });
      expect(published.status).toBe(200);
      const second = published.body.version as string;

      expect(await dropped).toBe('io server disconnect');
      expect(told).toEqual([expect.objectContaining({ version: second })]);
      await expectRefused(person.token);
      // ICT who published it must accept it too.
      const adminList = await hub.http.get('/api/devices').set('Authorization', as(admin));
      expect(adminList.status).toBe(403);
      await acceptAup(hub, admin);
    });

    it('keeps acceptances of an older text published again', async () => {
      const person = await newTeacher('sara');
      const put = (text: string) =>
        hub.http.put('/api/aup').set('Authorization', as(admin)).send({ text });
      const one = await put('Edition A of the policy.\n');
      await acceptAup(hub, admin);
      await acceptAup(hub, person.token);
      await put('Edition B of the policy.\n');
      await acceptAup(hub, admin);
      await expectRefused(person.token);

      expect((await put('Edition A of the policy.\n')).body.version).toBe(one.body.version);

      expect(
        (await hub.http.get('/api/devices').set('Authorization', as(person.token))).status,
      ).toBe(200);
      const live = await connectStaff(hub, person.token);
      sockets.push(live.socket);
      expect(live.error).toBeUndefined();
    });
  });
});

describe('HUB_REQUIRE_AUP=false', () => {
  it('lets an account that has not accepted use the hub and /staff', async () => {
    const hub = await startHub({ env: { HUB_REQUIRE_AUP: 'false' } });
    try {
      const admin = await hub.login('admin', undefined, { acceptAup: false });
      const person = await createStaff(hub, admin, 'tess', ['teacher'], 'Staff-Pass1!', {
        acceptAup: false,
      });
      const aup = await hub.http.get('/api/aup').set('Authorization', as(person.token));
      expect(aup.body.acceptedAt).toBeNull();
      expect(
        (await hub.http.get('/api/devices').set('Authorization', as(person.token))).status,
      ).toBe(200);
      const live = await connectStaff(hub, person.token);
      try {
        expect(live.error).toBeUndefined();
      } finally {
        live.socket.disconnect();
      }
      await waitFor(() => live.socket.disconnected, 'the socket to close');
    } finally {
      await hub.close();
    }
  });
});
