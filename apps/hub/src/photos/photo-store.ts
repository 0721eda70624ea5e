// The school's store (HUB_STORE_DIR, issue 14): a mounted share that can be unmounted, full or
// read-only. Writes go through a temporary file in the target folder that is flushed, renamed
// into place and then its folder flushed, so a photo in the store is always whole. Whether the
// store takes writes is found out by writing, the only test that a read-only mount, a full disk
// and a missing share all fail in the same way as the real write would.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { PhotoStoreProblem } from '@app/hub-api';
import { fileSystemRefusal } from '../common/file-system-refusal';
import { PRIVATE_DIR_MODE } from '../config/data-dir';
import {
  durableRename,
  exists,
  fsyncDir,
  fsyncFile,
  removeIfThere,
  sha256OfFile,
} from './photo-files';

/** The file a store the hub has written to carries: a share that is not mounted lacks it. */
export const STORE_MARKER = '.classroom-hub-store';

/**
 * The store could not be written; `problem` says why as far as the error tells, for the API, and
 * the message says it in words for the log (fileSystemRefusal), after the store's path.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    readonly problem: PhotoStoreProblem,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a failed file-system call means for the store: read-only (EROFS, EACCES, EPERM: a
 * read-only mount, permissions, an immutable folder), full (ENOSPC, EDQUOT), missing (ENOENT,
 * ENOTDIR, ENODEV, ESTALE, EHOSTDOWN: unmounted or gone) or another error.
 */
export function storeProblemOf(error: unknown): PhotoStoreProblem {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (['EROFS', 'EACCES', 'EPERM'].includes(code)) {
    return 'read_only';
  }
  if (['ENOSPC', 'EDQUOT'].includes(code)) {
    return 'full';
  }
  if (['ENOENT', 'ENOTDIR', 'ENODEV', 'ESTALE', 'EHOSTDOWN', 'ENOTCONN'].includes(code)) {
    return 'missing';
  }
  return 'error';
}

/** Where a photo ended up: written now, or already there with the same bytes (a repeat). */
export interface StoreWriteOutcome {
  result: 'written' | 'already_there';
  /** The stored name used: the first of the names offered that was free or held these bytes. */
  name: string;
  /** SHA-256 (lowercase hex) and size in bytes of the stored file. */
  sha256: string;
  sizeBytes: number;
}

/** Every name offered already holds a different file. */
export class StoreNameTakenError extends Error {
  override readonly name = 'StoreNameTakenError';
}

/**
 * Writes a file at `temporary` (a path that does not exist yet, in the target folder): a copy of
 * a file, or exiftool's stripped output. @throws the producer's own error
 */
export type StoreFileProducer = (temporary: string) => Promise<void>;

export class PhotoStore {
  /**
   * @param root HUB_STORE_DIR
   * @param createRoot whether the hub may create `root` (the default store under the data dir);
   *   an explicit HUB_STORE_DIR is a mount point the hub never creates, so an unmounted share is
   *   not silently replaced by a local folder
   */
  constructor(
    readonly root: string,
    private readonly createRoot: boolean,
  ) {}

  /**
   * Checks the store takes a write: its root is there (made if the hub owns it), it carries the
   * marker once the hub has stored anything (`expectMarker`), and a small file can be written,
   * flushed and removed.
   *
   * @returns null when available, or why not (its `problem`, and its message in words)
   */
  async probe(expectMarker: boolean): Promise<StoreUnavailableError | null> {
    try {
      await this.ensureRoot(expectMarker);
      const probe = path.join(this.root, `.probe-${crypto.randomUUID()}`);
      try {
        await fs.writeFile(probe, 'probe');
        await fsyncFile(probe);
      } finally {
        await removeIfThere(probe).catch(() => undefined);
      }
      return null;
    } catch (error) {
      return error instanceof StoreUnavailableError ? error : this.unavailable(error);
    }
  }

  /** A failure of the file system in the store, with its problem and why, in words. */
  private unavailable(error: unknown): StoreUnavailableError {
    return new StoreUnavailableError(
      storeProblemOf(error),
      fileSystemRefusal(error, { path: this.root, use: 'write' }),
    );
  }

  /**
   * Puts a photo into the store: `produce` writes it as a temporary file in the target folder
   * (exiftool writes its stripped output there directly, so the bytes cross to the share once),
   * which is flushed, hashed, and renamed to the first of `names` (relative, `/` separators, all
   * in one folder) that is free; a name already holding the same SHA-256 is taken as this photo
   * written before (a repeat after a crash between the rename and the receipt) and the
   * temporary file goes. Then the folder is flushed.
   *
   * @throws StoreUnavailableError when the store cannot be written (the caller keeps the photo
   *   staged and tries again later); StoreNameTakenError when every name holds another file; the
   *   producer's own error when the store is writable but `produce` failed (a damaged picture)
   */
  async write(
    names: readonly string[],
    produce: StoreFileProducer,
    expectMarker: boolean,
  ): Promise<StoreWriteOutcome> {
    const dir = path.dirname(this.pathOf(names[0]));
    // Hidden, and ending in the photo's own extension, which exiftool's `-o` goes by.
    const extension = path.extname(names[0]);
    const temporary = path.join(
      dir,
      `.${path.basename(names[0], extension)}.${crypto.randomUUID()}.partial${extension}`,
    );
    let producerError: unknown = null;
    try {
      await this.ensureRoot(expectMarker);
      // Folders the hub makes are private, as the data dir is (issue 8 item 15): pictures of pupils.
      await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      try {
        await produce(temporary);
      } catch (error) {
        // exiftool says only that it could not write: a read-only or full store, or a damaged
        // picture. The store's own probe tells the two apart.
        const unavailable = await this.probe(expectMarker);
        if (unavailable) {
          throw unavailable;
        }
        producerError = error;
        throw error;
      }
      await fsyncFile(temporary);
      const sha256 = await sha256OfFile(temporary);
      const { size } = await fs.stat(temporary);
      for (const name of names) {
        const target = this.pathOf(name);
        if (await exists(target)) {
          if ((await sha256OfFile(target)) === sha256) {
            await removeIfThere(temporary);
            return { result: 'already_there', name, sha256, sizeBytes: size };
          }
          continue;
        }
        await durableRename(temporary, target);
        if (!expectMarker) {
          await this.writeMarker();
        }
        return { result: 'written', name, sha256, sizeBytes: size };
      }
      await removeIfThere(temporary);
      throw new StoreNameTakenError(`the store already has different files at ${names.join(', ')}`);
    } catch (error) {
      await removeIfThere(temporary).catch(() => undefined);
      if (
        error === producerError ||
        error instanceof StoreUnavailableError ||
        error instanceof StoreNameTakenError
      ) {
        throw error;
      }
      throw this.unavailable(error);
    }
  }

  /**
   * Whether the store can be read now: its root carries the marker written with the first stored
   * photo. A stored photo's file missing while this holds was moved or deleted in the store
   * itself; while it does not hold, the share is away (unmounted, unreachable).
   */
  async readable(): Promise<boolean> {
    return exists(path.join(this.root, STORE_MARKER)).catch(() => false);
  }

  /** The absolute path of a stored name. */
  pathOf(name: string): string {
    return path.join(this.root, ...name.split('/'));
  }

  private async ensureRoot(expectMarker: boolean): Promise<void> {
    if (this.createRoot) {
      await fs.mkdir(this.root, { recursive: true, mode: PRIVATE_DIR_MODE });
    }
    const stat = await fs.stat(this.root).catch((error: unknown) => {
      throw (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? new StoreUnavailableError('missing', 'there is no folder there: is the share mounted?')
        : this.unavailable(error);
    });
    if (!stat.isDirectory()) {
      throw new StoreUnavailableError('missing', 'it is a file, not a folder');
    }
    if (expectMarker && !(await exists(path.join(this.root, STORE_MARKER)))) {
      throw new StoreUnavailableError(
        'missing',
        `the store lacks its ${STORE_MARKER} file: is the share mounted?`,
      );
    }
  }

  private async writeMarker(): Promise<void> {
    const marker = path.join(this.root, STORE_MARKER);
    if (!(await exists(marker))) {
      await fs.writeFile(
        marker,
        'This folder is the classroom hub photo store. Do not delete this file.\n',
      );
      await fsyncFile(marker);
      await fsyncDir(this.root);
    }
  }
}
