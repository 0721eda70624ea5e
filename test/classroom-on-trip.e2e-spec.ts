// A tablet out on a trip belongs to the trip until it is back (issue 12 with the trips). A
// lesson's actions went to every tablet of the class, the three at the museum too, and the
// tiles showed them as ordinary tablets. Now the action leaves them out and its answer names them
// (`skipped`, reason `on_trip`), and their tiles say which trip they are out on.
import type { ClassActionAccepted, ClassSessionView, Trip } from '@app/hub-api';
import {
  act,
  as,
  connectWatcher,
  ClassWatcher,
  startSession,
  waitForLocked,
} from './support/classroom';
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

describe(`a class whose tablet is out on a trip (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  const tablets: TestDevice[] = [];
  const sockets: ClassWatcher[] = [];

  const post = (token: string, path: string, body: object = {}) =>
    hub.http.post(path).set('Authorization', as(token)).send(body);

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
    const teacher = await createStaff(hub, admin, 'oakteacher', ['teacher']);
    const group = await post(admin, '/api/groups', { name: 'Oak tablets' });
    expect(group.status).toBe(201);
    const groupId = (group.body as { id: string }).id;
    const token = await createEnrollmentToken(hub, admin, { groupIds: [groupId], maxUses: 3 });
    const deviceIds: string[] = [];
    for (const i of [1, 2, 3]) {
      const serialNumber = `OAKSN-${process.pid}-${i}`;
      const created = await post(admin, '/api/assets', {
        assetTag: `OAK-T${i}`,
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
    const klass = await post(admin, '/api/classes', {
      name: 'Year 4 Oak',
      teacherIds: [teacher.id],
      groupId,
    });
    expect(klass.status).toBe(201);
    const classId = (klass.body as { id: string }).id;

    const now = hub.clock.nowMs();
    const made = await post(leader.token, '/api/trips', {
      name: 'Year 4 museum visit',
      shortName: 'museum',
      startsAt: new Date(now + HOUR).toISOString(),
      endsAt: new Date(now + 8 * HOUR).toISOString(),
      leaderIds: [leader.id],
      assetTags: ['OAK-T3'],
    });
    expect(made.status).toBe(201);
    const trip = made.body as Trip;
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
        tripName: 'Year 4 museum visit',
      },
    ]);
    await waitForLocked(tablets.slice(0, 2), true, 'the two tablets at school locked');
    // The tablet at the museum was never sent the lock.
    const history = await hub.http
      .get(`/api/devices/${deviceIds[2]}/commands`)
      .set('Authorization', as(admin));
    expect((history.body as { items: { type: string }[] }).items.map((c) => c.type)).not.toContain(
      'device.lock',
    );
    expect(tablets[2].enforcer.currentState().locked).toBe(false);

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
      name: 'Year 4 museum visit',
    });
    expect(tiles.find((t) => t.deviceId === deviceIds[0])?.onTrip).toBeNull();
    await waitFor(
      () => watcher.tiles.get(deviceIds[2])?.onTrip?.name === 'Year 4 museum visit',
      'the watching console’s tile says the tablet is on the trip',
    );
  });
});
