// Whether the database named by the hub's settings already holds a hub, for the shell commands
// that must not make an empty one by opening it (admin.ts): a SQLite file that exists, or a
// PostgreSQL database that exists and has had the hub's migrations run on it.
import { DataSource } from 'typeorm';
import { PathRefusedError, refusingPath, statIfAny } from '../common/file-system-refusal';
import { HubDatabase, redactUrl } from '../config/hub-config';

/** PostgreSQL's SQLSTATE for `invalid_catalog_name`: no database of that name. */
const NO_SUCH_DATABASE = '3D000';

/**
 * Whether `database` holds a hub that has started at least once. Never creates anything.
 *
 * @throws the driver's error when PostgreSQL cannot be reached at all (wrong host, refused
 *   password): that is a different fault from "no hub there", and the caller reports it as such;
 *   PathRefusedError when the SQLite file is a folder or this user may not reach it
 */
export async function hubDatabaseExists(database: HubDatabase): Promise<boolean> {
  if (database.type === 'sqlite') {
    const file = database.path;
    // Not existsSync: a folder above it this user may not open is not "no hub there".
    const found = refusingPath('read', `the hub database ${file}`, file, () => statIfAny(file));
    if (found?.isDirectory()) {
      throw new PathRefusedError(
        `Cannot read the hub database ${file}: it is a folder, not a file`,
      );
    }
    return found !== undefined;
  }
  const probe = new DataSource({ type: 'postgres', url: database.url });
  try {
    await probe.initialize();
  } catch (error) {
    if ((error as { code?: unknown }).code === NO_SUCH_DATABASE) {
      return false;
    }
    throw error;
  }
  try {
    const [row] = (await probe.query("SELECT to_regclass('migrations') IS NOT NULL AS found")) as {
      found: boolean;
    }[];
    return row?.found === true;
  } finally {
    await probe.destroy();
  }
}

/** Where the hub's database is, for messages: the SQLite file, or the URL without password. */
export function describeDatabase(database: HubDatabase): string {
  return database.type === 'sqlite' ? database.path : redactUrl(database.url);
}
