// `npm run admin -- backup FILE` (issue 9): a consistent copy of a hub, running or not, in one
// file: the database copied online with SQLite's backup API, the CA folder (HUB_CA_DIR), the AUP file's text
// and the settings that are not secrets, each member's SHA-256 in the manifest.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hubVersion } from '../audit/hub-lifecycle.audit';
import type { Clock } from '../common/clock';
import type { HubConfig } from '../config/hub-config';
import {
  AUP_MEMBER,
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupManifest,
  CA_FOLDER,
  DATABASE_MEMBER,
  fileChecksum,
  MANIFEST_NAME,
  ManifestFile,
  writeArchive,
} from './backup-archive';
import { checkHubDatabaseFile, copyLiveDatabase, readAppliedMigrations } from './sqlite-file';
import {
  checkFileToOpen,
  fileSystemRefusal,
  isFileSystemError,
  makeWorkFolder,
  refusingPath,
  statIfAny,
} from '../common/file-system-refusal';
import { sqliteFile } from '../config/hub-config';

/** A backup or restore the command will not do, said in one line for the person at the shell. */
export class BackupRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefusedError';
  }
}

/** What a backup wrote. */
export interface BackupResult {
  file: string;
  bytes: number;
  manifest: BackupManifest;
  /** Things the person should know, such as an AUP file that could not be read. */
  warnings: string[];
}

/** Names of settings that are never copied into a backup's manifest. */
const SECRET_SETTING = /PASSWORD|SECRET|TOKEN/i;

/**
 * The HUB_* settings worth keeping with a backup: every one that is set, except secrets
 * (HUB_ADMIN_PASSWORD, HUB_NEW_PASSWORD, and any later setting named like a secret).
 */
export function settingsToKeep(env: Record<string, string | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (
      name.startsWith('HUB_') &&
      !SECRET_SETTING.test(name) &&
      value !== undefined &&
      value !== ''
    ) {
      kept[name] = value;
    }
  }
  return kept;
}

/** The CA's files (keys and certificates; not a `.tmp` the CA is half-way through writing). */
function caFiles(caDir: string): string[] {
  return fs
    .readdirSync(caDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.tmp'))
    .map((entry) => entry.name)
    .sort();
}

/** Puts `source` at `target`, leaving any file already at `target` alone unless `replace`. */
function placeArchive(source: string, target: string, replace: boolean): void {
  try {
    if (replace) {
      fs.renameSync(source, target);
      return;
    }
    // A hard link fails if the name is taken, even if it was made a moment ago: no check-then-write.
    fs.linkSync(source, target);
  } catch (error) {
    if (!replace && (error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BackupRefusedError(`${target} already exists: choose another name, or add --force`);
    }
    const reason = fileSystemRefusal(error, { path: path.dirname(target), use: 'write' });
    throw new BackupRefusedError(`Cannot write ${target}: ${reason}`);
  }
}

/**
 * Backs the hub up into `file`: a gzipped tar (mode 0600) of hub.sqlite, ca/ (from HUB_CA_DIR), aup.txt when
 * HUB_AUP_FILE is set, and manifest.json. The hub may be running and busy: the database is
 * copied with SQLite's online backup API, as it was at one commit. The work is done in a private
 * folder beside `file`, removed at the end.
 *
 * @param env the HUB_* settings as given, for the manifest (secrets left out)
 * @param options.force replace `file` if it exists
 * @throws BackupRefusedError when `file` exists (without force), its folder does not, or there
 *   is no hub (database or CA) at these settings; and, naming the path the person gave and why,
 *   when a file cannot be read or the backup cannot be written (PathRefusedError where the
 *   reason is the file system's alone)
 */
export async function backUpHub(
  config: HubConfig,
  env: Record<string, string | undefined>,
  file: string,
  options: { force: boolean; clock: Clock; schoolName: string | null },
): Promise<BackupResult> {
  const target = path.resolve(file);
  const folder = path.dirname(target);
  // Seen before anything is made: a folder above that this user may not open, or a file where a
  // folder should be, is said as that, not as "there is no folder".
  const [atTarget, atFolder] = refusingPath('write', `the backup in ${folder}`, folder, () => [
    statIfAny(target),
    statIfAny(folder),
  ]);
  // A folder is never replaced, --force or not: the name of the file in it was forgotten.
  if (atTarget?.isDirectory()) {
    throw new BackupRefusedError(
      `${target} is a folder: name the backup file in it, as in ${path.join(target, 'hub.tar.gz')}`,
    );
  }
  if (!options.force && atTarget) {
    throw new BackupRefusedError(`${target} already exists: choose another name, or add --force`);
  }
  if (!atFolder) {
    throw new BackupRefusedError(`There is no folder ${folder} to write the backup in`);
  }
  if (!atFolder.isDirectory()) {
    throw new BackupRefusedError(
      `Cannot write the backup in ${folder}: it is a file, not a folder`,
    );
  }
  const db = sqliteFile(config.database);
  if (!checkHubDatabaseFile(db)) {
    throw new BackupRefusedError(
      `There is no hub database at ${db}: run this with the hub's HUB_DATA_DIR (or HUB_DB)`,
    );
  }
  const caDir = config.caDir;
  const caFolder = refusingPath('read', `the hub CA in ${caDir}`, caDir, () => statIfAny(caDir));
  if (caFolder && !caFolder.isDirectory()) {
    throw new BackupRefusedError(`Cannot read the hub CA in ${caDir}: it is a file, not a folder`);
  }
  for (const name of ['ca.key.pem', 'ca.cert.pem']) {
    const caFile = path.join(caDir, name);
    if (!checkFileToOpen(caFile, `the hub CA file ${caFile}`)) {
      throw new BackupRefusedError(`There is no hub CA in ${caDir}: has this hub ever started?`);
    }
  }
  const warnings: string[] = [];
  // Beside the target: the same file system (the archive is linked into place) and not a
  // shared /tmp; mkdtemp makes it 0700.
  const work = makeWorkFolder(folder, '.hub-backup-', 'write the backup');
  try {
    const staged = path.join(work, 'members');
    fs.mkdirSync(path.join(staged, CA_FOLDER), { recursive: true, mode: 0o700 });
    await copyLiveDatabase(db, path.join(staged, DATABASE_MEMBER));
    const createdAt = options.clock.now();
    const members = [DATABASE_MEMBER];
    const names = refusingPath('read', `the hub CA in ${caDir}`, caDir, () => caFiles(caDir));
    for (const name of names) {
      const caFile = path.join(caDir, name);
      const bytes = refusingPath('read', `the hub CA file ${caFile}`, caFile, () =>
        fs.readFileSync(caFile),
      );
      fs.writeFileSync(path.join(staged, CA_FOLDER, name), bytes, { mode: 0o600 });
      members.push(`${CA_FOLDER}/${name}`);
    }
    let aupFile: string | null = null;
    if (config.aupFile) {
      let aupText: Buffer | null = null;
      try {
        aupText = fs.readFileSync(config.aupFile);
      } catch (error) {
        const reason = fileSystemRefusal(error, { path: config.aupFile, use: 'read' });
        warnings.push(
          `HUB_AUP_FILE (${config.aupFile}) could not be read, so its text is not in the backup: ${reason}`,
        );
      }
      if (aupText !== null) {
        fs.writeFileSync(path.join(staged, AUP_MEMBER), aupText, { mode: 0o600 });
        aupFile = config.aupFile;
        members.push(AUP_MEMBER);
      }
    }
    const migrations = await readAppliedMigrations(
      path.join(staged, DATABASE_MEMBER),
      `The copy of ${db}`,
    );
    if (migrations.length === 0) {
      throw new BackupRefusedError(
        `The database at ${db} has no migrations: has this hub ever started?`,
      );
    }
    const files: Record<string, ManifestFile> = {};
    for (const member of members) {
      files[member] = await fileChecksum(path.join(staged, member));
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      hubVersion: hubVersion(),
      createdAt: createdAt.toISOString(),
      migration: migrations[migrations.length - 1],
      schoolName: options.schoolName,
      settings: settingsToKeep(env),
      aupFile,
      files,
    };
    fs.writeFileSync(path.join(staged, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: 0o600,
    });
    const archive = path.join(work, 'backup.tar.gz');
    await writeArchive(staged, [MANIFEST_NAME, ...members], archive);
    placeArchive(archive, target, options.force);
    return { file: target, bytes: fs.statSync(target).size, manifest, warnings };
  } catch (error) {
    // What is read was said above; what fails now is writing in the work folder: the folder
    // the person chose, full or read-only.
    if (isFileSystemError(error)) {
      throw new BackupRefusedError(
        `Cannot write the backup in ${folder}: ${fileSystemRefusal(error, { path: folder, use: 'write' })}`,
      );
    }
    throw error;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
