// Several real hub processes joined as one cluster (issue 10): each its own Node process
// (hub-process.ts) over its own data directory, all on one PostgreSQL database and one Redis,
// joined through HUB_REDIS. For the `*.cluster-spec.ts` specs (`npm run test:cluster`).
//
// Needs HUB_TEST_DB (a PostgreSQL server, as for `npm run test:postgres`) and HUB_TEST_REDIS
// (default redis://127.0.0.1:6379). Each cluster gets a fresh database, dropped by stop(), and
// its own Redis channel prefix, so two runs (or two spec files) on one Redis never hear each
// other. The hubs share one CA: the first hub makes it and the others start with a copy of it.
//
// Use:
//   const cluster = await startCluster({ hubs: 2 });
//   const [a, b] = cluster.hubs;
//   const admin = await a.login();
//   await b.kill();              // SIGKILL: a crash, no clean shutdown
//   await cluster.stop();        // every hub still running (SIGTERM), then the database
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { ADMIN_PASSWORD, acceptAup, makeDataDir } from './hub';
import { freePort, HubProcess, killHubProcess, startHubProcess } from './hub-process';
import { databaseEnv, runPrefix, TEST_POSTGRES, withServer } from './test-database';

/** The Redis the cluster specs use (HUB_TEST_REDIS), by default the machine's own. */
export const TEST_REDIS: string = process.env.HUB_TEST_REDIS?.trim() || 'redis://127.0.0.1:6379';

/** Settings the cluster's hubs get unless `env` says otherwise: short so that tests are quick. */
export const CLUSTER_TEST_ENV: Readonly<Record<string, string>> = {
  // A hub that stops beating for 2 s is dead; a live one marks its devices offline.
  HUB_CLUSTER_HEARTBEAT_MS: '500',
  HUB_CLUSTER_DEAD_AFTER_MS: '2000',
  HUB_LOGIN_SLOW_DELAY_MS: '20',
  HUB_PASSWORD_HASH: 'minimum',
  HUB_TIME_ZONE: 'Europe/London',
};

export interface ClusterHub {
  /** 'A', 'B', ... in start order. */
  name: string;
  url: string;
  dataDir: string;
  /** supertest against this hub. */
  http: TestAgent;
  process: HubProcess;
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGKILL, without warning (a crash or a pulled plug); resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a clean shutdown, as `systemctl stop`); resolves once the process is gone. */
  stop(): Promise<void>;
  /** Signs in (admin by default), accepts the current AUP, returns the bearer token. */
  login(username?: string, password?: string): Promise<string>;
}

export interface TestCluster {
  hubs: ClusterHub[];
  /** HUB_DB of every hub: the cluster's one PostgreSQL database. */
  database: string;
  /** HUB_REDIS of every hub. */
  redisUrl: string;
  /** HUB_REDIS_PREFIX of every hub: this cluster's own Redis channels. */
  redisPrefix: string;
  /** The settings every hub of this cluster runs with (database, Redis, `env`). */
  env: Record<string, string>;
  /** Starts one more hub in the cluster (named by its position), with more settings if given. */
  addHub(env?: Record<string, string>): Promise<ClusterHub>;
  /** Stops every hub still running (SIGTERM, then SIGKILL after 10 s) and drops the database. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** How many hubs to start (default 2). They start one after another: A runs the migrations. */
  hubs?: number;
  /** More settings for every hub, over CLUSTER_TEST_ENV. */
  env?: Record<string, string>;
}

/**
 * Starts `hubs` real hub processes on one new PostgreSQL database and one Redis channel prefix.
 *
 * @throws Error when HUB_TEST_DB is not set (cluster specs need PostgreSQL), or a hub does not
 *   answer /api/health within 60 s (with its output)
 */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  if (TEST_POSTGRES === null) {
    throw new Error(
      'cluster specs need PostgreSQL: set HUB_TEST_DB=postgres://user@host:port (npm run test:cluster)',
    );
  }
  const firstDir = makeDataDir();
  const { HUB_DB: databaseUrl } = await databaseEnv(firstDir);
  const redisPrefix = `${runPrefix()}${crypto.randomBytes(4).toString('hex')}`;
  const caDir = path.join(firstDir, 'ca');
  const env: Record<string, string> = {
    ...CLUSTER_TEST_ENV,
    HUB_DB: databaseUrl,
    HUB_REDIS: TEST_REDIS,
    HUB_REDIS_PREFIX: redisPrefix,
    ...options.env,
  };
  const hubs: ClusterHub[] = [];

  async function addHub(more: Record<string, string> = {}): Promise<ClusterHub> {
    const name = String.fromCharCode('A'.charCodeAt(0) + hubs.length);
    const dataDir = hubs.length === 0 ? firstDir : makeDataDir();
    if (hubs.length > 0 && fs.existsSync(caDir)) {
      // One CA for the cluster: what HUB_CA_DIR names in production (docs/deploy.md).
      fs.cpSync(caDir, path.join(dataDir, 'ca'), { recursive: true });
    }
    const child = await startHubProcess(dataDir, await freePort(), { env: { ...env, ...more } });
    const http = request(child.url);
    const gone = () => child.child.exitCode !== null || child.child.signalCode !== null;
    const hub: ClusterHub = {
      name,
      url: child.url,
      dataDir,
      http,
      process: child,
      alive: () => !gone(),
      kill: () => killHubProcess(child.child),
      stop: () => stopProcess(child),
      async login(username = 'admin', password = ADMIN_PASSWORD) {
        const response = await http.post('/api/auth/login').send({ username, password });
        if (response.status !== 200) {
          throw new Error(
            `login ${username} on hub ${name} failed: ${response.status} ${JSON.stringify(response.body)}`,
          );
        }
        const token = (response.body as { accessToken: string }).accessToken;
        await acceptAup(http, token);
        return token;
      },
    };
    hubs.push(hub);
    return hub;
  }

  try {
    for (let i = 0; i < (options.hubs ?? 2); i += 1) {
      await addHub();
    }
  } catch (error) {
    await stopAll(hubs, databaseUrl);
    throw error;
  }
  return {
    hubs,
    database: databaseUrl,
    redisUrl: TEST_REDIS,
    redisPrefix,
    env,
    addHub,
    stop: () => stopAll(hubs, databaseUrl),
  };
}

/** SIGTERM, and SIGKILL if the hub is not gone within 10 s. */
function stopProcess(hub: HubProcess): Promise<void> {
  const { child } = hub;
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function stopAll(hubs: readonly ClusterHub[], databaseUrl: string): Promise<void> {
  await Promise.all(hubs.map((hub) => hub.stop()));
  const name = new URL(databaseUrl).pathname.slice(1);
  await withServer((server) => server.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
