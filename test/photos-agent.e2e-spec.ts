// Photo sync across crashes and from the agent (issue 14): a hub killed mid-upload, or with a
// photo waiting for its store, completes it exactly once after a restart; the agent's folder
// watcher deletes a photo only after its receipt, resumes after its own restart, queues while
// the hub is away, reports pendingPhotos and answers photos.sync.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import {
  DeviceClient,
  enrollDevice,
  fetchPhotoReceipt,
  photoSha256,
  SimulatedEnforcer,
  uploadPhoto,
  type PhotoDevice,
} from '@app/devices';
import type { DevicePhotoCounts } from '@app/hub-api';
import {
  PhotoSync,
  PhotoSyncEnforcer,
  PHOTO_JOURNAL_FILE,
} from '../apps/device-agent/src/photo-sync';
import { acceptAup, ADMIN_PASSWORD, makeDataDir } from './support/hub';
import { testKeys } from './support/devices';
import { freePort, HubProcess, killHubProcess, startHubProcess } from './support/hub-process';
import { filesUnder, makeJpeg, waitForReceipt } from './support/photos';

const ENV = { HUB_TIME_ZONE: 'Europe/London', HUB_PHOTO_STORE_RETRY_MS: '300' };

describe('photo sync across restarts, and the agent (real hub processes)', () => {
  let hub: HubProcess;
  let port: number;
  let dataDir: string;
  let storeDir: string;
  let work: string;
  let admin: string;
  let device: PhotoDevice;
  const syncs: PhotoSync[] = [];

  const until = async (check: () => boolean | Promise<boolean>, ms = 20_000, everyMs = 100) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) {
        throw new Error('timed out');
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  };
  const lockStore = () => {
    fs.chmodSync(storeDir, 0o555);
    execFileSync('chattr', ['-R', '+i', storeDir]);
  };
  const unlockStore = () => {
    execFileSync('chattr', ['-R', '-i', storeDir]);
    fs.chmodSync(storeDir, 0o755);
  };
  const restart = async () => {
    await killHubProcess(hub.child);
    hub = await startHubProcess(dataDir, port, { env: ENV });
  };
  /** The hub's exiftool processes (its children running exiftool). */
  const exiftoolsOf = (pid: number): number[] => {
    let children: string;
    try {
      children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
    } catch {
      return []; // pgrep found none
    }
    return children
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((child) => alive(child) && /exiftool/.test(cmdline(child)));
  };
  const cmdline = (pid: number) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  /** Running or sleeping: not gone, and not a zombie waiting to be reaped. */
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const writePhoto = async (dir: string, name: string, width = 1200, height = 900) => {
    const bytes = await makeJpeg(width, height);
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    // Settled: the agent leaves files alone while a camera import may still be writing them.
    const past = new Date(Date.now() - 10_000);
    fs.utimesSync(file, past, past);
    return { file, bytes, sha256: photoSha256(bytes) };
  };

  beforeAll(async () => {
    dataDir = makeDataDir();
    storeDir = path.join(dataDir, 'store');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'photos-agent-'));
    port = await freePort();
    hub = await startHubProcess(dataDir, port, { env: ENV });
    const http = request(hub.url);
    const login = await http
      .post('/api/auth/login')
      .send({ username: 'admin', password: ADMIN_PASSWORD });
    admin = login.body.accessToken as string;
    await acceptAup(http, admin);
    const token = await http
      .post('/api/enrollment-tokens')
      .set('Authorization', `Bearer ${admin}`)
      .send({});
    const keys = await testKeys();
    const identity = await enrollDevice({
      hubUrl: hub.url,
      token: token.body.token as string,
      keys,
      device: { serialNumber: `AGENT-${process.pid}`, platform: 'linux', assetTag: 'TRIP-CAM-1' },
    });
    device = { hubUrl: hub.url, deviceId: identity.deviceId, privateKeyPem: keys.privateKeyPem };
    // The store has had a photo: from now on it must carry its marker.
    const first = await makeJpeg();
    await uploadPhoto(device, {
      bytes: first,
      sha256: photoSha256(first),
      contentType: 'image/jpeg',
      takenAt: '2026-06-12T10:00:00Z',
    });
    expect(await waitForReceipt(device, photoSha256(first))).not.toBeNull();
  }, 180_000);

  afterAll(async () => {
    await Promise.all(syncs.map((sync) => sync.stop()));
    try {
      unlockStore();
    } catch {
      // already writable
    }
    await killHubProcess(hub.child);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('resumes an upload after the hub is killed mid-upload, and stores exactly one file', async () => {
    const bytes = await makeJpeg(1600, 1200);
    const sha256 = photoSha256(bytes);
    const before = filesUnder(storeDir).length;
    let uploadUrl = '';
    const stop = new AbortController();
    const first = uploadPhoto(device, {
      bytes,
      sha256,
      contentType: 'image/jpeg',
      takenAt: '2026-06-12T11:00:00Z',
      chunkSize: 64 * 1024,
      retryDelays: [],
      signal: stop.signal,
      onUploadUrl: (url) => (uploadUrl = url),
      onProgress: (sent) => {
        if (sent >= 128 * 1024) {
          stop.abort();
        }
      },
    }).catch((error: unknown) => error);
    expect(((await first) as Error).name).toBe('AbortError');
    await restart();
    const head = await request(hub.url)
      .head(new URL(uploadUrl).pathname)
      .set('Tus-Resumable', '1.0.0')
      .set(
        'Authorization',
        `Device ${(await import('@app/devices')).makeProof(device.deviceId, device.privateKeyPem)}`,
      );
    const offset = Number(head.headers['upload-offset']);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(bytes.length);

    const resumed = await uploadPhoto(device, {
      bytes,
      sha256,
      contentType: 'image/jpeg',
      takenAt: '2026-06-12T11:00:00Z',
      uploadUrl,
    });
    expect(resumed).toBe(uploadUrl);
    expect(await waitForReceipt(device, sha256)).not.toBeNull();
    expect(filesUnder(storeDir)).toHaveLength(before + 1);
    expect(filesUnder(storeDir).filter((f) => f.includes(sha256.slice(0, 8)))).toHaveLength(1);
  }, 120_000);

  it('completes exactly once a photo that waited for the store when the hub was killed', async () => {
    const before = filesUnder(storeDir).length;
    const bytes = await makeJpeg();
    const sha256 = photoSha256(bytes);
    lockStore();
    try {
      await uploadPhoto(device, {
        bytes,
        sha256,
        contentType: 'image/jpeg',
        takenAt: '2026-06-12T12:00:00Z',
      });
      expect(await fetchPhotoReceipt(device, sha256)).toBeNull();
      await killHubProcess(hub.child);
    } finally {
      unlockStore();
    }
    hub = await startHubProcess(dataDir, port, { env: ENV });
    expect(await waitForReceipt(device, sha256)).not.toBeNull();
    expect(filesUnder(storeDir)).toHaveLength(before + 1);
    // The same photo again after the restart: still one copy.
    await uploadPhoto(device, {
      bytes,
      sha256,
      contentType: 'image/jpeg',
      takenAt: '2026-06-12T12:00:00Z',
    });
    expect(filesUnder(storeDir)).toHaveLength(before + 1);
  }, 120_000);

  it('leaves no original with its location in staging after a stop between the receipt and its deletion', async () => {
    const bytes = await makeJpeg();
    const sha256 = photoSha256(bytes);
    await uploadPhoto(device, {
      bytes,
      sha256,
      contentType: 'image/jpeg',
      takenAt: '2026-06-12T12:30:00Z',
    });
    expect(await waitForReceipt(device, sha256)).not.toBeNull();
    const stored = filesUnder(storeDir).filter((f) => f.includes(sha256.slice(0, 8)));
    expect(stored).toHaveLength(1);
    // What a hub killed right after recording the receipt leaves: the original still staged, and
    // a file of no photo the hub knows.
    const staging = path.join(dataDir, 'photos', 'staging');
    await killHubProcess(hub.child);
    fs.writeFileSync(path.join(staging, `${sha256}.orig.jpg`), bytes);
    fs.writeFileSync(path.join(staging, `${'0'.repeat(64)}.orig.jpg`), bytes);
    hub = await startHubProcess(dataDir, port, { env: ENV });
    expect(fs.readdirSync(staging)).toEqual([]);
    expect(filesUnder(storeDir).filter((f) => f.includes(sha256.slice(0, 8)))).toEqual(stored);
    expect(await fetchPhotoReceipt(device, sha256)).toMatchObject({ sha256 });
  }, 120_000);

  it('deletes a photo only after its receipt, and queues while the hub is away', async () => {
    const dir = path.join(work, 'camera-roll');
    const stateDir = path.join(work, 'agent-state');
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(stateDir, { recursive: true });
    const sync = new PhotoSync({
      device,
      dir,
      stateDir,
      deleteAfterUpload: true,
      intervalMs: 300,
      receiptWaitMs: 500,
      idleTimeoutMs: 1000,
    });
    syncs.push(sync);
    await sync.start();

    // The store is read-only: uploaded, no receipt, so the photo stays on the device.
    lockStore();
    const waiting = await writePhoto(dir, 'IMG_0001.jpg');
    try {
      await sync.syncNow();
      expect(sync.pendingPhotos).toBe(1);
      expect(fs.existsSync(waiting.file)).toBe(true);
      expect(await fetchPhotoReceipt(device, waiting.sha256)).toBeNull();
    } finally {
      unlockStore();
    }
    await until(() => !fs.existsSync(waiting.file));
    expect(await fetchPhotoReceipt(device, waiting.sha256)).not.toBeNull();

    // The hub is away (its process stopped: the network to it is silent): the photo waits on the
    // device while the timer keeps trying, then goes when the hub is back.
    process.kill(hub.child.pid!, 'SIGSTOP');
    const offline = await writePhoto(dir, 'IMG_0002.jpg');
    try {
      await sync.syncNow();
      await sync.syncNow();
      expect(fs.existsSync(offline.file)).toBe(true);
      expect(sync.pendingPhotos).toBe(1);
    } finally {
      process.kill(hub.child.pid!, 'SIGCONT');
    }
    await until(() => !fs.existsSync(offline.file), 30_000);
    expect(await fetchPhotoReceipt(device, offline.sha256)).not.toBeNull();
    await sync.stop();
  }, 180_000);

  it('never hangs when its hub freezes or dies mid-upload, and resumes after', async () => {
    const dir = path.join(work, 'trip-camera');
    const stateDir = path.join(work, 'agent-state-4');
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(stateDir, { recursive: true });
    // About 4 MB in 32 KiB chunks: over a hundred requests, so it is still going when the hub goes.
    const photo = await writePhoto(dir, 'DSC_0200.jpg', 2800, 2100);
    const stored = () => filesUnder(storeDir).filter((f) => f.includes(photo.sha256.slice(0, 8)));
    const uploadsDir = path.join(dataDir, 'photos', 'uploads');
    const received = () =>
      filesUnder(uploadsDir)
        .filter((f) => !f.endsWith('.json'))
        .reduce((sum, f) => sum + fs.statSync(path.join(uploadsDir, f)).size, 0);
    const lines: string[] = [];
    // Short waits, as a test can.
    const sync = new PhotoSync({
      device,
      dir,
      stateDir,
      chunkSize: 32 * 1024,
      intervalMs: 60_000,
      deleteAfterUpload: true,
      retryDelays: [0, 200],
      idleTimeoutMs: 2000,
      log: (line) => lines.push(line),
    });
    syncs.push(sync);
    await sync.start();
    await until(() => received() > 0, 20_000, 5);

    // Frozen (a stopped process, a network that went silent): connections open, nothing answers.
    // The pass ends with the photo still here instead of waiting for an answer for ever.
    const frozenAt = Date.now();
    process.kill(hub.child.pid!, 'SIGSTOP');
    try {
      await sync.syncNow();
      // Three tries of the upload request and one of the receipt, 2 s each, and some slack.
      expect(Date.now() - frozenAt).toBeLessThan(20_000);
      expect(fs.existsSync(photo.file)).toBe(true);
      expect(sync.pendingPhotos).toBe(1);
    } finally {
      process.kill(hub.child.pid!, 'SIGCONT');
    }

    // Killed while bytes flow: the pass ends too, and the upload resumes on the new hub.
    await until(async () => (await fetch(`${hub.url}/api/health`).catch(() => null))?.ok === true);
    const before = received();
    const passing = sync.syncNow();
    await until(() => received() > before + 64 * 1024, 20_000, 5).catch((error: Error) => {
      throw new Error(`${error.message}; the agent said: ${lines.join(' | ')}`);
    });
    const killedAt = Date.now();
    const exiftools = exiftoolsOf(hub.child.pid!);
    expect(exiftools).toHaveLength(1); // it has stripped photos: its one exiftool runs
    await killHubProcess(hub.child);
    await passing;
    // exiftool died with its hub (it would otherwise poll its closed stdin for ever).
    await until(() => exiftools.every((pid) => !alive(pid)), 5000);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(fs.existsSync(photo.file)).toBe(true);
    expect(await fetchPhotoReceipt(device, photo.sha256).catch(() => 'unreachable')).toBe(
      'unreachable',
    );

    hub = await startHubProcess(dataDir, port, { env: ENV });
    await sync.syncNow();
    expect(fs.existsSync(photo.file)).toBe(false);
    expect(await fetchPhotoReceipt(device, photo.sha256)).toMatchObject({ sha256: photo.sha256 });
    expect(stored()).toHaveLength(1);
    expect(filesUnder(uploadsDir)).toEqual([]);
    expect(sync.pendingPhotos).toBe(0);
    await sync.stop();
  }, 90_000);

  it('resumes its own upload after the agent restarts', async () => {
    const dir = path.join(work, 'import');
    const stateDir = path.join(work, 'agent-state-2');
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(stateDir, { recursive: true });
    const photo = await writePhoto(dir, 'DSC_0100.jpg');
    // Slow chunks, so there is time to stop the agent part way.
    const first = new PhotoSync({
      device,
      dir,
      stateDir,
      chunkSize: 16 * 1024,
      intervalMs: 60_000,
    });
    syncs.push(first);
    await first.start();
    const journal = path.join(stateDir, PHOTO_JOURNAL_FILE);
    await until(() => fs.existsSync(journal) && fs.readFileSync(journal, 'utf8').includes('http'));
    await first.stop();
    const url = (
      JSON.parse(fs.readFileSync(journal, 'utf8')) as {
        uploads: Record<string, { uploadUrl: string }>;
      }
    ).uploads['DSC_0100.jpg'].uploadUrl;
    expect(await fetchPhotoReceipt(device, photo.sha256)).toBeNull();

    const second = new PhotoSync({
      device,
      dir,
      stateDir,
      intervalMs: 60_000,
      deleteAfterUpload: true,
    });
    syncs.push(second);
    await second.start();
    await until(() => !fs.existsSync(photo.file), 30_000);
    expect(await fetchPhotoReceipt(device, photo.sha256)).not.toBeNull();
    // The upload the first run began is the one that finished: nothing half-done is left.
    expect(filesUnder(path.join(dataDir, 'photos', 'uploads'))).not.toContain(url.split('/').pop());
    expect(filesUnder(path.join(dataDir, 'photos', 'uploads'))).toEqual([]);
    await second.stop();
  }, 120_000);

  it('leaves kept photos the hub has alone: not read again, even after a restart, until one changes', async () => {
    // A staff laptop's camera roll, kept on the laptop (no deleteAfterUpload): once the hub has
    // a photo, the passes every 30 s must not read, hash and ask about it again.
    const dir = path.join(work, 'kept-roll');
    const stateDir = path.join(work, 'agent-state-kept');
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(stateDir, { recursive: true });
    const photos = [
      await writePhoto(dir, 'a.jpg', 640, 480),
      await writePhoto(dir, 'b.jpg', 641, 480),
      await writePhoto(dir, 'c.jpg', 642, 480),
    ];
    const read: string[] = [];
    const fsPromises = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
    const realReadFile = fsPromises.readFile;
    const readFile = jest
      .spyOn(fsPromises, 'readFile')
      .mockImplementation((file: Parameters<typeof realReadFile>[0], ...rest: unknown[]) => {
        if (String(file).startsWith(dir)) {
          read.push(path.basename(String(file)));
        }
        return (realReadFile as (...args: unknown[]) => ReturnType<typeof realReadFile>)(
          file,
          ...rest,
        );
      });
    const start = async () => {
      const sync = new PhotoSync({
        device,
        dir,
        stateDir,
        deleteAfterUpload: false,
        intervalMs: 60_000,
      });
      syncs.push(sync);
      await sync.start();
      return sync;
    };
    try {
      let sync = await start();
      await sync.syncNow();
      for (const photo of photos) {
        expect(await waitForReceipt(device, photo.sha256)).not.toBeNull();
        expect(fs.existsSync(photo.file)).toBe(true);
      }
      // One more pass, for any whose receipt came after the agent stopped waiting for it.
      await sync.syncNow();

      read.length = 0;
      await sync.syncNow();
      await sync.syncNow();
      expect(read).toEqual([]);
      await sync.stop();

      // Restarted, it still knows them.
      sync = await start();
      await sync.syncNow();
      expect(read).toEqual([]);

      // A photo edited in place is a new photo: read and sent again, the others left alone.
      const edited = await writePhoto(dir, 'b.jpg', 800, 600);
      await sync.syncNow();
      expect([...new Set(read)]).toEqual(['b.jpg']);
      expect(await waitForReceipt(device, edited.sha256)).not.toBeNull();
      await sync.stop();
    } finally {
      readFile.mockRestore();
    }
  }, 120_000);

  it('reports pendingPhotos in its state and uploads on photos.sync', async () => {
    const dir = path.join(work, 'roll-3');
    const stateDir = path.join(work, 'agent-state-3');
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(stateDir, { recursive: true });
    const sync = new PhotoSync({
      device,
      dir,
      stateDir,
      deleteAfterUpload: true,
      intervalMs: 60_000,
    });
    syncs.push(sync);
    // autoUpload off, as a policy may say: photos wait until photos.sync.
    await sync.policyApplied({ autoUpload: false, deleteAfterUpload: true });
    await sync.start();
    const photos = [await writePhoto(dir, 'a.jpg'), await writePhoto(dir, 'b.jpg')];
    const client = new DeviceClient({
      hubUrl: hub.url,
      deviceId: device.deviceId,
      privateKeyPem: device.privateKeyPem,
      enforcer: new PhotoSyncEnforcer(new SimulatedEnforcer(), sync),
    });
    try {
      const counts = async () =>
        (
          await request(hub.url)
            .get(`/api/photos/devices?deviceId=${device.deviceId}`)
            .set('Authorization', `Bearer ${admin}`)
        ).body as DevicePhotoCounts[];
      await until(async () => (await counts())[0]?.pendingPhotos === 2);
      expect(photos.every((p) => fs.existsSync(p.file))).toBe(true);

      const issued = await request(hub.url)
        .post(`/api/devices/${device.deviceId}/commands`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ type: 'photos.sync' });
      expect(issued.status).toBe(201);
      await until(() => photos.every((p) => !fs.existsSync(p.file)), 30_000);
      await until(async () => (await counts())[0]?.pendingPhotos === 0);
      expect((await counts())[0]).toMatchObject({ deviceTag: 'TRIP-CAM-1', waitingPhotos: 0 });
    } finally {
      client.destroy();
      await sync.stop();
    }
  }, 120_000);
});
