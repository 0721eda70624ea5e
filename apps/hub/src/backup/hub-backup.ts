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
import { copyLiveDatabase, readAppliedMigrations } from './sqlite-file';
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

/**
 * Why the file system refused to make or write something, in words for the person at the shell:
 * never the system's own message, which names the work folder (`.hub-backup-XXXXXX`) they never
 * chose and that is gone when they read it.
 */
export function fileSystemRefusal(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return "this user may not write there (run it as the hub's user)";
    case 'EROFS':
      return 'its file system is read-only';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'its disk is full';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'it is not a folder';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return code ? `the system refused (${code})` : String(error);
  }
}

/** What is at `file`, or undefined when nothing is (or a part of its path is not a folder). */
export function statIfAny(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Makes a private work folder (0700) in `folder`, for a backup or restore.
 *
 * @param doing what the refusal says could not be done there ("write the backup")
 * @throws BackupRefusedError naming `folder`, the one the person chose, when it cannot be made
 */
export function makeWorkFolder(folder: string, prefix: string, doing: string): string {
  try {
    return fs.mkdtempSync(path.join(folder, prefix));
  } catch (error) {
    throw new BackupRefusedError(`Cannot ${doing} in ${folder}: ${fileSystemRefusal(error)}`);
  }
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
    throw new BackupRefusedError(`Cannot write ${target}: ${fileSystemRefusal(error)}`);
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
 *   is no hub (database or CA) at these settings
 */
export async function backUpHub(
  config: HubConfig,
  env: Record<string, string | undefined>,
  file: string,
  options: { force: boolean; clock: Clock; schoolName: string | null },
): Promise<BackupResult> {
  const target = path.resolve(file);
  // A folder is never replaced, --force or not: the name of the file in it was forgotten.
  if (statIfAny(target)?.isDirectory()) {
    throw new BackupRefusedError(
      `${target} is a folder: name the backup file in it, as in ${path.join(target, 'hub.tar.gz')}`,
    );
  }
  if (!options.force && fs.existsSync(target)) {
    throw new BackupRefusedError(`${target} already exists: choose another name, or add --force`);
  }
  if (!statIfAny(path.dirname(target))?.isDirectory()) {
    throw new BackupRefusedError(
      `There is no folder ${path.dirname(target)} to write the backup in`,
    );
  }
  if (!fs.existsSync(sqliteFile(config.database))) {
    throw new BackupRefusedError(
      `There is no hub database at ${sqliteFile(config.database)}: run this with the hub's HUB_DATA_DIR (or HUB_DB)`,
    );
  }
  const caDir = config.caDir;
  if (
    !fs.existsSync(path.join(caDir, 'ca.key.pem')) ||
    !fs.existsSync(path.join(caDir, 'ca.cert.pem'))
  ) {
    throw new BackupRefusedError(`There is no hub CA in ${caDir}: has this hub ever started?`);
  }
  const warnings: string[] = [];
  // Beside the target: the same file system (the archive is linked into place) and not a
  // shared /tmp; mkdtemp makes it 0700.
  const work = makeWorkFolder(path.dirname(target), '.hub-backup-', 'write the backup');
  try {
    const staged = path.join(work, 'members');
    fs.mkdirSync(path.join(staged, CA_FOLDER), { recursive: true, mode: 0o700 });
    await copyLiveDatabase(sqliteFile(config.database), path.join(staged, DATABASE_MEMBER));
    const createdAt = options.clock.now();
    const members = [DATABASE_MEMBER];
    for (const name of caFiles(caDir)) {
      fs.copyFileSync(path.join(caDir, name), path.join(staged, CA_FOLDER, name));
      fs.chmodSync(path.join(staged, CA_FOLDER, name), 0o600);
      members.push(`${CA_FOLDER}/${name}`);
    }
    let aupFile: string | null = null;
    if (config.aupFile) {
      try {
        fs.writeFileSync(path.join(staged, AUP_MEMBER), fs.readFileSync(config.aupFile), {
          mode: 0o600,
        });
        aupFile = config.aupFile;
        members.push(AUP_MEMBER);
      } catch (error) {
        warnings.push(
          `HUB_AUP_FILE (${config.aupFile}) could not be read, so its text is not in the backup: ${(error as Error).message}`,
        );
      }
    }
    const migrations = await readAppliedMigrations(
      path.join(staged, DATABASE_MEMBER),
      `The copy of ${sqliteFile(config.database)}`,
    );
    if (migrations.length === 0) {
      throw new BackupRefusedError(
        `The database at ${sqliteFile(config.database)} has no migrations: has this hub ever started?`,
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
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
