// A kit tablet out on a trip may be reported lost by its leader on the trip's page, or by the
// office from the asset's page (POST /api/assets/:id/lost). Both are one lost report: the asset
// lost, its kit entry lost, its device locked, and the trip's overlay taken off it. The office's
// route did all but the last, so the lost tablet kept the trip's overlay (its camera allowed)
// until the trip closed.
import type { Asset, DevicePolicy, Trip } from '@app/hub-api';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';
import { createStaff, startHub, TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

const HOUR = 60 * 60 * 1000;

describe(`a kit device reported lost at the office (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let leader: { id: string; token: string };
  let clerk: { id: string; token: string };
  const tablets: TestDevice[] = [];

  const post = (token: string, path: string, body: object = {}) =>
    hub.http.post(path).set('Authorization', `Bearer ${token}`).send(body);

  async function get<T>(token: string, path: string): Promise<T> {
    const response = await hub.http.get(path).set('Authorization', `Bearer ${token}`);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return response.body as T;
  }

  async function cameraOf(deviceId: string): Promise<{ allowed: unknown; scope: string }> {
    const policy = await get<DevicePolicy>(admin, `/api/devices/${deviceId}/policy`);
    return {
      allowed: policy.settings.camera.allowed,
      scope: policy.decidedBy['camera.allowed'].scope,
    };
  }

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    leader = await createStaff(hub, admin, 'msleader', ['trip_leader']);
    clerk = await createStaff(hub, admin, 'clerk', ['office']);
  });

  afterAll(async () => {
    tablets.forEach((device) => device.client.close());
    await hub.close();
  });

  it('takes the trip’s overlay off the lost tablet, as the leader’s report does', async () => {
    const token = await createEnrollmentToken(hub, admin, { maxUses: 2 });
    const deviceIds: string[] = [];
    for (const i of [1, 2]) {
      const serialNumber = `SN-${process.pid}-${i}`;
      const created = await post(admin, '/api/assets', {
        assetTag: `OAK-0${i}`,
        kind: 'tablet',
        serialNumber,
      });
      expect(created.status).toBe(201);
      const identity = await enrollTestDevice(hub, token, { serialNumber, name: `Oak 0${i}` });
      const device = connectTestDevice(identity);
      await waitForConnect(device);
      tablets.push(device);
      deviceIds.push(identity.deviceId);
    }
    const now = hub.clock.nowMs();
    const made = await post(leader.token, '/api/trips', {
      name: 'Year 4 museum visit',
      shortName: 'museum',
      startsAt: new Date(now + HOUR).toISOString(),
      endsAt: new Date(now + 8 * HOUR).toISOString(),
      leaderIds: [leader.id],
      assetTags: ['OAK-01', 'OAK-02'],
    });
    expect(made.status).toBe(201);
    const trip = made.body as Trip;
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
