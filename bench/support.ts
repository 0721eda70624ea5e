// What every benchmark needs: a real hub process on a persistent data directory, a staff API
// client, simulator processes, and percentiles. Benchmarks print figures; they are not tests.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { HUB_NODE_FLAGS } from '../apps/hub/src/runtime-flags';

export const ROOT = path.resolve(__dirname, '..', '..');
export const ADMIN_PASSWORD = 'Bench-Admin1!';

export function dataDir(name: string): string {
  const dir = path.join(ROOT, 'bench', '.data', name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every child process a benchmark started, killed (SIGKILL) if the benchmark exits first. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
});

/** Runs a node script with a raised open-file limit (each device is a socket). */
function spawnNode(args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn(
    'bash',
    // exec: the child's pid is node's, so signals and /proc figures reach the right process.
    ['-c', `ulimit -n 65536 2>/dev/null || ulimit -n 20000; exec node ${quoted}`],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', log, log],
    },
  );
  children.add(child);
  child.once('exit', () => {
    children.delete(child);
    fs.closeSync(log);
  });
  return child;
}

/**
 * Work to do however a benchmark ends (its hubs and simulators stopped, a database dropped):
 * `add` in the order things are made; `run` undoes them newest first, once, each step's failure
 * printed and passed over. Ctrl-C or SIGTERM runs them and exits 130.
 */
export class Cleanup {
  private readonly steps: { what: string; undo: () => Promise<void> }[] = [];
  private running: Promise<void> | null = null;

  constructor() {
    const onSignal = () => {
      console.error('stopping: cleaning up');
      void this.run().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  add(what: string, undo: () => Promise<void>): void {
    this.steps.push({ what, undo });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop() as (typeof this.steps)[number];
        try {
          await step.undo();
        } catch (error) {
          console.error(`cleanup: ${step.what} failed: ${(error as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}

/**
 * Runs a benchmark's `main` with a Cleanup, which runs when main ends, fails or is interrupted;
 * the process exits 1 (with the error printed) if main failed.
 */
export function runBench(main: (cleanup: Cleanup) => Promise<void>): void {
  const cleanup = new Cleanup();
  main(cleanup)
    .then(() => cleanup.run())
    .then(
      () => process.exit(0),
      async (error: unknown) => {
        console.error(error);
        await cleanup.run();
        process.exit(1);
      },
    );
}

export class HubProcess {
  private child: ChildProcess | null = null;
  readonly url: string;

  /** `env`: more settings for the hub (HUB_DB, HUB_REDIS...), over the benchmark defaults. */
  constructor(
    readonly dir: string,
    readonly port: number,
    readonly env: Record<string, string> = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<number> {
    const started = Date.now();
    this.child = spawnNode(
      [
        '--max-old-space-size=4096',
        // The flags a school's hub runs with (npm start, deploy/), so the figures are theirs.
        ...HUB_NODE_FLAGS,
        // BENCH_HUB_NODE_ARGS="--cpu-prof" profiles the hub (written when it stops cleanly).
        ...(process.env.BENCH_HUB_NODE_ARGS ? process.env.BENCH_HUB_NODE_ARGS.split(' ') : []),
        path.join(ROOT, 'dist/apps/hub/src/main.js'),
      ],
      {
        HUB_DATA_DIR: this.dir,
        HUB_PORT: String(this.port),
        HUB_HOST: '127.0.0.1',
        HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
        HUB_LOG_LEVEL: process.env.BENCH_HUB_LOG_LEVEL ?? 'warn',
        ...this.env,
      },
      path.join(this.dir, 'hub.log'),
    );
    for (;;) {
      try {
        const response = await fetch(`${this.url}/api/health`);
        if (response.ok) {
          return Date.now() - started;
        }
      } catch {
        // not listening yet
      }
      if (this.child.exitCode !== null) {
        throw new Error(
          `the hub exited (${this.child.exitCode}); see ${path.join(this.dir, 'hub.log')}`,
        );
      }
      await sleep(100);
    }
  }

  /** SIGKILL: the hub gets no chance to tidy up, as in a power cut. */
  kill(): Promise<void> {
    return stopChild(this.child, 'SIGKILL');
  }

  stop(): Promise<void> {
    return stopChild(this.child, 'SIGTERM');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
}

/**
 * A `simulate` process holding `devices` devices on `hubUrl`, enrolling the ones its state file
 * (`<dir>/<group>.json`) lacks with `token`; its output goes to `<dir>/<group>.log`.
 */
export function startSimulator(
  hubUrl: string,
  token: string,
  devices: number,
  group: string,
  dir: string,
): ChildProcess {
  return spawnNode(
    [
      '--max-old-space-size=4096',
      path.join(ROOT, 'dist/apps/device-agent/src/main.js'),
      'simulate',
      '--hub',
      hubUrl,
      '--token',
      token,
      '--devices',
      String(devices),
      '--group',
      group,
      '--state-file',
      path.join(dir, `${group}.json`),
      '--concurrency',
      '32',
    ],
    {},
    path.join(dir, `${group}.log`),
  );
}

/** Sends `signal`, and SIGKILL if the process is still there 15 s later; resolves once it is gone. */
export function stopChild(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

export class StaffApi {
  private bearer = '';

  constructor(private readonly url: string) {}

  async login(): Promise<void> {
    const body = await this.call<{ accessToken: string }>('POST', '/api/auth/login', {
      username: 'admin',
      password: ADMIN_PASSWORD,
    });
    this.bearer = body.accessToken;
    // Nothing else is open to an account that has not accepted the current AUP (issue 9).
    const aup = await this.call<{ version: string; acceptedAt: string | null }>('GET', '/api/aup');
    if (aup.acceptedAt === null) {
      await this.call('POST', '/api/staff/me/aup-acceptance', { version: aup.version });
    }
  }

  async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.bearer}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${method} ${route}: ${response.status} ${text}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The group with this name, made if missing. */
  async group(name: string): Promise<string> {
    const groups = await this.call<{ id: string; name: string }[]>('GET', '/api/groups');
    return (
      groups.find((g) => g.name === name)?.id ??
      (await this.call<{ id: string }>('POST', '/api/groups', { name })).id
    );
  }

  async enrollmentToken(groupIds: string[], maxUses: number): Promise<string> {
    const body = await this.call<{ token: string }>('POST', '/api/enrollment-tokens', {
      groupIds,
      maxUses,
      ttlMinutes: 24 * 60,
      label: 'benchmark',
      // A run stopped mid-enrolment leaves serials the hub has and the simulator did not save;
      // the next run re-enrols them, which protocol 1.1 section 1 allows only with this token.
      reenrol: true,
    });
    return body.token;
  }

  metrics() {
    return this.call<{
      connectedDevices: number;
      rssMb: number;
      heapUsedMb: number;
      eventLoopDelayMs: { p50: number; p99: number; max: number };
      commands: Record<string, number>;
    }>('GET', '/api/metrics');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 250,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) {
      return Date.now() - started;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function numberArg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) {
    return fallback;
  }
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`--${name} must be a number, got '${process.argv[index + 1]}'`);
  }
  return value;
}

/** The value after `--name` on the command line, or `fallback`. */
export function stringArg(name: string, fallback: string): string;
export function stringArg(name: string, fallback?: string): string | undefined;
export function stringArg(name: string, fallback?: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

/** The PostgreSQL server benchmarks use unless told otherwise (HUB_BENCH_PG). */
export const BENCH_POSTGRES =
  process.env.HUB_BENCH_PG?.trim() || 'postgres://postgres@127.0.0.1:5432';

/** The Redis the cluster benchmark uses unless told otherwise (HUB_BENCH_REDIS). */
export const BENCH_REDIS = process.env.HUB_BENCH_REDIS?.trim() || 'redis://127.0.0.1:6379';

/** `server` (a postgres:// URL) naming `database` instead of whatever database it names. */
export function postgresUrl(server: string, database: string): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `work` on a connection to the server's `postgres` database, then closes it. */
export async function withPostgresServer<T>(
  server: string,
  work: (db: DataSource) => Promise<T>,
): Promise<T> {
  const db = new DataSource({ type: 'postgres', url: postgresUrl(server, 'postgres') });
  await db.initialize();
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/** Makes the empty database `name` (a fresh one: any old one of that name is dropped first). */
export async function createFreshDatabase(server: string, name: string): Promise<void> {
  await withPostgresServer(server, async (db) => {
    await db.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await db.query(`CREATE DATABASE "${name}"`);
  });
}

export async function dropDatabase(server: string, name: string): Promise<void> {
  await withPostgresServer(server, (db) =>
    db.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

/** Where a single-hub benchmark keeps its data: SQLite (the default) or PostgreSQL. */
export interface BenchDatabase {
  /** 'SQLite' or 'PostgreSQL', for the printed figures. */
  label: string;
  /** The hub's data directory (the CA, the simulators' state files, the logs; SQLite's file). */
  dir: string;
  /** Settings for the hub: {} on SQLite, { HUB_DB } on PostgreSQL. */
  env: Record<string, string>;
}

/**
 * The database a single-hub benchmark (`bench`: 'link', 'policy') runs on, from `--db` or
 * HUB_BENCH_DB: `sqlite` (default), `postgres` (the server HUB_BENCH_PG, by default
 * postgres://postgres@127.0.0.1:5432), or a postgres:// server URL.
 *
 * On PostgreSQL the data lives in the database `bench_<bench>` and the directory
 * bench/.data/<bench>-postgres, both kept between runs as the SQLite ones are, so enrolled
 * devices are reused. The two belong together: a directory without its CA (deleted, or never
 * made) gets a fresh database, whose devices it could not serve otherwise, and an empty directory.
 *
 * @throws Error when --db is neither sqlite nor postgres, or the server cannot be reached
 */
export async function benchDatabase(bench: string): Promise<BenchDatabase> {
  const choice = (stringArg('db') ?? process.env.HUB_BENCH_DB ?? 'sqlite').trim();
  if (choice === 'sqlite') {
    return { label: 'SQLite', dir: dataDir(bench), env: {} };
  }
  let server: string;
  if (choice === 'postgres' || choice === 'postgresql') {
    server = BENCH_POSTGRES;
  } else if (/^postgres(ql)?:\/\//.test(choice)) {
    server = choice;
  } else {
    throw new Error(
      `--db (HUB_BENCH_DB) must be sqlite, postgres or a postgres:// URL, got '${choice}'`,
    );
  }
  const dir = dataDir(`${bench}-postgres`);
  const name = `bench_${bench}`;
  const exists = await withPostgresServer(
    server,
    async (db) =>
      ((await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])) as unknown[])
        .length > 0,
  );
  if (!exists || !fs.existsSync(path.join(dir, 'ca'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await createFreshDatabase(server, name);
  }
  return { label: 'PostgreSQL', dir, env: { HUB_DB: postgresUrl(server, name) } };
}

/**
 * With `--json FILE` on the command line, writes `figures` there (for bench:databases, which
 * prints the runs side by side); otherwise does nothing.
 */
export function writeFigures(figures: Record<string, number | string>): void {
  const file = stringArg('json');
  if (file) {
    fs.writeFileSync(file, JSON.stringify(figures, null, 2));
  }
}

export function rssOf(pid: number | undefined): number {
  if (!pid) {
    return 0;
  }
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** CPU time a process has used so far (user and system, all its threads), in milliseconds. */
export function cpuMsOf(pid: number | undefined): number {
  if (!pid) {
    return 0;
  }
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, after the command name in parentheses.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}
