// Why the file system refused a path the school gave (a HUB_* setting, a file named on the admin
// command line), in words that say what to do: the person reads "this user (hub) may not read
// it: give hub read permission on it", never the system's "EACCES: permission denied, open …",
// which reads like a fault of the file, or a SQLite code that names no file at all. One helper
// for the hub's start and every admin command, so a permission, a missing path, a folder where a
// file belongs (or the reverse) and a full disk are said the same way wherever they are met.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A path the command or the hub cannot use, said in one line for the person at the shell. */
export class PathRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathRefusedError';
  }
}

/** What was being done with the path: the same errno asks for a different fix. */
export type PathUse = 'read' | 'write';

/** SQLite's codes that are the file system's, not the database's, with the errno they mean. */
const SQLITE_AS_ERRNO: Record<string, string> = { SQLITE_FULL: 'ENOSPC' };

/**
 * A failed system call as Node reports it (an errno code: EACCES, ENOSPC…), or SQLite's
 * SQLITE_FULL; not SQLite's other codes, tar's or zlib's, which say what is wrong with a file's
 * contents. Callers use it where only the file system can have failed.
 */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^E[A-Z0-9]+$/.test(code) || code in SQLITE_AS_ERRNO);
}

let userName: string | undefined;

/** The name of the user this process runs as (the hub's user, or whoever ran the command). */
function thisUser(): string {
  if (userName === undefined) {
    try {
      userName = os.userInfo().username;
    } catch {
      userName = `uid ${process.getuid?.() ?? '?'}`;
    }
  }
  return userName;
}

/** `file` and the folders above it, outermost first. */
function pathsDownTo(file: string): string[] {
  const paths: string[] = [];
  for (let at = path.resolve(file); ; at = path.dirname(at)) {
    paths.unshift(at);
    if (path.dirname(at) === at) {
      return paths;
    }
  }
}

/** The first folder above `file` this user may not go into (no search permission), if any. */
function closedFolderAbove(file: string): string | undefined {
  return pathsDownTo(file)
    .slice(0, -1)
    .find((folder) => {
      try {
        fs.accessSync(folder, fs.constants.X_OK);
        return false;
      } catch (error) {
        return ['EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '');
      }
    });
}

/** What is at `at`: 'missing' (or not to be seen), 'folder', or 'file' (anything else). */
function kindAt(at: string): 'missing' | 'folder' | 'file' {
  try {
    return fs.statSync(at).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

/** The first path at or above `file` that exists and is not a folder, other than `file` itself. */
function fileInThePath(file: string): string | undefined {
  return pathsDownTo(file)
    .slice(0, -1)
    .find((at) => kindAt(at) === 'file');
}

/**
 * Why the file system refused `options.path` (by default the path in the error), in words for
 * the person who gave it: a reason to put after the path, as in
 * `Cannot read the backup file /srv/hub.tar.gz: ${reason}`. Finds out which folder above the
 * path is closed to this user, or which part of it is a file, so the person is told the one
 * thing to change.
 *
 * @param error what `fs` (or SQLite, for SQLITE_FULL) threw
 * @param options.path the path the person gave, or the folder something was being made in
 * @param options.use whether it was being read or written: "may not read it", or "may not write
 *   it" (a file that is there) and "may not write in <folder>" (the folder it goes in)
 */
export function fileSystemRefusal(
  error: unknown,
  options: { path?: string; use?: PathUse } = {},
): string {
  const failed = error as NodeJS.ErrnoException;
  const code = SQLITE_AS_ERRNO[failed.code ?? ''] ?? failed.code;
  const given = options.path ?? failed.path;
  const at = given === undefined ? undefined : path.resolve(given);
  const user = thisUser();
  switch (code) {
    case 'EACCES':
    case 'EPERM': {
      if (code === 'EPERM' && ['chmod', 'chown', 'utime'].includes(failed.syscall ?? '')) {
        return `it belongs to another user than ${user}, the user this runs as: give it to ${user} (chown)`;
      }
      const closed = at === undefined ? undefined : closedFolderAbove(at);
      if (closed !== undefined) {
        return `this user (${user}) may not open the folder ${closed}: give ${user} permission to open it`;
      }
      if (options.use === 'read') {
        return `this user (${user}) may not read it: give ${user} read permission on it`;
      }
      // A file is written in place only if it is there; otherwise the folder it goes in is.
      const written =
        at === undefined
          ? undefined
          : pathsDownTo(at)
              .reverse()
              .find((above) => kindAt(above) !== 'missing');
      return written === undefined || (written === at && kindAt(at) === 'file')
        ? `this user (${user}) may not write it: give ${user} write permission on it`
        : `this user (${user}) may not write in ${written}: give ${user} write permission on it`;
    }
    case 'ENOENT': {
      const missing =
        at === undefined
          ? undefined
          : pathsDownTo(at)
              .slice(0, -1)
              .find((folder) => kindAt(folder) === 'missing');
      if (missing !== undefined) {
        return `there is no folder ${missing}`;
      }
      return options.use === 'read' ? 'there is no file there' : 'there is nothing there';
    }
    case 'ENOTDIR':
    case 'EEXIST': {
      const file = at === undefined ? undefined : fileInThePath(at);
      return file === undefined ? 'it is a file, not a folder' : `${file} is a file, not a folder`;
    }
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOSPC':
      return 'the disk it is on is full: free some space there';
    case 'EDQUOT':
      return `the disk quota of ${user} is used up there`;
    case 'EROFS':
      return 'its file system is read-only';
    default:
      return code ? `the system refused (${code})` : String(error);
  }
}

/**
 * What is at `file`, or undefined when nothing is there (ENOENT). Any other failure, such as a
 * folder above it this user may not open or a file where a folder should be, is thrown for the
 * caller to say with `fileSystemRefusal`: it is not "nothing there", and saying so would send the
 * person looking for a file that exists.
 */
export function statIfAny(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

/**
 * Runs `work`, which reads or writes `file`, and says a failure of the file system there in
 * words: "Cannot <use> <named>: <reason>".
 *
 * @param named what the refusal calls it, path included: "the hub CA file /srv/hub/ca/ca.key.pem"
 * @param refuse makes the error from "cannot <use> <named>: <reason>" (a ConfigError naming a
 *   setting, at the hub's start); by default a PathRefusedError saying it as a sentence
 * @throws the refusal for a failure of the file system; anything else as `work` threw it
 */
export function refusingPath<T>(
  use: PathUse,
  named: string,
  file: string,
  work: () => T,
  // The problem as a sentence: "Cannot read …".
  refuse: (problem: string) => Error = (problem) => new PathRefusedError(`C${problem.slice(1)}`),
): T {
  try {
    return work();
  } catch (error) {
    if (isFileSystemError(error)) {
      throw refuse(`cannot ${use} ${named}: ${fileSystemRefusal(error, { path: file, use })}`);
    }
    throw error;
  }
}

/**
 * Checks that `file` is a file this user may read, before a library that would say less opens
 * it: SQLite says only SQLITE_CANTOPEN, naming no file, and takes a folder for a damaged
 * database; tar's EACCES would read as a damaged backup.
 *
 * @param named what the refusal calls the file: "the hub database /srv/hub/hub.sqlite"
 * @returns false when there is nothing at `file`
 * @throws PathRefusedError "Cannot read <named>: <reason>" for anything else that stops it
 */
export function checkFileToOpen(file: string, named: string): boolean {
  return refusingPath('read', named, file, () => {
    const found = statIfAny(file);
    if (found?.isDirectory()) {
      throw Object.assign(new Error(`${file} is a folder`), { code: 'EISDIR' });
    }
    if (found) {
      fs.closeSync(fs.openSync(file, 'r'));
    }
    return found !== undefined;
  });
}

/**
 * Makes a private work folder (0700) in `folder`, for a backup, a restore or a copy: beside what
 * it makes, on the same file system, never a shared /tmp.
 *
 * @param doing what the refusal says could not be done there ("write the backup")
 * @throws PathRefusedError naming `folder`, the one the person chose, never the work folder's
 *   mkdtemp template, when it cannot be made
 */
export function makeWorkFolder(folder: string, prefix: string, doing: string): string {
  try {
    return fs.mkdtempSync(path.join(folder, prefix));
  } catch (error) {
    throw new PathRefusedError(
      `Cannot ${doing} in ${folder}: ${fileSystemRefusal(error, { path: folder, use: 'write' })}`,
    );
  }
}
