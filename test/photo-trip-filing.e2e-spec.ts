// A kit device's photos reach its trip though the device does not name the trip. The reference
// agent (`device-agent run --photos DIR`) sends no `tripId`: it cannot know one. Walking a trip
// found a kit laptop's photos filed under no trip: its leader's trip page said "No photos from
// this trip have reached the hub yet" and "Photos stored: None", and the leader could not open
// them. The hub now files such a photo under the trip the device was out on when it was taken.
import { photoSha256, type PhotoDevice } from '@app/devices';
import type { DevicePhotoCounts, PhotoPage, Trip } from '@app/hub-api';
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import { createStaff, startHub, TestHub } from './support/hub';
import { makeJpeg, sendPhoto, waitForReceipt } from './support/photos';

jest.setTimeout(120_000);

const HOUR = 60 * 60 * 1000;

describe('photos of a kit device on a trip', () => {
  let hub: TestHub;
  let admin: string;
  let leader: { id: string; token: string };
  let laptop: PhotoDevice;
  let trip: Trip;

  const as = (token: string) => `Bearer ${token}`;
  const get = (token: string, url: string) => hub.http.get(url).set('Authorization', as(token));

  /** Sends a new photo taken at `takenAt`, without a tripId, and waits for its receipt. */
  async function photoTakenAt(takenAt: Date) {
    const bytes = await makeJpeg(320, 240);
    const sha256 = photoSha256(bytes);
    await sendPhoto(laptop, bytes, { takenAt: takenAt.toISOString() });
    const receipt = await waitForReceipt(laptop, sha256);
    expect(receipt).not.toBeNull();
    return { sha256, receipt };
  }

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    leader = await createStaff(hub, admin, 'msleader', ['trip_leader']);
    const serialNumber = `KITLAPTOP-${process.pid}`;
    const asset = await hub.http
      .post('/api/assets')
      .set('Authorization', as(admin))
      .send({ assetTag: 'TRIP-LAP-1', kind: 'laptop', serialNumber, model: 'Loan laptop' });
    expect(asset.status).toBe(201);
    const identity = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin), {
      serialNumber,
    });
    laptop = {
      hubUrl: hub.url,
      deviceId: identity.deviceId,
      privateKeyPem: identity.privateKeyPem,
      // Proofs on the hub's clock, which the test moves on through the trip.
      now: () => hub.clock.nowMs(),
    };
    const now = hub.clock.nowMs();
    const created = await hub.http
      .post('/api/trips')
      .set('Authorization', as(leader.token))
      .send({
        name: 'Year 4 beach visit',
        shortName: 'beach',
        startsAt: new Date(now + HOUR).toISOString(),
        endsAt: new Date(now + 10 * HOUR).toISOString(),
        leaderIds: [leader.id],
        assetTags: ['TRIP-LAP-1'],
      });
    expect(created.status).toBe(201);
    const out = await hub.http
      .post(`/api/trips/${(created.body as Trip).id}/check-out`)
      .set('Authorization', as(leader.token));
    expect(out.status).toBe(200);
    trip = out.body as Trip;
  });
  afterAll(() => hub.close());

  it('files a photo taken while out under the trip, for its leader to see, even sent after it is back', async () => {
    const checkedOutAt = Date.parse(trip.checkedOutAt as string);
    const onTrip = await photoTakenAt(new Date(checkedOutAt + 60_000));
    expect(onTrip.receipt?.tripId).toBe(trip.id);

    // Back at school half an hour later: a photo taken on the trip and sent only now is the
    // trip's too.
    hub.clock.advance(30 * 60_000);
    const back = await hub.http
      .post(`/api/trips/${trip.id}/check-in`)
      .set('Authorization', as(leader.token))
      .send({ assetTag: 'TRIP-LAP-1' });
    expect(back.status).toBe(200);
    const sentLate = await photoTakenAt(new Date(checkedOutAt + 120_000));
    expect(sentLate.receipt?.tripId).toBe(trip.id);

    // What the leader sees: the trip's photos, stored under its short name, and the counts.
    const page = await get(leader.token, `/api/photos?tripId=${trip.id}`);
    expect(page.status).toBe(200);
    const items = (page.body as PhotoPage).items;
    expect(items.map((p) => p.sha256).sort()).toEqual([onTrip.sha256, sentLate.sha256].sort());
    expect(items.map((p) => p.storedName.split('/')[1])).toEqual([
      expect.stringMatching(/-beach$/),
      expect.stringMatching(/-beach$/),
    ]);
    const counts = await get(leader.token, `/api/photos/devices?tripId=${trip.id}`);
    expect((counts.body as DevicePhotoCounts[]).map((c) => [c.deviceTag, c.storedPhotos])).toEqual([
      ['TRIP-LAP-1', 2],
    ]);
    expect((await get(leader.token, `/api/photos/${onTrip.sha256}/thumbnail`)).status).toBe(200);
  });

  it('files no trip for a photo taken before the kit went out or after it came back', async () => {
    const checkedOutAt = Date.parse(trip.checkedOutAt as string);
    const before = await photoTakenAt(new Date(checkedOutAt - HOUR));
    const after = await photoTakenAt(new Date(hub.clock.nowMs() + 60_000));
    for (const { receipt } of [before, after]) {
      expect(receipt).not.toHaveProperty('tripId');
    }
    const page = await get(leader.token, `/api/photos?tripId=${trip.id}`);
    expect((page.body as PhotoPage).items.map((p) => p.sha256)).not.toEqual(
      expect.arrayContaining([before.sha256]),
    );
    expect((await get(leader.token, `/api/photos/${after.sha256}/picture`)).status).toBe(403);
  });
});
