// The few things backup and restore do to a SQLite file directly, through the sqlite3 driver the
// hub already uses: an online copy with SQLite's backup API, a check that a copy is whole, and
// reading its migration level. Not TypeORM: a backup is of the file, not of the entities, and
// the admin command must not run the hub's migrations on the copy it is checking.
import * as fs from 'node:fs';
import * as path from 'node:path';
import sqlite3 from 'sqlite3';
import {
  checkFileToOpen,
  fileSystemRefusal,
  PathRefusedError,
} from '../common/file-system-refusal';

/** The driver's Backup object (lib/sqlite3.js); its type definitions leave it out. */
interface SqliteBackup {
  step(pages: number, callback: (error: (Error & { code?: string }) | null) => void): void;
  finish(callback?: (error: Error | null) => void): void;
  readonly completed: boolean;
  readonly failed: boolean;
}

type BackupCapable = sqlite3.Database & {
  backup(file: string, callback: (error: Error | null) => void): SqliteBackup;
};

/**
 * Checks that this user may use the hub's SQLite file at `file` for a copy: read it, and write
 * in its folder, where SQLite makes the `-shm` file it needs even to read a database in WAL
 * mode, as the hub's is. Said in words, naming the file: SQLite itself says only "attempt to
 * write a readonly database", which reads as a fault of the database.
 *
 * @returns false when there is nothing at `file`
 * @throws PathRefusedError naming the file and why this user may not use it
 */
export function checkHubDatabaseFile(file: string): boolean {
  const named = `the hub database ${file}`;
  if (!checkFileToOpen(file, named)) {
    return false;
  }
  const folder = path.dirname(file);
  for (const at of [folder, `${file}-wal`, `${file}-shm`]) {
    try {
      if (at === folder || fs.existsSync(at)) {
        fs.accessSync(at, fs.constants.W_OK);
      }
    } catch (error) {
      const reason = fileSystemRefusal(error, { path: at, use: 'write' });
      throw new PathRefusedError(
        `Cannot read ${named}: SQLite writes beside it even to read it, and ${at === folder ? reason : `${at}: ${reason}`}`,
      );
    }
  }
  return true;
}

/** Thrown when a file is not a SQLite database the hub made, or not a whole one. */
export class NotAHubDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAHubDatabaseError';
  }
}

function open(file: string, mode: number): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db: sqlite3.Database = new sqlite3.Database(file, mode, (error) =>
      error ? reject(error) : resolve(db),
    );
  });
}

function close(db: sqlite3.Database): Promise<void> {
  return new Promise((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
}

function all<T>(db: sqlite3.Database, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) =>
    db.all(sql, (error: Error | null, rows: T[]) => (error ? reject(error) : resolve(rows))),
  );
}

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) =>
    db.exec(sql, (error) => (error ? reject(error) : resolve())),
  );
}

const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);
/** The driver's codes for a database file that is damaged or not SQLite: a refusal, in words. */
const DAMAGED_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);
const BUSY_RETRY_MS = 100;
const BUSY_GIVE_UP_MS = 60_000;

/**
 * Copies the live database at `source` to a new file at `target` with SQLite's online backup
 * API, while the hub keeps writing to it. All pages are copied in one step (`step(-1)`), which
 * holds one read transaction on the source for the whole copy: in WAL mode the hub's writers
 * carry on, and the copy is the database exactly as it was at one commit (a copy in several
 * steps would start again each time another process wrote). The copy is then made a single
 * self-contained file (journal mode DELETE, its WAL folded in) and checked with
 * `PRAGMA quick_check`.
 *
 * @throws NotAHubDatabaseError when `source` is damaged or the copy fails its check, naming
 *   `source` (the copy is a work file the person never named, gone when they read the message)
 * @throws the driver's error when the source cannot be read (SQLITE_BUSY for more than 60 s)
 */
export async function copyLiveDatabase(source: string, target: string): Promise<void> {
  try {
    await copyAndCheck(source, target);
  } catch (error) {
    if (DAMAGED_CODES.has((error as { code?: string }).code ?? '')) {
      throw new NotAHubDatabaseError(`${source} cannot be copied: ${(error as Error).message}`);
    }
    throw error;
  }
}

async function copyAndCheck(source: string, target: string): Promise<void> {
  // Read-write because a WAL reader needs to use the -shm index; nothing is written to it.
  const db = (await open(source, sqlite3.OPEN_READWRITE)) as BackupCapable;
  try {
    db.configure('busyTimeout', 5000);
    const backup = await new Promise<SqliteBackup>((resolve, reject) => {
      const made: SqliteBackup = db.backup(target, (error) =>
        error ? reject(error) : resolve(made),
      );
    });
    const giveUpAt = Date.now() + BUSY_GIVE_UP_MS;
    try {
      while (!backup.completed) {
        const error = await new Promise<(Error & { code?: string }) | null>((resolve) =>
          backup.step(-1, resolve),
        );
        if (error && !(BUSY_CODES.has(error.code ?? '') && Date.now() < giveUpAt)) {
          throw error;
        }
        if (error) {
          await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
        } else if (backup.failed) {
          throw new Error('SQLite stopped the backup');
        }
      }
    } finally {
      await new Promise<void>((resolve) => backup.finish(() => resolve()));
    }
  } finally {
    await close(db);
  }
  const copy = await open(target, sqlite3.OPEN_READWRITE);
  try {
    await exec(copy, 'PRAGMA journal_mode = DELETE');
    await checkWhole(copy, `The copy of ${source}`);
  } finally {
    await close(copy);
  }
}

/** @param named what the message calls the file: a path the person knows, never a work file */
async function checkWhole(db: sqlite3.Database, named: string): Promise<void> {
  let result: { quick_check: string }[];
  try {
    result = await all<{ quick_check: string }>(db, 'PRAGMA quick_check');
  } catch (error) {
    throw new NotAHubDatabaseError(`${named} is not a SQLite database: ${String(error)}`);
  }
  if (result.length !== 1 || result[0].quick_check !== 'ok') {
    throw new NotAHubDatabaseError(
      `${named} failed SQLite's check: ${result.map((row) => row.quick_check).join('; ')}`,
    );
  }
}

/** A migration recorded in a database's `migrations` table (TypeORM's). */
export interface AppliedMigration {
  timestamp: number;
  name: string;
}

/**
 * The migrations a hub database has had, oldest first, after checking that the file is a whole
 * SQLite database. Opens it read-only and changes nothing.
 *
 * @param named what a refusal calls the file (default `file`): a copy unpacked or made in a work
 *   folder is named as the person knows it ("<backup file>: its hub.sqlite"), never by its path
 * @throws NotAHubDatabaseError for a file that is not SQLite, fails its check, or has no
 *   migrations table (not a hub's, or a hub that never started)
 */
export async function readAppliedMigrations(
  file: string,
  named: string = file,
): Promise<AppliedMigration[]> {
  let db: sqlite3.Database;
  try {
    db = await open(file, sqlite3.OPEN_READONLY);
  } catch (error) {
    throw new NotAHubDatabaseError(`${named} cannot be opened as SQLite: ${String(error)}`);
  }
  try {
    await checkWhole(db, named);
    const tables = await all<{ name: string }>(
      db,
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'migrations'",
    );
    if (tables.length === 0) {
      throw new NotAHubDatabaseError(`${named} is not a hub database: it has no migrations table`);
    }
    const rows = await all<{ timestamp: number | string; name: string }>(
      db,
      'SELECT timestamp, name FROM migrations ORDER BY timestamp, id',
    );
    return rows.map((row) => ({ timestamp: Number(row.timestamp), name: row.name }));
  } finally {
    await close(db);
  }
}

/**
 * Row counts of some tables, for the person restoring to see what came back. A table that does
 * not exist (an older level) counts as absent rather than failing.
 */
export async function countRows(file: string, tables: string[]): Promise<Record<string, number>> {
  const db = await open(file, sqlite3.OPEN_READONLY);
  try {
    const present = new Set(
      (await all<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table'")).map(
        (row) => row.name,
      ),
    );
    const counts: Record<string, number> = {};
    for (const table of tables.filter((name) => present.has(name))) {
      // The names come from the caller's fixed list, never from input.
      const [row] = await all<{ n: number }>(db, `SELECT COUNT(*) AS n FROM "${table}"`);
      counts[table] = Number(row.n);
    }
    return counts;
  } finally {
    await close(db);
  }
}
