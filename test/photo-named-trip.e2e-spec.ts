// A photo whose upload names a trip is filed under that trip only if its device was out with the
// trip when the photo was taken. The hub filed it under whatever trip the upload named, so any
// device could put its pictures before another trip's leaders and into that trip's folder of the
// store: a trip it was never in the kit of, or its own trip after it came back. Such a photo is
// still taken in and stored (the device did nothing the protocol forbids, and must get its
// receipt), filed by the device's own times out with a trip, and its receipt's `tripId` says where
// it went; a trip the hub does not know is still 400 at creation (protocol section 5). Real JPEGs
// through the real tus upload, on SQLite and, with HUB_TEST_DB, PostgreSQL.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeProof, photoSha256, type PhotoDevice } from '@app/devices';
import type { AuditEntry, Page, PhotoPage, Trip } from '@app/hub-api';
import { createStaff, startHub, TestHub } from './support/hub';
import {
  enrolledAsset,
  filesUnder,
  makeJpeg,
  photoTakenAt,
  tripOut,
  waitForReceipt,
} from './support/photos';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

const MINUTE = 60_000;

/** A signed-in member of staff: id and bearer token. */
type Person = { id: string; token: string };

describe(`photos whose upload names a trip (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let leader: Person;
  let otherLeader: Person;
  /** Out with `ours`, the trip `leader` leads. */
  let ourTablet: PhotoDevice;
  /** Out with `theirs`, the trip `otherLeader` leads. */
  let theirTablet: PhotoDevice;
  /** In no trip's kit. */
  let schoolTablet: PhotoDevice;
  let ours: Trip;
  let theirs: Trip;

  const as = (token: string) => `Bearer ${token}`;

  /** The photos a trip's leader sees on the trip's page, by sha256. */
  async function photosOf(trip: Trip, person: Person): Promise<string[]> {
    const page = await hub.http
      .get(`/api/photos?tripId=${trip.id}`)
      .set('Authorization', as(person.token));
    expect(page.status).toBe(200);
    return (page.body as PhotoPage).items.map((p) => p.sha256);
  }

  /** The stored name of a stored photo, as ICT sees it; its file must be in the store. */
  async function storedNameOf(sha256: string): Promise<string> {
    const page = await hub.http.get('/api/photos?pageSize=200').set('Authorization', as(admin));
    expect(page.status).toBe(200);
    const photo = (page.body as PhotoPage).items.find((p) => p.sha256 === sha256);
    expect(photo?.status).toBe('stored');
    expect(filesUnder(path.join(hub.dataDir, 'store'))).toContain(photo?.storedName);
    return photo?.storedName as string;
  }

  /** The `photo.trip_not_taken` entries of the audit log, newest first: detail and its words. */
  async function notTaken(): Promise<{ detail: Record<string, unknown>; words: string }[]> {
    const page = await hub.http
      .get('/api/audit?action=photo.trip_not_taken')
      .set('Authorization', as(admin));
    expect(page.status).toBe(200);
    return (page.body as Page<AuditEntry>).items.map((entry) => ({
      detail: entry.detail ?? {},
      words: entry.detailText,
    }));
  }

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    leader = await createStaff(hub, admin, 'msleader', ['trip_leader']);
    otherLeader = await createStaff(hub, admin, 'mrother', ['trip_leader']);
    ourTablet = await enrolledAsset(() => hub, admin, 'OAK-01');
    theirTablet = await enrolledAsset(() => hub, admin, 'ELM-01');
    schoolTablet = await enrolledAsset(() => hub, admin, 'LAB-01');
    ours = await tripOut(hub, leader, ['OAK-01'], 'oak-zoo');
    theirs = await tripOut(hub, otherLeader, ['ELM-01'], 'elm-museum');
    hub.clock.advance(30 * MINUTE);
  });
  afterAll(() => hub.close());

  it('files a photo naming its own trip, taken while out with it, under that trip', async () => {
    const onTrip = await photoTakenAt(ourTablet, hub.clock.nowMs() - 10 * MINUTE, ours.id);
    expect(onTrip.tripId).toBe(ours.id);
    expect(await storedNameOf(onTrip.sha256)).toMatch(new RegExp(`-${ours.shortName}/OAK-01-`));
    expect(await photosOf(ours, leader)).toContain(onTrip.sha256);
  });

  it("takes in a photo naming a trip its device was never out with, filed by the device's own trips", async () => {
    const takenAt = hub.clock.nowMs() - 5 * MINUTE;
    // Out with our trip, it names theirs: filed under ours, where it was.
    const fromOurs = await photoTakenAt(ourTablet, takenAt, theirs.id);
    // In no kit at all, it names theirs: filed under no trip.
    const fromSchool = await photoTakenAt(schoolTablet, takenAt, theirs.id);
    expect(fromOurs.tripId).toBe(ours.id);
    expect(fromSchool.tripId).toBeNull();

    // Their leader sees neither, nor does their trip's folder hold them.
    const theirPhotos = await photosOf(theirs, otherLeader);
    expect(theirPhotos).not.toContain(fromOurs.sha256);
    expect(theirPhotos).not.toContain(fromSchool.sha256);
    expect(await photosOf(ours, leader)).toContain(fromOurs.sha256);
    expect(await storedNameOf(fromOurs.sha256)).toMatch(new RegExp(`-${ours.shortName}/OAK-01-`));
    expect(await storedNameOf(fromSchool.sha256)).toMatch(/^\d{4}\/\d{4}-\d\d-\d\d\/LAB-01-/);

    // ICT can see which device named a trip it was not out with: the trips by name, as the
    // log's other entries name them, their ids kept in the detail.
    const named = `named the trip ${theirs.name}, which its device was not out with when the photo was taken`;
    expect(await notTaken()).toEqual(
      expect.arrayContaining([
        {
          detail: {
            sha256: fromOurs.sha256,
            namedTripId: theirs.id,
            namedTrip: theirs.name,
            tripId: ours.id,
            trip: ours.name,
          },
          words: `${named}; filed under the trip ${ours.name}; photo ${fromOurs.sha256}`,
        },
        {
          detail: {
            sha256: fromSchool.sha256,
            namedTripId: theirs.id,
            namedTrip: theirs.name,
            tripId: null,
            trip: null,
          },
          words: `${named}; filed under no trip; photo ${fromSchool.sha256}`,
        },
      ]),
    );
    // Their own tablet naming their trip is filed under it, as before.
    const own = await photoTakenAt(theirTablet, takenAt, theirs.id);
    expect(own.tripId).toBe(theirs.id);
  });

  it('files a photo naming a trip its device came back from, taken after its check-in, under no trip', async () => {
    const back = await hub.http
      .post(`/api/trips/${ours.id}/check-in`)
      .set('Authorization', as(leader.token))
      .send({ assetTag: 'OAK-01' });
    expect(back.status).toBe(200);
    const backAt = hub.clock.nowMs();
    hub.clock.advance(20 * MINUTE);

    const afterBack = await photoTakenAt(ourTablet, backAt + 10 * MINUTE, ours.id);
    // Taken on the trip and sent only now: still the trip's.
    const sentLate = await photoTakenAt(ourTablet, backAt - 5 * MINUTE, ours.id);
    expect(afterBack.tripId).toBeNull();
    expect(sentLate.tripId).toBe(ours.id);
    const seen = await photosOf(ours, leader);
    expect(seen).not.toContain(afterBack.sha256);
    expect(seen).toContain(sentLate.sha256);
    expect(await storedNameOf(afterBack.sha256)).toMatch(/^\d{4}\/\d{4}-\d\d-\d\d\/OAK-01-/);

    // The trip closed, a photo taken later still names it: no trip's either.
    const closed = await hub.http
      .post(`/api/trips/${ours.id}/close`)
      .set('Authorization', as(leader.token));
    expect(closed.status).toBe(200);
    hub.clock.advance(60 * MINUTE);
    const afterClose = await photoTakenAt(ourTablet, hub.clock.nowMs(), ours.id);
    expect(afterClose.tripId).toBeNull();
  });

  it('still refuses a trip the hub does not know at creation: 400 naming tripId, nothing kept', async () => {
    const created = await hub.http
      .post('/api/photos/uploads')
      .set('Authorization', `Device ${proofOf(schoolTablet)}`)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', '100')
      .set(
        'Upload-Metadata',
        tusMetadata({
          sha256: 'b'.repeat(64),
          contentType: 'image/jpeg',
          takenAt: new Date(hub.clock.nowMs()).toISOString(),
          tripId: '00000000-0000-4000-8000-000000000000',
        }),
      );
    expect(created.status).toBe(400);
    expect((created.body as { message: string }).message).toMatch(/tripId/);
    expect(filesUnder(path.join(hub.dataDir, 'photos', 'uploads'))).toEqual([]);
  });

  it('applies the same rule to an upload the hub takes in at start, after a restart', async () => {
    // Their tablet names our trip; half its bytes arrive before the hub stops.
    const bytes = await makeJpeg(320, 240);
    const sha256 = photoSha256(bytes);
    const half = Math.floor(bytes.length / 2);
    const created = await hub.http
      .post('/api/photos/uploads')
      .set('Authorization', `Device ${proofOf(theirTablet)}`)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .set(
        'Upload-Metadata',
        tusMetadata({
          sha256,
          contentType: 'image/jpeg',
          takenAt: new Date(hub.clock.nowMs() - MINUTE).toISOString(),
          tripId: ours.id,
        }),
      );
    expect(created.status).toBe(201);
    const location = created.headers.location as string;
    const sent = await hub.http
      .patch(location)
      .set('Authorization', `Device ${proofOf(theirTablet)}`)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', '0')
      .set('Content-Type', 'application/offset+octet-stream')
      .send(bytes.subarray(0, half));
    expect(sent.status).toBe(204);

    // The rest reached the disk as the hub died: complete, never taken in; the next start does.
    const offset = hub.clock.nowMs() - Date.now();
    await hub.close();
    fs.appendFileSync(
      path.join(hub.dataDir, 'photos', 'uploads', location.split('/').pop() as string),
      bytes.subarray(half),
    );
    hub = await startHub({ dataDir: hub.dataDir, clockOffsetMs: offset });
    for (const device of [ourTablet, theirTablet, schoolTablet]) {
      device.hubUrl = hub.url;
    }
    admin = await hub.login();

    const receipt = await waitForReceipt(theirTablet, sha256);
    expect(receipt?.tripId).toBe(theirs.id);
    expect(await storedNameOf(sha256)).toMatch(new RegExp(`-${theirs.shortName}/ELM-01-`));
    expect(await photosOf(ours, leader)).not.toContain(sha256);
  });
});

/** A device proof for one request, at the hub's time. */
function proofOf(device: PhotoDevice): string {
  return makeProof(device.deviceId, device.privateKeyPem, { now: device.now?.() });
}

/** tus `Upload-Metadata`: each key and its value in base64. */
function tusMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}
