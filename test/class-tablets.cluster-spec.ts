// A watched lesson grid follows its class's tablets across two real hub processes on one
// PostgreSQL database and one Redis (issues 10 and 12): ICT changes the class's tablets (or its
// group's members) through hub A while the teacher's console is connected to hub B. The teacher
// is told (`class.tablets`), gets the tile of the tablet that joined, and then sees that tablet
// change live, as on one hub. Before, only hub A heard of the change: B's console was told
// nothing and B went on following the class's old tablets until the page was reloaded.
import type { ClassTabletsEvent } from '@app/hub-api';
import { ClusterHub, startCluster, TestCluster } from './support/cluster';
import { as, ClassWatcher, connectWatcher } from './support/classroom';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';

const TEACHER_PASSWORD = 'Staff-Pass1!';

describe("a class's tablets changed on one hub, watched on another", () => {
  let cluster: TestCluster;
  let a: ClusterHub;
  let b: ClusterHub;
  let admin: string;
  let groupId: string;
  let classId: string;
  let teacherName: string;
  /** The group's two tablets, then a tablet of no group: all connected to hub B. */
  const devices: TestDevice[] = [];
  const watchers: ClassWatcher[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ hubs: 2 });
    [a, b] = cluster.hubs;
    admin = await a.login();
    const group = await a.http
      .post('/api/groups')
      .set('Authorization', as(admin))
      .send({ name: 'Year 4 Oak' });
    expect(group.status).toBe(201);
    groupId = (group.body as { id: string }).id;
    const inGroup = await createEnrollmentToken(a, admin, { groupIds: [groupId], maxUses: 2 });
    const alone = await createEnrollmentToken(a, admin);
    for (const [token, name] of [
      [inGroup, 'Oak 01'],
      [inGroup, 'Oak 02'],
      [alone, 'Oak 03'],
    ]) {
      const identity = await enrollTestDevice(a, token, { name });
      const device = connectTestDevice({ ...identity, hubUrl: b.url });
      devices.push(device);
      await waitForConnect(device);
    }
    teacherName = `teacher${process.pid}`;
    const teacher = await a.http
      .post('/api/staff')
      .set('Authorization', as(admin))
      .send({
        username: teacherName,
        displayName: 'Jo Teacher',
        password: TEACHER_PASSWORD,
        roles: ['teacher'],
      });
    expect(teacher.status).toBe(201);
    const created = await a.http
      .post('/api/classes')
      .set('Authorization', as(admin))
      .send({
        name: 'Year 4 Oak',
        teacherIds: [(teacher.body as { id: string }).id],
        groupId,
      });
    expect(created.status).toBe(201);
    classId = (created.body as { id: string }).id;
  }, 180_000);

  afterEach(() => {
    watchers.splice(0).forEach((watcher) => watcher.socket.close());
  });

  afterAll(async () => {
    devices.forEach((device) => device.client.destroy());
    await cluster?.stop();
  }, 60_000);

  const idOf = (device: TestDevice) => device.identity.deviceId;

  async function watchOn(hub: ClusterHub) {
    const watcher = await connectWatcher(hub, await hub.login(teacherName, TEACHER_PASSWORD));
    watchers.push(watcher);
    const told: ClassTabletsEvent[] = [];
    watcher.socket.on('class.tablets', (event: ClassTabletsEvent) => told.push(event));
    return { watcher, told };
  }

  async function patchClassOnA(body: object) {
    const response = await a.http
      .patch(`/api/classes/${classId}`)
      .set('Authorization', as(admin))
      .send(body);
    expect(response.status).toBe(200);
  }

  async function tilesOf(watcher: ClassWatcher) {
    const answer = await watcher.watch(classId);
    return answer.ok ? answer.tiles.map((tile) => tile.name).sort() : answer.error;
  }

  it('tells a teacher on B, and sends the tiles of the tablets that joined, which then stay live', async () => {
    const [oak1, , oak3] = devices;
    const { watcher, told } = await watchOn(b);
    expect(await tilesOf(watcher)).toEqual(['Oak 01', 'Oak 02']);

    // ICT names Oak 03 for the class, through hub A.
    await patchClassOnA({ deviceIds: [idOf(oak3)] });
    await waitFor(() => told.length === 1, 'class.tablets on B (a named tablet)');
    expect(told).toEqual([{ classId }]);
    await waitFor(() => watcher.tiles.has(idOf(oak3)), 'the tile of Oak 03 on B');
    // B follows the new tablet: what it reports reaches the grid, with no reload.
    oak3.enforcer.simulateLocalChange({ battery: 42 });
    await waitFor(
      () => watcher.tiles.get(idOf(oak3))?.battery === 42,
      "Oak 03's battery, live on B",
    );
    expect(await tilesOf(watcher)).toEqual(['Oak 01', 'Oak 02', 'Oak 03']);

    // ICT takes Oak 01 out of the class's group, through hub A.
    const removed = await a.http
      .delete(`/api/groups/${groupId}/members/${idOf(oak1)}`)
      .set('Authorization', as(admin));
    expect(removed.status).toBeLessThan(300);
    await waitFor(() => told.length === 2, "class.tablets on B (the group's members)");
    expect(await tilesOf(watcher)).toEqual(['Oak 02', 'Oak 03']);

    // Told once for each change, though both hubs heard of it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(told).toHaveLength(2);
  });

  it('tells each watcher once, whichever hub its console is on', async () => {
    const onA = await watchOn(a);
    const onB = await watchOn(b);
    expect(await tilesOf(onA.watcher)).toEqual(await tilesOf(onB.watcher));

    await patchClassOnA({ deviceIds: [] });
    await waitFor(
      () => onA.told.length === 1 && onB.told.length === 1,
      'class.tablets on A and on B',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([onA.told, onB.told]).toEqual([[{ classId }], [{ classId }]]);
    expect(await tilesOf(onB.watcher)).toEqual(['Oak 02']);
  });
});
