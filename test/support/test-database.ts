// Which database the end-to-end specs run the hub on. SQLite in each test's data directory by
// default; with HUB_TEST_DB=postgres://user@host:port (`npm run test:postgres`), a fresh
// PostgreSQL database per data directory on that server, so a hub restarted over the same data
// directory finds its data again, as it would in its SQLite file.
//
// Databases are named hub_test_<run>_<data dir hash>. A spec may start a hub again over the data
// directory of one it closed, so a database is not dropped when its hub closes but when the spec
// file ends (per-file.ts), if no hub has it open then; the rest (a hub killed as a process, or
// closed in the spec's own afterAll) when the run ends (global-teardown.ts). Both go by the
// run's prefix, so two runs on one server never drop each other's.
import * as crypto from 'node:crypto';
import { DataSource } from 'typeorm';

/** The PostgreSQL server the specs use (HUB_TEST_DB), or null for SQLite. */
export const TEST_POSTGRES: string | null = (() => {
  const raw = process.env.HUB_TEST_DB?.trim();
  if (!raw) {
    return null;
  }
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new Error(`HUB_TEST_DB must be a postgres:// URL, got '${raw}'`);
  }
  return raw;
})();

/** Whether the specs run the hub on PostgreSQL (HUB_TEST_DB set). */
export const ON_POSTGRES = TEST_POSTGRES !== null;

/** Which database the hub runs on in this run, for describe-block names and skip reasons. */
export const TEST_DATABASE_NAME = ON_POSTGRES ? 'PostgreSQL' : 'SQLite';

/** This run's prefix for database names: set once by global-setup.ts, read by every worker. */
export function runPrefix(): string {
  if (!process.env.HUB_TEST_RUN) {
    // A spec run without the e2e config's global setup: a prefix of its own.
    process.env.HUB_TEST_RUN = crypto.randomBytes(4).toString('hex');
  }
  return `hub_test_${process.env.HUB_TEST_RUN}_`;
}

/** The server URL with `database` in place of whatever database it names. */
export function serverUrl(database: string): string {
  const url = new URL(TEST_POSTGRES ?? 'postgres://127.0.0.1');
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `work` on a connection to the server's `postgres` database, then closes it. */
export async function withServer<T>(work: (server: DataSource) => Promise<T>): Promise<T> {
  const server = new DataSource({ type: 'postgres', url: serverUrl('postgres') });
  await server.initialize();
  try {
    return await work(server);
  } finally {
    await server.destroy();
  }
}

function databaseFor(dataDir: string): string {
  return runPrefix() + crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
}

/** PostgreSQL's SQLSTATE for `duplicate_database`. */
const DUPLICATE_DATABASE = '42P04';

/**
 * The settings that put a hub over `dataDir` on this run's database: `{}` on SQLite (the file in
 * the data directory), `{ HUB_DB }` on PostgreSQL, creating that database empty the first time.
 */
export async function databaseEnv(dataDir: string): Promise<Record<string, string>> {
  if (!ON_POSTGRES) {
    return {};
  }
  const name = databaseFor(dataDir);
  await withServer(async (server) => {
    const found = (await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      name,
    ])) as unknown[];
    if (found.length === 0) {
      try {
        await server.query(`CREATE DATABASE "${name}"`);
      } catch (error) {
        if (
          (error as { driverError?: { code?: string } }).driverError?.code !== DUPLICATE_DATABASE
        ) {
          throw error;
        }
      }
    }
  });
  return { HUB_DB: serverUrl(name) };
}

/** Databases of this spec file whose hub has closed, and how many hubs have each open. */
const closed = new Set<string>();
const open = new Map<string, number>();

/** Notes that a hub (in this process) opened the database of `dataDir`. */
export function databaseOpened(dataDir: string): void {
  if (!ON_POSTGRES) {
    return;
  }
  const name = databaseFor(dataDir);
  open.set(name, (open.get(name) ?? 0) + 1);
  closed.delete(name);
}

/** Notes that a hub closed the database of `dataDir`: it is dropped when the spec file ends. */
export function databaseClosed(dataDir: string): void {
  if (!ON_POSTGRES) {
    return;
  }
  const name = databaseFor(dataDir);
  const left = (open.get(name) ?? 1) - 1;
  if (left > 0) {
    open.set(name, left);
    return;
  }
  open.delete(name);
  closed.add(name);
}

/** Drops the databases of this spec file that no hub has open any more. */
export async function dropClosedDatabases(): Promise<void> {
  if (!ON_POSTGRES || closed.size === 0) {
    return;
  }
  const names = [...closed];
  closed.clear();
  await withServer(async (server) => {
    for (const name of names) {
      await server.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });
}

/** Drops every database this run made (the end of the run). */
export async function dropRunDatabases(): Promise<void> {
  if (!ON_POSTGRES) {
    return;
  }
  const prefix = runPrefix();
  await withServer(async (server) => {
    const rows = (await server.query(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    )) as { datname: string }[];
    for (const { datname } of rows) {
      await server.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}

/**
 * A `describe` for blocks about SQLite itself (its WAL, its query plans, its one connection, its
 * file): run on SQLite; on PostgreSQL not registered at all (a skipped test is a defect), and whole
 * SQLite-only files are left out of a PostgreSQL run by test/jest-e2e.config.js. The choice
 * is made when the spec loads, so no test inside needs a skip of its own. Use:
 * `const describeSqlite = sqliteOnly('why'); describeSqlite('name', () => { ... });`
 */
export function sqliteOnly(reason: string): (name: string, body: () => void) => void {
  return (name, body) => {
    if (ON_POSTGRES) {
      // Not registered: test/jest-e2e.config.js leaves SQLite-only spec files out of a
      // PostgreSQL run, naming why (`reason` is kept here for the reader).
      void reason;
    } else {
      describe(name, body);
    }
  };
}

/** The other way round: blocks about PostgreSQL's own behaviour, run only by `npm run test:postgres`. */
export function postgresOnly(reason: string): (name: string, body: () => void) => void {
  return (name, body) => {
    if (ON_POSTGRES) {
      describe(name, body);
    } else {
      // Not registered on SQLite (`reason` says why); `npm run test:postgres`, which CI runs too,
      // runs it.
      void reason;
    }
  };
}

/**
 * Every row of every table of the hub's PostgreSQL database as JSON text, for specs that check
 * what is stored (and what never is) where on SQLite they read the file itself.
 */
export async function postgresTableText(dataSource: DataSource): Promise<string> {
  const tables = (await dataSource.query(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  )) as { tablename: string }[];
  const parts: string[] = [];
  for (const { tablename } of tables) {
    const rows = (await dataSource.query(
      `SELECT row_to_json(t)::text AS row FROM "${tablename}" t`,
    )) as { row: string }[];
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}
