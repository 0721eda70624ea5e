// File steps the photo ingest repeats: hashing a file without holding it in memory, flushing a
// file and its folder to disk, and moving one into place so that a crash leaves either the old
// state or the new one, never half a file (issue 14).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Lowercase hex SHA-256 of a file, read as a stream in 1 MiB chunks: a 4 MB photo is 4 reads
 * through the thread pool instead of 64 (bench:photos; each read costs a round trip through the
 * event loop), and hashing 1 MiB holds the loop for about 2 ms. @throws the read's error
 */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** The first `length` bytes of a file (fewer if it is shorter). */
export async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Flushes a file's data to disk (fsync). */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (a rename into it) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Whether a path exists (any kind of entry). */
export async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return false;
    }
    throw error;
  }
}

/** Deletes a file if it is there. */
export async function removeIfThere(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

/**
 * Renames `from` to `to` (same file system) and flushes the destination folder, so the move
 * survives a crash.
 */
export async function durableRename(from: string, to: string): Promise<void> {
  await fs.rename(from, to);
  await fsyncDir(path.dirname(to));
}
