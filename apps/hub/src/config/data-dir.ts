// Keeps the hub's data private to the user it runs as (issue 8 item 15): the database holds
// password hashes and Wi-Fi passwords, the CA folder the key that devices trust. The data dir
// is 0700 and everything in it 0600 (folders 0700), on a new install and, at each start, on an
// older one whose files were made 0644.
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileSystemRefusal, isFileSystemError } from '../common/file-system-refusal';
import { ConfigError, HUB_CONFIG, HubConfig } from './hub-config';

/** Mode of the data dir and of every folder under it. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of every file under the data dir. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) if needed and makes it and everything under it private:
 * folders 0700, files 0600. Symbolic links are left alone (their targets may not be the hub's).
 * Errors other than a missing entry (a file deleted during the walk) are thrown.
 */
export function makePrivateTree(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodTree(dir);
}

function chmodTree(dir: string): void {
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    try {
      if (entry.isDirectory()) {
        chmodTree(full);
      } else if (entry.isFile()) {
        fs.chmodSync(full, PRIVATE_FILE_MODE);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error;
      }
    }
  }
}

/** The setting that names the SQLite file: HUB_DB when it is set, else HUB_DATA_DIR. */
function databaseSetting(config: Pick<HubConfig, 'dataDir' | 'database'>): string {
  return config.database.type === 'sqlite' &&
    config.database.path !== path.join(config.dataDir, 'hub.sqlite')
    ? 'HUB_DB'
    : 'HUB_DATA_DIR';
}

/**
 * A failure of the file system met while preparing `setting`'s path, said as what the hub was
 * doing there and why, naming the path (the one the school gave, or a file in it), never the
 * errno; anything else is returned as it is.
 */
function refusalOf(setting: string, error: unknown, where: string): unknown {
  if (!isFileSystemError(error)) {
    return error;
  }
  const at = error.path ?? where;
  const syscall = error.syscall ?? '';
  const doing =
    syscall === 'mkdir'
      ? `make the folder ${at}`
      : syscall === 'chmod'
        ? `make ${at} readable by this user only`
        : syscall === 'scandir'
          ? `look in ${at}`
          : syscall === 'open'
            ? `open ${at}`
            : `write ${at}`;
  const use = syscall === 'scandir' ? 'read' : 'write';
  return new ConfigError(
    setting,
    `cannot ${doing}: ${fileSystemRefusal(error, { path: at, use })}`,
  );
}

/**
 * Makes the data dir private, then makes sure the SQLite file exists with mode 0600 before
 * SQLite opens it: SQLite gives the `-wal` and `-shm` files it creates the mode of the database
 * file, so they are 0600 too. A database outside the data dir (HUB_DB) gets a 0700 folder only
 * if the hub creates it; its file and its `-wal`/`-shm` are made 0600 all the same.
 *
 * @throws ConfigError naming HUB_DATA_DIR (or HUB_DB), the path and the reason in words, when the
 *   file system refuses: a folder or file of another user, a file where the folder should be
 */
export function prepareDataDir(config: Pick<HubConfig, 'dataDir' | 'database'>): void {
  try {
    makePrivateTree(config.dataDir);
  } catch (error) {
    throw refusalOf('HUB_DATA_DIR', error, config.dataDir);
  }
  if (config.database.type !== 'sqlite') {
    // PostgreSQL keeps its files itself; the data dir still holds the CA.
    return;
  }
  const file = config.database.path;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
    for (const companion of [file, `${file}-wal`, `${file}-shm`]) {
      if (fs.existsSync(companion)) {
        fs.chmodSync(companion, PRIVATE_FILE_MODE);
      }
    }
  } catch (error) {
    throw refusalOf(databaseSetting(config), error, file);
  }
}

/**
 * A failure of the file system under the hub's SQLite database once SQLite has it (a full disk,
 * met by the migrations at start), as a ConfigError naming the setting and the file; null for
 * anything else, which SQLite's own words say well enough.
 */
export function databaseFileRefusal(
  config: Pick<HubConfig, 'dataDir' | 'database'>,
  error: unknown,
): ConfigError | null {
  // SQLite's codes only: another module's errno (exiftool not found, say) is not the database's.
  const code = (error as { code?: unknown } | null)?.code;
  if (
    config.database.type !== 'sqlite' ||
    typeof code !== 'string' ||
    !code.startsWith('SQLITE_') ||
    !isFileSystemError(error)
  ) {
    return null;
  }
  const file = config.database.path;
  const reason = fileSystemRefusal(error, { path: file, use: 'write' });
  return new ConfigError(databaseSetting(config), `cannot write ${file}: ${reason}`);
}

/**
 * At the end of start-up, once every module has made its files (the CA, the database's WAL),
 * walks the data dir again and makes anything still readable by others private. The one
 * start-up step that fixes what any module made, so each need not know the rule.
 */
@Injectable()
export class DataDirPermissions implements OnApplicationBootstrap {
  private readonly logger = new Logger(DataDirPermissions.name);

  constructor(@Inject(HUB_CONFIG) private readonly config: HubConfig) {}

  onApplicationBootstrap(): void {
    prepareDataDir(this.config);
    this.logger.log(`Data in ${this.config.dataDir} is readable by this user only`);
  }
}
