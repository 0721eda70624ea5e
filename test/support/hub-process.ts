// The real hub as its own process (its compiled main.js, built-hub.ts), for specs that kill it
// without warning and start it again over the same data directory. With HUB_TEST_DB it runs on
// that data directory's PostgreSQL database (test-database.ts), which a restart finds again.
import { ChildProcess, ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import * as net from 'node:net';
import { trustCa, trustingFetch } from '@app/devices';
import { ADMIN_PASSWORD } from './hub';
import { builtEntryPoint, ROOT } from './built-hub';
import { OTHER_USER } from './other-user';
import { databaseEnv } from './test-database';

export interface HubProcess {
  child: ChildProcess;
  url: string;
  /** The last 4,000 characters the process wrote. */
  output(): string;
  /** Everything the process wrote to stdout (the structured log and the plain lines). */
  stdout(): string;
}

export interface HubProcessOptions {
  /** More settings, over the defaults (HUB_LOG_LEVEL, HUB_TLS_CERT and HUB_TLS_KEY...). */
  env?: Record<string, string>;
  /** With HUB_TLS_CERT: the CA (PEM) that signed it, trusted by the start-up health check. */
  ca?: string;
  /**
   * Runs the hub as OTHER_USER (`nobody`, through setpriv), for specs about paths its user may
   * not read; the data dir must be given to that user first (other-user.ts `giveTo`).
   */
  otherUser?: boolean;
}

/**
 * Runs one of this repository's TypeScript entry points (`apps/hub/src/main.ts`,
 * `apps/hub/src/admin.ts`, `scripts/demo.ts`) as its own Node process, from its compiled file in
 * dist/ (built by the suite's global set-up, built-hub.ts), from the repository root, with
 * exactly `env` (pass `...process.env` to inherit) and its stdout and stderr piped.
 */
export function spawnEntryPoint(
  entry: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { otherUser?: boolean } = {},
): ChildProcessByStdio<null, Readable, Readable> {
  const command = [process.execPath, builtEntryPoint(entry), ...args];
  const asUser = options.otherUser
    ? ['setpriv', `--reuid=${OTHER_USER.uid}`, `--regid=${OTHER_USER.gid}`, '--clear-groups']
    : [];
  const [program, ...rest] = [...asUser, ...command];
  return spawn(program, rest, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the hub on `port` over `dataDir` and resolves once `/api/health` answers 200. */
export async function startHubProcess(
  dataDir: string,
  port: number,
  options: HubProcessOptions = {},
): Promise<HubProcess> {
  const database = await databaseEnv(dataDir);
  const child = spawnEntryPoint(
    'apps/hub/src/main.ts',
    [],
    {
      ...process.env,
      HUB_DATA_DIR: dataDir,
      HUB_PORT: String(port),
      HUB_HOST: '127.0.0.1',
      HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
      HUB_LOG_LEVEL: 'warn',
      // OWASP's minimum argon2id cost: the suites hash and check hundreds of passwords.
      HUB_PASSWORD_HASH: 'minimum',
      ...database,
      ...options.env,
    },
    { otherUser: options.otherUser },
  );
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const tls = options.env?.HUB_TLS_CERT !== undefined;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const get = options.ca ? trustingFetch(trustCa(options.ca)) : fetch;
  const hub: HubProcess = { child, url, output: () => output, stdout: () => stdout };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the hub exited (${child.exitCode ?? child.signalCode}):\n${hub.output()}`);
    }
    try {
      // With a timeout: during start-up the port is held by a listener that never answers.
      const health = await get(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (health.status === 200) {
        return hub;
      }
    } catch {
      // Not listening yet, or not answering yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`the hub did not answer /api/health within 60 s:\n${hub.output()}`);
}

/** Kills the process without warning (a crash or a pulled plug) and resolves once it is gone. */
export function killHubProcess(child: ChildProcess): Promise<void> {
  return endHubProcess(child, 'SIGKILL');
}

/** Stops the hub as systemd does (SIGTERM: a clean shutdown) and resolves once it has exited. */
export function stopHubProcess(child: ChildProcess): Promise<void> {
  return endHubProcess(child, 'SIGTERM');
}

function endHubProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
