// Input that once reached a 500 (issue 8, items 16 to 19): times in forms `new Date()` cannot
// read, text a profile or PostgreSQL cannot carry, keys that name an object's prototype and
// bodies nested thousands deep. Each is refused with a 400 that names what was wrong, on every
// route the hub serves.
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { DataSource } from 'typeorm';
import { RouteAccess, RouteAccessCheck } from '../apps/hub/src/common/route-access.check';
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import { startHub, TestHub } from './support/hub';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** `{"a":{"a":...}}` nested `depth` levels deep. */
function nested(depth: number): string {
  return '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
}

/** A GET answered by Node's own client, which reports a connection dropped without a status. */
function rawGet(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { Authorization: `Bearer ${token}` } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('bad input', () => {
  let hub: TestHub;
  let admin: string;
  let deviceId: string;
  let routes: RouteAccess[];

  const as = () => `Bearer ${admin}`;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    routes = hub.app.get(RouteAccessCheck).routes();
    const token = await createEnrollmentToken(hub, admin);
    deviceId = (await enrollTestDevice(hub, token)).deviceId;
  });
  afterAll(() => hub.close());

  /** Calls a route as admin with every `:param` a fresh UUID and `body` sent as raw JSON. */
  function callRoute(route: RouteAccess, body: string, query = '') {
    const path = route.path.replace(/:[A-Za-z0-9_]+/g, () => randomUUID()) + query;
    const method = (route.method === 'ALL' ? 'get' : route.method.toLowerCase()) as Method;
    return hub.http[method](path)
      .set('Authorization', as())
      .set('Content-Type', 'application/json')
      .send(body);
  }

  describe('times (item 16)', () => {
    const BAD_TIMES = [
      '2027-W05-3',
      '2027-031T08:00:00Z',
      '2027-01-31',
      '2027-01-31T08:00:00',
      '2027-02-30T08:00:00Z',
      '2027-02-29T08:00:00Z',
      '2027-01-31T24:00:00Z',
      '2027-12-31T23:59:60Z',
      '+275760-09-13T00:00:00Z',
      // Real instants, but outside years 0000-9999 in UTC: stored as "+010000-..." they sorted
      // before every ordinary time (a command expired at once, a filter matched everything).
      '9999-12-31T23:00:00-02:00',
      '0000-01-01T00:30:00+01:00',
    ];

    it.each(BAD_TIMES)('refuses expiresAt %s on a command with a 400 naming it', async (time) => {
      const response = await hub.http
        .post(`/api/devices/${deviceId}/commands`)
        .set('Authorization', as())
        .send({ type: 'photos.sync', payload: {}, expiresAt: time });
      expect([response.status, response.body.statusCode]).toEqual([400, 400]);
      expect(response.body.message).toMatch(/^expiresAt must be an RFC 3339 date-time/);
    });

    it('takes expiresAt in UTC or with an offset', async () => {
      for (const expiresAt of ['2099-01-31T08:00:00Z', '2099-01-31T09:00:00.250+01:00']) {
        const response = await hub.http
          .post(`/api/devices/${deviceId}/commands`)
          .set('Authorization', as())
          .send({ type: 'photos.sync', payload: {}, expiresAt });
        expect(response.status).toBe(201);
        expect(response.body.expiresAt).toMatch(/^2099-01-31T08:00:00\.(000|250)Z$/);
      }
    });

    it.each(BAD_TIMES)('refuses the audit filters from and to = %s, naming them', async (time) => {
      for (const field of ['from', 'to']) {
        const response = await hub.http
          .get('/api/audit')
          .query({ [field]: time })
          .set('Authorization', as());
        expect(response.status).toBe(400);
        expect(response.body.message).toMatch(new RegExp(`^${field} must be an RFC 3339`));
      }
    });

    it('answers a bad time in the CSV export with a status line and a JSON 400', async () => {
      for (const query of ['to=2027-W05-3', 'from=2027-02-30T00:00:00Z']) {
        const response = await rawGet(`${hub.url}/api/audit/export.csv?${query}`, admin);
        expect(response.status).toBe(400);
        expect(JSON.parse(response.body)).toEqual({
          statusCode: 400,
          message: expect.stringMatching(/^(from|to) must be an RFC 3339 date-time/),
        });
      }
    });

    it('takes a time with an offset in the audit filters', async () => {
      const response = await hub.http
        .get('/api/audit')
        .query({ from: '2000-01-01T00:00:00+01:00', to: '2999-01-01T00:00:00Z' })
        .set('Authorization', as());
      expect(response.status).toBe(200);
      expect(response.body.total).toBeGreaterThan(0);
    });
  });

  describe('text (item 17)', () => {
    const CONTROL = 'Year 7\u0001';
    const NUL = 'Year\u0000 7';
    const LONE = 'Year 7 \ud800';

    async function send(method: Method, path: string, body: object) {
      const response = await hub.http[method](path).set('Authorization', as()).send(body);
      return [response.status, response.body.message as string] as const;
    }

    /** Sends each case's body and expects a 400 whose message starts with the case's field. */
    async function expectEachRefusedNamingField(cases: [Method, string, object, string][]) {
      const answers = [];
      for (const [method, path, body, field] of cases) {
        const [status, message] = await send(method, path, body);
        answers.push(
          `${method} ${path} ${field}: ${status} ${message?.startsWith(field) ? 'names it' : message}`,
        );
      }
      expect(answers).toEqual(
        cases.map(([method, path, , field]) => `${method} ${path} ${field}: 400 names it`),
      );
    }

    it('refuses a policy name or description that is blank or holds a control character', async () => {
      const cases: [object, RegExp][] = [
        [{ name: '   ', settings: {} }, /^name must not be blank/],
        [
          { name: CONTROL, settings: {} },
          /^name must not contain control characters \(found U\+0001\)/,
        ],
        [
          { name: NUL, settings: {} },
          /^name must not contain control characters \(found U\+0000\)/,
        ],
        [{ name: LONE, settings: {} }, /^name must be valid Unicode text/],
        [{ name: 'Two\nlines', settings: {} }, /^name must be one line/],
        [{ name: 'Fine', description: 'a\u0001', settings: {} }, /^description must not contain/],
        [{ name: 'Fine', description: '  ', settings: {} }, /^description must not be blank/],
      ];
      for (const [body, message] of cases) {
        const [status, text] = await send('post', '/api/policies', body);
        expect([status, text]).toEqual([400, expect.stringMatching(message)]);
      }
      const policy = await hub.http
        .post('/api/policies')
        .set('Authorization', as())
        .send({ name: 'Fine', settings: {} });
      const [status, text] = await send('patch', `/api/policies/${policy.body.id}`, {
        name: CONTROL,
      });
      expect([status, text]).toEqual([400, expect.stringMatching(/^name must not contain/)]);
    });

    it('stores a name trimmed, and a description over several lines; its profile is made', async () => {
      const created = await hub.http
        .post('/api/policies')
        .set('Authorization', as())
        .send({ name: '  Year 7 iPads  ', description: 'For Year 7.\nAll day.', settings: {} });
      expect(created.status).toBe(201);
      expect(created.body.name).toBe('Year 7 iPads');
      const profile = await hub.http
        .get(`/api/policies/${created.body.id}/profile.mobileconfig`)
        .set('Authorization', as());
      expect(profile.status).toBe(200);
    });

    it('refuses such text in every other field that takes it', async () => {
      const group = await hub.http
        .post('/api/groups')
        .set('Authorization', as())
        .send({ name: 'Form 7B' });
      const staff = await hub.http
        .post('/api/staff')
        .set('Authorization', as())
        .send({
          username: 'kim',
          displayName: 'Kim',
          password: 'Staff-Pass1!',
          roles: ['teacher'],
        });
      const cases: [Method, string, object, string][] = [
        ['post', '/api/groups', { name: CONTROL }, 'name'],
        ['post', '/api/groups', { name: ' ' }, 'name'],
        ['post', '/api/groups', { name: 'G', description: NUL }, 'description'],
        ['patch', `/api/groups/${group.body.id}`, { name: LONE }, 'name'],
        // A name that reads as another (U+202E reverses what follows): "Year 5 live".
        ['post', '/api/groups', { name: 'Year 5 \u202eevil' }, 'name'],
        ['post', '/api/enrollment-tokens', { label: 'Trolley \u2066A\u2069' }, 'label'],
        ['patch', `/api/devices/${deviceId}`, { name: CONTROL }, 'name'],
        ['patch', `/api/devices/${deviceId}`, { assetTag: NUL }, 'assetTag'],
        [
          'post',
          '/api/staff',
          { username: 'lee', displayName: ' ', password: 'Staff-Pass1!', roles: ['teacher'] },
          'displayName',
        ],
        ['patch', `/api/staff/${staff.body.id}`, { displayName: CONTROL }, 'displayName'],
        ['post', '/api/auth/login', { username: NUL, password: 'x' }, 'username'],
        ['post', '/api/enrollment-tokens', { label: CONTROL }, 'label'],
        ['put', '/api/aup', { text: `${'Be kind online. '.repeat(3)}\u0000` }, 'text'],
        [
          'post',
          `/api/devices/${deviceId}/commands`,
          { type: 'message.show', payload: { text: CONTROL, from: 'Office' } },
          'payload.text',
        ],
        [
          'post',
          `/api/devices/${deviceId}/commands`,
          { type: 'message.show', payload: { text: ' \n ', from: 'Office' } },
          'payload.text',
        ],
        [
          'post',
          `/api/devices/${deviceId}/commands`,
          { type: 'device.lock', payload: { reason: 'class', message: NUL } },
          'payload.message',
        ],
        [
          'post',
          '/api/policies',
          { name: 'Wi-Fi', settings: { wifi: { allowedSsids: ['School\ud800'] } } },
          'settings.wifi.allowedSsids[0]',
        ],
      ];
      await expectEachRefusedNamingField(cases);
      const queries: [string, string][] = [
        ['/api/audit', 'actor'],
        ['/api/audit', 'targetId'],
        ['/api/devices', 'search'],
      ];
      for (const [path, field] of queries) {
        const response = await hub.http
          .get(path)
          .query({ [field]: NUL })
          .set('Authorization', as());
        expect([response.status, response.body.message]).toEqual([
          400,
          expect.stringMatching(new RegExp(`^${field} must not contain`)),
        ]);
      }
    });

    it('refuses bad times and such text in the classroom, asset, loan and trip fields too', async () => {
      const id = randomUUID();
      const trip = {
        name: 'Paris',
        shortName: 'paris',
        startsAt: '2099-03-01T08:00:00Z',
        endsAt: '2099-03-03T18:00:00Z',
        leaderIds: [id],
        assetTags: ['IPAD-01'],
      };
      const loan = { assetTag: 'IPAD-01', borrowerId: id, dueAt: '2099-03-01T08:00:00Z' };
      const cases: [Method, string, object, string][] = [
        ['post', '/api/classes', { name: CONTROL, teacherIds: [] }, 'name'],
        ['patch', `/api/classes/${id}`, { name: ' ' }, 'name'],
        ['post', `/api/classes/${id}/session`, { endsAt: '2027-W05-3' }, 'endsAt'],
        ['post', `/api/classes/${id}/session`, { endsAt: '2027-01-31T08:00:00' }, 'endsAt'],
        ['post', `/api/classes/${id}/session/actions`, { action: 'message', text: NUL }, 'text'],
        [
          'post',
          `/api/classes/${id}/session/actions`,
          { action: 'lock', message: LONE },
          'message',
        ],
        ['post', '/api/assets', { assetTag: 'IPAD-01', kind: 'tablet', notes: NUL }, 'notes'],
        ['post', '/api/assets', { assetTag: 'IPAD-01', kind: 'tablet', model: ' ' }, 'model'],
        ['patch', `/api/assets/${id}`, { condition: CONTROL }, 'condition'],
        ['post', `/api/assets/${id}/lost`, { note: NUL }, 'note'],
        ['post', '/api/loans', { ...loan, dueAt: '2027-W05-3' }, 'dueAt'],
        ['post', '/api/loans', { ...loan, dueAt: '2027-02-30T08:00:00Z' }, 'dueAt'],
        ['post', '/api/loans', { ...loan, conditionOut: CONTROL }, 'conditionOut'],
        ['post', `/api/loans/${id}/return`, { condition: ' ' }, 'condition'],
        ['post', `/api/loans/${id}/return`, { condition: 'Fine', damageNotes: NUL }, 'damageNotes'],
        ['post', '/api/trips', { ...trip, name: NUL }, 'name'],
        ['post', '/api/trips', { ...trip, startsAt: '2099-W05-3' }, 'startsAt'],
        ['post', '/api/trips', { ...trip, endsAt: '+275760-09-13T00:00:00Z' }, 'endsAt'],
      ];
      await expectEachRefusedNamingField(cases);
      for (const [path, field] of [
        ['/api/assets', 'search'],
        ['/api/loans/borrowers', 'search'],
      ]) {
        const response = await hub.http
          .get(path)
          .query({ [field]: NUL })
          .set('Authorization', as());
        expect([path, response.status, response.body.message]).toEqual([
          path,
          400,
          expect.stringMatching(new RegExp(`^${field} must not contain`)),
        ]);
      }
    });

    it('refuses such a device name at enrolment', async () => {
      const token = await createEnrollmentToken(hub, admin);
      await expect(enrollTestDevice(hub, token, { name: CONTROL })).rejects.toThrow(
        /device\.name must not contain control characters/,
      );
    });

    it('answers 422, not 500, for a profile whose stored name XML cannot carry', async () => {
      const created = await hub.http
        .post('/api/policies')
        .set('Authorization', as())
        .send({ name: 'Legacy', settings: {} });
      // As a row saved before names were checked would be.
      await hub.app
        .get(DataSource)
        .query('UPDATE policies SET name = $1 WHERE id = $2', [CONTROL, created.body.id]);
      const profile = await hub.http
        .get(`/api/policies/${created.body.id}/profile.mobileconfig`)
        .set('Authorization', as());
      expect(profile.status).toBe(422);
      expect(profile.body).toEqual({
        statusCode: 422,
        message: 'profile text contains characters that XML cannot carry',
      });
    });
  });

  describe('null and empty bodies', () => {
    it('refuses null in any optional field of a body with a 400 naming it, never a 500', async () => {
      const group = await hub.http
        .post('/api/groups')
        .set('Authorization', as())
        .send({ name: 'Null probe group' });
      const policy = await hub.http
        .post('/api/policies')
        .set('Authorization', as())
        .send({ name: 'Null probe policy', settings: { camera: { allowed: true } } });
      const staff = await hub.http
        .post('/api/staff')
        .set('Authorization', as())
        .send({
          username: 'null.probe',
          displayName: 'Null probe',
          password: 'Staff-Pass1!',
          roles: ['teacher'],
        });
      const cases: [Method, string, Record<string, unknown>, string][] = [
        ['patch', `/api/devices/${deviceId}`, {}, 'name'],
        ['patch', `/api/devices/${deviceId}`, {}, 'assetTag'],
        ['post', '/api/groups', { name: 'Null group' }, 'description'],
        ['patch', `/api/groups/${group.body.id}`, {}, 'name'],
        ['patch', `/api/groups/${group.body.id}`, {}, 'description'],
        ['patch', `/api/staff/${staff.body.id}`, {}, 'displayName'],
        ['patch', `/api/staff/${staff.body.id}`, {}, 'password'],
        ['patch', `/api/staff/${staff.body.id}`, {}, 'roles'],
        ['patch', `/api/staff/${staff.body.id}`, {}, 'disabled'],
        ['post', '/api/policies', { name: 'Null policy', settings: {} }, 'description'],
        ['post', '/api/policies', { name: 'Null policy', settings: {} }, 'enforced'],
        ['patch', `/api/policies/${policy.body.id}`, {}, 'name'],
        ['patch', `/api/policies/${policy.body.id}`, {}, 'description'],
        ['patch', `/api/policies/${policy.body.id}`, {}, 'settings'],
        ['patch', `/api/policies/${policy.body.id}`, {}, 'enforced'],
        [
          'post',
          `/api/policies/${policy.body.id}/assignments`,
          { scope: 'device', targetId: deviceId },
          'priority',
        ],
        ['post', `/api/devices/${deviceId}/commands`, { type: 'photos.sync' }, 'payload'],
        ['post', `/api/devices/${deviceId}/commands`, { type: 'photos.sync' }, 'expiresAt'],
        ['post', '/api/enrollment-tokens', {}, 'groupIds'],
        ['post', '/api/enrollment-tokens', {}, 'maxUses'],
        ['post', '/api/enrollment-tokens', {}, 'ttlMinutes'],
        ['post', '/api/enrollment-tokens', {}, 'label'],
        ['post', '/api/enrollment-tokens', {}, 'reenrol'],
      ];
      const answers: string[] = [];
      for (const [method, path, body, field] of cases) {
        const response = await hub.http[method](path)
          .set('Authorization', as())
          .send({ ...body, [field]: null });
        const named =
          typeof response.body.message === 'string' && response.body.message.includes(field);
        answers.push(`${method} ${path} ${field}: ${response.status} ${named}`);
      }
      expect(answers.filter((answer) => !answer.endsWith(': 400 true'))).toEqual([]);
    });

    it('holds a device’s asset tag to the enrolment form when ICT changes it', async () => {
      const answers: string[] = [];
      for (const assetTag of ['../../etc', 'Room 7/iPad', '.hidden', 'x'.repeat(65)]) {
        const response = await hub.http
          .patch(`/api/devices/${deviceId}`)
          .set('Authorization', as())
          .send({ assetTag });
        answers.push(`${response.status} ${String(response.body.message).startsWith('assetTag')}`);
      }
      expect(answers).toEqual(Array(4).fill('400 true'));
      const good = await hub.http
        .patch(`/api/devices/${deviceId}`)
        .set('Authorization', as())
        .send({ assetTag: 'IPAD-07.b_2' });
      expect([good.status, good.body.assetTag]).toEqual([200, 'IPAD-07.b_2']);
    });

    it('answers an empty change of a device with the device as it is, not a 500', async () => {
      const before = await hub.http.get(`/api/devices/${deviceId}`).set('Authorization', as());
      const response = await hub.http
        .patch(`/api/devices/${deviceId}`)
        .set('Authorization', as())
        .send({});
      expect([response.status, response.body.id, response.body.name]).toEqual([
        200,
        deviceId,
        before.body.name,
      ]);
    });
  });

  describe('on every route', () => {
    it('refuses an id in the address that is not a UUID with a 400 in plain words', async () => {
      const seen: [string, number, string][] = [];
      // The tus routes are the device's, answered by @tus/server in the tus protocol's words.
      const withIds = routes.filter(
        (r) => /:(?!tag\b|sha256\b)\w+/.test(r.path) && !r.path.startsWith('/api/photos/uploads'),
      );
      for (const route of withIds) {
        const path = route.path.replace(/:(?!tag\b|sha256\b)\w+/g, 'not-a-uuid');
        const method = (route.method === 'ALL' ? 'get' : route.method.toLowerCase()) as Method;
        const response = await hub.http[method](path)
          .set('Authorization', as())
          .set('Content-Type', 'application/json')
          .send('{}');
        seen.push([`${route.method} ${route.path}`, response.status, response.body?.message]);
        // An error is JSON and never cached, whatever the route answers when it succeeds (an
        // SVG label, a thumbnail kept for a day).
        expect([
          route.path,
          response.headers['content-type'],
          response.headers['cache-control'],
        ]).toEqual([route.path, expect.stringMatching(/^application\/json/), 'no-store']);
      }
      expect(seen.length).toBeGreaterThan(20);
      for (const [route, status, message] of seen) {
        expect([route, status, message]).toEqual([
          route,
          400,
          route.startsWith('GET ') || route.startsWith('DELETE ')
            ? 'The id in the address is not one the hub gives out (a UUID). Check the link.'
            : expect.any(String),
        ]);
      }
    });

    it('refuses __proto__ and constructor keys at any depth with a 400 (item 18)', async () => {
      const bodies = [
        '{"__proto__": {"isAdmin": true}}',
        '{"constructor": {"prototype": {"isAdmin": true}}}',
        '{"name": "x", "settings": {"camera": {"__proto__": {"allowed": false}}}}',
        '{"device": {"serialNumber": "S1", "constructor": {"prototype": {"x": 1}}}}',
        '[{"__proto__": {}}]',
      ];
      const answers: string[] = [];
      for (const route of routes) {
        for (const body of bodies) {
          const response = await callRoute(route, body);
          // An answer to HEAD has no body to name it in (RFC 9110, 9.3.2): its status says it.
          const named =
            route.method === 'HEAD' ||
            /the key (__proto__|constructor) is not allowed/.test(response.body.message);
          answers.push(`${route.method} ${route.path} ${body}: ${response.status} ${named}`);
        }
      }
      expect(answers.filter((answer) => !answer.endsWith(': 400 true'))).toEqual([]);
      expect(answers.length).toBeGreaterThan(100);
    });

    it('refuses them in the query string too', async () => {
      for (const query of ['?__proto__=1', '?constructor=1', '?a[__proto__]=1']) {
        const response = await hub.http.get(`/api/audit${query}`).set('Authorization', as());
        expect(response.status).toBe(400);
      }
    });

    it('still takes an ordinary body afterwards, and nothing was polluted', async () => {
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      const response = await hub.http
        .patch(`/api/devices/${deviceId}`)
        .set('Authorization', as())
        .send({ name: 'Laptop renamed' });
      expect([response.status, response.body.name]).toEqual([200, 'Laptop renamed']);
    });

    it('refuses a body nested 5,000 deep with a 400, even without credentials (item 19)', async () => {
      const deep = nested(5000);
      expect(deep.length).toBeGreaterThan(29_000);
      const answers: string[] = [];
      for (const route of routes) {
        const response = await callRoute(route, deep);
        const message =
          route.method === 'HEAD'
            ? 'The request body nests deeper than 32 levels' // no body on HEAD (RFC 9110, 9.3.2)
            : response.body.message;
        answers.push(`${route.method} ${route.path}: ${response.status} ${message}`);
      }
      for (const path of ['/api/auth/login', '/api/enroll']) {
        const response = await hub.http
          .post(path)
          .set('Content-Type', 'application/json')
          .send(deep);
        answers.push(
          `POST ${path} without credentials: ${response.status} ${response.body.message}`,
        );
      }
      expect(
        answers.filter(
          (answer) => !answer.endsWith(': 400 The request body nests deeper than 32 levels'),
        ),
      ).toEqual([]);
    });

    it('refuses 33 levels and takes 32', async () => {
      const at = async (depth: number) => {
        const response = await hub.http
          .post('/api/auth/login')
          .set('Content-Type', 'application/json')
          .send(`{"username": ${nested(depth - 1)}}`);
        return `${response.status} ${response.body.message}`;
      };
      expect(await at(33)).toBe('400 The request body nests deeper than 32 levels');
      // 32 levels passes that check and is then refused by validation, as any wrong body is.
      expect(await at(32)).toMatch(/^400 username must be a string/);
      const arrays = await hub.http
        .post('/api/auth/login')
        .set('Content-Type', 'application/json')
        .send('['.repeat(40) + ']'.repeat(40));
      expect(arrays.body.message).toBe('The request body nests deeper than 32 levels');
    });

    it('refuses a body that is a list with a 400 saying so, on every route', async () => {
      const answers: string[] = [];
      for (const route of routes.filter((r) => r.method !== 'HEAD')) {
        const response = await callRoute(route, '[{"name": "Year 4"}]');
        answers.push(`${route.method} ${route.path}: ${response.status} ${response.body.message}`);
      }
      expect(answers.length).toBeGreaterThan(50);
      expect(
        answers.filter(
          (answer) =>
            !answer.endsWith(': 400 The request body must be a JSON object ({ ... }), not a list'),
        ),
      ).toEqual([]);
    });

    it('names a field left out once, as required, on every route that takes a body', async () => {
      const repeated: string[] = [];
      let refused = 0;
      const withBodies = routes.filter(
        (r) => ['POST', 'PUT', 'PATCH'].includes(r.method) && r.path !== '/api/auth/logout',
      );
      for (const route of withBodies) {
        const response = await callRoute(route, '{}');
        if (response.status !== 400 || typeof response.body.message !== 'string') {
          continue;
        }
        refused++;
        // Each field named at most once: class-validator's rules for a missing field were
        // listed one after another ("deviceIds must contain…; each of deviceIds…; deviceIds
        // must be an array").
        const fields = (response.body.message as string)
          .split('; ')
          .map((part) => part.replace(/^each of /, '').split(/[\s:]/)[0]);
        if (new Set(fields).size !== fields.length) {
          repeated.push(`${route.method} ${route.path}: ${response.body.message}`);
        }
      }
      expect(refused).toBeGreaterThan(20);
      expect(repeated).toEqual([]);
      const login = await hub.http.post('/api/auth/login').send({});
      expect([login.status, login.body.message]).toEqual([
        400,
        'username is required; password is required',
      ]);
      const absent = await callRoute(
        { method: 'PUT', path: '/api/classes/:id/session/absent' } as RouteAccess,
        '{"absent": true}',
      );
      expect([absent.status, absent.body.message]).toEqual([400, 'deviceIds is required']);
      // A value of the wrong type is named by its type alone, not by every rule of its field.
      const wrongType = await callRoute(
        { method: 'PUT', path: '/api/classes/:id/session/absent' } as RouteAccess,
        '{"deviceIds": "Oak 01", "absent": true}',
      );
      expect([wrongType.status, wrongType.body.message]).toEqual([
        400,
        'deviceIds must be an array',
      ]);
      // class-validator's own words for its list rules are said plainly.
      const twice = await hub.http
        .post('/api/staff')
        .set('Authorization', as())
        .send({
          username: 'twice',
          displayName: 'Twice',
          password: 'Staff-Pass1!',
          roles: ['teacher', 'teacher'],
        });
      expect([twice.status, twice.body.message]).toEqual([
        400,
        'roles must not name anything twice',
      ]);
      const none = await hub.http
        .post('/api/staff')
        .set('Authorization', as())
        .send({ username: 'none', displayName: 'None', password: 'Staff-Pass1!', roles: [] });
      expect([none.status, none.body.message]).toEqual([400, 'roles must name at least 1']);
      const nullName = await hub.http
        .post('/api/auth/login')
        .send({ username: null, password: 'x' });
      expect([nullName.status, nullName.body.message]).toEqual([400, 'username must be a string']);
    });

    it('refuses an address with a broken % escape with a 400 in plain words, on every route', async () => {
      const answers: string[] = [];
      for (const route of routes.filter((r) => r.method !== 'HEAD' && r.path.includes('/:'))) {
        const method = (route.method === 'ALL' ? 'get' : route.method.toLowerCase()) as Method;
        const response = await hub.http[method](route.path.replace(/:[A-Za-z0-9_]+/g, '%E0%A4%A'))
          .set('Authorization', as())
          .set('Content-Type', 'application/json')
          .send('{}');
        answers.push(`${route.method} ${route.path}: ${response.status} ${response.body.message}`);
      }
      expect(answers.length).toBeGreaterThan(30);
      expect(
        answers.filter(
          (answer) =>
            !answer.endsWith(
              ': 400 The address has a broken % escape (a % must be followed by two hex digits of a UTF-8 character). Check the link.',
            ),
        ),
      ).toEqual([]);
    });

    it('refuses a page past the last with a 400, not a database error', async () => {
      for (const path of ['/api/audit', '/api/devices', '/api/staff']) {
        const response = await hub.http
          .get(path)
          .query({ page: '9007199254740991' })
          .set('Authorization', as());
        expect([response.status, response.body.message]).toEqual([
          400,
          expect.stringMatching(/^page must not be greater than/),
        ]);
      }
    });
  });

  describe('what a refusal quotes back, and how it says a length', () => {
    /** `text` as a refusal quotes it: its first 64 characters and its length. */
    const quoted = (text: string) => `${text.slice(0, 64)}… (${text.length} characters)`;

    it('quotes a tag, a field name or a charset of any length only so far', async () => {
      const tag = 'T'.repeat(5000);
      const byTag = await hub.http.get(`/api/assets/by-tag/${tag}`).set('Authorization', as());
      expect([byTag.status, byTag.body.message]).toEqual([404, `No asset with tag ${quoted(tag)}`]);
      // A tag as long as one can be is quoted whole.
      const longest = 'T'.repeat(64);
      const whole = await hub.http.get(`/api/assets/by-tag/${longest}`).set('Authorization', as());
      expect([whole.status, whole.body.message]).toEqual([404, `No asset with tag ${longest}`]);

      const key = 'k'.repeat(5000);
      const unknownField = await hub.http
        .post('/api/groups')
        .set('Authorization', as())
        .send({ name: 'Quoted', [key]: 1 });
      expect([unknownField.status, unknownField.body.message]).toEqual([
        400,
        `${quoted(key)}: property ${quoted(key)} should not exist`,
      ]);
      const payloadField = await hub.http
        .post(`/api/devices/${deviceId}/commands`)
        .set('Authorization', as())
        .send({ type: 'device.unlock', payload: { [key]: true } });
      expect([payloadField.status, payloadField.body.message]).toEqual([
        400,
        `payload.${quoted(key)} should not exist`,
      ]);
      const prototypeBelow = await hub.http
        .post('/api/groups')
        .set('Authorization', as())
        .set('Content-Type', 'application/json')
        .send(`{"${key}": {"__proto__": {}}}`);
      expect([prototypeBelow.status, prototypeBelow.body.message]).toEqual([
        400,
        `body.${quoted(key)}.__proto__: the key __proto__ is not allowed`,
      ]);
      const charset = 'x'.repeat(500);
      const otherCharset = await hub.http
        .post('/api/groups')
        .set('Authorization', as())
        .set('Content-Type', `application/json; charset=${charset}`)
        .send('{"name": "Quoted"}');
      expect([otherCharset.status, otherCharset.body.message]).toEqual([
        415,
        `Send JSON encoded as UTF-8 (charset=utf-8), not ${quoted(charset)}`,
      ]);
    });

    it("says a text too long in the hub's words on the command route and wherever a DTO gives none", async () => {
      const cases: [string, object, string][] = [
        [
          `/api/devices/${deviceId}/commands`,
          { type: 'device.lock', payload: { reason: 'class', message: 'm'.repeat(201) } },
          'payload.message must be at most 200 characters',
        ],
        [
          '/api/enroll',
          {
            token: 'not-a-token',
            csr: 'c'.repeat(16385),
            device: { serialNumber: 'LONG-CSR', platform: 'linux' },
          },
          'csr must be at most 16384 characters',
        ],
        [
          '/api/auth/login',
          { username: 'admin', password: 'p'.repeat(257) },
          'password must be at most 256 characters',
        ],
      ];
      const answers = [];
      for (const [path, body, message] of cases) {
        const response = await hub.http.post(path).set('Authorization', as()).send(body);
        answers.push([path, response.status, response.body.message, message]);
      }
      expect(answers.filter(([, status, said, meant]) => status !== 400 || said !== meant)).toEqual(
        [],
      );
    });
  });
});
