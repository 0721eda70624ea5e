// What every benchmark needs: a real hub process on a persistent data directory, a staff API
// client, simulator processes, and percentiles. Benchmarks print figures; they are not tests.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const ADMIN_PASSWORD = 'Bench-Admin1!';

export function dataDir(name: string): string {
  const dir = path.join(ROOT, 'bench', '.data', name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs a node script with a raised open-file limit (each device is a socket). */
function spawnNode(args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return spawn(
    'bash',
    ['-c', `ulimit -n 65536 2>/dev/null || ulimit -n 20000; exec node ${quoted}`],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', log, log],
    },
  );
}

export class HubProcess {
  private child: ChildProcess | null = null;
  readonly url: string;

  constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<number> {
    const started = Date.now();
    this.child = spawnNode(
      [
        '--max-old-space-size=4096',
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

export function stopChild(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
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
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
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
