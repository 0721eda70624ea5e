// A tablet going out on a trip turns its tile "On trip" on every hub of a cluster (issues 10, 12
// and 13): the trip leader checks the kit out and back in through hub A while the teacher's
// console watches the class on hub B, no lesson running, and the tablet is connected to B. The
// trip lays no settings, so no command is queued to wake the tile: hub A follows no class, and B
// was never told, so B's tile said the tablet was at school until its next report or a reload.
import type { ClassTile, Trip } from '@app/hub-api';
import { ClusterHub, startCluster, TestCluster } from './support/cluster';
import { as, ClassWatcher, connectWatcher } from './support/classroom';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  reportsOnceSettled,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';

const STAFF_PASSWORD = 'Staff-Pass1!';
const HOUR = 60 * 60 * 1000;

describe('a trip step on one hub, its tablet’s class watched on another', () => {
  let cluster: TestCluster;
  let a: ClusterHub;
  let b: ClusterHub;
  const devices: TestDevice[] = [];
  const watchers: ClassWatcher[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ hubs: 2 });
    [a, b] = cluster.hubs;
  }, 180_000);

  afterAll(async () => {
    watchers.forEach((watcher) => watcher.socket.close());
    devices.forEach((device) => device.client.destroy());
    await cluster?.stop();
  }, 60_000);

  it('turns the tile On trip on B when the kit goes out through A, and back at its check-in', async () => {
    const admin = await a.login();
    const post = (token: string, path: string, body: object = {}) =>
      a.http.post(path).set('Authorization', as(token)).send(body);
    const staff = async (username: string, roles: string[]) => {
      const created = await post(admin, '/api/staff', {
        username,
        displayName: username,
        password: STAFF_PASSWORD,
        roles,
      });
      expect(created.status).toBe(201);
      return (created.body as { id: string }).id;
    };
    const teacherName = `teacher${process.pid}`;
    const leaderName = `leader${process.pid}`;
    const teacherId = await staff(teacherName, ['teacher']);
    const leaderId = await staff(leaderName, ['trip_leader']);

    const group = await post(admin, '/api/groups', { name: 'Year 4 Oak' });
    expect(group.status).toBe(201);
    const groupId = (group.body as { id: string }).id;
    const serialNumber = `OAKSN-${process.pid}`;
    expect(
      (await post(admin, '/api/assets', { assetTag: 'OAK-T1', kind: 'tablet', serialNumber }))
        .status,
    ).toBe(201);
    const token = await createEnrollmentToken(a, admin, { groupIds: [groupId] });
    const identity = await enrollTestDevice(a, token, { serialNumber, name: 'Oak 01' });
    const device = connectTestDevice({ ...identity, hubUrl: b.url });
    devices.push(device);
    await waitForConnect(device);
    const klass = await post(admin, '/api/classes', {
      name: 'Year 4 Oak',
      teacherIds: [teacherId],
      groupId,
    });
    expect(klass.status).toBe(201);
    const classId = (klass.body as { id: string }).id;
    const reports = await reportsOnceSettled(a, admin, devices);

    const leader = await a.login(leaderName, STAFF_PASSWORD);
    const now = Date.now();
    const made = await post(leader, '/api/trips', {
      name: 'Year 4 museum visit',
      shortName: 'museum',
      startsAt: new Date(now + HOUR).toISOString(),
      endsAt: new Date(now + 8 * HOUR).toISOString(),
      leaderIds: [leaderId],
      assetTags: ['OAK-T1'],
      overlay: {},
    });
    expect(made.status).toBe(201);
    const trip = made.body as Trip;

    const watcher = await connectWatcher(b, await b.login(teacherName, STAFF_PASSWORD));
    watchers.push(watcher);
    const watched = await watcher.watch(classId);
    expect(watched.ok && watched.tiles.map((tile) => tile.onTrip)).toEqual([null]);
    const tile = (): ClassTile | undefined => watcher.tiles.get(identity.deviceId);

    expect((await post(leader, `/api/trips/${trip.id}/check-out`)).status).toBe(200);
    await waitFor(
      () => tile()?.onTrip?.tripId === trip.id,
      'the tile On trip on B after the check-out on A',
      10_000,
      () => `tile: ${JSON.stringify(tile())}`,
    );
    expect(tile()?.onTrip).toEqual({ tripId: trip.id, name: 'Year 4 museum visit' });

    expect(
      (await post(leader, `/api/trips/${trip.id}/check-in`, { assetTag: 'OAK-T1' })).status,
    ).toBe(200);
    await waitFor(
      () => tile()?.onTrip === null,
      'the tile back at school on B after the check-in on A',
      10_000,
      () => `tile: ${JSON.stringify(tile())}`,
    );
    expect(reports).toEqual([]);
  });
});
