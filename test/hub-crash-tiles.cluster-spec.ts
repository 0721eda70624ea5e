// A hub that crashes leaves its tablets shown offline on every console (issues 10 and 12): the
// teacher's console watches a class on hub A, its tablet is connected to hub B, hub C runs too.
// B is killed (SIGKILL: no clean shutdown, no disconnect event anywhere); once B has been silent
// for HUB_CLUSTER_DEAD_AFTER_MS, a surviving hub marks its devices offline in the database.
// Before, that was all: the tile and the device lists said "online" until something else changed
// them, and a teacher at the front of the class took the tablets for fine. Now the hub whose
// sweep marked them sends the tile and the /staff presence, once, whichever hub did it.
import type { ClassTile, ClassTileEvent, DeviceDetail } from '@app/hub-api';
import type { DevicePresenceChange } from '@app/devices';
import { CLUSTER_TEST_ENV, ClusterHub, startCluster, TestCluster } from './support/cluster';
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
const deadAfterMs = Number(CLUSTER_TEST_ENV.HUB_CLUSTER_DEAD_AFTER_MS);
const heartbeatMs = Number(CLUSTER_TEST_ENV.HUB_CLUSTER_HEARTBEAT_MS);
/** How long the test waits after the offline tile for a second one that must not come (ms). */
const SETTLE_MS = 2 * heartbeatMs + 500;

describe('a hub killed while its tablet’s class is watched on another hub', () => {
  let cluster: TestCluster;
  let a: ClusterHub;
  let b: ClusterHub;
  const devices: TestDevice[] = [];
  const watchers: ClassWatcher[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ hubs: 3 });
    [a, b] = cluster.hubs;
  }, 240_000);

  afterAll(async () => {
    watchers.forEach((watcher) => watcher.socket.close());
    devices.forEach((device) => device.client.destroy());
    await cluster?.stop();
  }, 60_000);

  it('shows the tablet offline on A, once, within the dead-after time of B’s crash', async () => {
    const admin = await a.login();
    const created = await a.http
      .post('/api/staff')
      .set('Authorization', as(admin))
      .send({
        username: `teacher${process.pid}`,
        displayName: 'Sam Teacher',
        password: STAFF_PASSWORD,
        roles: ['teacher'],
      });
    expect(created.status).toBe(201);
    const teacherId = (created.body as { id: string }).id;
    const group = await a.http
      .post('/api/groups')
      .set('Authorization', as(admin))
      .send({ name: 'Year 6 Ash' });
    expect(group.status).toBe(201);
    const groupId = (group.body as { id: string }).id;
    const token = await createEnrollmentToken(a, admin, { groupIds: [groupId] });
    const identity = await enrollTestDevice(a, token, { name: 'Ash 01' });
    const device = connectTestDevice({ ...identity, hubUrl: b.url });
    devices.push(device);
    await waitForConnect(device);
    const klass = await a.http
      .post('/api/classes')
      .set('Authorization', as(admin))
      .send({ name: 'Year 6 Ash', teacherIds: [teacherId], groupId });
    expect(klass.status).toBe(201);
    const classId = (klass.body as { id: string }).id;
    await reportsOnceSettled(a, admin, devices);

    const watcher = await connectWatcher(a, await a.login(`teacher${process.pid}`, STAFF_PASSWORD));
    watchers.push(watcher);
    const presence: DevicePresenceChange[] = [];
    watcher.socket.on('device.presence', (event: DevicePresenceChange) => {
      if (event.deviceId === identity.deviceId) {
        presence.push(event);
      }
    });
    const watched = await watcher.watch(classId);
    expect(watched.ok).toBe(true);
    const tile = (): ClassTile | undefined => watcher.tiles.get(identity.deviceId);
    await waitFor(() => tile()?.online === true, 'the tablet online on A through B');

    // A tile sent before the device's online write (enrolled, not yet connected) is no concern.
    const sentBefore = watcher.events.length;
    const offlineTiles = (): ClassTileEvent[] =>
      watcher.events
        .slice(sentBefore)
        .filter((event) => event.tile.deviceId === identity.deviceId && !event.tile.online);
    await b.kill();
    const killedAt = Date.now();
    await waitFor(() => !device.client.connected, 'the tablet’s connection cut');
    device.client.close(); // it would otherwise try the dead hub again and again

    // B is dead after deadAfterMs; A or C sees it at its next beat, and the write takes a moment.
    await waitFor(
      () => offlineTiles().length > 0,
      'the tile offline on A after B was killed',
      deadAfterMs + 2 * heartbeatMs + 3000,
      () => `tile: ${JSON.stringify(tile())}, ${Date.now() - killedAt} ms after the kill`,
    );
    await waitFor(
      () => presence.some((event) => !event.online),
      'device.presence offline on A',
      3000,
      () => `presence: ${JSON.stringify(presence)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    // One hub marked the row and one sent the tile and the presence, through the Redis adapter.
    expect(offlineTiles()).toHaveLength(1);
    const gone = presence.filter((event) => !event.online);
    expect(gone).toHaveLength(1);
    // What the consoles were told is what the device's page reads.
    const read = await a.http
      .get(`/api/devices/${identity.deviceId}`)
      .set('Authorization', as(admin));
    expect(read.status).toBe(200);
    const detail = read.body as DeviceDetail;
    expect(detail.online).toBe(false);
    expect(detail.lastSeenAt).toEqual(expect.any(String));
    expect(gone[0].lastSeenAt).toBe(detail.lastSeenAt);
    expect(tile()?.lastSeenAt).toBe(detail.lastSeenAt);
  });
});
