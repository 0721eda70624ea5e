import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PhotoStore, STORE_MARKER, StoreNameTakenError } from './photo-store';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Every file under `dir`, relative, hidden ones included. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('PhotoStore.write', () => {
  let root: string;
  let store: PhotoStore;
  const names = [
    '2026/2026-06-12/CAM-1-101500-abcd1234.jpg',
    '2026/2026-06-12/CAM-1-101500-abcd1234ff.jpg',
  ];
  const bytes = Buffer.from('a stripped photo');
  const produce = (data: Buffer) => async (temporary: string) => {
    fs.writeFileSync(temporary, data, { flag: 'wx' });
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'photo-store-'));
    store = new PhotoStore(root, false);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('puts the produced file at the first name, with its hash and size, and marks the store', async () => {
    const outcome = await store.write(names, produce(bytes), false);
    expect(outcome).toEqual({
      result: 'written',
      name: names[0],
      sha256: sha256(bytes),
      sizeBytes: bytes.length,
    });
    expect(fs.readFileSync(store.pathOf(names[0]))).toEqual(bytes);
    expect(filesUnder(root)).toEqual([STORE_MARKER, names[0]].sort());
  });

  it('takes the same bytes already at the name as written before, and leaves no temporary file', async () => {
    await store.write(names, produce(bytes), false);
    const again = await store.write(names, produce(bytes), true);
    expect(again).toMatchObject({ result: 'already_there', name: names[0], sha256: sha256(bytes) });
    expect(filesUnder(root)).toEqual([STORE_MARKER, names[0]].sort());
  });

  it('uses the next name when the first holds a different file, and refuses when all do', async () => {
    await store.write(names, produce(Buffer.from('another photo')), false);
    const second = await store.write(names, produce(bytes), true);
    expect(second).toMatchObject({ result: 'written', name: names[1] });
    await expect(
      store.write(names, produce(Buffer.from('a third photo')), true),
    ).rejects.toBeInstanceOf(StoreNameTakenError);
    expect(filesUnder(root)).toEqual([STORE_MARKER, ...names].sort());
  });

  it("passes on the producer's own error on a writable store (a damaged picture), leaving nothing", async () => {
    const damaged = new Error('exiftool: Not a valid JPG');
    await expect(
      store.write(
        names,
        async (temporary) => {
          fs.writeFileSync(temporary, 'half');
          throw damaged;
        },
        false,
      ),
    ).rejects.toBe(damaged);
    expect(filesUnder(root)).toEqual([]);
  });
});
