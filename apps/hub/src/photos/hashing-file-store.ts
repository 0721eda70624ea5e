// tus's file store (@tus/file-store), with two things added on the way to the disk (issue 14,
// bench:photos): each upload's SHA-256 is worked out as its bytes arrive, so a completed photo
// is not read back to be hashed, and the socket's 64 KiB pieces are gathered into 1 MiB writes,
// so a 4 MB photo is 4 writes through the thread pool instead of about 64.
import { createHash, type Hash } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';

/** Bytes gathered before each write to the upload's file. */
export const UPLOAD_WRITE_BYTES = 1 << 20;

/** An upload's hash so far: of its bytes 0 to `bytes` (exclusive), all of them on disk. */
interface RunningDigest {
  hash: Hash;
  bytes: number;
}

/**
 * Passes bytes on in pieces of at least `size` bytes (the last may be shorter), feeding each
 * byte to `hash` (if given) in order as it goes.
 */
class GatheringHasher extends Transform {
  private pieces: Buffer[] = [];
  private gathered = 0;
  bytes = 0;

  constructor(
    private readonly size: number,
    private readonly hash: Hash | null,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.hash?.update(chunk);
    this.bytes += chunk.length;
    this.pieces.push(chunk);
    this.gathered += chunk.length;
    if (this.gathered >= this.size) {
      this.pushGathered();
    }
    done();
  }

  override _flush(done: () => void): void {
    this.pushGathered();
    done();
  }

  private pushGathered(): void {
    if (this.gathered > 0) {
      this.push(this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces));
      this.pieces = [];
      this.gathered = 0;
    }
  }
}

/**
 * A FileStore (tus 1.0.0 uploads as files in `directory`) that keeps each upload's SHA-256 as it
 * is written. The hash is only ever of bytes that reached the file in order from 0: a PATCH
 * that fails part way, a PATCH at an offset the hash has not reached (a hub restarted mid-upload)
 * or any other gap forgets it, and `takeDigest` then answers undefined (the caller reads the
 * file instead).
 */
export class HashingFileStore extends FileStore {
  private readonly digests = new Map<string, RunningDigest>();

  /**
   * Writes a PATCH's bytes at `offset`, as FileStore does, in 1 MiB writes.
   *
   * @returns the upload's offset after the write (bytes)
   * @throws FileStore's write error (tus answers 500 and the client resumes from HEAD)
   */
  override write(readable: Readable, id: string, offset: number): Promise<number> {
    const known = this.digests.get(id);
    this.digests.delete(id);
    const digest: RunningDigest | null =
      offset === 0
        ? { hash: createHash('sha256'), bytes: 0 }
        : known?.bytes === offset
          ? known
          : null;
    const gatherer = new GatheringHasher(UPLOAD_WRITE_BYTES, digest?.hash ?? null);
    // An error of the request destroys the gatherer with it, and so fails FileStore's write.
    const input = pipeline(readable, gatherer, () => undefined);
    return super.write(input, id, offset).then((written) => {
      if (digest && written === offset + gatherer.bytes) {
        this.digests.set(id, { hash: digest.hash, bytes: written });
      }
      return written;
    });
  }

  /**
   * The SHA-256 (lowercase hex) of an upload's first `size` bytes if they were all hashed as
   * they arrived; forgets it either way. Undefined when not (read the file instead).
   */
  takeDigest(id: string, size: number): string | undefined {
    const digest = this.digests.get(id);
    this.digests.delete(id);
    return digest?.bytes === size ? digest.hash.digest('hex') : undefined;
  }

  /** Forgets an upload's running hash (the upload was discarded). */
  forget(id: string): void {
    this.digests.delete(id);
  }
}
