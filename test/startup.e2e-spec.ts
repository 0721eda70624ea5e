// Start-up and the server's shell (issue 8 items 15 and 20): the data dir and everything in it
// readable by the hub's user only, on a new install and on an older one; and ICT resetting a
// lost password with `npm run admin -- reset-password USER`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAdmin } from '../apps/hub/src/admin';
import { makeDataDir, startHub, TestHub, createStaff } from './support/hub';
import { ON_POSTGRES, serverUrl } from './support/test-database';

const PASSWORD = 'Staff-Pass1!';
const as = (token: string) => `Bearer ${token}`;

/** Every entry under `dir` with its permission bits, folders included. */
function modesUnder(dir: string): { entry: string; mode: number }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    const own = { entry: path.relative(dir, full), mode: fs.statSync(full).mode & 0o777 };
    return entry.isDirectory()
      ? [
          own,
          ...modesUnder(full).map((inner) => ({
            ...inner,
            entry: path.join(entry.name, inner.entry),
          })),
        ]
      : [own];
  });
}

function expectPrivate(dataDir: string): void {
  expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
  for (const { entry, mode } of modesUnder(dataDir)) {
    const wanted = fs.statSync(path.join(dataDir, entry)).isDirectory() ? 0o700 : 0o600;
    expect({ entry, mode: mode.toString(8) }).toEqual({ entry, mode: wanted.toString(8) });
  }
}

describe('the data dir (item 15)', () => {
  it('is 0700 with every file 0600 on a new install', async () => {
    const dataDir = path.join(makeDataDir(), 'fresh');
    const hub = await startHub({ dataDir });
    try {
      const names = modesUnder(dataDir).map(({ entry }) => entry);
      // On PostgreSQL the database is the server's; the data dir holds the CA.
      const made = ON_POSTGRES ? ['ca'] : ['hub.sqlite', 'hub.sqlite-wal', 'ca'];
      expect(names).toEqual(expect.arrayContaining(made));
      expectPrivate(dataDir);
    } finally {
      await hub.close();
    }
  });

  it('is made private at start on an older install whose files anyone could read', async () => {
    const dataDir = makeDataDir();
    let hub = await startHub({ dataDir });
    await hub.close();
    const loosen = (dir: string) => {
      fs.chmodSync(dir, 0o755);
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          loosen(full);
        } else {
          fs.chmodSync(full, 0o644);
        }
      }
    };
    loosen(dataDir);
    if (!ON_POSTGRES) {
      fs.writeFileSync(path.join(dataDir, 'hub.sqlite-shm'), '', { mode: 0o644, flag: 'a' });
      expect(fs.statSync(path.join(dataDir, 'hub.sqlite')).mode & 0o777).toBe(0o644);
    }
    expect(fs.statSync(path.join(dataDir, 'ca', 'ca.key.pem')).mode & 0o777).toBe(0o644);

    hub = await startHub({ dataDir });
    try {
      expectPrivate(dataDir);
      // And the hub still works on it.
      expect((await hub.http.get('/api/health')).status).toBe(200);
    } finally {
      await hub.close();
    }
  });
});

describe('npm run admin -- reset-password USER (item 20)', () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startHub({ env: { HUB_LOGIN_LOCK_AFTER: '4', HUB_LOGIN_SLOW_AFTER: '1' } });
    admin = await hub.login();
  });
  afterAll(() => hub.close());

  async function admin_(args: string[], env: Record<string, string> = {}) {
    let out = '';
    let err = '';
    const code = await runAdmin(
      args,
      { HUB_DATA_DIR: hub.dataDir, HUB_LOG_LEVEL: 'silent', ...hub.databaseEnv, ...env },
      { out: (text) => (out += text), err: (text) => (err += text) },
    );
    return { code, out, err };
  }

  it('sets a new password that signs in, ends the sessions, clears the lock and audits the shell', async () => {
    const person = await createStaff(hub, admin, 'lost', ['teacher'], PASSWORD);
    for (let i = 0; i < 4; i++) {
      await hub.http.post('/api/auth/login').send({ username: 'lost', password: 'Wrong-Pass1!' });
    }
    expect(
      (await hub.http.post('/api/auth/login').send({ username: 'lost', password: PASSWORD }))
        .status,
    ).toBe(429);

    const run = await admin_(['reset-password', 'Lost']);

    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/\n=+\n/);
    expect(run.out).toContain('username: lost');
    const password = /^\s+password: (\S+)$/m.exec(run.out)?.[1] ?? '';
    expect(password).toMatch(/[a-z]/);
    expect(password).toMatch(/[A-Z]/);
    expect(password).toMatch(/[0-9]/);
    expect(password).toMatch(/[^A-Za-z0-9]/);

    expect((await hub.http.get('/api/auth/me').set('Authorization', as(person.token))).status).toBe(
      401,
    );
    const signedIn = await hub.http.post('/api/auth/login').send({ username: 'lost', password });
    expect(signedIn.status).toBe(200);
    expect(
      (await hub.http.post('/api/auth/login').send({ username: 'lost', password: PASSWORD }))
        .status,
    ).toBe(401);

    const audit = await hub.http
      .get('/api/audit')
      .query({ action: 'staff.password_reset', targetId: person.id })
      .set('Authorization', as(admin));
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        actorType: 'shell',
        actorId: null,
        actor: expect.any(String),
        detail: { username: 'lost', via: 'shell' },
      }),
    ]);
    expect(JSON.stringify(audit.body)).not.toContain(password);
  });

  it('takes the password from HUB_NEW_PASSWORD, and refuses one that breaks the rule', async () => {
    await createStaff(hub, admin, 'chosen', ['teacher'], PASSWORD);

    const weak = await admin_(['reset-password', 'chosen'], { HUB_NEW_PASSWORD: 'weak' });
    expect(weak.code).toBe(1);
    expect(weak.err).toMatch(/^the new password must have /);

    const run = await admin_(['reset-password', 'chosen'], { HUB_NEW_PASSWORD: 'Chosen-Pass9!' });
    expect(run.code).toBe(0);
    expect(run.out).not.toContain('Chosen-Pass9!');
    expect(
      (
        await hub.http
          .post('/api/auth/login')
          .send({ username: 'chosen', password: 'Chosen-Pass9!' })
      ).status,
    ).toBe(200);
  });

  it('says what is wrong for an unknown account, a wrong data dir or a wrong command', async () => {
    const unknown = await admin_(['reset-password', 'nobody']);
    expect(unknown).toEqual({
      code: 1,
      out: '',
      err: "There is no staff account with the username 'nobody'\n",
    });

    const elsewhere = path.join(makeDataDir(), 'not-a-hub');
    const wrongDir = await admin_(['reset-password', 'admin'], {
      HUB_DATA_DIR: elsewhere,
      // On PostgreSQL: a database that does not exist, which the command must not create.
      ...(ON_POSTGRES ? { HUB_DB: serverUrl('hub_test_no_such_database') } : {}),
    });
    expect(wrongDir.code).toBe(1);
    expect(wrongDir.err).toMatch(/^There is no hub database at /);
    expect(fs.existsSync(elsewhere)).toBe(false);

    const usage = await admin_(['delete-everything']);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/^Usage: npm run admin -- reset-password USERNAME/);
  });
});
