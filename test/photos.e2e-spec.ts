// Photo sync on a real hub process with real files (issue 14, protocol section 5): tus uploads
// with device proofs, location removal checked by reading the stored file, pixels checked by
// decoding both, the stored name, 460 and 415 with nothing kept, duplicates, receipts, and a
// store made read-only (and immutable, as the tests may run as root) that comes back.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { ExifTool } from 'exiftool-vendored';
import {
  enrollDevice,
  fetchPhotoReceipt,
  makeProof,
  photoSha256,
  PhotoUploadError,
  type PhotoDevice,
} from '@app/devices';
import type { PhotoPage, PhotoStoreState } from '@app/hub-api';
import { acceptAup, ADMIN_PASSWORD, makeDataDir } from './support/hub';
import { testKeys } from './support/devices';
import { freePort, HubProcess, killHubProcess, startHubProcess } from './support/hub-process';
import {
  filesUnder,
  locationTagsOf,
  makeJpeg,
  makeJpegWithLocation,
  pixelsOf,
  sendPhoto,
  waitForReceipt,
} from './support/photos';

const exiftool = new ExifTool({ maxProcs: 1 });

describe('photo sync (a real hub process)', () => {
  let hub: HubProcess;
  let dataDir: string;
  let storeDir: string;
  let work: string;
  let admin: string;
  let camera: PhotoDevice;
  let tablet: PhotoDevice;
  let cameraSerial: string;

  const http = () => request(hub.url);
  const staff = (url: string) => http().get(url).set('Authorization', `Bearer ${admin}`);

  async function enrol(serial: string, assetTag?: string): Promise<PhotoDevice> {
    const token = await http()
      .post('/api/enrollment-tokens')
      .set('Authorization', `Bearer ${admin}`)
      .send({});
    const keys = await testKeys();
    const identity = await enrollDevice({
      hubUrl: hub.url,
      token: token.body.token as string,
      keys,
      device: { serialNumber: serial, platform: 'linux', name: `Camera ${serial}`, assetTag },
    });
    return { hubUrl: hub.url, deviceId: identity.deviceId, privateKeyPem: keys.privateKeyPem };
  }

  beforeAll(async () => {
    dataDir = makeDataDir();
    storeDir = path.join(dataDir, 'store');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'photos-spec-'));
    hub = await startHubProcess(dataDir, await freePort(), {
      env: { HUB_TIME_ZONE: 'Europe/London', HUB_PHOTO_STORE_RETRY_MS: '300' },
    });
    const login = await http()
      .post('/api/auth/login')
      .send({ username: 'admin', password: ADMIN_PASSWORD });
    admin = login.body.accessToken as string;
    await acceptAup(http(), admin);
    cameraSerial = `CAMSERIAL-${process.pid}`;
    camera = await enrol(cameraSerial, 'CAM-07');
    tablet = await enrol(`TAB-${process.pid}`);
  }, 120_000);

  afterAll(async () => {
    try {
      execFileSync('chattr', ['-R', '-i', storeDir]);
    } catch {
      // never made immutable
    }
    await killHubProcess(hub.child);
    await exiftool.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('stores a JPEG with no location left, its pixels unchanged, under the protocol name', async () => {
    const { file, bytes } = await makeJpegWithLocation(exiftool, work);
    expect((await locationTagsOf(exiftool, file)).length).toBeGreaterThan(4);
    const sha256 = photoSha256(bytes);

    // 13:22:33 UTC on 12 June is 14:22:33 in London (summer time).
    await sendPhoto(camera, bytes, { takenAt: '2026-06-12T13:22:33Z' });
    const receipt = await waitForReceipt(camera, sha256);
    expect(receipt).not.toBeNull();

    const name = `2026/2026-06-12/CAM-07-142233-${sha256.slice(0, 8)}.jpg`;
    expect(filesUnder(storeDir)).toEqual([name]);
    const stored = path.join(storeDir, name);
    expect(await locationTagsOf(exiftool, stored)).toEqual([]);
    const kept: Record<string, unknown> = await exiftool.readRaw(stored, { readArgs: ['-G1'] });
    expect(kept['IFD0:Make']).toBe('SchoolCam');
    expect((await pixelsOf(stored)).equals(await pixelsOf(bytes))).toBe(true);
    expect(receipt).toEqual({
      sha256,
      storedAt: expect.any(String),
      storedSha256: photoSha256(fs.readFileSync(stored)),
    });
    expect(receipt?.storedSha256).not.toBe(sha256);

    // Nothing left behind in the hub's upload and staging folders.
    expect(filesUnder(path.join(dataDir, 'photos', 'uploads'))).toEqual([]);
    expect(filesUnder(path.join(dataDir, 'photos', 'staging'))).toEqual([]);

    // Staff see it; the audit log names the device, the trip (none) and the stored name.
    const page = (await staff('/api/photos')).body as PhotoPage;
    expect(page.items.map((p) => [p.sha256, p.status, p.storedName, p.day])).toEqual([
      [sha256, 'stored', name, '2026-06-12'],
    ]);
    expect(page.items[0].takenAtLocal).toBe('2026-06-12T14:22:33+01:00');
    const audit = await staff('/api/audit?action=photo.stored');
    expect(audit.status).toBe(200);
    const entry = (audit.body.items as { action: string; actorId: string; detail: unknown }[]).find(
      (e) => e.action === 'photo.stored',
    );
    expect(entry).toMatchObject({
      actorId: camera.deviceId,
      // Named as a person reads them (issue 9): the device, and the photo by its stored name.
      actorName: `Camera ${cameraSerial} (asset tag CAM-07)`,
      targetLabel: name,
      detail: { deviceId: camera.deviceId, tripId: null, storedName: name },
    });
    const picture = await staff(`/api/photos/${sha256}/picture`).buffer(true);
    expect(picture.status).toBe(200);
    expect(picture.headers['content-type']).toBe('image/jpeg');
    expect(photoSha256(picture.body as Buffer)).toBe(receipt?.storedSha256);
    const thumbnail = await staff(`/api/photos/${sha256}/thumbnail`).buffer(true);
    expect(thumbnail.status).toBe(200);
    const meta = await (await import('sharp')).default(thumbnail.body as Buffer).metadata();
    expect([meta.format, Math.max(meta.width ?? 0, meta.height ?? 0)]).toEqual(['jpeg', 320]);
  }, 60_000);

  it('names a device without an asset tag by its serial', async () => {
    const bytes = await makeJpeg();
    const sha256 = photoSha256(bytes);
    await sendPhoto(tablet, bytes, { takenAt: '2026-01-05T09:08:07Z' });
    expect(await waitForReceipt(tablet, sha256)).not.toBeNull();
    expect(filesUnder(storeDir)).toContain(
      `2026/2026-01-05/TAB-${process.pid}-090807-${sha256.slice(0, 8)}.jpg`,
    );
  }, 60_000);

  it('answers 460 to a wrong SHA-256 and keeps nothing', async () => {
    const before = filesUnder(storeDir);
    const bytes = await makeJpeg();
    const claimed = photoSha256(Buffer.from('something else'));
    const error = await sendPhoto(camera, bytes, { sha256: claimed }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PhotoUploadError);
    expect((error as PhotoUploadError).status).toBe(460);
    expect(await fetchPhotoReceipt(camera, claimed)).toBeNull();
    expect(await fetchPhotoReceipt(camera, photoSha256(bytes))).toBeNull();
    expect(filesUnder(storeDir)).toEqual(before);
    expect(filesUnder(path.join(dataDir, 'photos', 'uploads'))).toEqual([]);
    expect(filesUnder(path.join(dataDir, 'photos', 'staging'))).toEqual([]);
  }, 60_000);

  it('refuses a renamed non-image (415, nothing kept) and bad metadata at creation', async () => {
    const before = filesUnder(storeDir);
    const text = Buffer.from('this is not a picture at all, only a text file renamed .jpg\n');
    const error = await sendPhoto(camera, text).catch((e: unknown) => e);
    expect((error as PhotoUploadError).status).toBe(415);
    expect(filesUnder(storeDir)).toEqual(before);
    expect(filesUnder(path.join(dataDir, 'photos', 'uploads'))).toEqual([]);

    const create = (metadata: Record<string, string>) =>
      http()
        .post('/api/photos/uploads')
        .set(
          'Authorization',
          `Device ${makeProof(camera.deviceId, camera.privateKeyPem as string)}`,
        )
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Length', '100')
        .set(
          'Upload-Metadata',
          Object.entries(metadata)
            .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
            .join(','),
        );
    const good = {
      sha256: 'a'.repeat(64),
      contentType: 'image/jpeg',
      takenAt: '2026-06-12T13:22:33Z',
    };
    expect((await create({ ...good, contentType: 'text/plain' })).status).toBe(415);
    expect((await create({ ...good, contentType: 'image/gif' })).status).toBe(415);
    const { takenAt: _t, ...noTime } = good;
    expect((await create(noTime)).status).toBe(400);
    expect((await create({ ...good, takenAt: 'yesterday' })).status).toBe(400);
    expect((await create({ ...good, sha256: 'ABC' })).status).toBe(400);
    expect((await create({ ...good, tripId: '00000000-0000-4000-8000-000000000000' })).status).toBe(
      400,
    );
    const created = await create({ ...good, filename: 'Amelia at the zoo.jpg' });
    expect(created.status).toBe(201);
    expect(created.headers.location).toMatch(/^\/api\/photos\/uploads\/[0-9a-f]+$/);

    // Bytes sent as anything but tus's own type: 415, and the offset does not move.
    const patch = (contentType: string | null) => {
      const sent = http()
        .patch(created.headers.location as string)
        .set(
          'Authorization',
          `Device ${makeProof(camera.deviceId, camera.privateKeyPem as string)}`,
        )
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Offset', '0');
      return contentType === null
        ? sent.send(Buffer.alloc(10))
        : sent.set('Content-Type', contentType).send(Buffer.alloc(10).toString());
    };
    for (const type of ['text/plain', 'application/octet-stream', 'image/jpeg']) {
      const refused = await patch(type);
      expect([type, refused.status]).toEqual([type, 415]);
      expect(refused.text).toBe('Content-Type must be application/offset+octet-stream\n');
    }
    const offset = await http()
      .head(created.headers.location as string)
      .set('Authorization', `Device ${makeProof(camera.deviceId, camera.privateKeyPem as string)}`)
      .set('Tus-Resumable', '1.0.0');
    expect(offset.headers['upload-offset']).toBe('0');
  }, 60_000);

  it("answers tus 1.0.0's discovery (OPTIONS) with its version, extensions and size limit", async () => {
    const discovered = await http()
      .options('/api/photos/uploads')
      .set('Authorization', `Device ${makeProof(camera.deviceId, camera.privateKeyPem as string)}`);
    expect(discovered.status).toBe(204);
    expect(discovered.headers['tus-version']).toBe('1.0.0');
    expect(discovered.headers['tus-extension']?.split(',')).toEqual(
      expect.arrayContaining(['creation', 'termination']),
    );
    expect(discovered.headers['tus-max-size']).toBe(String(50 * 1024 * 1024));
    // Like every device request, it carries a proof (protocol section 5).
    expect((await http().options('/api/photos/uploads')).status).toBe(401);
  });

  it('answers 401 without a proof, with a bad one, and to a revoked device', async () => {
    const bytes = await makeJpeg();
    expect(
      (
        await http()
          .post('/api/photos/uploads')
          .set('Tus-Resumable', '1.0.0')
          .set('Upload-Length', '10')
      ).status,
    ).toBe(401);
    expect(
      (
        await http()
          .post('/api/photos/uploads')
          .set('Authorization', 'Device v1.nonsense')
          .set('Tus-Resumable', '1.0.0')
          .set('Upload-Length', '10')
      ).status,
    ).toBe(401);
    expect((await http().get(`/api/photos/receipts/${'a'.repeat(64)}`)).status).toBe(401);

    // A device revoked with an upload begun can neither finish it nor start another.
    const doomed = await enrol(`DOOMED-${process.pid}`);
    const proof = () => `Device ${makeProof(doomed.deviceId, doomed.privateKeyPem as string)}`;
    const begun = await http()
      .post('/api/photos/uploads')
      .set('Authorization', proof())
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .set(
        'Upload-Metadata',
        `sha256 ${Buffer.from(photoSha256(bytes)).toString('base64')},contentType ${Buffer.from('image/jpeg').toString('base64')},takenAt ${Buffer.from('2026-06-12T13:22:33Z').toString('base64')}`,
      );
    expect(begun.status).toBe(201);
    const revoked = await http()
      .delete(`/api/devices/${doomed.deviceId}`)
      .set('Authorization', `Bearer ${admin}`);
    expect(revoked.status).toBe(200);
    const patch = await http()
      .patch(begun.headers.location as string)
      .set('Authorization', proof())
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', '0')
      .set('Content-Type', 'application/offset+octet-stream')
      // A first small chunk: written whole before the 401 comes back, so the hub's closing the
      // connection on a refused body cannot cut the write (EPIPE) before the answer is read.
      .send(bytes.subarray(0, 1024));
    expect(patch.status).toBe(401);
    const error = await sendPhoto(doomed, bytes).catch((e: unknown) => e);
    expect((error as PhotoUploadError).status).toBe(401);
    expect(filesUnder(storeDir).some((f) => f.includes(photoSha256(bytes).slice(0, 8)))).toBe(
      false,
    );
  }, 60_000);

  it("names a trip's photos by its short name in the hub's time zone; a leader sees only their own trip's", async () => {
    /** A staff account with these roles, signed in, the AUP accepted: its id and token. */
    const staffMember = async (username: string, roles: string[]) => {
      const password = 'Staff-Pass1!';
      const created = await http()
        .post('/api/staff')
        .set('Authorization', `Bearer ${admin}`)
        .send({ username, displayName: username, password, roles });
      expect(created.status).toBe(201);
      const login = await http().post('/api/auth/login').send({ username, password });
      await acceptAup(http(), login.body.accessToken as string);
      return { id: created.body.id as string, token: login.body.accessToken as string };
    };
    const as = (token: string, url: string) =>
      http().get(url).set('Authorization', `Bearer ${token}`);
    const leader = await staffMember('msleader', ['trip_leader']);
    const otherLeader = await staffMember('mrother', ['trip_leader']);
    // The camera is an asset (matched to its device by serial number); the other trip has its own.
    for (const [assetTag, serialNumber] of [
      ['CAM-07', cameraSerial],
      ['CAM-99', `OTHER-${process.pid}`],
    ]) {
      const asset = await http()
        .post('/api/assets')
        .set('Authorization', `Bearer ${admin}`)
        .send({ assetTag, kind: 'camera', serialNumber, model: 'Trip camera' });
      expect(asset.status).toBe(201);
    }
    const newTrip = async (token: string, leaderId: string, shortName: string, kit: string) => {
      const trip = await http()
        .post('/api/trips')
        .set('Authorization', `Bearer ${token}`)
        .send({
          name: `Year 4 trip ${shortName}`,
          shortName,
          startsAt: new Date(Date.now() + 3_600_000).toISOString(),
          endsAt: new Date(Date.now() + 10 * 3_600_000).toISOString(),
          leaderIds: [leaderId],
          assetTags: [kit],
        });
      expect(trip.status).toBe(201);
      return trip.body.id as string;
    };
    const zoo = await newTrip(leader.token, leader.id, 'zoo', 'CAM-07');
    const museum = await newTrip(otherLeader.token, otherLeader.id, 'museum', 'CAM-99');

    // 23:30 UTC on 12 June is 00:30 on 13 June in London: the day and time are the hub's. Taken
    // before the zoo trip went out, it is no trip's though it names the zoo.
    const night = await makeJpeg();
    const nightSha = photoSha256(night);
    await sendPhoto(camera, night, { takenAt: '2026-06-12T23:30:00Z', tripId: zoo });
    expect(await waitForReceipt(camera, nightSha)).not.toHaveProperty('tripId');
    expect(filesUnder(storeDir)).toContain(
      `2026/2026-06-13/CAM-07-003000-${nightSha.slice(0, 8)}.jpg`,
    );

    // The zoo trip goes out with the camera: a photo taken now is the zoo's.
    const out = await http()
      .post(`/api/trips/${zoo}/check-out`)
      .set('Authorization', `Bearer ${leader.token}`);
    expect(out.status).toBe(200);
    const takenAt = new Date(Date.parse(out.body.checkedOutAt as string) + 1000);
    const bytes = await makeJpeg();
    const sha256 = photoSha256(bytes);
    // Written in upper case, as a Swift UUID's uuidString gives it: the same trip.
    await sendPhoto(camera, bytes, { takenAt: takenAt.toISOString(), tripId: zoo.toUpperCase() });
    expect(await waitForReceipt(camera, sha256)).toEqual({
      sha256,
      storedAt: expect.any(String),
      storedSha256: expect.any(String),
      tripId: zoo,
    });
    const local = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/London',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(takenAt)
        .map((part) => [part.type, part.value]),
    );
    const day = `${local.year}-${local.month}-${local.day}`;
    const time = `${local.hour}${local.minute}${local.second}`;
    const name = `${local.year}/${day}-zoo/CAM-07-${time}-${sha256.slice(0, 8)}.jpg`;
    expect(filesUnder(storeDir)).toContain(name);

    // The zoo's leader sees its photos, thumbnails and pictures.
    const mine = await as(leader.token, `/api/photos?tripId=${zoo}`);
    expect(mine.status).toBe(200);
    expect((mine.body as PhotoPage).items.map((p) => [p.sha256, p.storedName])).toEqual([
      [sha256, name],
    ]);
    expect((await as(leader.token, `/api/photos/${sha256}/thumbnail`)).status).toBe(200);
    expect((await as(leader.token, `/api/photos/${sha256}/picture`)).status).toBe(200);
    // The museum's leader sees their own trip (none yet), and nothing of the zoo's: 403.
    const theirs = await as(otherLeader.token, `/api/photos?tripId=${museum}`);
    expect([theirs.status, (theirs.body as PhotoPage).items]).toEqual([200, []]);
    expect((await as(otherLeader.token, `/api/photos?tripId=${zoo}`)).status).toBe(403);
    expect((await as(otherLeader.token, `/api/photos/${sha256}/thumbnail`)).status).toBe(403);
    expect((await as(otherLeader.token, `/api/photos/${sha256}/picture`)).status).toBe(403);
    expect((await as(otherLeader.token, `/api/photos/days?tripId=${zoo}`)).status).toBe(403);
    // A leader must name a trip of theirs; an unknown trip is 404.
    expect((await as(otherLeader.token, '/api/photos')).status).toBe(403);
    expect(
      (await as(leader.token, '/api/photos?tripId=00000000-0000-4000-8000-000000000000')).status,
    ).toBe(404);
    // The audit log records the trip with the stored name.
    const audit = await staff('/api/audit?action=photo.stored');
    expect(
      (audit.body.items as { detail: { tripId: string | null; storedName: string } }[]).find(
        (entry) => entry.detail.storedName === name,
      )?.detail.tripId,
    ).toBe(zoo);
  }, 60_000);

  it('keeps one stored copy and one receipt for the same photo from two devices', async () => {
    const bytes = await makeJpeg();
    const sha256 = photoSha256(bytes);
    await sendPhoto(camera, bytes);
    const first = await waitForReceipt(camera, sha256);
    await sendPhoto(tablet, bytes);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await fetchPhotoReceipt(tablet, sha256)).toEqual(first);
    expect(filesUnder(storeDir).filter((f) => f.includes(sha256.slice(0, 8)))).toHaveLength(1);
  }, 60_000);

  it('gives no receipt while the store is read-only, then flushes once, nothing doubled', async () => {
    // chmod alone does not stop root: the immutable flag does (chattr, on ext4).
    fs.chmodSync(storeDir, 0o555);
    execFileSync('chattr', ['-R', '+i', storeDir]);
    const before = filesUnder(storeDir);
    try {
      const photos = [await makeJpeg(), await makeJpeg()];
      for (const bytes of photos) {
        await sendPhoto(camera, bytes);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      for (const bytes of photos) {
        expect(await fetchPhotoReceipt(camera, photoSha256(bytes))).toBeNull();
      }
      const state = (await staff('/api/photos/store')).body as PhotoStoreState;
      expect(state).toMatchObject({ available: false, problem: 'read_only', waiting: 2 });
      // The same photo again while it waits: still one.
      await sendPhoto(tablet, photos[0]);
      expect(filesUnder(storeDir)).toEqual(before);

      execFileSync('chattr', ['-R', '-i', storeDir]);
      fs.chmodSync(storeDir, 0o755);
      for (const bytes of photos) {
        expect(await waitForReceipt(camera, photoSha256(bytes))).not.toBeNull();
      }
      const after = filesUnder(storeDir);
      expect(after).toHaveLength(before.length + 2);
      expect((await staff('/api/photos/store')).body).toMatchObject({
        available: true,
        problem: null,
        waiting: 0,
      });
      expect(filesUnder(path.join(dataDir, 'photos', 'staging'))).toEqual([]);
    } finally {
      execFileSync('chattr', ['-R', '-i', storeDir]);
      fs.chmodSync(storeDir, 0o755);
    }
  }, 60_000);

  it('answers 404 for a stored photo moved out of a store that is there, 503 while the store is away', async () => {
    const bytes = await makeJpeg();
    const sha256 = photoSha256(bytes);
    await sendPhoto(camera, bytes);
    expect(await waitForReceipt(camera, sha256)).not.toBeNull();
    const photo = ((await staff('/api/photos')).body as PhotoPage).items.find(
      (p) => p.sha256 === sha256,
    );
    const stored = path.join(storeDir, photo?.storedName ?? 'missing');
    const aside = path.join(work, 'moved-aside.jpg');
    const marker = path.join(storeDir, '.classroom-hub-store');
    fs.renameSync(stored, aside);
    try {
      // Someone moved the file in the store: this photo is gone, the store is not.
      const gone = await staff(`/api/photos/${sha256}/picture`);
      expect(gone.status).toBe(404);
      expect(gone.body.message).toBe(
        `This photo is no longer in the photo store (${photo?.storedName} was moved or deleted there)`,
      );
      // An unmounted share (no marker): the store cannot be read now, try later.
      fs.renameSync(marker, `${marker}.aside`);
      try {
        expect((await staff(`/api/photos/${sha256}/picture`)).status).toBe(503);
      } finally {
        fs.renameSync(`${marker}.aside`, marker);
      }
    } finally {
      fs.renameSync(aside, stored);
    }
    expect((await staff(`/api/photos/${sha256}/picture`)).status).toBe(200);
  }, 60_000);
});
