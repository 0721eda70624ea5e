// The demo's hub: the real hub (its built main.js, or main.ts through ts-node when this file runs
// as TypeScript) as a child process on a throwaway data directory, with SQLite and plain HTTP
// whatever the environment says, so a demo never writes into a school's real database.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { HUB_NODE_FLAGS } from '../../apps/hub/src/runtime-flags';
import { demoPassword } from './demo-school';

export interface DemoHub {
  /** Where a browser on this machine opens the console: http://localhost:8080. */
  url: string;
  /** Where the demo's own calls go (127.0.0.1 unless HUB_HOST names one address). */
  apiUrl: string;
  dataDir: string;
  adminPassword: string;
  /** Stops the hub (SIGTERM, then SIGKILL after 10 s) and removes its data directory. */
  stop(): Promise<void>;
}

export interface DemoHubOptions {
  /** HUB_PORT; 0 picks a free port. */
  port: number;
  /** HUB_HOST, if set: the address the hub listens on. */
  host?: string;
  /** The environment the hub inherits, minus the settings the demo owns. */
  env: NodeJS.ProcessEnv;
  /** What the hub writes (its start-up lines and warnings); default this process's own. */
  output?: 'inherit' | 'ignore';
}

/** Settings the demo decides: its own data, SQLite, one hub, plain HTTP, its admin's password. */
const OWNED_SETTINGS = [
  'HUB_DATA_DIR',
  'HUB_DB',
  'HUB_REDIS',
  'HUB_TLS_CERT',
  'HUB_TLS_KEY',
  'HUB_CA_DIR',
  'HUB_ADMIN_PASSWORD',
  'HUB_PORT',
];

/** The tree this file was compiled into: the repository (TypeScript) or its dist/ (built). */
const TREE = path.join(__dirname, '..', '..');

/**
 * Starts the hub on a new temporary data directory and resolves once it answers /api/health.
 *
 * @throws Error with the hub's own words when it exits or does not answer within 60 s
 */
export async function startDemoHub(options: DemoHubOptions): Promise<DemoHub> {
  const port = options.port === 0 ? await freePort() : options.port;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-demo-'));
  const adminPassword = demoPassword();
  const env: NodeJS.ProcessEnv = { ...options.env };
  for (const name of OWNED_SETTINGS) {
    delete env[name];
  }
  const child = spawnHub(
    {
      ...env,
      HUB_DATA_DIR: path.join(dataDir, 'hub'),
      HUB_PORT: String(port),
      HUB_ADMIN_PASSWORD: adminPassword,
      HUB_LOG_LEVEL: env.HUB_LOG_LEVEL ?? 'warn',
      HUB_SCHOOL_NAME: env.HUB_SCHOOL_NAME ?? 'Oak Hill Primary (demo)',
    },
    options.output ?? 'inherit',
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A demo killed outright still takes its hub with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const specific = options.host && !['0.0.0.0', '::', ''].includes(options.host);
  const hostForUrl = specific ? (options.host as string) : 'localhost';
  const apiHost = specific ? (options.host as string) : '127.0.0.1';
  const bracket = (host: string) => (host.includes(':') ? `[${host}]` : host);
  const hub: DemoHub = {
    url: `http://${bracket(hostForUrl)}:${port}`,
    apiUrl: `http://${bracket(apiHost)}:${port}`,
    dataDir,
    adminPassword,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await hub.stop();
      throw new Error('the hub stopped during start-up (its message is above)');
    }
    try {
      const health = await fetch(`${hub.apiUrl}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (health.status === 200) {
        return hub;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((wake) => setTimeout(wake, 250));
  }
  await hub.stop();
  throw new Error('the hub did not answer /api/health within 60 s');
}

/**
 * The hub's entry point beside this file's: dist/apps/hub/src/main.js when built, or main.ts run
 * through ts-node (as the e2e spec does) when this file is TypeScript. Its own process group, so
 * Ctrl-C reaches the demo alone and the demo stops the hub once, in order.
 */
function spawnHub(env: NodeJS.ProcessEnv, output: 'inherit' | 'ignore'): ChildProcess {
  const typescript = path.extname(__filename) === '.ts';
  const entry = path.join(TREE, 'apps', 'hub', 'src', typescript ? 'main.ts' : 'main.js');
  const loader = typescript
    ? ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register']
    : [];
  return spawn(process.execPath, [...HUB_NODE_FLAGS, ...loader, entry], {
    cwd: typescript ? TREE : path.dirname(TREE),
    env: typescript ? { TS_NODE_PROJECT: 'tsconfig.json', ...env } : env,
    stdio: ['ignore', output, output],
    detached: true,
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
