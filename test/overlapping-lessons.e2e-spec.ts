// Classroom (issue 12): two classes over the same tablets (one trolley, two classes' groups) whose
// lessons overlap. Ending one lesson undoes what that lesson did, never the other lesson's locks:
// a lesson that never locked or kept a tablet in an app, ended by its teacher or by the clock,
// leaves the other lesson's lock and single app in force; and ending the lesson whose lock is in
// force lifts it.
import type { ClassActionAccepted, DeviceDesiredState } from '@app/hub-api';
import { waitFor } from './support/devices';
import {
  act,
  as,
  setUpClass,
  startSession,
  teachClass,
  TestClass,
  waitForLocked,
} from './support/classroom';
import { createStaff, startHub, TestHub } from './support/hub';

describe('classroom: two lessons over the same tablets', () => {
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

  let otherTeachers = 0;
  /** A class of two tablets, and a second class over the same group for another teacher. */
  async function trolleyOfTwoClasses() {
    const first = await setUpClass(hub, admin, 2);
    classes.push(first);
    otherTeachers += 1;
    const teacher = await createStaff(hub, admin, `music${process.pid}x${otherTeachers}`, [
      'teacher',
    ]);
    const secondId = await teachClass(hub, admin, [teacher.id], { groupId: first.groupId });
    return { first, second: { classId: secondId, teacher } };
  }

  async function desiredOf(deviceId: string): Promise<DeviceDesiredState> {
    const response = await hub.http.get(`/api/devices/${deviceId}`).set('Authorization', as(admin));
    expect(response.status).toBe(200);
    return (response.body as { desiredState: DeviceDesiredState }).desiredState;
  }

  async function accepted(token: string, classId: string, body: object) {
    const response = await act(hub, token, classId, body);
    expect(response.status).toBe(202);
    return response.body as ClassActionAccepted;
  }

  async function lockAndKeep(klass: TestClass) {
    await accepted(klass.teacher.token, klass.classId, {
      action: 'app.lock',
      appId: 'org.school.maths',
    });
    await accepted(klass.teacher.token, klass.classId, { action: 'lock', message: 'Eyes on me' });
    await waitForLocked(klass.devices, true, 'the first lesson locked its tablets');
    await waitFor(
      () => klass.devices.every((d) => d.enforcer.currentState().appLock === 'org.school.maths'),
      'the first lesson kept its tablets in the app',
    );
  }

  /** The first lesson's lock and single app are still what every tablet should have and has. */
  async function expectStillLocked(klass: TestClass, why: string) {
    // Long enough for an unlock queued by the end to reach a connected test device.
    await new Promise((resolve) => setTimeout(resolve, 750));
    for (const [index, deviceId] of klass.deviceIds.entries()) {
      expect({ why, desired: await desiredOf(deviceId) }).toEqual({
        why,
        desired: expect.objectContaining({
          locked: true,
          lockOwner: 'class',
          appLock: 'org.school.maths',
          appLockOwner: 'class',
        }) as unknown,
      });
      expect({ why, state: klass.devices[index].enforcer.currentState() }).toEqual({
        why,
        state: expect.objectContaining({ locked: true, appLock: 'org.school.maths' }) as unknown,
      });
    }
  }

  it("leaves the other lesson's lock and app in force when a lesson that did not set them is ended", async () => {
    const { first, second } = await trolleyOfTwoClasses();
    await startSession(hub, first.teacher.token, first.classId);
    await lockAndKeep(first);

    // The second class's lesson starts over the same tablets, sends a message, and is ended.
    await startSession(hub, second.teacher.token, second.classId);
    await accepted(second.teacher.token, second.classId, { action: 'message', text: 'Hello' });
    const ended = await hub.http
      .delete(`/api/classes/${second.classId}/session`)
      .set('Authorization', as(second.teacher.token));
    expect(ended.status).toBe(200);
    await expectStillLocked(first, "after the teacher's end");

    // Again, ended by the clock this time.
    await startSession(hub, second.teacher.token, second.classId, {
      endsAt: new Date(hub.clock.nowMs() + 60_000).toISOString(),
    });
    hub.clock.advance(61_000);
    await waitFor(async () => {
      const view = await hub.http
        .get(`/api/classes/${second.classId}/session`)
        .set('Authorization', as(second.teacher.token));
      return (view.body as { session: unknown }).session === null;
    }, 'the second lesson ended by the clock');
    await expectStillLocked(first, "after the clock's end");

    // The lesson that set them lifts them at its end.
    const firstEnded = await hub.http
      .delete(`/api/classes/${first.classId}/session`)
      .set('Authorization', as(first.teacher.token));
    expect(firstEnded.status).toBe(200);
    await waitFor(
      () =>
        first.devices.every(
          (d) =>
            d.enforcer.currentState().locked === false &&
            d.enforcer.currentState().appLock === null,
        ),
      "unlocked and out of the app at the first lesson's end",
      20_000,
    );
  });

  it('lifts at its end the lock the later lesson put over the earlier one, and only that lesson', async () => {
    const { first, second } = await trolleyOfTwoClasses();
    await startSession(hub, first.teacher.token, first.classId);
    await startSession(hub, second.teacher.token, second.classId);
    await accepted(first.teacher.token, first.classId, { action: 'lock' });
    await waitForLocked(first.devices, true, 'locked by the first lesson');
    // The second lesson locks them too: its lock is now the one in force.
    await accepted(second.teacher.token, second.classId, { action: 'lock', message: 'Music' });

    const firstEnded = await hub.http
      .delete(`/api/classes/${first.classId}/session`)
      .set('Authorization', as(first.teacher.token));
    expect(firstEnded.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 750));
    for (const deviceId of first.deviceIds) {
      expect(await desiredOf(deviceId)).toEqual(
        expect.objectContaining({ locked: true, lockOwner: 'class' }),
      );
    }

    const secondEnded = await hub.http
      .delete(`/api/classes/${second.classId}/session`)
      .set('Authorization', as(second.teacher.token));
    expect(secondEnded.status).toBe(200);
    await waitForLocked(first.devices, false, "unlocked at the second lesson's end");
  });
});
