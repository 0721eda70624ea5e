// A tablet reported lost is locked on its device with the lost report's lock, which only ICT
// lifts (decisions.md). Found and made available, the desk no longer lends it (409
// device_locked_lost), but a trip still took it: checked out with the kit, or added to a kit
// already out, a trip leader carried off a tablet saying "This device has been reported lost".
// Both now refuse with 409 device_locked_lost naming the tablet, and nothing goes out: the whole
// check-out is refused, as it is for a tablet of the kit that is on loan. Once ICT unlocks the
// device the trip takes it.
import type { Asset, Trip } from '@app/hub-api';
import { tripKitPath } from '@app/hub-api';
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import type { TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';
import { makeTrip, startTripHub, TripPerson } from './support/trips';

jest.setTimeout(120_000);

describe(`a trip and a found tablet still locked as lost (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let ict: string;
  let leader: TripPerson;
  let clerk: TripPerson;
  let enrolToken: string;

  const post = (token: string, path: string, body: object = {}) =>
    hub.http.post(path).set('Authorization', `Bearer ${token}`).send(body);
  const get = (token: string, path: string) =>
    hub.http.get(path).set('Authorization', `Bearer ${token}`);

  /** A tablet asset with an enrolled device of the same serial number. */
  const tablet = async (assetTag: string): Promise<Asset> => {
    const serialNumber = `TFL-${process.pid}-${assetTag}`;
    const device = await enrollTestDevice(hub, enrolToken, { serialNumber, name: assetTag });
    const created = await post(ict, '/api/assets', { assetTag, kind: 'tablet', serialNumber });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ deviceId: device.deviceId, deviceLockedAsLost: false });
    return created.body as Asset;
  };
  /** Reported lost, then found: available, its device still locked as lost. */
  const foundAfterLost = async (asset: Asset) => {
    expect((await post(clerk.token, `/api/assets/${asset.id}/lost`)).status).toBe(200);
    const found = await hub.http
      .patch(`/api/assets/${asset.id}`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ status: 'available' });
    expect(found.body).toMatchObject({ status: 'available', deviceLockedAsLost: true });
  };
  const unlockedByIct = async (asset: Asset) => {
    const unlock = await post(ict, `/api/devices/${asset.deviceId}/commands`, {
      type: 'device.unlock',
      payload: {},
    });
    expect(unlock.status).toBe(201);
  };
  const newTrip = (assetTags: string[]) =>
    makeTrip(hub, ict, { leaderIds: [leader.id], assetTags });
  const statusOf = async (tag: string) =>
    ((await get(ict, `/api/assets/by-tag/${tag}`)).body as Asset).status;

  beforeAll(async () => {
    ({ hub, admin: ict, leader, clerk } = await startTripHub());
    enrolToken = await createEnrollmentToken(hub, ict, { maxUses: 10 });
  });

  afterAll(async () => {
    await hub.close();
  });

  it('refuses the whole check-out of a kit holding one, naming it, until ICT unlocks it', async () => {
    const good = await tablet('MUS-T1');
    const lostOne = await tablet('MUS-T2');
    await foundAfterLost(lostOne);
    const trip = await newTrip(['MUS-T1', 'MUS-T2']);

    const refused = await post(leader.token, `/api/trips/${trip.id}/check-out`);
    expect({ status: refused.status, body: refused.body as unknown }).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        code: 'device_locked_lost',
        message:
          'Nothing was checked out: MUS-T2 is still locked as lost on its device: ask ICT to ' +
          'unlock it, or take it out of the kit',
      },
    });
    // Nothing went out: both tablets stay on the shelf and the trip is still planned.
    expect(await statusOf('MUS-T1')).toBe('available');
    expect(await statusOf('MUS-T2')).toBe('available');
    const seen = (await get(leader.token, `/api/trips/${trip.id}`)).body as Trip;
    expect(seen.status).toBe('planned');
    expect(seen.kit.map((k) => [k.assetTag, k.status])).toEqual([
      ['MUS-T1', 'ready'],
      ['MUS-T2', 'ready'],
    ]);

    await unlockedByIct(lostOne);
    const out = await post(leader.token, `/api/trips/${trip.id}/check-out`);
    expect(out.status).toBe(200);
    expect((out.body as Trip).status).toBe('out');
    expect(await statusOf(good.assetTag)).toBe('on_trip');
    expect(await statusOf('MUS-T2')).toBe('on_trip');
  });

  it('refuses to add one to a kit already out, naming it, until ICT unlocks it', async () => {
    await tablet('MUS-T3');
    const lostOne = await tablet('MUS-T4');
    await foundAfterLost(lostOne);
    const trip = await newTrip(['MUS-T3']);
    expect((await post(leader.token, `/api/trips/${trip.id}/check-out`)).status).toBe(200);

    const refused = await post(leader.token, tripKitPath(trip.id), { assetTag: 'MUS-T4' });
    expect({ status: refused.status, body: refused.body as unknown }).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        code: 'device_locked_lost',
        message:
          'MUS-T4 cannot join the kit while it is out: it is still locked as lost on its device ' +
          '(MUS-T4); ask ICT to unlock the device first',
      },
    });
    expect(await statusOf('MUS-T4')).toBe('available');
    const seen = (await get(leader.token, `/api/trips/${trip.id}`)).body as Trip;
    expect(seen.kit.map((k) => k.assetTag)).toEqual(['MUS-T3']);

    await unlockedByIct(lostOne);
    const added = await post(leader.token, tripKitPath(trip.id), { assetTag: 'MUS-T4' });
    expect(added.status).toBe(200);
    expect(await statusOf('MUS-T4')).toBe('on_trip');
  });
});
