import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mayDeletePhoto, PhotoSync } from './photo-sync';

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
});
