// A tablet out on a trip belongs to the trip until it is back (issue 12 with the trips). A
// lesson's actions went to every tablet of the class, the three at the museum too, and the
// tiles showed them as ordinary tablets. Now the action leaves them out and its answer names them
// (`skipped`, reason `on_trip`), and their tiles say which trip they are out on.
//
// The tile changed only when something else woke it: a trip that lays no settings (or none that
// change the device) queues no command, so a watching console went on showing the tablet at
// school until its next report or a reload, and back at school after its check-in. Now every trip
// step that sends tablets out or brings them back wakes their tiles itself.
import type { ClassActionAccepted, ClassSessionView, ClassTile } from '@app/hub-api';
import {
  act,
  as,
  connectWatcher,
  ClassWatcher,
  startSession,
  waitForLocked,
} from './support/classroom';
import { reportsOnceSettled, TestDevice, waitFor } from './support/devices';
import { createStaff, startHub, TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';
import { makeTabletKit, makeTrip } from './support/trips';

jest.setTimeout(120_000);

describe(`a class whose tablet is out on a trip (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  const tablets: TestDevice[] = [];
  const sockets: ClassWatcher[] = [];

  const post = (token: string, path: string, body: object = {}) =>
    hub.http.post(path).set('Authorization', as(token)).send(body);

  /**
   * A class over a new group of `count` connected tablets, each with its asset (a kit of
   * test/support/trips.ts, tags `${prefix}<n>-T1`...), taught by a new teacher `${prefix}teacher`.
   * The tablets are in the order of their tags, which is the order of their tiles.
   */
  async function classOfTablets(prefix: string, count: number) {
    const teacher = await createStaff(hub, admin, `${prefix.toLowerCase()}teacher`, ['teacher']);
    const group = await post(admin, '/api/groups', { name: `${prefix} tablets` });
    expect(group.status).toBe(201);
    const groupId = (group.body as { id: string }).id;
    const kit = await makeTabletKit(hub, admin, { enrolled: count, prefix, groupIds: [groupId] });
    const devices = kit.tags.map((tag) => kit.devices.get(tag) as TestDevice);
    tablets.push(...devices);
    const klass = await post(admin, '/api/classes', {
      name: `Year 4 ${prefix}`,
      teacherIds: [teacher.id],
      groupId,
    });
    expect(klass.status).toBe(201);
    return {
      classId: (klass.body as { id: string }).id,
      teacher,
      tags: kit.tags,
      deviceIds: devices.map((device) => device.identity.deviceId),
      devices,
    };
  }

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });

  afterAll(async () => {
    sockets.forEach((watcher) => watcher.socket.close());
    tablets.forEach((device) => device.client.close());
    await hub.close();
  });

  it('locks only the tablets at school, names the one on the trip, and its tile says so', async () => {
    const leader = await createStaff(hub, admin, 'tripleader', ['trip_leader']);
    const { classId, teacher, tags, deviceIds, devices } = await classOfTablets('OAK', 3);

    const trip = await makeTrip(hub, leader.token, {
      leaderIds: [leader.id],
      assetTags: [tags[2]],
    });
    expect((await post(leader.token, `/api/trips/${trip.id}/check-out`)).status).toBe(200);

    await startSession(hub, teacher.token, classId);
    const watcher = await connectWatcher(hub, teacher.token);
    sockets.push(watcher);
    expect((await watcher.watch(classId)).ok).toBe(true);

    const locked = await act(hub, teacher.token, classId, { action: 'lock' });
    expect(locked.status).toBe(202);
    const accepted = locked.body as ClassActionAccepted;
    expect(accepted.deviceIds.sort()).toEqual(deviceIds.slice(0, 2).sort());
    expect(accepted.skipped).toEqual([
      {
        deviceId: deviceIds[2],
        reason: 'on_trip',
        tripId: trip.id,
        tripName: trip.name,
      },
    ]);
    await waitForLocked(devices.slice(0, 2), true, 'the two tablets at school locked');
    // The tablet at the museum was never sent the lock.
    const history = await hub.http
      .get(`/api/devices/${deviceIds[2]}/commands`)
      .set('Authorization', as(admin));
    expect((history.body as { items: { type: string }[] }).items.map((c) => c.type)).not.toContain(
      'device.lock',
    );
    expect(devices[2].enforcer.currentState().locked).toBe(false);

    // The camera from the lesson is not laid on it either.
    const camera = await act(hub, teacher.token, classId, { action: 'camera.allow', minutes: 10 });
    expect(camera.status).toBe(202);
    expect((camera.body as ClassActionAccepted).deviceIds.sort()).toEqual(
      deviceIds.slice(0, 2).sort(),
    );
    expect((camera.body as ClassActionAccepted).skipped).toEqual([
      expect.objectContaining({ deviceId: deviceIds[2], reason: 'on_trip' }),
    ]);

    const view = await hub.http
      .get(`/api/classes/${classId}/session`)
      .set('Authorization', as(teacher.token));
    expect(view.status).toBe(200);
    const tiles = (view.body as ClassSessionView).tiles;
    expect(tiles.find((t) => t.deviceId === deviceIds[2])?.onTrip).toEqual({
      tripId: trip.id,
      name: trip.name,
    });
    expect(tiles.find((t) => t.deviceId === deviceIds[0])?.onTrip).toBeNull();
    await waitFor(
      () => watcher.tiles.get(deviceIds[2])?.onTrip?.name === trip.name,
      'the watching console’s tile says the tablet is on the trip',
    );
  });

  it('turns a watched tile On trip and back live, for a trip that lays no settings', async () => {
    const leader = await createStaff(hub, admin, 'elmleader', ['trip_leader']);
    const { classId, teacher, tags, deviceIds, devices } = await classOfTablets('ELM', 2);
    // The steps below run once the tablets have applied their baseline policy and reported it:
    // a report of theirs must not be what wakes the tiles.
    const reports = await reportsOnceSettled(hub, admin, devices);
    const trip = await makeTrip(hub, leader.token, {
      leaderIds: [leader.id],
      assetTags: [tags[0]],
      // No settings: the check-out lays no overlay, so it queues no command to wake the tile.
      overlay: {},
    });
    const onThisTrip = { tripId: trip.id, name: trip.name };

    // A console watches the class, no lesson running: two tiles, with their tablets' reports.
    const watcher = await connectWatcher(hub, teacher.token);
    sockets.push(watcher);
    const watched = await watcher.watch(classId);
    expect(watched.ok && watched.tiles.map((t) => t.locked)).toEqual([false, false]);
    const tileOf = (i: number): ClassTile | undefined => watcher.tiles.get(deviceIds[i]);
    const explain = () =>
      `tiles: ${JSON.stringify(deviceIds.map((id) => watcher.tiles.get(id)?.onTrip ?? null))}`;
    expect(tileOf(0)?.onTrip).toBeNull();

    // Checked out: Tablet 1's tile says it is on the trip, with no report and no reload.
    expect((await post(leader.token, `/api/trips/${trip.id}/check-out`)).status).toBe(200);
    await waitFor(
      () => tileOf(0)?.onTrip?.tripId === trip.id,
      'Tablet 1’s tile on the trip after the check-out',
      10_000,
      explain,
    );
    expect(tileOf(0)?.onTrip).toEqual(onThisTrip);
    expect(tileOf(1)?.onTrip).toBeNull();

    // Tablet 2 joins the kit while it is out, and goes out at once; then it is taken out again.
    expect(
      (await post(leader.token, `/api/trips/${trip.id}/kit`, { assetTag: tags[1] })).status,
    ).toBe(200);
    await waitFor(
      () => tileOf(1)?.onTrip?.tripId === trip.id,
      'Tablet 2’s tile on the trip after it joined the kit',
      10_000,
      explain,
    );
    const removed = await hub.http
      .delete(`/api/trips/${trip.id}/kit/${tags[1]}`)
      .set('Authorization', as(leader.token));
    expect(removed.status).toBe(200);
    await waitFor(
      () => tileOf(1)?.onTrip === null,
      'Tablet 2’s tile back at school after it left the kit',
      10_000,
      explain,
    );
    expect(tileOf(0)?.onTrip).toEqual(onThisTrip);

    // Tablet 1 checked in by scan: its tile is an ordinary class tablet again.
    expect(
      (await post(leader.token, `/api/trips/${trip.id}/check-in`, { assetTag: tags[0] })).status,
    ).toBe(200);
    await waitFor(
      () => tileOf(0)?.onTrip === null,
      'Tablet 1’s tile back at school after its check-in',
      10_000,
      explain,
    );
    expect(reports).toEqual([]);
    // What the watcher was sent is what the grid reads now.
    const view = await hub.http
      .get(`/api/classes/${classId}/session`)
      .set('Authorization', as(teacher.token));
    expect((view.body as ClassSessionView).tiles.map((t) => t.onTrip)).toEqual([null, null]);
  });
});
