// Classroom (issue 12), what a session may reach and what its end undoes, end to end with real
// devices. The end undoes everything the session did on every tablet it acted on: a tablet taken
// off the class (or out of the class's group) mid-lesson is unlocked, taken out of single-app mode
// and loses the camera allowance at the end, by a teacher or by the clock; but a lock another
// class put on it since stays. And a tablet held by a stronger lock (lost, or ICT's) is left out
// of every class action and listed in `skipped`: it gets no single app, message or camera. The
// same undo holds when the hub that starts after the end time ends the session.
import type { ClassActionAccepted, DeviceDesiredState } from '@app/hub-api';
import { connectTestDevice, TestDevice, waitFor, waitForConnect } from './support/devices';
import { act, as, setUpClass, startSession, TestClass, waitForLocked } from './support/classroom';
import { startHub, TestHub } from './support/hub';

const cameraOf = (device: TestDevice) =>
  (device.enforcer.settings as { camera?: { allowed: boolean } } | null)?.camera?.allowed;

describe('classroom: what a session reaches and what its end undoes', () => {
  let hub: TestHub;
  let admin: string;
  const classes: TestClass[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });
  afterEach(() => {
    classes.splice(0).forEach((c) => c.devices.forEach((device) => device.client.close()));
  });
  afterAll(() => hub.close());

  async function newClass(size: number) {
    const made = await setUpClass(hub, admin, size);
    classes.push(made);
    await waitFor(() => made.devices.every((d) => cameraOf(d) === false), 'baseline applied');
    return made;
  }

  async function desiredOf(deviceId: string): Promise<DeviceDesiredState> {
    const response = await hub.http.get(`/api/devices/${deviceId}`).set('Authorization', as(admin));
    expect(response.status).toBe(200);
    return (response.body as { desiredState: DeviceDesiredState }).desiredState;
  }

  async function patchClass(classId: string, body: object) {
    const response = await hub.http
      .patch(`/api/classes/${classId}`)
      .set('Authorization', as(admin))
      .send(body);
    expect(response.status).toBe(200);
  }

  async function endSession(klass: TestClass) {
    const ended = await hub.http
      .delete(`/api/classes/${klass.classId}/session`)
      .set('Authorization', as(klass.teacher.token));
    expect(ended.status).toBe(200);
  }

  async function accepted(klass: TestClass, body: object): Promise<ClassActionAccepted> {
    const response = await act(hub, klass.teacher.token, klass.classId, body);
    expect(response.status).toBe(202);
    return response.body as ClassActionAccepted;
  }

  /** Locks, keeps in one app and allows the camera on every tablet of the class; waits for all. */
  async function lockEverything(klass: TestClass) {
    await accepted(klass, { action: 'app.lock', appId: 'org.school.maths' });
    await accepted(klass, { action: 'camera.allow', minutes: 30 });
    await accepted(klass, { action: 'lock', message: 'Eyes on me' });
    await waitForLocked(klass.devices, true, 'all locked');
    await waitFor(
      () =>
        klass.devices.every(
          (d) => d.enforcer.currentState().appLock === 'org.school.maths' && cameraOf(d) === true,
        ),
      'all in the app with the camera allowed',
    );
  }

  async function expectUndone(device: TestDevice, deviceId: string, what: string) {
    await waitFor(
      () =>
        device.enforcer.currentState().locked === false &&
        device.enforcer.currentState().appLock === null &&
        cameraOf(device) === false,
      `${what}: unlocked, out of the app, camera back to the policy`,
      20_000,
    );
    expect(await desiredOf(deviceId)).toEqual(
      expect.objectContaining({
        locked: false,
        lockOwner: null,
        appLock: null,
        appLockOwner: null,
      }),
    );
  }

  it("undoes at a teacher's end what the session did on a tablet taken off the class mid-lesson", async () => {
    const klass = await newClass(2);
    const [leaving, staying] = klass.deviceIds;
    // A class of named tablets, no group.
    await patchClass(klass.classId, { groupId: null, deviceIds: [leaving, staying] });
    await startSession(hub, klass.teacher.token, klass.classId);
    await lockEverything(klass);

    await patchClass(klass.classId, { deviceIds: [staying] });
    await endSession(klass);

    await expectUndone(klass.devices[1], staying, 'the tablet still in the class');
    await expectUndone(klass.devices[0], leaving, 'the tablet taken off the class');
  });

  it("undoes at the clock's end what the session did on a tablet taken out of the class's group", async () => {
    const klass = await newClass(2);
    const [leaving] = klass.deviceIds;
    await startSession(hub, klass.teacher.token, klass.classId, {
      endsAt: new Date(hub.clock.nowMs() + 60_000).toISOString(),
    });
    await lockEverything(klass);

    const removed = await hub.http
      .delete(`/api/groups/${klass.groupId}/members/${leaving}`)
      .set('Authorization', as(admin));
    expect(removed.status).toBeLessThan(300);
    hub.clock.advance(61_000);

    await expectUndone(klass.devices[1], klass.deviceIds[1], 'the tablet still in the group');
    await expectUndone(klass.devices[0], leaving, 'the tablet taken out of the group');
  });

  it('leaves in place the lock another class put on a tablet after it left', async () => {
    const first = await newClass(2);
    const second = await newClass(1);
    const [moving] = first.deviceIds;
    await startSession(hub, first.teacher.token, first.classId);
    expect((await accepted(first, { action: 'lock' })).deviceIds).toContain(moving);
    await waitForLocked(first.devices, true, 'the first class locked');

    // The tablet moves to the second class, whose lesson locks it as its own.
    const removed = await hub.http
      .delete(`/api/groups/${first.groupId}/members/${moving}`)
      .set('Authorization', as(admin));
    expect(removed.status).toBeLessThan(300);
    await patchClass(second.classId, { deviceIds: [moving] });
    await startSession(hub, second.teacher.token, second.classId);
    expect((await accepted(second, { action: 'lock' })).deviceIds).toContain(moving);

    await endSession(first);
    await waitForLocked(first.devices.slice(1), false, 'the first class unlocked');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(first.devices[0].enforcer.currentState().locked).toBe(true);
    expect(await desiredOf(moving)).toEqual(
      expect.objectContaining({ locked: true, lockOwner: 'class' }),
    );

    await endSession(second);
    await waitForLocked([first.devices[0]], false, "unlocked at the second class's end");
  });

  it('leaves a tablet under a stronger lock out of every class action and lists it in skipped', async () => {
    const klass = await newClass(3);
    const [lost, ictApp] = klass.deviceIds;
    const [lostDevice, ictAppDevice, free] = klass.devices;
    const lostLock = await hub.http
      .post(`/api/devices/${lost}/commands`)
      .set('Authorization', as(admin))
      .send({ type: 'device.lock', payload: { reason: 'lost', message: 'Return to ICT' } });
    expect(lostLock.status).toBe(201);
    // ICT keeps another in an app: a single-app lock ICT owns is stronger than the class too.
    const ictKept = await hub.http
      .post(`/api/devices/${ictApp}/commands`)
      .set('Authorization', as(admin))
      .send({ type: 'app.lock', payload: { appId: 'org.school.exam' } });
    expect(ictKept.status).toBe(201);
    await waitForLocked([lostDevice], true, 'the lost tablet locked');
    await waitFor(
      () => ictAppDevice.enforcer.currentState().appLock === 'org.school.exam',
      "ICT's app lock in force",
    );

    await startSession(hub, klass.teacher.token, klass.classId);
    const byId = (a: { deviceId: string }, b: { deviceId: string }) =>
      a.deviceId.localeCompare(b.deviceId);
    const skipped = [
      { deviceId: lost, owner: 'lost' },
      { deviceId: ictApp, owner: 'admin' },
    ].sort(byId);
    for (const body of [
      { action: 'camera.allow', minutes: 30 },
      { action: 'message', text: 'Page 12, please' },
      { action: 'app.lock', appId: 'org.school.maths' },
      { action: 'lock' },
      { action: 'unlock' },
      { action: 'app.unlock' },
      { action: 'camera.revoke' },
    ]) {
      const answer = await accepted(klass, body);
      expect({ action: body.action, deviceIds: answer.deviceIds }).toEqual({
        action: body.action,
        deviceIds: [klass.deviceIds[2]],
      });
      expect({ action: body.action, skipped: [...answer.skipped].sort(byId) }).toEqual({
        action: body.action,
        skipped,
      });
      if (body.action === 'lock') {
        await waitForLocked([free], true, 'the free tablet locked');
      }
      if (body.action === 'camera.allow') {
        await waitFor(() => cameraOf(free) === true, 'the free tablet may use the camera');
      }
    }
    await waitFor(
      () =>
        free.enforcer.currentState().locked === false &&
        free.enforcer.currentState().appLock === null &&
        cameraOf(free) === false,
      'the free tablet back as it was',
    );
    expect(free.enforcer.executed.map((c) => c.type)).toContain('message.show');

    // The held tablets got nothing of the class: no camera, no message, no single app of its own.
    for (const device of [lostDevice, ictAppDevice]) {
      expect(cameraOf(device)).toBe(false);
      expect(device.enforcer.executed.map((c) => c.type)).not.toContain('message.show');
    }
    expect(lostDevice.enforcer.currentState()).toEqual(
      expect.objectContaining({ locked: true, appLock: null }),
    );
    expect(ictAppDevice.enforcer.currentState()).toEqual(
      expect.objectContaining({ locked: false, appLock: 'org.school.exam' }),
    );
    expect(await desiredOf(lost)).toEqual(
      expect.objectContaining({
        locked: true,
        lockOwner: 'lost',
        appLock: null,
        appLockOwner: null,
      }),
    );
    expect(await desiredOf(ictApp)).toEqual(
      expect.objectContaining({ locked: false, lockOwner: null, appLockOwner: 'admin' }),
    );
    const policy = await hub.http
      .get(`/api/devices/${lost}/policy`)
      .set('Authorization', as(admin));
    expect(
      (policy.body as { decidedBy: Record<string, { scope: string }> }).decidedBy['camera.allowed']
        .scope,
    ).not.toBe('overlay');

    await endSession(klass);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(lostDevice.enforcer.currentState().locked).toBe(true);
    expect(ictAppDevice.enforcer.currentState().appLock).toBe('org.school.exam');
  });
});

describe('classroom: what an end at start-up undoes', () => {
  it('unlocks at start-up a tablet taken out of the class while the session ran', async () => {
    let hub = await startHub();
    const dataDir = hub.dataDir;
    const admin = await hub.login();
    const klass = await setUpClass(hub, admin, 2);
    let devices = klass.devices;
    const [leaving] = klass.deviceIds;
    try {
      await startSession(hub, klass.teacher.token, klass.classId, {
        endsAt: new Date(hub.clock.nowMs() + 60_000).toISOString(),
      });
      const locked = await act(hub, klass.teacher.token, klass.classId, { action: 'lock' });
      expect((locked.body as ClassActionAccepted).deviceIds).toContain(leaving);
      await waitForLocked(devices, true, 'locked');
      const removed = await hub.http
        .delete(`/api/groups/${klass.groupId}/members/${leaving}`)
        .set('Authorization', as(admin));
      expect(removed.status).toBeLessThan(300);

      devices.forEach((device) => device.client.close());
      await hub.close();
      // Down past the session's end: the hub that starts ends it.
      hub = await startHub({ dataDir, clockOffsetMs: 120_000 });
      const adminAgain = await hub.login();
      devices = devices.map((device) =>
        connectTestDevice(
          { ...device.identity, hubUrl: hub.url },
          { enforcer: device.enforcer, journal: device.journal },
        ),
      );
      await Promise.all(devices.map((device) => waitForConnect(device)));
      await waitForLocked(devices, false, 'both unlocked after the restart');
      const device = await hub.http
        .get(`/api/devices/${leaving}`)
        .set('Authorization', as(adminAgain));
      expect((device.body as { desiredState: DeviceDesiredState }).desiredState).toEqual(
        expect.objectContaining({ locked: false, lockOwner: null }),
      );
    } finally {
      devices.forEach((device) => device.client.close());
      await hub.close();
    }
  });
});
