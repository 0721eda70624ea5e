// A class's tiles across two real hub processes on one PostgreSQL database and one Redis (issues
// 10 and 12): the teacher's console is connected to hub A, the class's tablets to hub B.
// Before the bell (no lesson running) the grid follows every tablet live, whichever hub it is
// on, and each watcher is sent each tile change once, however many hubs follow the class.
// Before, a class with no session was followed only by the hubs its watchers were on: B never
// sent its tablets' tiles until the page was reloaded; and both hubs sent the tile of a change
// both heard of (a command queued), so a watcher was sent it twice, from two hubs, in no order.
import type { ClassTileEvent } from '@app/hub-api';
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
/** How long a test waits after a tile came for a second one that must not come (ms). */
const SETTLE_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a class's tiles with the console on one hub and the tablets on another", () => {
  let cluster: TestCluster;
  let a: ClusterHub;
  let b: ClusterHub;
  let admin: string;
  let teacher: string;
  let classId: string;
  /** Elm 01 and Elm 02, enrolled through A and connected to B. */
  const devices: TestDevice[] = [];
  const watchers: ClassWatcher[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ hubs: 2 });
    [a, b] = cluster.hubs;
    admin = await a.login();
    const group = await a.http
      .post('/api/groups')
      .set('Authorization', as(admin))
      .send({ name: 'Year 5 Elm' });
    expect(group.status).toBe(201);
    const groupId = (group.body as { id: string }).id;
    const token = await createEnrollmentToken(a, admin, { groupIds: [groupId], maxUses: 2 });
    for (const name of ['Elm 01', 'Elm 02']) {
      const identity = await enrollTestDevice(a, token, { name });
      const device = connectTestDevice({ ...identity, hubUrl: b.url });
      devices.push(device);
      await waitForConnect(device);
    }
    const username = `teacher${process.pid}`;
    const created = await a.http
      .post('/api/staff')
      .set('Authorization', as(admin))
      .send({
        username,
        displayName: 'Sam Teacher',
        password: TEACHER_PASSWORD,
        roles: ['teacher'],
      });
    expect(created.status).toBe(201);
    const made = await a.http
      .post('/api/classes')
      .set('Authorization', as(admin))
      .send({ name: 'Year 5 Elm', teacherIds: [(created.body as { id: string }).id], groupId });
    expect(made.status).toBe(201);
    classId = (made.body as { id: string }).id;
    teacher = await a.login(username, TEACHER_PASSWORD);
  }, 180_000);

  afterEach(async () => {
    watchers.splice(0).forEach((watcher) => watcher.socket.close());
    // The hubs stop following the class for the watchers that went before the next test.
    await sleep(SETTLE_MS);
  });

  afterAll(async () => {
    devices.forEach((device) => device.client.destroy());
    await cluster?.stop();
  }, 60_000);

  const idOf = (device: TestDevice) => device.identity.deviceId;

  /** A teacher's console on `hub` watching the class; its tiles' events start empty. */
  async function watchOn(hub: ClusterHub): Promise<ClassWatcher> {
    const watcher = await connectWatcher(hub, teacher);
    watchers.push(watcher);
    const answer = await watcher.watch(classId);
    expect(answer.ok).toBe(true);
    return watcher;
  }

  /** Waits until no tile has come for a while (the first tiles of a watch), then forgets them. */
  async function quiet(...list: ClassWatcher[]): Promise<void> {
    let seen = -1;
    while (seen !== list.reduce((n, w) => n + w.events.length, 0)) {
      seen = list.reduce((n, w) => n + w.events.length, 0);
      await sleep(SETTLE_MS);
    }
    list.forEach((watcher) => watcher.events.splice(0));
  }

  /** Tiles that came twice in a row (one change sent by two hubs). */
  const repeated = (tiles: readonly object[]) =>
    tiles
      .map((tile) => JSON.stringify(tile))
      .filter((tile, i, all) => i > 0 && tile === all[i - 1]);

  /** The tiles `watcher` was sent for `device`, in the order they came. */
  const tilesFor = (watcher: ClassWatcher, device: TestDevice) =>
    watcher.events
      .filter((event: ClassTileEvent) => event.tile.deviceId === idOf(device))
      .map((event) => event.tile);

  it('shows a teacher on A, before the lesson, a tablet on B reporting, going and coming back', async () => {
    const [elm1] = devices;
    const watcher = await watchOn(a);
    expect(watcher.tiles.get(idOf(elm1))?.online).toBe(true);
    await quiet(watcher);

    elm1.enforcer.simulateLocalChange({ battery: 42 });
    await waitFor(() => watcher.tiles.get(idOf(elm1))?.battery === 42, "Elm 01's battery on A");
    await sleep(SETTLE_MS);
    expect(tilesFor(watcher, elm1).map((tile) => tile.battery)).toEqual([42]);

    watcher.events.splice(0);
    elm1.client.close();
    await waitFor(() => watcher.tiles.get(idOf(elm1))?.online === false, 'Elm 01 offline on A');
    elm1.client.connect();
    await waitForConnect(elm1);
    await waitFor(() => watcher.tiles.get(idOf(elm1))?.online === true, 'Elm 01 back on A');
    await sleep(SETTLE_MS);
    // Gone, then back (and its first report on coming back), each tile once.
    const tiles = tilesFor(watcher, elm1);
    expect(tiles.slice(1).map((tile) => tile.online)).not.toContain(false);
    expect(tiles.map((tile) => tile.online).slice(0, 2)).toEqual([false, true]);
    expect(repeated(tiles)).toEqual([]);
  });

  it('sends each watcher, on either hub, each tile change once', async () => {
    const [elm1, elm2] = devices;
    const onA = await watchOn(a);
    const onB = await watchOn(b);
    await quiet(onA, onB);

    // A report, heard by B only.
    elm1.enforcer.simulateLocalChange({ battery: 37 });
    await waitFor(
      () => [onA, onB].every((w) => w.tiles.get(idOf(elm1))?.battery === 37),
      "Elm 01's battery on A and on B",
    );
    await sleep(SETTLE_MS);
    for (const watcher of [onA, onB]) {
      expect(tilesFor(watcher, elm1).map((tile) => tile.battery)).toEqual([37]);
    }

    // A command queued through A for a tablet connected to no hub: both hubs hear of it.
    elm2.client.close();
    await waitFor(
      () => [onA, onB].every((w) => w.tiles.get(idOf(elm2))?.online === false),
      'Elm 02 offline on A and on B',
    );
    await quiet(onA, onB);
    const queued = await a.http
      .post(`/api/devices/${idOf(elm2)}/commands`)
      .set('Authorization', as(admin))
      .send({ type: 'message.show', payload: { text: 'Come to the front' } });
    expect(queued.status).toBe(201);
    await waitFor(
      () => [onA, onB].every((w) => w.tiles.get(idOf(elm2))?.pending === true),
      'Elm 02 waiting for its message, on A and on B',
    );
    await sleep(SETTLE_MS);
    for (const watcher of [onA, onB]) {
      expect(tilesFor(watcher, elm2).map((tile) => tile.pending)).toEqual([true]);
    }

    // The same for a tablet connected to B: it shows the message, and its tile settles.
    await quiet(onA, onB);
    const shown = await a.http
      .post(`/api/devices/${idOf(elm1)}/commands`)
      .set('Authorization', as(admin))
      .send({ type: 'message.show', payload: { text: 'Well done' } });
    expect(shown.status).toBe(201);
    await sleep(SETTLE_MS);
    await waitFor(
      () => [onA, onB].every((w) => w.tiles.get(idOf(elm1))?.pending === false),
      'Elm 01 done, on A and on B',
    );
    for (const watcher of [onA, onB]) {
      expect(repeated(tilesFor(watcher, elm1))).toEqual([]);
    }
    expect(tilesFor(onA, elm1)).toEqual(tilesFor(onB, elm1));

    elm2.client.connect();
    await waitForConnect(elm2);
  });

  it('shows a tablet on B reporting in a lesson run from A, and keeps it marked absent', async () => {
    const [elm1] = devices;
    const watcher = await watchOn(a);
    const started = await a.http
      .post(`/api/classes/${classId}/session`)
      .set('Authorization', as(teacher))
      .send({});
    expect(started.status).toBe(201);
    elm1.enforcer.simulateLocalChange({ battery: 50 });
    await waitFor(() => watcher.tiles.get(idOf(elm1))?.battery === 50, "Elm 01's battery on A");
    expect(watcher.tiles.get(idOf(elm1))?.absent).toBe(false);

    // Marked absent through A: B, which sends Elm 01's tiles, marks it too.
    const absent = await a.http
      .put(`/api/classes/${classId}/session/absent`)
      .set('Authorization', as(teacher))
      .send({ deviceIds: [idOf(elm1)], absent: true });
    expect(absent.status).toBe(200);
    await waitFor(() => watcher.tiles.get(idOf(elm1))?.absent === true, 'Elm 01 absent on A');
    await quiet(watcher);

    elm1.enforcer.simulateLocalChange({ battery: 55 });
    await waitFor(() => watcher.tiles.get(idOf(elm1))?.battery === 55, "Elm 01's battery on A");
    await sleep(SETTLE_MS);
    expect(tilesFor(watcher, elm1).map((tile) => [tile.battery, tile.absent])).toEqual([
      [55, true],
    ]);

    const ended = await a.http
      .delete(`/api/classes/${classId}/session`)
      .set('Authorization', as(teacher));
    expect(ended.status).toBeLessThan(300);
  });
});
