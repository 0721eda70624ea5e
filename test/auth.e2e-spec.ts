// Signing in and out: good and bad credentials, the same answer for an unknown user and a wrong
// password, throttling that slows repeated failures and then locks the username for a while.
import { ADMIN_PASSWORD, createStaff, startHub, TestHub } from './support/hub';

const LOCK_AFTER = 4;
const LOCK_MINUTES = 15;
const PASSWORD = 'Staff-Pass1!';

async function timedSignIn(hub: TestHub, username: string, password: string) {
  const started = performance.now();
  const response = await hub.http.post('/api/auth/login').send({ username, password });
  return { response, ms: performance.now() - started };
}

describe('signing in', () => {
  let hub: TestHub;
  let adminToken: string;

  beforeAll(async () => {
    hub = await startHub({
      env: {
        HUB_LOGIN_SLOW_AFTER: '1',
        HUB_LOGIN_SLOW_DELAY_MS: '10',
        HUB_LOGIN_LOCK_AFTER: String(LOCK_AFTER),
        HUB_LOGIN_LOCK_MINUTES: String(LOCK_MINUTES),
      },
    });
    adminToken = await hub.login();
    for (const username of ['una', 'sam', 'tess']) {
      await createStaff(hub, adminToken, username, ['teacher'], PASSWORD);
    }
  });
  afterAll(() => hub.close());

  const attempt = (username: string, password: string) => timedSignIn(hub, username, password);

  it('answers a good sign-in with a token, its expiry and who signed in', async () => {
    const response = await hub.http
      .post('/api/auth/login')
      .send({ username: 'una', password: PASSWORD });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      expiresAt: expect.any(String),
      user: { id: expect.any(String), username: 'una', displayName: 'una', roles: ['teacher'] },
    });
    const hoursLeft = (Date.parse(response.body.expiresAt) - hub.clock.nowMs()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(11.9);
    expect(hoursLeft).toBeLessThanOrEqual(12);

    const me = await hub.http
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${response.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual(response.body.user);
  });

  it('signs in whatever the case of the username', async () => {
    const response = await hub.http
      .post('/api/auth/login')
      .send({ username: ' UNA ', password: PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body.user.username).toBe('una');
  });

  it('gives the same 401 for an unknown username and a wrong password', async () => {
    const unknown = await hub.http
      .post('/api/auth/login')
      .send({ username: 'nobody', password: PASSWORD });
    const wrong = await hub.http
      .post('/api/auth/login')
      .send({ username: 'una', password: 'Wrong-Pass1!' });

    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual({ statusCode: 401, message: 'Wrong username or password' });
    expect(wrong.body).toEqual(unknown.body);
  });

  it('refuses a sign-in without a password, naming the field', async () => {
    const response = await hub.http.post('/api/auth/login').send({ username: 'una' });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('password');
  });

  it('refuses staff routes without a token, with a bad token or with another scheme', async () => {
    const none = await hub.http.get('/api/auth/me');
    const bad = await hub.http.get('/api/auth/me').set('Authorization', 'Bearer not-a-real-token');
    const basic = await hub.http
      .get('/api/auth/me')
      .set('Authorization', `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`);

    expect([none.status, bad.status, basic.status]).toEqual([401, 401, 401]);
    expect(none.body).toEqual({ statusCode: 401, message: expect.any(String) });
  });

  it('ends the session on sign-out, and only that one', async () => {
    const first = await hub.login('una', PASSWORD);
    const second = await hub.login('una', PASSWORD);

    const out = await hub.http.post('/api/auth/logout').set('Authorization', `Bearer ${first}`);
    expect(out.status).toBe(204);

    expect(
      (await hub.http.get('/api/auth/me').set('Authorization', `Bearer ${first}`)).status,
    ).toBe(401);
    expect(
      (await hub.http.get('/api/auth/me').set('Authorization', `Bearer ${second}`)).status,
    ).toBe(200);
  });

  it('answers requests of the same moment each as its own session says', async () => {
    // The session, account and AUP reads of requests arriving together are one read for all
    // (issue 12); each request still gets its own answer.
    const una = await hub.login('una', PASSWORD);
    const sam = await hub.login('sam', PASSWORD);
    const ended = await hub.login('tess', PASSWORD);
    expect(
      (await hub.http.post('/api/auth/logout').set('Authorization', `Bearer ${ended}`)).status,
    ).toBe(204);
    const tokens = [una, ended, sam, una, 'not-a-token', sam];
    const answers = await Promise.all(
      tokens.map((token) => hub.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`)),
    );
    expect(
      answers.map((answer) =>
        answer.status === 200 ? (answer.body as { username: string }).username : answer.status,
      ),
    ).toEqual(['una', 401, 'sam', 'una', 401, 'sam']);
  });

  it('starts the failure count again after a good sign-in', async () => {
    for (let i = 0; i < LOCK_AFTER - 1; i++) {
      expect((await attempt('sam', 'Wrong-Pass1!')).response.status).toBe(401);
    }
    expect((await attempt('sam', PASSWORD)).response.status).toBe(200);
    // As many failures again would have locked the account had the count not started again.
    for (let i = 0; i < LOCK_AFTER - 1; i++) {
      expect((await attempt('sam', 'Wrong-Pass1!')).response.status).toBe(401);
    }
    expect((await attempt('sam', PASSWORD)).response.status).toBe(200);
  });

  it('locks the username after repeated failures, even for the right password, until the lock ends', async () => {
    for (let i = 0; i < LOCK_AFTER; i++) {
      expect((await attempt('tess', 'Wrong-Pass1!')).response.status).toBe(401);
    }

    const locked = await attempt('tess', PASSWORD);
    expect(locked.response.status).toBe(429);
    expect(locked.response.body).toEqual({
      statusCode: 429,
      // The school's clock in words, to the minute (test/spoken-times.e2e-spec.ts has the exact
      // words in summer time).
      message: expect.stringMatching(
        /^Too many failed sign-ins: try again after \d\d:\d\d( on \w+ \d{1,2} \w+ \d{4})?$/,
      ),
    });

    hub.clock.advance((LOCK_MINUTES - 1) * 60_000);
    expect((await attempt('tess', PASSWORD)).response.status).toBe(429);

    hub.clock.advance(60_000 + 1_000);
    const reopened = await attempt('tess', PASSWORD);
    expect(reopened.response.status).toBe(200);
    expect(reopened.response.body.user.username).toBe('tess');
  });

  it('audits the lock-out of an account', async () => {
    const tess = await hub.http.get('/api/staff').set('Authorization', `Bearer ${adminToken}`);
    const tessId = (tess.body.items as { id: string; username: string }[]).find(
      (account) => account.username === 'tess',
    )?.id;

    const audit = await hub.http
      .get('/api/audit')
      .query({ action: 'staff.locked_out' })
      .set('Authorization', `Bearer ${adminToken}`);

    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'staff.locked_out',
        actorType: 'system',
        targetType: 'staff',
        targetId: tessId,
        detail: { minutes: LOCK_MINUTES },
      }),
    ]);
  });

  it('locks an unknown username the same way, so a lock does not reveal who exists', async () => {
    const answers: number[] = [];
    for (let i = 0; i < LOCK_AFTER + 1; i++) {
      answers.push((await attempt('ghost', 'Wrong-Pass1!')).response.status);
    }
    expect(answers).toEqual([...Array<number>(LOCK_AFTER).fill(401), 429]);
  });
});

describe('slowing repeated failures', () => {
  // Large enough that the delay stands out from argon2's cost on a busy machine.
  const SLOW_DELAY_MS = 250;
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startHub({
      env: { HUB_LOGIN_SLOW_AFTER: '1', HUB_LOGIN_SLOW_DELAY_MS: String(SLOW_DELAY_MS) },
    });
  });
  afterAll(() => hub.close());

  it('makes each attempt after a failure wait one step longer than the last', async () => {
    const first = await timedSignIn(hub, 'admin', 'Wrong-Pass1!');
    await timedSignIn(hub, 'admin', 'Wrong-Pass1!');
    const third = await timedSignIn(hub, 'admin', 'Wrong-Pass1!');

    expect(first.response.status).toBe(401);
    expect(third.response.status).toBe(401);
    // The third attempt waits two steps; the first waits none.
    expect(third.ms).toBeGreaterThanOrEqual(2 * SLOW_DELAY_MS);
    expect(third.ms - first.ms).toBeGreaterThanOrEqual(SLOW_DELAY_MS);
  });
});
