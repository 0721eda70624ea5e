import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@tus/server';
import { HashingFileStore, UPLOAD_WRITE_BYTES } from './hashing-file-store';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A request body arriving in 64 KiB pieces, as a socket gives them. */
function body(data: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < data.length; at += 65536) {
    pieces.push(data.subarray(at, at + 65536));
  }
  return Readable.from(pieces, { objectMode: false });
}

/**
 * A request body that sends `data`, waits `ms` (its first 1 MiB reaches the file meanwhile), and
 * then breaks: a client that went away mid-PATCH.
 */
function brokenBody(data: Buffer, ms: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        for (let at = 0; at < data.length; at += 65536) {
          this.push(data.subarray(at, at + 65536));
        }
        setTimeout(() => this.destroy(new Error('client went away')), ms);
      }
    },
  });
}

describe('HashingFileStore', () => {
  let dir: string;
  const photo = randomBytes(3 * 1024 * 1024 + 12345);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hashing-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function created(store: HashingFileStore, id: string): Promise<void> {
    await store.create(new Upload({ id, size: photo.length, offset: 0 }));
  }

  it('knows the SHA-256 of an upload written in order over several PATCHes, and writes it whole', async () => {
    const store = new HashingFileStore({ directory: dir });
    await created(store, 'a');
    const half = 1_500_000;
    expect(await store.write(body(photo.subarray(0, half)), 'a', 0)).toBe(half);
    expect(await store.write(body(photo.subarray(half)), 'a', half)).toBe(photo.length);
    expect(fs.readFileSync(path.join(dir, 'a')).equals(photo)).toBe(true);
    expect(store.takeDigest('a', photo.length)).toBe(sha256(photo));
    // Taken once: asked again it is forgotten.
    expect(store.takeDigest('a', photo.length)).toBeUndefined();
  });

  it('forgets the hash when a PATCH breaks part way, so the file is read instead', async () => {
    const store = new HashingFileStore({ directory: dir });
    await created(store, 'b');
    // 1.5 MB sent, of which 1 MiB reached the file: the hash has seen more than the file holds.
    await expect(
      store.write(brokenBody(photo.subarray(0, 1_500_000), 300), 'b', 0),
    ).rejects.toBeDefined();
    const { offset } = await store.getUpload('b');
    expect(offset).toBe(UPLOAD_WRITE_BYTES);
    await store.write(body(photo.subarray(offset)), 'b', offset);
    expect(fs.readFileSync(path.join(dir, 'b')).equals(photo)).toBe(true);
    expect(store.takeDigest('b', photo.length)).toBeUndefined();
  });

  it('hashes afresh an upload resumed from 0 after a PATCH that wrote nothing', async () => {
    const store = new HashingFileStore({ directory: dir });
    await created(store, 'e');
    await expect(
      store.write(brokenBody(photo.subarray(0, 100_000), 50), 'e', 0),
    ).rejects.toBeDefined();
    expect((await store.getUpload('e')).offset).toBe(0);
    await store.write(body(photo), 'e', 0);
    expect(store.takeDigest('e', photo.length)).toBe(sha256(photo));
  });

  it('does not know an upload resumed by another hub process (no hash from offset 0)', async () => {
    const before = new HashingFileStore({ directory: dir });
    await created(before, 'c');
    await before.write(body(photo.subarray(0, 1_000_000)), 'c', 0);
    const after = new HashingFileStore({ directory: dir });
    await after.write(body(photo.subarray(1_000_000)), 'c', 1_000_000);
    expect(fs.readFileSync(path.join(dir, 'c')).equals(photo)).toBe(true);
    expect(after.takeDigest('c', photo.length)).toBeUndefined();
  });

  it('answers nothing for a size other than the bytes hashed', async () => {
    const store = new HashingFileStore({ directory: dir });
    await created(store, 'd');
    await store.write(body(photo.subarray(0, 1_000_000)), 'd', 0);
    expect(store.takeDigest('d', photo.length)).toBeUndefined();
  });
});
