// `npm run admin -- copy-to-postgres postgres://...` (issue 10): moves a school's hub from its
// SQLite file to an empty PostgreSQL database by copying the data, for a school that outgrows
// one process. The SQLite file is never changed: a consistent copy of it (SQLite's online backup
// API) is brought up to this hub's migration level and read from. On PostgreSQL the same
// migrations make the tables, then every table's rows go across in foreign-key order, in
// batches, ids and times as they were, and every serial or identity sequence is set past the
// highest id copied, all in one transaction: a copy that fails leaves the target empty.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource, MigrationExecutor, QueryRunner } from 'typeorm';
import {
  AppliedMigration,
  checkHubDatabaseFile,
  copyLiveDatabase,
  readAppliedMigrations,
} from '../backup/sqlite-file';
import {
  fileSystemRefusal,
  isFileSystemError,
  makeWorkFolder,
} from '../common/file-system-refusal';
import { redactUrl } from '../config/hub-config';
import { MIGRATIONS } from './migrations';

/** A copy the command will not make, said in one line for the person at the shell. */
export class CopyRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyRefusedError';
  }
}

/** What went across, table by table, in the order copied. */
export interface CopyResult {
  tables: { table: string; rows: number }[];
  /** Each sequence set, with the value the next new row gets. */
  sequences: { table: string; column: string; next: number }[];
  /** The migration level of both databases after the copy. */
  migration: AppliedMigration;
  /** Migrations run on the copy of the SQLite file before it was read (an older hub's file). */
  broughtUpToDate: string[];
}

/** Tables TypeORM keeps for itself: each database has its own. */
const OWN_TABLES = new Set(['migrations', 'typeorm_metadata']);

/** PostgreSQL's SQLSTATE for `invalid_catalog_name`: no database of that name. */
const NO_SUCH_DATABASE = '3D000';

/** PostgreSQL binds at most 65,535 parameters a statement; a batch stays well below. */
const MAX_PARAMETERS = 30_000;
const MAX_ROWS_PER_BATCH = 500;

interface TargetColumn {
  name: string;
  dataType: string;
}

/** A column's value as SQLite gave it, as PostgreSQL's column of `dataType` takes it. */
function toPostgres(value: unknown, dataType: string): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  if (dataType === 'boolean') {
    // TypeORM stores booleans in SQLite as 1 and 0.
    return value === 1 || value === '1' || value === true || value === 'true';
  }
  return value;
}

/** A quoted identifier (the names come from the databases' own catalogues). */
function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The migrations this hub knows, as TypeORM records them (class name, timestamp). */
function knownMigrations(): AppliedMigration[] {
  return MIGRATIONS.map((migration) => {
    const name = (new migration() as { name?: string }).name ?? migration.name;
    return { name, timestamp: Number(name.slice(-13)) };
  });
}

/**
 * Tables in an order where every table comes after those its foreign keys point to.
 *
 * @throws CopyRefusedError on a cycle, which no insert order can satisfy
 */
function dependencyOrder(tables: string[], references: { child: string; parent: string }[]) {
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (table: string): void => {
    if (placed.has(table)) {
      return;
    }
    if (visiting.has(table)) {
      throw new CopyRefusedError(`the tables' foreign keys form a cycle through ${table}`);
    }
    visiting.add(table);
    for (const { parent } of references.filter((r) => r.child === table && r.parent !== table)) {
      if (tables.includes(parent)) {
        visit(parent);
      }
    }
    visiting.delete(table);
    placed.add(table);
    ordered.push(table);
  };
  [...tables].sort().forEach(visit);
  return ordered;
}

/** PostgreSQL's own databases, which every server has and a hub's copy must never go into. */
const MAINTENANCE_DATABASES = ['postgres', 'template0', 'template1'];

/**
 * Refuses a target URL that names one of the server's maintenance databases: the copy belongs in
 * a database of its own. (A URL naming no database is refused before this, by `postgresUrl`.)
 *
 * @throws CopyRefusedError naming the database, in one line
 */
function refuseMaintenanceDatabase(url: string): void {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (MAINTENANCE_DATABASES.includes(name)) {
    throw new CopyRefusedError(
      `The target ${redactUrl(url)} is PostgreSQL's own ${name} database: copy into a new, empty database made for the hub (createdb -O OWNER hub)`,
    );
  }
}

/**
 * Opens the target and checks it is a database that exists and holds no tables.
 *
 * @throws CopyRefusedError when the database does not exist or is not empty
 * @throws the driver's error when the server cannot be reached or refuses the user
 */
async function openEmptyTarget(url: string): Promise<DataSource> {
  const target = new DataSource({
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    applicationName: 'classroom-device-hub copy-to-postgres',
    logging: false,
  });
  try {
    await target.initialize();
  } catch (error) {
    if ((error as { code?: unknown }).code === NO_SUCH_DATABASE) {
      throw new CopyRefusedError(
        `There is no database ${new URL(url).pathname.slice(1)} at ${redactUrl(url)}: create it empty first (createdb -O OWNER NAME)`,
      );
    }
    throw error;
  }
  const tables = (await target.query(
    'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename',
  )) as { tablename: string }[];
  if (tables.length > 0) {
    await target.destroy();
    const names = tables.map((t) => t.tablename);
    throw new CopyRefusedError(
      `The database at ${redactUrl(url)} is not empty (it has ${names.length} tables: ` +
        `${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}): ` +
        'copy into a new, empty database, so that nothing in it is mixed with the copy',
    );
  }
  return target;
}

/**
 * Copies the hub in the SQLite file `sqlitePath` into the empty PostgreSQL database `targetUrl`.
 * The caller makes sure no hub is writing to the file (what is written after the copy would be
 * lost). `workDir` holds the copy of the SQLite file while it works (removed at the end): a
 * private folder on a disk with room for the database.
 *
 * @param options.rowsPerBatch at most this many rows in one INSERT (default 500)
 * @throws CopyRefusedError when the file is from a newer hub, or the target does not exist or
 *   is not empty; nothing is written to the target then
 * @throws NotAHubDatabaseError when the file is not a whole SQLite hub database
 * @throws the driver's error (a row PostgreSQL will not store, the server gone): the target's
 *   transaction is rolled back and it is left empty
 */
export async function copySqliteToPostgres(
  sqlitePath: string,
  targetUrl: string,
  workDir: string,
  options: { rowsPerBatch?: number } = {},
): Promise<CopyResult> {
  refuseMaintenanceDatabase(targetUrl);
  if (!checkHubDatabaseFile(sqlitePath)) {
    throw new CopyRefusedError(
      `There is no hub database at ${sqlitePath}: run this with the hub's HUB_DATA_DIR (or HUB_DB)`,
    );
  }
  const applied = await readAppliedMigrations(sqlitePath);
  const known = knownMigrations();
  const knownNames = new Set(known.map((m) => m.name));
  const unknown = applied.filter((m) => !knownNames.has(m.name));
  if (unknown.length > 0) {
    throw new CopyRefusedError(
      `The SQLite hub is from a newer version (it has ${unknown.map((m) => m.name).join(', ')}): copy it with that version of the hub or a later one`,
    );
  }
  // Before connecting: a folder that cannot take the copy is said without a server to ask.
  const work = makeWorkFolder(workDir, '.copy-to-postgres-', 'copy the hub database');
  let target: DataSource | null = null;
  let source: DataSource | null = null;
  try {
    target = await openEmptyTarget(targetUrl);
    const snapshot = path.join(work, 'hub.sqlite');
    try {
      await copyLiveDatabase(sqlitePath, snapshot);
    } catch (error) {
      if (isFileSystemError(error)) {
        const reason = fileSystemRefusal(error, { path: workDir, use: 'write' });
        throw new CopyRefusedError(`Cannot copy the hub database in ${workDir}: ${reason}`);
      }
      throw error;
    }
    source = new DataSource({
      type: 'sqlite',
      database: snapshot,
      migrations: MIGRATIONS,
      logging: false,
    });
    await source.initialize();
    const broughtUpToDate = (await source.runMigrations({ transaction: 'each' })).map(
      (m) => m.name,
    );
    const runner = target.createQueryRunner();
    try {
      await runner.startTransaction();
      const result = await copyInTransaction(source, runner, options.rowsPerBatch);
      await runner.commitTransaction();
      return { ...result, migration: known[known.length - 1], broughtUpToDate };
    } catch (error) {
      if (runner.isTransactionActive) {
        await runner.rollbackTransaction();
      }
      throw error;
    } finally {
      await runner.release();
    }
  } finally {
    if (source?.isInitialized) {
      await source.destroy();
    }
    await target?.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function copyInTransaction(
  source: DataSource,
  runner: QueryRunner,
  rowsPerBatch = MAX_ROWS_PER_BATCH,
): Promise<Pick<CopyResult, 'tables' | 'sequences'>> {
  // The migrations run inside this transaction (transaction 'all' on a runner already in one):
  // if the copy fails, the tables go too.
  const executor = new MigrationExecutor(runner.connection, runner);
  executor.transaction = 'all';
  await executor.executePendingMigrations();

  const columnRows = (await runner.query(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  )) as { table_name: string; column_name: string; data_type: string }[];
  const targetColumns = new Map<string, TargetColumn[]>();
  for (const row of columnRows) {
    if (OWN_TABLES.has(row.table_name)) {
      continue;
    }
    const list = targetColumns.get(row.table_name) ?? [];
    list.push({ name: row.column_name, dataType: row.data_type });
    targetColumns.set(row.table_name, list);
  }
  const references = (await runner.query(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = k.connamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema()`,
  )) as { child: string; parent: string }[];

  const sourceTables = new Set(
    (
      (await source.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
      )) as { name: string }[]
    )
      .map((row) => row.name)
      .filter((name) => !OWN_TABLES.has(name)),
  );
  const targetTables = [...targetColumns.keys()];
  const missing = [...sourceTables].filter((t) => !targetColumns.has(t));
  if (missing.length > 0) {
    // Both are at this hub's migration level, so this is a table no migration made.
    throw new CopyRefusedError(
      `The SQLite hub has tables this hub's migrations do not make: ${missing.join(', ')}`,
    );
  }
  const sqliteSequences = new Map<string, number>();
  if (
    ((await source.query("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")) as [])
      .length > 0
  ) {
    for (const row of (await source.query('SELECT name, seq FROM sqlite_sequence')) as {
      name: string;
      seq: number;
    }[]) {
      sqliteSequences.set(row.name, Number(row.seq));
    }
  }

  const tables: CopyResult['tables'] = [];
  for (const table of dependencyOrder(targetTables, references)) {
    const columns = targetColumns.get(table) ?? [];
    const sourceColumns = new Set(
      ((await source.query(`PRAGMA table_info(${quote(table)})`)) as { name: string }[]).map(
        (c) => c.name,
      ),
    );
    const absent = columns.filter((c) => !sourceColumns.has(c.name)).map((c) => c.name);
    if (absent.length > 0) {
      throw new CopyRefusedError(
        `The SQLite hub's table ${table} has no column ${absent.join(', ')}, which PostgreSQL's has`,
      );
    }
    tables.push({ table, rows: await copyTable(source, runner, table, columns, rowsPerBatch) });
  }

  const sequences: CopyResult['sequences'] = [];
  for (const [table, columns] of targetColumns) {
    for (const column of columns) {
      const [found] = (await runner.query('SELECT pg_get_serial_sequence($1, $2) AS seq', [
        quote(table),
        column.name,
      ])) as { seq: string | null }[];
      if (!found?.seq) {
        continue;
      }
      const [max] = (await runner.query(
        `SELECT COALESCE(MAX(${quote(column.name)}), 0) AS max FROM ${quote(table)}`,
      )) as { max: string | number }[];
      // SQLite's AUTOINCREMENT never hands out an id again, even one whose row was deleted
      // (the newest commands after retention): neither does the copy.
      const next = Math.max(Number(max.max), sqliteSequences.get(table) ?? 0) + 1;
      await runner.query('SELECT setval($1, $2, false)', [found.seq, next]);
      sequences.push({ table, column: column.name, next });
    }
  }
  return { tables, sequences };
}

/** Copies one table's rows in batches, in rowid order; returns how many. */
async function copyTable(
  source: DataSource,
  runner: QueryRunner,
  table: string,
  columns: TargetColumn[],
  rowsPerBatch: number,
): Promise<number> {
  const perBatch = Math.max(
    1,
    Math.min(rowsPerBatch, Math.floor(MAX_PARAMETERS / Math.max(columns.length, 1))),
  );
  const names = columns.map((c) => quote(c.name)).join(', ');
  // OVERRIDING SYSTEM VALUE: ids are kept, even in a column PostgreSQL generates itself.
  const [identity] = (await runner.query(
    `SELECT COUNT(*)::int AS n FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'`,
    [table],
  )) as { n: number }[];
  const overriding = identity.n > 0 ? ' OVERRIDING SYSTEM VALUE' : '';
  let copied = 0;
  let after = -Infinity;
  for (;;) {
    const rows = (await source.query(
      `SELECT rowid AS "__rowid", ${names} FROM ${quote(table)} WHERE rowid > ? ORDER BY rowid LIMIT ?`,
      [after === -Infinity ? Number.MIN_SAFE_INTEGER : after, perBatch],
    )) as Record<string, unknown>[];
    if (rows.length === 0) {
      break;
    }
    const parameters: unknown[] = [];
    const tuples = rows.map((row) => {
      const slots = columns.map((column) => {
        parameters.push(toPostgres(row[column.name], column.dataType));
        return `$${parameters.length}`;
      });
      return `(${slots.join(', ')})`;
    });
    try {
      await runner.query(
        `INSERT INTO ${quote(table)} (${names})${overriding} VALUES ${tuples.join(', ')}`,
        parameters,
      );
    } catch (error) {
      throw new Error(
        `PostgreSQL refused rows of ${table} (after ${copied} copied): ${(error as Error).message}`,
      );
    }
    copied += rows.length;
    after = Number(rows[rows.length - 1].__rowid);
  }
  const [count] = (await runner.query(`SELECT COUNT(*)::int AS n FROM ${quote(table)}`)) as {
    n: number;
  }[];
  if (count.n !== copied) {
    throw new Error(`${table}: ${copied} rows copied but ${count.n} arrived`);
  }
  return copied;
}
