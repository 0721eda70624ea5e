import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mayDeletePhoto, PhotoSync } from './photo-sync';

// The module photo-sync reads files through, to count the headers it opens.
const fsPromises = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');

describe('mayDeletePhoto', () => {
  const sha = 'ab'.repeat(32);
  const receipt = { sha256: sha, storedAt: '2026-06-12T10:00:00Z', storedSha256: 'cd'.repeat(32) };

  it('allows deleting only with a receipt for exactly this file', () => {
    expect(mayDeletePhoto(sha, receipt)).toBe(true);
    expect(mayDeletePhoto(sha, null)).toBe(false);
    expect(mayDeletePhoto('ef'.repeat(32), receipt)).toBe(false);
    expect(mayDeletePhoto(sha, { ...receipt, sha256: sha.toUpperCase() })).toBe(false);
  });
});

describe(PhotoSync.name, () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'photo-sync-spec-'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it('counts as waiting only the pictures it will send, and says once why a file is not sent', async () => {
    // A trip laptop's folder: a JPEG, and two files named like pictures that are not (a document
    // renamed .jpg, a copy cut short to nothing), settled (older than the camera-import wait).
    const dir = path.join(work, 'photos');
    fs.mkdirSync(dir);
    const jpeg = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(64)]);
    fs.writeFileSync(path.join(dir, 'IMG_0001.jpg'), jpeg);
    fs.writeFileSync(path.join(dir, 'IMG_0002.jpg'), 'Year 4 letter home\n');
    fs.writeFileSync(path.join(dir, 'IMG_0003.png'), '');
    // Oldest first, as a pass goes; the JPEG last, so the pass reaches the others before it
    // finds the hub away.
    ['IMG_0002.jpg', 'IMG_0003.png', 'IMG_0001.jpg'].forEach((name, index) => {
      const settled = new Date(Date.now() - 60_000 + index * 1000);
      fs.utimesSync(path.join(dir, name), settled, settled);
    });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const lines: string[] = [];
    const sync = new PhotoSync({
      // A hub that cannot be reached: the JPEG waits on the device.
      device: { hubUrl: 'http://127.0.0.1:9', deviceId: 'device-1', privateKeyPem: privateKey },
      dir,
      stateDir: work,
      deleteAfterUpload: true,
      retryDelays: [],
      idleTimeoutMs: 2000,
      intervalMs: 60_000,
      log: (line) => lines.push(line),
    });
    await sync.start();
    try {
      await sync.syncNow();
      await sync.syncNow();
      expect(sync.pendingPhotos).toBe(1);
      expect(lines.filter((line) => line.includes('not a JPEG, PNG or HEIC picture'))).toEqual([
        'photo sync: IMG_0002.jpg is not a JPEG, PNG or HEIC picture: not sent',
        'photo sync: IMG_0003.png is not a JPEG, PNG or HEIC picture: not sent',
      ]);
    } finally {
      await sync.stop();
    }
  });

  it("reads a waiting picture's header once, and again only when the file changes", async () => {
    // A trip camera's folder, deleting after upload so that every picture in it waits: two
    // JPEGs and a document named like one. The hub cannot be reached, so each pass counts again.
    const dir = path.join(work, 'photos');
    fs.mkdirSync(dir);
    const jpeg = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(64)]);
    const letter = Buffer.alloc(jpeg.length, 'Year 4 letter home\n');
    fs.writeFileSync(path.join(dir, 'IMG_0001.jpg'), jpeg);
    fs.writeFileSync(path.join(dir, 'IMG_0002.jpg'), jpeg);
    fs.writeFileSync(path.join(dir, 'IMG_0003.jpg'), letter);
    const settled = new Date(Date.now() - 60_000);
    for (const name of ['IMG_0001.jpg', 'IMG_0002.jpg', 'IMG_0003.jpg']) {
      fs.utimesSync(path.join(dir, name), settled, settled);
    }
    const opened: string[] = [];
    const realOpen = fsPromises.open;
    const open = jest.spyOn(fsPromises, 'open').mockImplementation((file, ...rest) => {
      if (String(file).startsWith(dir)) {
        opened.push(path.basename(String(file)));
      }
      return realOpen(file, ...rest);
    });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sync = new PhotoSync({
      device: { hubUrl: 'http://127.0.0.1:9', deviceId: 'device-1', privateKeyPem: privateKey },
      dir,
      stateDir: work,
      deleteAfterUpload: true,
      retryDelays: [],
      idleTimeoutMs: 2000,
      intervalMs: 60_000,
    });
    /** Two passes (each counts), then what it reports and the headers it read meanwhile. */
    const countTwice = async () => {
      opened.length = 0;
      await sync.syncNow();
      await sync.syncNow();
      return { pendingPhotos: sync.pendingPhotos, headersRead: [...opened].sort() };
    };
    await sync.start();
    try {
      expect(await countTwice()).toEqual({ pendingPhotos: 2, headersRead: [] });

      // The document becomes a picture of the same size, its times kept as they were (a copy
      // that keeps times): read again, and counted.
      fs.writeFileSync(path.join(dir, 'IMG_0003.jpg'), jpeg);
      fs.utimesSync(path.join(dir, 'IMG_0003.jpg'), settled, settled);
      expect(await countTwice()).toEqual({ pendingPhotos: 3, headersRead: ['IMG_0003.jpg'] });

      // A picture replaced by a document of the same size under its name (a new file): read
      // again, and no longer counted; one gone is no longer counted, with nothing to read.
      fs.writeFileSync(path.join(dir, 'next.tmp'), letter);
      fs.utimesSync(path.join(dir, 'next.tmp'), settled, settled);
      fs.renameSync(path.join(dir, 'next.tmp'), path.join(dir, 'IMG_0002.jpg'));
      fs.unlinkSync(path.join(dir, 'IMG_0001.jpg'));
      expect(await countTwice()).toEqual({ pendingPhotos: 1, headersRead: ['IMG_0002.jpg'] });
    } finally {
      await sync.stop();
      open.mockRestore();
    }
  });
});
