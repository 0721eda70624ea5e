// `npm run admin -- restore FILE` (issue 9): puts a backup in place of a stopped hub's data. The
// backup is unpacked and checked in full before anything of the hub's is touched; the current
// files are then renamed aside (never deleted) and the backup's moved in, private to this user.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Clock } from '../common/clock';
import { makePrivateTree, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../config/data-dir';
import type { HubConfig } from '../config/hub-config';
import { MIGRATIONS } from '../database/migrations';
import {
  AUP_MEMBER,
  BackupManifest,
  BadBackupError,
  CA_FOLDER,
  DATABASE_MEMBER,
  unpackArchive,
} from './backup-archive';
import { BackupRefusedError } from './hub-backup';
import { whyHubIsRunning } from './hub-running';
import { AppliedMigration, countRows, readAppliedMigrations } from './sqlite-file';
import { sqliteFile } from '../config/hub-config';
import {
  checkFileToOpen,
  fileSystemRefusal,
  isFileSystemError,
  makeWorkFolder,
  refusingPath,
  statIfAny,
} from '../common/file-system-refusal';

/** What a restore did. */
export interface RestoreResult {
  manifest: BackupManifest;
  /** Where each file or folder now in use came from the backup: the path written. */
  restored: string[];
  /** What was there before, with the name it was renamed to. */
  movedAside: { from: string; to: string }[];
  /** Rows in the restored database, by table. */
  counts: Record<string, number>;
  /** The migration level of this hub, which it brings the restored database up to at start. */
  hubLevel: AppliedMigration;
}

/** The migrations this hub knows, as TypeORM records them (class name, timestamp). */
function knownMigrations(): AppliedMigration[] {
  return MIGRATIONS.map((migration) => {
    // As TypeORM names it: the instance's `name`, else the class name; the level is its last 13 digits.
    const name = (new migration() as { name?: string }).name ?? migration.name;
    return { name, timestamp: Number(name.slice(-13)) };
  });
}

/** Why nothing could be written in HUB_DATA_DIR, naming it, not the work folder inside it. */
function cannotRestoreInto(dataDir: string, error: unknown): string {
  const reason = fileSystemRefusal(error, { path: dataDir, use: 'write' });
  return `Cannot restore into ${dataDir} (HUB_DATA_DIR): ${reason}`;
}

/** A time for file names: 20261201T093000Z. */
function fileStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Renames, or copies then deletes where the two paths are on different file systems. */
function move(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') {
      throw error;
    }
    fs.cpSync(from, to, { recursive: true, errorOnExist: true, force: false });
    fs.rmSync(from, { recursive: true, force: true });
  }
}

/**
 * Refuses a database with a migration this hub does not know: its tables may have columns this
 * hub would not fill, and the hub cannot undo a migration it does not have.
 *
 * @throws BackupRefusedError naming the backup's level and this hub's
 */
function checkMigrationLevel(
  applied: AppliedMigration[],
  manifest: BackupManifest,
  file: string,
): AppliedMigration {
  const known = knownMigrations();
  const hubLevel = known[known.length - 1];
  const names = new Set(known.map((migration) => migration.name));
  const unknown = applied.filter((migration) => !names.has(migration.name));
  const newest = applied[applied.length - 1];
  if (!newest || newest.name !== manifest.migration.name) {
    throw new BadBackupError(
      `${file}: its manifest and its database disagree on the migration level`,
    );
  }
  if (unknown.length > 0) {
    throw new BackupRefusedError(
      `This backup is from a newer hub (version ${manifest.hubVersion}, migration level ` +
        `${newest.timestamp} ${newest.name}) than this one (level ${hubLevel.timestamp} ` +
        `${hubLevel.name}), which does not know ${unknown.map((m) => m.name).join(', ')}: ` +
        'restore it with that version of the hub or a later one',
    );
  }
  return hubLevel;
}

/**
 * Restores `file` (made by `backUpHub`) onto this hub's data: the database at HUB_DB or
 * `<HUB_DATA_DIR>/hub.sqlite`, the CA at HUB_CA_DIR (`<HUB_DATA_DIR>/ca`), and the AUP text at HUB_AUP_FILE
 * (or `<HUB_DATA_DIR>/aup.txt` when that is not set). Files in the way, the database's `-wal`
 * and `-shm` included, are renamed `<name>.before-restore-<time>`; if anything fails part-way
 * they are put back. Other things in the data dir (the store) are left alone.
 *
 * @throws BackupRefusedError when the hub is running, the file does not exist, the backup is
 *   from a newer migration level than this hub knows, or the file system refuses to write a
 *   file in place (everything put back first); PathRefusedError when the file cannot be read
 * @throws BadBackupError when the file is damaged, changed, or not a hub backup
 */
export async function restoreHub(
  config: HubConfig,
  file: string,
  options: { clock: Clock },
): Promise<RestoreResult> {
  const source = path.resolve(file);
  const named = `the backup file ${source}`;
  const found = refusingPath('read', named, source, () => statIfAny(source));
  if (found?.isDirectory()) {
    throw new BackupRefusedError(`${source} is a folder: name the backup file in it`);
  }
  if (!found?.isFile()) {
    throw new BackupRefusedError(`There is no backup file at ${source}`);
  }
  // Here, not when tar opens it: its EACCES would read as a damaged backup.
  checkFileToOpen(source, named);
  const running = await whyHubIsRunning(config);
  if (running) {
    throw new BackupRefusedError(`Stop the hub before restoring: ${running}`);
  }
  try {
    fs.mkdirSync(config.dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (error) {
    throw new BackupRefusedError(cannotRestoreInto(config.dataDir, error));
  }
  // Inside the data dir: private, and on the file system the files are renamed into.
  const staged = makeWorkFolder(config.dataDir, '.restore-', 'restore the backup');
  try {
    const manifest = await unpackArchive(source, staged).catch((error: unknown) => {
      // The backup was read: what failed is writing its files out, in HUB_DATA_DIR.
      throw isFileSystemError(error)
        ? new BackupRefusedError(cannotRestoreInto(config.dataDir, error))
        : error;
    });
    const applied = await readAppliedMigrations(
      path.join(staged, DATABASE_MEMBER),
      `${source}: its ${DATABASE_MEMBER}`,
    );
    const hubLevel = checkMigrationLevel(applied, manifest, source);

    const stamp = fileStamp(options.clock.now());
    const db = sqliteFile(config.database);
    const places: { member: string; target: string }[] = [
      { member: DATABASE_MEMBER, target: db },
      { member: CA_FOLDER, target: config.caDir },
    ];
    const aupText =
      manifest.aupFile === null ? null : fs.readFileSync(path.join(staged, AUP_MEMBER));
    const aupTarget = config.aupFile ?? path.join(config.dataDir, AUP_MEMBER);
    const aupUnchanged =
      aupText !== null &&
      refusingPath('read', `the AUP file ${aupTarget}`, aupTarget, () =>
        fs.existsSync(aupTarget) ? fs.readFileSync(aupTarget).equals(aupText) : false,
      );
    if (aupText !== null && !aupUnchanged) {
      places.push({ member: AUP_MEMBER, target: aupTarget });
    }
    const inTheWay = [db, `${db}-wal`, `${db}-shm`, ...places.slice(1).map((p) => p.target)];

    const movedAside: { from: string; to: string }[] = [];
    const restored: string[] = [];
    // What is being put in place or moved aside when the file system refuses, for the refusal.
    let doing = db;
    try {
      for (const from of inTheWay) {
        doing = from;
        if (fs.existsSync(from)) {
          let to = `${from}.before-restore-${stamp}`;
          // Never over an earlier restore's files (two in one second).
          for (let n = 2; fs.existsSync(to); n++) {
            to = `${from}.before-restore-${stamp}-${n}`;
          }
          fs.renameSync(from, to);
          movedAside.push({ from, to });
        }
      }
      fs.mkdirSync(path.dirname(db), { recursive: true, mode: PRIVATE_DIR_MODE });
      fs.mkdirSync(path.dirname(config.caDir), { recursive: true, mode: PRIVATE_DIR_MODE });
      for (const { member, target } of places) {
        doing = target;
        move(path.join(staged, member), target);
        restored.push(target);
        if (member === CA_FOLDER) {
          makePrivateTree(target);
        } else {
          fs.chmodSync(target, PRIVATE_FILE_MODE);
        }
      }
    } catch (error) {
      // Put things back as they were: the backup's files out, the hub's own back in.
      for (const target of restored) {
        fs.rmSync(target, { recursive: true, force: true });
      }
      for (const { from, to } of movedAside.reverse()) {
        fs.renameSync(to, from);
      }
      if (isFileSystemError(error)) {
        const reason = fileSystemRefusal(error, { path: path.dirname(doing), use: 'write' });
        throw new BackupRefusedError(`Cannot restore ${doing}: ${reason}. Nothing was changed.`);
      }
      throw error;
    }
    if (aupUnchanged) {
      restored.push(`${aupTarget} (already held the backup's text)`);
    }
    const counts = await countRows(db, ['staff_accounts', 'devices', 'commands', 'audit_entries']);
    return { manifest, restored, movedAside, counts, hubLevel };
  } finally {
    fs.rmSync(staged, { recursive: true, force: true });
  }
}
