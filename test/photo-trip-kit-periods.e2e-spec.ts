// A device's photos are filed under a trip only for the time that device was out with the trip.
// Since a trip's kit can change while the trip is out (a tablet added at 14:00 to a trip out
// since 09:00, one taken out and checked in at 12:00), the trip's own check-out time no longer
// says when each device went: a tablet added at 14:00 was in a lesson at 10:00, and the photos it
// took there were filed under the trip, for the trip's leaders to see. Real JPEGs through the
// real tus upload, without a tripId (as the reference agent sends them), on SQLite and, with
// HUB_TEST_DB, PostgreSQL.
import { DataSource } from 'typeorm';
import type { PhotoDevice } from '@app/devices';
import { tripKitPath, type PhotoPage, type Trip } from '@app/hub-api';
import { createStaff, hubDatabaseOf, startHub, TestHub } from './support/hub';
import { enrolledAsset, photoTakenAt, tripOut } from './support/photos';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe(`photos of a device that joined or left a trip's kit while the trip was out (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let leader: { id: string; token: string };
  let trip: Trip;
  let tablet: PhotoDevice;
  let firstTablet: PhotoDevice;
  /** When the trip went out, and when the tablet joined its kit. */
  let tripOutAt: number;
  let joinedAt: number;

  const as = (token: string) => `Bearer ${token}`;

  /** The photos the trip's leader sees on the trip's page, by sha256. */
  async function tripPhotos(): Promise<string[]> {
    const page = await hub.http
      .get(`/api/photos?tripId=${trip.id}`)
      .set('Authorization', as(leader.token));
    expect(page.status).toBe(200);
    return (page.body as PhotoPage).items.map((p) => p.sha256).sort();
  }

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    leader = await createStaff(hub, admin, 'msleader', ['trip_leader']);
    firstTablet = await enrolledAsset(() => hub, admin, 'KIT-IPAD-1');
    tablet = await enrolledAsset(() => hub, admin, 'KIT-IPAD-2');
    trip = await tripOut(hub, leader, ['KIT-IPAD-1']);
    tripOutAt = Date.parse(trip.checkedOutAt as string);

    // Five hours later a second tablet joins the kit and goes out with the trip at once.
    hub.clock.advance(5 * HOUR);
    const added = await hub.http
      .post(tripKitPath(trip.id))
      .set('Authorization', as(leader.token))
      .send({ assetTag: 'KIT-IPAD-2' });
    expect(added.status).toBe(200);
    joinedAt = hub.clock.nowMs();
  });
  afterAll(() => hub.close());

  it('files a photo taken before the device joined the trip under no trip, and one taken after under the trip', async () => {
    // In a lesson at school, an hour after the trip left and four before this tablet joined it.
    const inLesson = await photoTakenAt(tablet, tripOutAt + HOUR);
    // With the trip, ten minutes after it joined.
    const onTrip = await photoTakenAt(tablet, joinedAt + 10 * MINUTE);
    expect(inLesson.tripId).toBeNull();
    expect(onTrip.tripId).toBe(trip.id);
    expect(await tripPhotos()).toEqual([onTrip.sha256]);
  });

  it('files a photo taken after the device was taken out of the kit under no trip, and one taken on the trip before, sent late, under the trip', async () => {
    hub.clock.advance(30 * MINUTE);
    const removed = await hub.http
      .delete(tripKitPath(trip.id, 'KIT-IPAD-2'))
      .set('Authorization', as(leader.token));
    expect(removed.status).toBe(200);
    const leftAt = hub.clock.nowMs();
    hub.clock.advance(30 * MINUTE);

    // Taken out of the kit and back at school: a photo from then is not the trip's.
    const afterLeaving = await photoTakenAt(tablet, leftAt + 10 * MINUTE);
    // Taken on the trip, sent only now: the trip's.
    const sentLate = await photoTakenAt(tablet, leftAt - 5 * MINUTE);
    expect(afterLeaving.tripId).toBeNull();
    expect(sentLate.tripId).toBe(trip.id);

    // Added again, it goes out again: the time it was back in between stays no trip's, and its
    // first time out stays the trip's.
    const again = await hub.http
      .post(tripKitPath(trip.id))
      .set('Authorization', as(leader.token))
      .send({ assetTag: 'KIT-IPAD-2' });
    expect(again.status).toBe(200);
    const outAgainAt = hub.clock.nowMs();
    const whileBack = await photoTakenAt(tablet, leftAt + 20 * MINUTE);
    const firstTimeOut = await photoTakenAt(tablet, joinedAt + 20 * MINUTE);
    const secondTimeOut = await photoTakenAt(tablet, outAgainAt + MINUTE);
    expect(whileBack.tripId).toBeNull();
    expect(firstTimeOut.tripId).toBe(trip.id);
    expect(secondTimeOut.tripId).toBe(trip.id);

    const seen = await tripPhotos();
    expect(seen).toEqual(
      expect.arrayContaining([sentLate.sha256, firstTimeOut.sha256, secondTimeOut.sha256]),
    );
    for (const notTheTrips of [afterLeaving, whileBack]) {
      expect(seen).not.toContain(notTheTrips.sha256);
    }
  });

  it('files a photo taken after a device was reported lost on the trip under no trip', async () => {
    hub.clock.advance(10 * MINUTE);
    const lost = await hub.http
      .post(`/api/trips/${trip.id}/lost`)
      .set('Authorization', as(leader.token))
      .send({ assetTag: 'KIT-IPAD-1' });
    expect(lost.status).toBe(200);
    const lostAt = hub.clock.nowMs();
    const beforeLost = await photoTakenAt(firstTablet, lostAt - 5 * MINUTE);
    const afterLost = await photoTakenAt(firstTablet, lostAt + 5 * MINUTE);
    expect(beforeLost.tripId).toBe(trip.id);
    expect(afterLost.tripId).toBeNull();
  });
});

describe(`kit periods of trips out when the hub is upgraded (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  afterAll(() => hub.close());

  it("are taken from each device's kit entry: one added while out went then, one back came back then", async () => {
    hub = await startHub();
    const dataDir = hub.dataDir;
    const admin = await hub.login();
    const leader = await createStaff(hub, admin, 'msleader', ['trip_leader']);
    const first = await enrolledAsset(() => hub, admin, 'OLD-IPAD-1');
    const joined = await enrolledAsset(() => hub, admin, 'OLD-IPAD-2');
    const trip = await tripOut(hub, leader, ['OLD-IPAD-1']);
    const tripOutAt = Date.parse(trip.checkedOutAt as string);
    hub.clock.advance(5 * HOUR);
    const added = await hub.http
      .post(tripKitPath(trip.id))
      .set('Authorization', `Bearer ${leader.token}`)
      .send({ assetTag: 'OLD-IPAD-2' });
    expect(added.status).toBe(200);
    const joinedAt = hub.clock.nowMs();
    hub.clock.advance(30 * MINUTE);
    const back = await hub.http
      .post(`/api/trips/${trip.id}/check-in`)
      .set('Authorization', `Bearer ${leader.token}`)
      .send({ assetTag: 'OLD-IPAD-1' });
    expect(back.status).toBe(200);
    const backAt = hub.clock.nowMs();
    await hub.close();

    // The database as a hub before migration 1764890000000 left it: kit entries, no periods.
    const db = await new DataSource(hubDatabaseOf(hub)).initialize();
    try {
      await db.query('DROP TABLE trip_kit_periods');
      await db.query(`DELETE FROM migrations WHERE name = 'AddTripKitPeriods1764890000000'`);
    } finally {
      await db.destroy();
    }
    hub = await startHub({ dataDir });
    for (const device of [first, joined]) {
      device.hubUrl = hub.url;
    }

    const joinedBefore = await photoTakenAt(joined, tripOutAt + HOUR);
    const joinedAfter = await photoTakenAt(joined, joinedAt + 10 * MINUTE);
    const firstOnTrip = await photoTakenAt(first, tripOutAt + HOUR);
    const firstBack = await photoTakenAt(first, backAt + 10 * MINUTE);
    expect(joinedBefore.tripId).toBeNull();
    expect(joinedAfter.tripId).toBe(trip.id);
    expect(firstOnTrip.tripId).toBe(trip.id);
    expect(firstBack.tripId).toBeNull();
  });
});
