// Starts the real hub for an end-to-end test: the real AppModule on a real SQLite file in a
// temporary data directory (or, with HUB_TEST_DB, a fresh PostgreSQL database: see
// test-database.ts), listening on a free port, with an adjustable clock.
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import type { DataSourceOptions } from 'typeorm';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../apps/hub/src/app.module';
import { configureHub } from '../../apps/hub/src/bootstrap';
import { AdjustableClock, Clock } from '../../apps/hub/src/common/clock';
import { HUB_CONFIG, loadHubConfig } from '../../apps/hub/src/config/hub-config';
import { MIGRATIONS } from '../../apps/hub/src/database/migrations';
import { databaseClosed, databaseEnv, databaseOpened } from './test-database';

export const ADMIN_PASSWORD = 'Admin-Pass1!';

export interface TestHub {
  app: INestApplication;
  url: string;
  dataDir: string;
  /** The settings that reach this hub's database: `{}` on SQLite, `{ HUB_DB }` on PostgreSQL. */
  databaseEnv: Record<string, string>;
  clock: AdjustableClock;
  http: TestAgent;
  close(): Promise<void>;
  /**
   * Signs in and returns the bearer token. Accepts the current AUP too, as anyone using the hub
   * must first (issue 9), unless `acceptAup: false`.
   */
  login(username?: string, password?: string, options?: { acceptAup?: boolean }): Promise<string>;
}

/**
 * The hub's own database as `hub` was started on it (its SQLite file, or its HUB_DB on
 * PostgreSQL), with the hub's migrations: for specs that write or undo rows as an earlier
 * version of the hub left them.
 */
export function hubDatabaseOf(hub: TestHub): DataSourceOptions {
  const url = hub.databaseEnv.HUB_DB;
  return url
    ? { type: 'postgres', url, migrations: MIGRATIONS }
    : { type: 'sqlite', database: path.join(hub.dataDir, 'hub.sqlite'), migrations: MIGRATIONS };
}

export function makeDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hub-test-'));
}

export async function startHub(
  options: {
    dataDir?: string;
    env?: Record<string, string>;
    /** Starts the hub's clock this far ahead of real time (a hub that was down for a while). */
    clockOffsetMs?: number;
  } = {},
): Promise<TestHub> {
  const dataDir = options.dataDir ?? makeDataDir();
  const database = await databaseEnv(dataDir);
  const config = loadHubConfig({
    HUB_DATA_DIR: dataDir,
    HUB_PORT: '0',
    HUB_HOST: '127.0.0.1',
    HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
    HUB_LOG_LEVEL: 'silent',
    HUB_TIME_ZONE: 'Europe/London',
    HUB_LOGIN_SLOW_DELAY_MS: '20',
    // OWASP's minimum argon2id cost: the suites hash and check hundreds of passwords.
    HUB_PASSWORD_HASH: 'minimum',
    ...database,
    ...options.env,
  });
  const clock = new AdjustableClock();
  clock.advance(options.clockOffsetMs ?? 0);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(HUB_CONFIG)
    .useValue(config)
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = configureHub(moduleRef.createNestApplication({ logger: false }));
  databaseOpened(dataDir);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const http = request(url);
  return {
    app,
    url,
    dataDir,
    databaseEnv: database,
    clock,
    http,
    async close() {
      await app.close();
      databaseClosed(dataDir);
    },
    async login(username = 'admin', password = ADMIN_PASSWORD, options = {}) {
      const response = await http.post('/api/auth/login').send({ username, password });
      if (response.status !== 200) {
        throw new Error(
          `login ${username} failed: ${response.status} ${JSON.stringify(response.body)}`,
        );
      }
      const token = (response.body as { accessToken: string }).accessToken;
      if (options.acceptAup ?? true) {
        await acceptAup(http, token);
      }
      return token;
    },
  };
}

/**
 * Accepts the current AUP version for the account behind `token`, if it has not yet (issue 9:
 * nothing else is open to it until then). Call it again after publishing a new version.
 *
 * @returns the version accepted
 */
export async function acceptAup(hub: TestHub | TestAgent, token: string): Promise<string> {
  const http = 'http' in hub ? hub.http : hub;
  const current = await http.get('/api/aup').set('Authorization', `Bearer ${token}`);
  if (current.status !== 200) {
    throw new Error(`GET /api/aup: ${current.status} ${JSON.stringify(current.body)}`);
  }
  const { version, acceptedAt } = current.body as { version: string; acceptedAt: string | null };
  if (acceptedAt === null) {
    const accepted = await http
      .post('/api/staff/me/aup-acceptance')
      .set('Authorization', `Bearer ${token}`)
      .send({ version });
    if (accepted.status !== 201) {
      throw new Error(`accept AUP: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    }
  }
  return version;
}

/**
 * Creates a staff account as admin and returns its id and a signed-in token. The account has
 * accepted the current AUP, unless `acceptAup: false`.
 */
export async function createStaff(
  hub: TestHub,
  adminToken: string,
  username: string,
  roles: string[],
  password = 'Staff-Pass1!',
  options: { acceptAup?: boolean } = {},
): Promise<{ id: string; token: string }> {
  const created = await hub.http
    .post('/api/staff')
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ username, displayName: username, password, roles });
  if (created.status !== 201) {
    throw new Error(`create ${username}: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return {
    id: (created.body as { id: string }).id,
    token: await hub.login(username, password, options),
  };
}
