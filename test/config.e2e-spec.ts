// Configuration as the person installing the hub meets it: the real entry point started as a
// child process, stopping with one line that names a bad setting, or starting and printing the
// first admin password once.
import type { ChildProcess } from 'node:child_process';
import { spawnEntryPoint } from './support/hub-process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ConfigError, loadHubConfig } from '../apps/hub/src/config/hub-config';
import { makeDataDir } from './support/hub';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts apps/hub/src/main.ts with only these settings (nothing inherited from this shell). */
function startMain(settings: Record<string, string>): {
  child: ChildProcess;
  dataDir: string;
  output: () => Run;
  exited: Promise<Run>;
} {
  const dataDir = settings.HUB_DATA_DIR ?? makeDataDir();
  const child = spawnEntryPoint('apps/hub/src/main.ts', [], {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...settings,
    HUB_DATA_DIR: dataDir,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const output = () => ({ code: child.exitCode, stdout, stderr });
  const exited = new Promise<Run>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, dataDir, output, exited };
}

/** Every file under `dir`, at any depth. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

function runMain(settings: Record<string, string>): Promise<Run> {
  return startMain(settings).exited;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Each child compiles the hub on the fly: allow for a busy CI machine.
const CHILD_TIMEOUT_MS = 90_000;

describe('starting the hub from main.ts', () => {
  let badPort: Promise<Run>;
  let postgres: Promise<Run>;
  let weakAdmin: Promise<Run>;

  beforeAll(() => {
    // Started together; each test awaits its own.
    badPort = runMain({ HUB_PORT: 'abc' });
    postgres = runMain({ HUB_DB: 'postgres://x' });
    weakAdmin = runMain({ HUB_PORT: '0', HUB_ADMIN_PASSWORD: 'password' });
  });

  it(
    'stops with a one-line message naming HUB_PORT when the port is not a number',
    async () => {
      const run = await badPort;
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        "The hub could not start: HUB_PORT: must be a whole number from 0 to 65535, got 'abc'\n",
      );
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'stops with a message naming HUB_DB for a PostgreSQL URL that names no database',
    async () => {
      const run = await postgres;
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        "The hub could not start: HUB_DB: needs a database name, as in 'postgres://hub@127.0.0.1:5432/hub'\n",
      );
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'stops with a message naming HUB_ADMIN_PASSWORD when the first admin password is weak',
    async () => {
      const run = await weakAdmin;
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        'The hub could not start: HUB_ADMIN_PASSWORD: the password must have upper and lower case letters, a number, a symbol',
      );
      expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'stops before migrations and the first admin when the port is in use, naming HUB_PORT',
    async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as net.AddressInfo;
      const dataDir = makeDataDir();
      try {
        const run = await runMain({
          HUB_PORT: String(port),
          HUB_HOST: '127.0.0.1',
          HUB_DATA_DIR: dataDir,
        });
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
          `The hub could not start: HUB_PORT: port ${port} on 127.0.0.1 is already in use by another program\n`,
        );
        // No database, so no admin account whose password would have scrolled away.
        expect(fs.readdirSync(dataDir)).toEqual([]);
        expect(run.stdout).not.toContain('password');
      } finally {
        await new Promise<void>((resolve) => taken.close(() => resolve()));
      }
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'on first start creates admin, prints its password once and answers health',
    async () => {
      const port = await freePort();
      const hub = startMain({
        HUB_PORT: String(port),
        HUB_HOST: '127.0.0.1',
        HUB_LOG_LEVEL: 'info',
      });
      try {
        await waitFor(
          () => hub.output().stdout.includes('Hub listening') || hub.output().code !== null,
          'the hub',
        );
        const { stdout } = hub.output();
        expect(stdout).toContain(`Hub listening on http://localhost:${port}`);

        // A plain block framed by rules, apart from the JSON lines (issue 8 item 20).
        const block = /\n(=+)\n((?:.*\n)*?)\1\n/.exec(stdout)?.[2] ?? '';
        expect(block).toContain('username: admin');
        const password = /^\s+password: (\S+)$/m.exec(block)?.[1] ?? '';
        expect(password).not.toBe('');
        for (const line of block.split('\n')) {
          expect(line.startsWith('{')).toBe(false);
        }
        // Printed once, for the person installing the hub, and nowhere in the structured log.
        expect(stdout.split(password)).toHaveLength(2);
        expect(stdout).toContain('change it now');

        // Only the hub's user can read its data (issue 8 item 15).
        const dataDir = hub.dataDir;
        expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
        for (const file of filesUnder(dataDir)) {
          expect({ file, mode: fs.statSync(file).mode & 0o777 }).toEqual({ file, mode: 0o600 });
        }
        expect(filesUnder(dataDir).map((file) => path.basename(file))).toEqual(
          expect.arrayContaining(['hub.sqlite', 'hub.sqlite-wal']),
        );

        const base = `http://127.0.0.1:${port}`;
        const health = await fetch(`${base}/api/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok' });

        const login = await fetch(`${base}/api/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password }),
        });
        expect(login.status).toBe(200);

        // The hub's own log lines reach the structured log (not only the request lines).
        await waitFor(
          () => hub.output().stdout.includes('"context":"StaffService"'),
          'the start-up log',
        );
        const firstAdmin = hub
          .output()
          .stdout.split('\n')
          .find((line) => line.includes('"context":"StaffService"'));
        expect(JSON.parse(firstAdmin ?? '{}')).toMatchObject({
          msg: 'Created the first admin account',
        });
      } finally {
        hub.child.kill('SIGTERM');
        await hub.exited;
      }
    },
    CHILD_TIMEOUT_MS,
  );
});

describe('loadHubConfig', () => {
  const dataDir = makeDataDir();
  const load = (env: Record<string, string>) => loadHubConfig({ HUB_DATA_DIR: dataDir, ...env });
  const problem = (env: Record<string, string>) => {
    try {
      load(env);
    } catch (error) {
      return error instanceof ConfigError ? error.message : `not a ConfigError: ${String(error)}`;
    }
    return 'accepted';
  };

  it('has the documented defaults', () => {
    const config = loadHubConfig({});
    expect(config).toMatchObject({
      port: 8080,
      dataDir: path.resolve('data'),
      database: { type: 'sqlite', path: path.resolve('data', 'hub.sqlite') },
      storeDir: path.resolve('data', 'store'),
      adminPassword: null,
      logLevel: 'info',
      auth: {
        sessionHours: 12,
        passwordMinLength: 6,
        slowAfterFailures: 3,
        lockAfterFailures: 10,
        lockMinutes: 15,
      },
      requireAup: true,
    });
    expect(loadHubConfig({ HUB_REQUIRE_AUP: 'false' }).requireAup).toBe(false);
  });

  it('follows HUB_DATA_DIR for the database, the CA and the store unless they are set', () => {
    expect(load({})).toMatchObject({
      database: { path: path.join(dataDir, 'hub.sqlite') },
      caDir: path.join(dataDir, 'ca'),
      storeDir: path.join(dataDir, 'store'),
    });
    expect(
      load({
        HUB_DB: 'sqlite:/tmp/elsewhere.sqlite',
        HUB_CA_DIR: '/etc/classroom-hub/ca',
        HUB_STORE_DIR: '/srv/store',
      }),
    ).toMatchObject({
      database: { path: '/tmp/elsewhere.sqlite' },
      caDir: '/etc/classroom-hub/ca',
      storeDir: '/srv/store',
    });
  });

  it('takes a PostgreSQL URL for HUB_DB (issue 10), and never repeats its password', () => {
    expect(load({ HUB_DB: 'postgres://hub:secret@db.school.internal:5433/hub' }).database).toEqual({
      type: 'postgres',
      url: 'postgres://hub:secret@db.school.internal:5433/hub',
    });
    expect(load({ HUB_DB: 'postgresql://hub@127.0.0.1/hub?sslmode=require' }).database).toEqual({
      type: 'postgres',
      url: 'postgresql://hub@127.0.0.1/hub?sslmode=require',
    });
    expect(problem({ HUB_DB: 'postgres://hub:secret@db.school.internal' })).toBe(
      "HUB_DB: needs a database name, as in 'postgres://hub@127.0.0.1:5432/hub'",
    );
    expect(problem({ HUB_DB: 'mysql://hub:secret@db/hub' })).toBe(
      "HUB_DB: must be 'sqlite:<file>' or 'postgres://user@host:port/database', got 'mysql://hub:***@db/hub'",
    );
  });

  it('joins a cluster with HUB_REDIS on PostgreSQL only, and never repeats its password', () => {
    const pg = 'postgres://hub@127.0.0.1:5432/hub';
    expect(load({}).cluster).toBeNull();
    expect(load({ HUB_DB: pg, HUB_REDIS: 'redis://:secret@127.0.0.1:6379' }).cluster).toEqual({
      redisUrl: 'redis://:secret@127.0.0.1:6379',
      redisPrefix: 'classroom-hub',
      heartbeatMs: 10_000,
      deadAfterMs: 30_000,
    });
    expect(problem({ HUB_REDIS: 'redis://127.0.0.1:6379' })).toBe(
      'HUB_REDIS: needs HUB_DB=postgres://...: the hubs of one cluster share one PostgreSQL database',
    );
    expect(problem({ HUB_DB: pg, HUB_REDIS: 'http://:secret@127.0.0.1:6379' })).toBe(
      "HUB_REDIS: must be 'redis://host:port' (or rediss:// for TLS), got 'http://:***@127.0.0.1:6379'",
    );
    expect(
      problem({
        HUB_DB: pg,
        HUB_REDIS: 'redis://127.0.0.1',
        HUB_CLUSTER_HEARTBEAT_MS: '10000',
        HUB_CLUSTER_DEAD_AFTER_MS: '15000',
      }),
    ).toBe(
      "HUB_CLUSTER_DEAD_AFTER_MS: must be at least twice HUB_CLUSTER_HEARTBEAT_MS (10000), got '15000'",
    );
    expect(
      problem({ HUB_DB: pg, HUB_REDIS: 'redis://127.0.0.1', HUB_REDIS_PREFIX: 'a b' }),
    ).toMatch(/^HUB_REDIS_PREFIX: /);
  });

  it.each([
    [{ HUB_PORT: '70000' }, 'HUB_PORT'],
    [{ HUB_PORT: '80.5' }, 'HUB_PORT'],
    [{ HUB_DB: 'mysql://x' }, 'HUB_DB'],
    [{ HUB_DB: 'sqlite:' }, 'HUB_DB'],
    [{ HUB_DB: 'postgres://' }, 'HUB_DB'],
    [{ HUB_DB: 'postgresql://hub@db.school.internal:5432' }, 'HUB_DB'],
    [{ HUB_LOG_LEVEL: 'loud' }, 'HUB_LOG_LEVEL'],
    [{ HUB_TIME_ZONE: 'Mars/Olympus' }, 'HUB_TIME_ZONE'],
    [{ HUB_PASSWORD_MIN_LENGTH: '4' }, 'HUB_PASSWORD_MIN_LENGTH'],
    [{ HUB_LOGIN_SLOW_AFTER: '5', HUB_LOGIN_LOCK_AFTER: '5' }, 'HUB_LOGIN_LOCK_AFTER'],
    [{ HUB_ONE_SESSION_PER_ACCOUNT: 'maybe' }, 'HUB_ONE_SESSION_PER_ACCOUNT'],
    [{ HUB_PASSWORD_HASH: 'weak' }, 'HUB_PASSWORD_HASH'],
    [{ HUB_REQUIRE_AUP: 'paper' }, 'HUB_REQUIRE_AUP'],
    [{ HUB_AUDIT_RETENTION_DAYS: '7' }, 'HUB_AUDIT_RETENTION_DAYS'],
  ])('refuses %j, naming %s', (env, setting) => {
    expect(problem(env)).toMatch(new RegExp(`^${setting}: `));
  });

  it('does not create anything while reading the settings', () => {
    load({ HUB_STORE_DIR: path.join(dataDir, 'not-yet') });
    expect(fs.existsSync(path.join(dataDir, 'not-yet'))).toBe(false);
  });
});
