// A kit tablet out on a trip may be reported lost by its leader on the trip's page, or by the
// office from the asset's page (POST /api/assets/:id/lost). Both are one lost report: the asset
// lost, its kit entry lost, its device locked, and the trip's overlay taken off it. The office's
// route did all but the last, so the lost tablet kept the trip's overlay (its camera allowed)
// until the trip closed.
import type { Asset, Trip } from '@app/hub-api';
import { TestDevice, waitFor } from './support/devices';
import type { TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';
import {
  cameraOf as cameraSetting,
  makeTabletKit,
  makeTrip,
  startTripHub,
  TripPerson,
} from './support/trips';

jest.setTimeout(120_000);

describe(`a kit device reported lost at the office (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let leader: TripPerson;
  let clerk: TripPerson;
  const tablets: TestDevice[] = [];

  const post = (token: string, path: string, body: object = {}) =>
    hub.http.post(path).set('Authorization', `Bearer ${token}`).send(body);

  async function get<T>(token: string, path: string): Promise<T> {
    const response = await hub.http.get(path).set('Authorization', `Bearer ${token}`);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return response.body as T;
  }

  const cameraOf = (deviceId: string) => cameraSetting(hub, admin, deviceId);

  beforeAll(async () => {
    ({ hub, admin, leader, clerk } = await startTripHub());
  });

  afterAll(async () => {
    tablets.forEach((device) => device.client.close());
    await hub.close();
  });

  it('takes the trip’s overlay off the lost tablet, as the leader’s report does', async () => {
    const kit = await makeTabletKit(hub, admin, { enrolled: 2, tags: ['OAK-01', 'OAK-02'] });
    tablets.push(...kit.devices.values());
    const deviceIds = tablets.map((device) => device.identity.deviceId);
    const trip = await makeTrip(hub, leader.token, { leaderIds: [leader.id], assetTags: kit.tags });
    expect((await post(leader.token, `/api/trips/${trip.id}/check-out`)).status).toBe(200);
    for (const id of deviceIds) {
      expect(await cameraOf(id)).toEqual({ allowed: true, scope: 'overlay' });
    }

    const asset = await get<Asset>(clerk.token, '/api/assets/by-tag/OAK-01');
    const lost = await post(clerk.token, `/api/assets/${asset.id}/lost`, {
      note: 'Left at the museum',
    });
    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({ status: 'lost', lockedDeviceId: deviceIds[0] });

    // Before: { allowed: true, scope: 'overlay' } until the trip closed.
    expect(await cameraOf(deviceIds[0])).toEqual({ allowed: false, scope: 'baseline' });
    expect(await cameraOf(deviceIds[1])).toEqual({ allowed: true, scope: 'overlay' });
    await waitFor(() => tablets[0].enforcer.currentState().locked, 'the lost tablet locked');
    const now2 = await get<Trip>(leader.token, `/api/trips/${trip.id}`);
    expect(Object.fromEntries(now2.kit.map((k) => [k.assetTag, k.status]))).toEqual({
      'OAK-01': 'lost',
      'OAK-02': 'out',
    });
    const entries = await get<{ items: { action: string; detail: Record<string, unknown> }[] }>(
      admin,
      `/api/audit?action=asset.lost&targetId=${asset.id}`,
    );
    expect(entries.items).toHaveLength(1);
    expect(entries.items[0].detail).toMatchObject({ tripId: trip.id, note: 'Left at the museum' });

    // An asset on no trip is reported lost as before.
    const plain = await post(admin, '/api/assets', { assetTag: 'CAM-1', kind: 'camera' });
    const report = await post(clerk.token, `/api/assets/${(plain.body as Asset).id}/lost`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ status: 'lost', lockedDeviceId: null });
  });
});
