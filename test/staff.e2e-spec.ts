// Staff accounts as ICT manages them, a person's own password, and AUP acceptance.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { acceptAup, createStaff, startHub, TestHub } from './support/hub';

const PASSWORD = 'Staff-Pass1!';

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

describe('staff accounts', () => {
  let hub: TestHub;
  let admin: string;
  let teacher: { id: string; token: string };

  const as = (token: string) => `Bearer ${token}`;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    teacher = await createStaff(hub, admin, 'tom', ['teacher']);
  });
  afterAll(() => hub.close());

  describe('ICT managing accounts', () => {
    it('creates an account that can sign in, and never shows its password', async () => {
      const created = await hub.http
        .post('/api/staff')
        .set('Authorization', as(admin))
        .send({
          username: 'olive',
          displayName: ' Olive Office ',
          password: PASSWORD,
          roles: ['office', 'trip_leader'],
        });

      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        username: 'olive',
        displayName: 'Olive Office',
        roles: ['office', 'trip_leader'],
        disabled: false,
        // For loan reminders by email (issue 13); none given.
        email: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });

      const fetched = await hub.http
        .get(`/api/staff/${created.body.id}`)
        .set('Authorization', as(admin));
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(created.body);

      const signedIn = await hub.http
        .post('/api/auth/login')
        .send({ username: 'olive', password: PASSWORD });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.user.roles).toEqual(['office', 'trip_leader']);
    });

    it('lists accounts by username with paging', async () => {
      const page = await hub.http
        .get('/api/staff')
        .query({ pageSize: 2 })
        .set('Authorization', as(admin));

      expect(page.status).toBe(200);
      expect(page.body.total).toBeGreaterThanOrEqual(3);
      expect(page.body.items.map((a: { username: string }) => a.username)).toEqual([
        'admin',
        'olive',
      ]);
      const next = await hub.http
        .get('/api/staff')
        .query({ pageSize: 2, page: 2 })
        .set('Authorization', as(admin));
      expect(next.body.items[0].username).toBe('tom');
    });

    it('answers 404 for an account that does not exist and 400 for an id that is not one', async () => {
      const missing = await hub.http
        .get(`/api/staff/${randomUUID()}`)
        .set('Authorization', as(admin));
      const malformed = await hub.http.get('/api/staff/not-an-id').set('Authorization', as(admin));
      expect(missing.status).toBe(404);
      expect(malformed.status).toBe(400);
    });

    it('changes a name and roles, and the change applies to a session already open', async () => {
      const person = await createStaff(hub, admin, 'petra', ['teacher']);

      const updated = await hub.http
        .patch(`/api/staff/${person.id}`)
        .set('Authorization', as(admin))
        .send({ displayName: 'Petra Pastoral', roles: ['teacher', 'safeguarding'] });

      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        displayName: 'Petra Pastoral',
        roles: ['teacher', 'safeguarding'],
      });
      const me = await hub.http.get('/api/auth/me').set('Authorization', as(person.token));
      expect(me.body).toMatchObject({
        displayName: 'Petra Pastoral',
        roles: ['teacher', 'safeguarding'],
      });
      expect((await hub.http.get('/api/audit').set('Authorization', as(person.token))).status).toBe(
        200,
      );
    });

    it('does not let ICT disable their own account or drop their own ict role', async () => {
      const me = await hub.http.get('/api/auth/me').set('Authorization', as(admin));
      const disable = await hub.http
        .patch(`/api/staff/${me.body.id}`)
        .set('Authorization', as(admin))
        .send({ disabled: true });
      const demote = await hub.http
        .patch(`/api/staff/${me.body.id}`)
        .set('Authorization', as(admin))
        .send({ roles: ['teacher'] });

      expect(disable.status).toBe(409);
      expect(demote.status).toBe(409);
      expect((await hub.http.get('/api/auth/me').set('Authorization', as(admin))).status).toBe(200);
    });
  });

  describe('disabling an account', () => {
    let dina: { id: string; token: string };

    beforeAll(async () => {
      dina = await createStaff(hub, admin, 'dina', ['teacher']);
    });

    it('ends its sessions at once and stops it signing in, with the usual 401', async () => {
      expect((await hub.http.get('/api/auth/me').set('Authorization', as(dina.token))).status).toBe(
        200,
      );

      const disabled = await hub.http
        .patch(`/api/staff/${dina.id}`)
        .set('Authorization', as(admin))
        .send({ disabled: true });
      expect(disabled.status).toBe(200);
      expect(disabled.body.disabled).toBe(true);

      expect((await hub.http.get('/api/auth/me').set('Authorization', as(dina.token))).status).toBe(
        401,
      );
      const signIn = await hub.http
        .post('/api/auth/login')
        .send({ username: 'dina', password: PASSWORD });
      expect(signIn.status).toBe(401);
      expect(signIn.body).toEqual({ statusCode: 401, message: 'Wrong username or password' });
    });

    it('keeps the account, listed only when disabled accounts are asked for', async () => {
      const usernames = async (query: Record<string, string>) =>
        (
          await hub.http.get('/api/staff').query(query).set('Authorization', as(admin))
        ).body.items.map((a: { username: string }) => a.username) as string[];

      expect(await usernames({})).not.toContain('dina');
      expect(await usernames({ includeDisabled: 'true' })).toContain('dina');
      expect(
        (await hub.http.get(`/api/staff/${dina.id}`).set('Authorization', as(admin))).body.disabled,
      ).toBe(true);
    });

    it('lets it sign in again once re-enabled', async () => {
      const enabled = await hub.http
        .patch(`/api/staff/${dina.id}`)
        .set('Authorization', as(admin))
        .send({ disabled: false });
      expect(enabled.body.disabled).toBe(false);
      expect(
        (await hub.http.post('/api/auth/login').send({ username: 'dina', password: PASSWORD }))
          .status,
      ).toBe(200);
    });
  });

  describe('passwords', () => {
    it('ends every session when ICT sets a new password', async () => {
      const person = await createStaff(hub, admin, 'percy', ['teacher']);

      const reset = await hub.http
        .patch(`/api/staff/${person.id}`)
        .set('Authorization', as(admin))
        .send({ password: 'Reset-Pass2!' });

      expect(reset.status).toBe(200);
      expect(
        (await hub.http.get('/api/auth/me').set('Authorization', as(person.token))).status,
      ).toBe(401);
      expect(
        (await hub.http.post('/api/auth/login').send({ username: 'percy', password: PASSWORD }))
          .status,
      ).toBe(401);
      expect(
        (
          await hub.http
            .post('/api/auth/login')
            .send({ username: 'percy', password: 'Reset-Pass2!' })
        ).status,
      ).toBe(200);
    });

    it('lets a person change their own password, keeping this session and ending the others', async () => {
      const person = await createStaff(hub, admin, 'carla', ['teacher']);
      const otherSession = await hub.login('carla', PASSWORD);

      const wrongCurrent = await hub.http
        .patch('/api/staff/me/password')
        .set('Authorization', as(person.token))
        .send({ currentPassword: 'Not-Mine1!', newPassword: 'Carla-New2?' });
      expect(wrongCurrent.status).toBe(401);

      const weak = await hub.http
        .patch('/api/staff/me/password')
        .set('Authorization', as(person.token))
        .send({ currentPassword: PASSWORD, newPassword: 'carlanew' });
      expect(weak.status).toBe(400);
      expect(weak.body.message).toBe(
        'newPassword must have upper and lower case letters, a number, a symbol',
      );

      const changed = await hub.http
        .patch('/api/staff/me/password')
        .set('Authorization', as(person.token))
        .send({ currentPassword: PASSWORD, newPassword: 'Carla-New2?' });
      expect(changed.status).toBe(204);

      expect(
        (await hub.http.get('/api/auth/me').set('Authorization', as(person.token))).status,
      ).toBe(200);
      expect(
        (await hub.http.get('/api/auth/me').set('Authorization', as(otherSession))).status,
      ).toBe(401);
      expect(
        (await hub.http.post('/api/auth/login').send({ username: 'carla', password: PASSWORD }))
          .status,
      ).toBe(401);
      expect(
        (
          await hub.http
            .post('/api/auth/login')
            .send({ username: 'carla', password: 'Carla-New2?' })
        ).status,
      ).toBe(200);
    });
  });

  describe('roles', () => {
    it('refuses a teacher who tries to create, list or change staff, with 403', async () => {
      const create = await hub.http
        .post('/api/staff')
        .set('Authorization', as(teacher.token))
        .send({ username: 'sneaky', displayName: 'Sneaky', password: PASSWORD, roles: ['ict'] });
      const list = await hub.http.get('/api/staff').set('Authorization', as(teacher.token));
      const promote = await hub.http
        .patch(`/api/staff/${teacher.id}`)
        .set('Authorization', as(teacher.token))
        .send({ roles: ['ict'] });

      expect(create.status).toBe(403);
      expect(create.body).toEqual({ statusCode: 403, message: 'This needs one of the roles: ict' });
      expect(list.status).toBe(403);
      expect(promote.status).toBe(403);
      const sneaky = await hub.http
        .post('/api/auth/login')
        .send({ username: 'sneaky', password: PASSWORD });
      expect(sneaky.status).toBe(401);
      const me = await hub.http.get('/api/auth/me').set('Authorization', as(teacher.token));
      expect(me.body.roles).toEqual(['teacher']);
    });

    it('refuses anyone without a token, with 401', async () => {
      const response = await hub.http
        .post('/api/staff')
        .send({ username: 'anon', displayName: 'Anon', password: PASSWORD, roles: ['ict'] });
      expect(response.status).toBe(401);
    });
  });

  describe('validation', () => {
    const newAccount = (fields: Record<string, unknown> = {}) => ({
      username: `new${randomBytes(3).toString('hex')}`,
      displayName: 'New Person',
      password: PASSWORD,
      roles: ['teacher'],
      ...fields,
    });
    const create = (body: unknown) =>
      hub.http
        .post('/api/staff')
        .set('Authorization', as(admin))
        .send(body as object);

    it('refuses an unknown field, naming it', async () => {
      const response = await create(newAccount({ isAdmin: true }));
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        statusCode: 400,
        message: 'isAdmin: property isAdmin should not exist',
      });
    });

    it('refuses a weak password, naming each rule it breaks', async () => {
      const response = await create(newAccount({ password: 'abc' }));
      expect(response.status).toBe(400);
      expect(response.body.message).toBe(
        'password must have at least 6 characters, upper and lower case letters, a number, a symbol',
      );
      expect((await create(newAccount({ password: 'Abcdef1' }))).body.message).toBe(
        'password must have a symbol',
      );
    });

    it('refuses a bad username or role, naming the field', async () => {
      const username = await create(newAccount({ username: 'Has Spaces' }));
      const role = await create(newAccount({ roles: ['headteacher'] }));
      const missing = await create({
        displayName: 'No Name',
        password: PASSWORD,
        roles: ['teacher'],
      });

      expect(username.status).toBe(400);
      expect(username.body.message).toMatch(/^username must be/);
      expect(role.status).toBe(400);
      expect(role.body.message).toContain(
        'roles must each be one of ict, teacher, office, trip_leader, safeguarding',
      );
      expect(missing.status).toBe(400);
      expect(missing.body.message).toMatch(/^username/);
    });

    it('refuses a body that is not JSON, with 400 and no stack trace', async () => {
      const response = await hub.http
        .post('/api/staff')
        .set('Authorization', as(admin))
        .set('Content-Type', 'application/json')
        .send('{"username": "broken",');

      expect(response.status).toBe(400);
      expect(Object.keys(response.body).sort()).toEqual(['message', 'statusCode']);
      expect(response.body.statusCode).toBe(400);
      expect(JSON.stringify(response.body)).not.toMatch(/\bat .*\.(js|ts):\d+/);
    });

    it('refuses a username that is already taken, with 409 and its code', async () => {
      const response = await create(newAccount({ username: 'tom' }));
      expect(response.status).toBe(409);
      // The console says it at the username field by `code`, never by the message's words.
      expect(response.body).toEqual({
        statusCode: 409,
        message: 'username tom is already taken',
        code: 'username_taken',
      });
    });

    it('answers an unknown route with 404 in the same shape', async () => {
      const response = await hub.http.get('/api/no-such-thing').set('Authorization', as(admin));
      expect(response.status).toBe(404);
      expect(Object.keys(response.body).sort()).toEqual(['message', 'statusCode']);
    });
  });

  describe('the acceptable use policy', () => {
    /** Someone who has not accepted yet (the AUP gate leaves these routes open to them). */
    let reader: { id: string; token: string };
    beforeAll(async () => {
      reader = await createStaff(hub, admin, 'rhea', ['teacher'], 'Staff-Pass1!', {
        acceptAup: false,
      });
    });

    it('gives staff the current text, versioned by its SHA-256, not yet accepted', async () => {
      const aup = await hub.http.get('/api/aup').set('Authorization', as(reader.token));

      expect(aup.status).toBe(200);
      expect(aup.body).toEqual({
        version: sha256(aup.body.text),
        text: expect.stringContaining('acceptable use'),
        publishedAt: expect.any(String),
        acceptedAt: null,
      });
    });

    it('refuses acceptance of a version that is not the current one', async () => {
      const stale = await hub.http
        .post('/api/staff/me/aup-acceptance')
        .set('Authorization', as(reader.token))
        .send({ version: sha256('some older text') });
      const malformed = await hub.http
        .post('/api/staff/me/aup-acceptance')
        .set('Authorization', as(reader.token))
        .send({ version: 'latest' });

      expect(stale.status).toBe(409);
      expect(malformed.status).toBe(400);
      expect(malformed.body.message).toContain('version');
      expect(
        (await hub.http.get('/api/aup').set('Authorization', as(reader.token))).body.acceptedAt,
      ).toBeNull();
    });

    it('records who accepted which version and when', async () => {
      const { text } = (await hub.http.get('/api/aup').set('Authorization', as(reader.token))).body;
      const before = hub.clock.nowMs();

      const accepted = await hub.http
        .post('/api/staff/me/aup-acceptance')
        .set('Authorization', as(reader.token))
        .send({ version: sha256(text) });

      expect(accepted.status).toBe(201);
      expect(accepted.body).toEqual({ version: sha256(text), acceptedAt: expect.any(String) });
      expect(Date.parse(accepted.body.acceptedAt)).toBeGreaterThanOrEqual(before - 1);
      const aup = await hub.http.get('/api/aup').set('Authorization', as(reader.token));
      expect(aup.body.acceptedAt).toBe(accepted.body.acceptedAt);

      const acceptances = await hub.http
        .get('/api/aup/acceptances')
        .set('Authorization', as(admin));
      expect(acceptances.status).toBe(200);
      // Everyone the tests signed in has accepted too (they must, to use the hub).
      expect(acceptances.body.version).toBe(sha256(text));
      // Named from the account, not from the log's entry (which goes with the audit retention).
      expect(
        (acceptances.body.items as { staffId: string }[]).filter((i) => i.staffId === reader.id),
      ).toEqual([
        {
          staffId: reader.id,
          username: 'rhea',
          displayName: 'rhea',
          acceptedAt: accepted.body.acceptedAt,
          witnessedBy: null,
        },
      ]);

      const again = await hub.http
        .post('/api/staff/me/aup-acceptance')
        .set('Authorization', as(reader.token))
        .send({ version: sha256(text) });
      expect(again.body.acceptedAt).toBe(accepted.body.acceptedAt);
    });

    it('lets only ICT publish a text and only ICT or safeguarding see acceptances', async () => {
      const publish = await hub.http
        .put('/api/aup')
        .set('Authorization', as(reader.token))
        .send({ text: 'A teacher should not be able to publish this policy.' });
      const acceptances = await hub.http
        .get('/api/aup/acceptances')
        .set('Authorization', as(reader.token));

      expect(publish.status).toBe(403);
      expect(acceptances.status).toBe(403);
    });

    it('asks everyone to accept again when ICT publishes a new text', async () => {
      const oldVersion = (await hub.http.get('/api/aup').set('Authorization', as(reader.token)))
        .body.version;
      const text =
        'Our school acceptable use policy, second edition.\n\n1. Be kind to the laptops.\n';

      const published = await hub.http
        .put('/api/aup')
        .set('Authorization', as(admin))
        .send({ text });

      expect(published.status).toBe(200);
      expect(published.body).toEqual({ version: sha256(text), publishedAt: expect.any(String) });
      const aup = await hub.http.get('/api/aup').set('Authorization', as(reader.token));
      expect(aup.body).toMatchObject({ version: sha256(text), text, acceptedAt: null });

      const stale = await hub.http
        .post('/api/staff/me/aup-acceptance')
        .set('Authorization', as(reader.token))
        .send({ version: oldVersion });
      expect(stale.status).toBe(409);

      // ICT must accept the new text too before reading anything (issue 9): only they have.
      await acceptAup(hub, admin);
      const adminId = (await hub.http.get('/api/auth/me').set('Authorization', as(admin))).body
        .id as string;
      const acceptances = await hub.http
        .get('/api/aup/acceptances')
        .set('Authorization', as(admin));
      expect(acceptances.body).toEqual({
        version: sha256(text),
        items: [
          {
            staffId: adminId,
            username: 'admin',
            displayName: 'Administrator',
            acceptedAt: expect.any(String),
            witnessedBy: null,
          },
        ],
      });

      const republished = await hub.http
        .put('/api/aup')
        .set('Authorization', as(admin))
        .send({ text });
      // PUT is idempotent: the current text again changes nothing, and nobody is gated again.
      expect(republished.status).toBe(200);
      expect(republished.body).toEqual({
        version: sha256(text),
        publishedAt: published.body.publishedAt,
      });
      expect(
        (await hub.http.get('/api/aup').set('Authorization', as(admin))).body.acceptedAt,
      ).toEqual(expect.any(String));
    });
  });
});
