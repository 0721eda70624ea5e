// The backup file: one gzipped tar (made and read with the `tar` package) holding the database,
// the CA folder, the AUP file's text if the hub has one, and manifest.json, which says what the
// backup is and gives each member's SHA-256 so that restore can tell a damaged file.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { isFileSystemError } from '../common/file-system-refusal';
import type { AppliedMigration } from './sqlite-file';

export const MANIFEST_NAME = 'manifest.json';
export const DATABASE_MEMBER = 'hub.sqlite';
export const CA_FOLDER = 'ca';
export const AUP_MEMBER = 'aup.txt';
/** What `format` says in every manifest this hub writes. */
export const BACKUP_FORMAT = 'classroom-device-hub-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** One member's checksum, as the manifest lists it. */
export interface ManifestFile {
  sha256: string;
  bytes: number;
}

/** manifest.json: what a restore checks and what it tells the person restoring. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  /** The hub's package version that made the backup. */
  hubVersion: string;
  /** When the copy of the database finished (ISO 8601, UTC). */
  createdAt: string;
  /** The newest migration the database had: its timestamp (the level) and class name. */
  migration: AppliedMigration;
  /** HUB_SCHOOL_NAME when it was set, otherwise null. */
  schoolName: string | null;
  /** The HUB_* settings the hub was given, leaving out secrets (any name with PASSWORD, SECRET or TOKEN). */
  settings: Record<string, string>;
  /** Where HUB_AUP_FILE pointed, when its text is in the backup as aup.txt. */
  aupFile: string | null;
  /** Every other member, by its path in the archive, with its SHA-256 and size. */
  files: Record<string, ManifestFile>;
}

/** Thrown when a backup file cannot be used: unreadable, damaged, or not a hub backup. */
export class BadBackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadBackupError';
  }
}

/** A file's SHA-256 (hex) and size, read as a stream so a large database is not held in memory. */
export async function fileChecksum(file: string): Promise<ManifestFile> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** The file paths a backup may hold (and the ca/ folder): anything else is refused, never written. */
export function isBackupMember(member: string): boolean {
  return (
    member === MANIFEST_NAME ||
    member === DATABASE_MEMBER ||
    member === AUP_MEMBER ||
    /^ca\/[A-Za-z0-9][A-Za-z0-9._-]*$/.test(member)
  );
}

/**
 * Writes the gzipped tar of `members` (paths relative to `folder`) to `target`, a file that must
 * not exist yet, created with mode 0600: it holds password hashes, Wi-Fi passwords and the CA key.
 */
export async function writeArchive(
  folder: string,
  members: string[],
  target: string,
): Promise<void> {
  const out = fs.createWriteStream(target, { flags: 'wx', mode: 0o600 });
  // portable: no owner names, user ids or ctimes of the server in the archive.
  await pipeline(tar.create({ gzip: true, cwd: folder, portable: true }, members), out);
  fs.chmodSync(target, 0o600);
}

/**
 * Unpacks a backup into `folder` (new, private) and returns its manifest once every member has
 * been checked against it: each listed file present with its SHA-256, nothing unlisted, only
 * plain files and folders at the paths a backup has.
 *
 * @throws BadBackupError naming what is wrong (not gzip/tar, no manifest, a member missing,
 *   changed or unexpected); the file system's own error (ENOSPC, EACCES…) when `folder` cannot
 *   be written, which says nothing about the backup
 */
export async function unpackArchive(file: string, folder: string): Promise<BackupManifest> {
  const refused: string[] = [];
  try {
    await tar.extract({
      file,
      cwd: folder,
      strict: true,
      noChmod: true,
      preserveOwner: false,
      filter: (member, entry) => {
        // `tar -C folder .` by hand names members ./hub.sqlite and has a ./ folder: allowed.
        const name = member.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
        const type = 'type' in entry ? entry.type : entry.isDirectory() ? 'Directory' : 'File';
        const isFolder =
          type === 'Directory' && (name === CA_FOLDER || name === '' || name === '.');
        const ok = isFolder || (isBackupMember(name) && (type === 'File' || type === 'OldFile'));
        if (!ok) {
          refused.push(member);
        }
        return ok;
      },
    });
  } catch (error) {
    // A disk that is full or refuses to be written is not a damaged backup: the caller says it.
    if (isFileSystemError(error)) {
      throw error;
    }
    // The reason may name where it was being unpacked: a work folder the person never named.
    const reason = (error instanceof Error ? error.message : String(error))
      .split(`${folder}${path.sep}`)
      .join('')
      .split(folder)
      .join('the backup');
    throw new BadBackupError(`${file} is not a readable backup (a gzipped tar): ${reason}`);
  }
  if (refused.length > 0) {
    throw new BadBackupError(
      `${file} holds things a hub backup does not: ${refused.slice(0, 5).join(', ')}`,
    );
  }
  const manifest = readManifest(file, folder);
  const found = listFiles(folder).filter((name) => name !== MANIFEST_NAME);
  const listed = Object.keys(manifest.files);
  const unlisted = found.filter((name) => !listed.includes(name));
  if (unlisted.length > 0) {
    throw new BadBackupError(
      `${file} holds files its manifest does not list: ${unlisted.join(', ')}`,
    );
  }
  for (const name of listed) {
    const member = path.join(folder, name);
    if (!fs.existsSync(member)) {
      throw new BadBackupError(`${file} is missing ${name}, which its manifest lists`);
    }
    const actual = await fileChecksum(member);
    if (
      actual.sha256 !== manifest.files[name].sha256 ||
      actual.bytes !== manifest.files[name].bytes
    ) {
      throw new BadBackupError(
        `${file} is damaged or was changed: ${name} does not match the SHA-256 in its manifest`,
      );
    }
  }
  for (const required of [DATABASE_MEMBER, `${CA_FOLDER}/ca.key.pem`, `${CA_FOLDER}/ca.cert.pem`]) {
    if (!listed.includes(required)) {
      throw new BadBackupError(`${file} has no ${required}: it is not a whole hub backup`);
    }
  }
  if ((manifest.aupFile === null) !== !listed.includes(AUP_MEMBER)) {
    throw new BadBackupError(`${file}: its manifest and its ${AUP_MEMBER} disagree`);
  }
  return manifest;
}

function listFiles(folder: string, prefix = ''): string[] {
  const names: string[] = [];
  for (const entry of fs.readdirSync(path.join(folder, prefix), { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      names.push(...listFiles(folder, name));
    } else {
      names.push(name);
    }
  }
  return names;
}

function readManifest(file: string, folder: string): BackupManifest {
  const where = path.join(folder, MANIFEST_NAME);
  if (!fs.existsSync(where)) {
    throw new BadBackupError(`${file} has no ${MANIFEST_NAME}: it is not a hub backup`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(where, 'utf8'));
  } catch {
    throw new BadBackupError(`${file}: its ${MANIFEST_NAME} is not JSON`);
  }
  const manifest = parsed as Partial<BackupManifest> | null;
  const isText = (value: unknown) => typeof value === 'string';
  if (
    !manifest ||
    typeof manifest !== 'object' ||
    manifest.format !== BACKUP_FORMAT ||
    typeof manifest.formatVersion !== 'number' ||
    !isText(manifest.hubVersion) ||
    !isText(manifest.createdAt) ||
    !manifest.migration ||
    typeof manifest.migration.timestamp !== 'number' ||
    !isText(manifest.migration.name) ||
    !(manifest.schoolName === null || isText(manifest.schoolName)) ||
    !(manifest.aupFile === null || isText(manifest.aupFile)) ||
    !manifest.settings ||
    typeof manifest.settings !== 'object' ||
    !manifest.files ||
    typeof manifest.files !== 'object'
  ) {
    throw new BadBackupError(`${file}: its ${MANIFEST_NAME} is not a hub backup's manifest`);
  }
  if (manifest.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new BadBackupError(
      `${file} was made by a newer hub (backup format ${manifest.formatVersion}); this hub reads format ${BACKUP_FORMAT_VERSION}`,
    );
  }
  for (const [name, entry] of Object.entries(manifest.files)) {
    if (
      !isBackupMember(name) ||
      name === MANIFEST_NAME ||
      !entry ||
      typeof entry.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(entry.sha256) ||
      typeof entry.bytes !== 'number'
    ) {
      throw new BadBackupError(`${file}: its ${MANIFEST_NAME} lists '${name}' wrongly`);
    }
  }
  return manifest as BackupManifest;
}
