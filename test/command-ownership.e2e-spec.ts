// Lock ownership (issue 8 item 6): a lock belongs to `lost` > `admin` > `class`, and a weaker
// party can neither lift nor replace a stronger lock, for device locks and single-app locks
// alike. The owner is kept in the device's desired state; a group command skips the devices
// whose lock a stronger party owns and says which.
import { DeviceIdentity } from '@app/devices';
import { teachClass } from './support/classroom';
import { createStaff, startHub, TestHub } from './support/hub';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';

interface CommandRow {
  id: string;
  type: string;
  status: string;
  issuedBy: { type: string; id: string | null };
}

describe('lock ownership', () => {
  let hub: TestHub;
  let admin: string;
  let ict: string;
  let teacher: string;
  let teacherId: string;
  let token: string;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    ict = (await createStaff(hub, admin, 'own-ict', ['ict'])).token;
    const teaching = await createStaff(hub, admin, 'own-teacher', ['teacher']);
    teacher = teaching.token;
    teacherId = teaching.id;
    // Every device enrols into the teacher's class's group: a teacher commands only their
    // classes' tablets.
    const classGroup = await hub.http
      .post('/api/groups')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'Ownership class' });
    await teachClass(hub, admin, [teacherId], { groupId: classGroup.body.id as string });
    token = await createEnrollmentToken(hub, admin, {
      maxUses: 100,
      groupIds: [classGroup.body.id as string],
    });
  });

  afterAll(async () => {
    for (const device of devices) {
      device.client.destroy();
    }
    await hub.close();
  });

  const send = (bearer: string, deviceId: string, type: string, payload: object = {}) =>
    hub.http
      .post(`/api/devices/${deviceId}/commands`)
      .set('Authorization', `Bearer ${bearer}`)
      .send({ type, payload });
  const desired = async (deviceId: string) =>
    (await hub.http.get(`/api/devices/${deviceId}`).set('Authorization', `Bearer ${admin}`)).body
      .desiredState as {
      locked: boolean;
      lock: { reason: string } | null;
      appLock: string | null;
      lockOwner: string | null;
      appLockOwner: string | null;
    };
  const lockCommands = async (deviceId: string) =>
    (
      (
        await hub.http
          .get(`/api/devices/${deviceId}/commands?pageSize=100`)
          .set('Authorization', `Bearer ${admin}`)
      ).body.items as CommandRow[]
    ).filter((c) => c.type !== 'policy.apply');

  it('keeps a lost lock from a teacher, who can neither lift nor replace it', async () => {
    const device = connectTestDevice(await enrollTestDevice(hub, token));
    devices.push(device);
    await waitForConnect(device);
    const id = device.identity.deviceId;

    expect((await send(ict, id, 'device.lock', { reason: 'lost' })).status).toBe(201);
    await waitFor(() => device.enforcer.currentState().locked, 'locked as lost');
    expect(await desired(id)).toMatchObject({ locked: true, lockOwner: 'lost' });

    const unlock = await send(teacher, id, 'device.unlock');
    expect(unlock.status).toBe(403);
    expect(unlock.body).toEqual({
      statusCode: 403,
      message: 'This device is locked by ICT as lost; only ICT may lift or replace that lock',
    });
    const replace = await send(teacher, id, 'device.lock', { reason: 'class' });
    expect(replace.status).toBe(403);
    expect(replace.body.message).toContain('lost');

    // Nothing of the teacher's was queued, the device stays locked and the owner is unchanged.
    expect((await lockCommands(id)).map((c) => c.type)).toEqual(['device.lock']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(device.enforcer.currentState().locked).toBe(true);
    expect(await desired(id)).toMatchObject({
      locked: true,
      lock: { reason: 'lost' },
      lockOwner: 'lost',
    });

    // ICT lifts it; then the teacher's class lock is the teacher's to lift.
    expect((await send(ict, id, 'device.unlock')).status).toBe(201);
    expect(await desired(id)).toMatchObject({ locked: false, lockOwner: null });
    expect((await send(teacher, id, 'device.lock', { reason: 'class' })).status).toBe(201);
    expect(await desired(id)).toMatchObject({ locked: true, lockOwner: 'class' });
    expect((await send(teacher, id, 'device.unlock')).status).toBe(201);
    await waitFor(async () => !(await desired(id)).locked, 'unlocked by the teacher');
  });

  it('makes any other ICT lock an admin lock, which a teacher cannot lift', async () => {
    const identity = await enrollTestDevice(hub, token);
    const id = identity.deviceId;
    expect((await send(ict, id, 'device.lock', { reason: 'class' })).status).toBe(201);
    expect(await desired(id)).toMatchObject({ lockOwner: 'admin', lock: { reason: 'class' } });
    const unlock = await send(teacher, id, 'device.unlock');
    expect(unlock.status).toBe(403);
    expect(unlock.body.message).toBe(
      'This device is locked by ICT; only ICT may lift or replace that lock',
    );
    expect((await send(ict, id, 'device.lock', { reason: 'admin' })).status).toBe(201);
    expect(await desired(id)).toMatchObject({ lockOwner: 'admin', lock: { reason: 'admin' } });
    // ICT may replace even a lost lock, and the owner follows the new lock.
    expect((await send(ict, id, 'device.lock', { reason: 'lost' })).status).toBe(201);
    expect((await send(ict, id, 'device.lock', { reason: 'admin' })).status).toBe(201);
    expect(await desired(id)).toMatchObject({ lockOwner: 'admin' });
  });

  it('gives a single-app lock the same rule: a teacher cannot leave or replace ICT’s', async () => {
    const identity = await enrollTestDevice(hub, token);
    const id = identity.deviceId;
    expect((await send(ict, id, 'app.lock', { appId: 'org.school.exam' })).status).toBe(201);
    expect(await desired(id)).toMatchObject({ appLock: 'org.school.exam', appLockOwner: 'admin' });

    const leave = await send(teacher, id, 'app.unlock');
    expect(leave.status).toBe(403);
    expect(leave.body.message).toBe(
      'This device is kept in an app by ICT; only ICT may lift or replace that single-app lock',
    );
    expect((await send(teacher, id, 'app.lock', { appId: 'org.school.maths' })).status).toBe(403);
    expect(await desired(id)).toMatchObject({ appLock: 'org.school.exam', appLockOwner: 'admin' });

    expect((await send(ict, id, 'app.unlock')).status).toBe(201);
    expect((await send(teacher, id, 'app.lock', { appId: 'org.school.maths' })).status).toBe(201);
    expect(await desired(id)).toMatchObject({ appLock: 'org.school.maths', appLockOwner: 'class' });
    // ICT may take over a teacher's single-app lock.
    expect((await send(ict, id, 'app.lock', { appId: 'org.school.exam' })).status).toBe(201);
    expect(await desired(id)).toMatchObject({ appLockOwner: 'admin' });
  });

  it('skips, in a group command, the devices whose lock a stronger party owns, and names them', async () => {
    const group = await hub.http
      .post('/api/groups')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'Ownership 7B' });
    await teachClass(hub, admin, [teacherId], { groupId: group.body.id as string });
    const groupToken = await createEnrollmentToken(hub, admin, {
      groupIds: [group.body.id as string],
    });
    const members: DeviceIdentity[] = [];
    for (let i = 0; i < 3; i += 1) {
      members.push(await enrollTestDevice(hub, groupToken));
    }
    const [lost, ...others] = members;
    expect((await send(ict, lost.deviceId, 'device.lock', { reason: 'lost' })).status).toBe(201);

    const toGroup = (type: string, payload: object = {}) =>
      hub.http
        .post(`/api/groups/${group.body.id}/commands`)
        .set('Authorization', `Bearer ${teacher}`)
        .send({ type, payload });
    for (const [type, payload] of [
      ['device.lock', { reason: 'class' }],
      ['device.unlock', {}],
    ] as const) {
      const issued = await toGroup(type, payload);
      expect(issued.status).toBe(201);
      expect(issued.body.count).toBe(2);
      expect(
        (issued.body.commands as { deviceId: string }[]).map((c) => c.deviceId).sort(),
      ).toEqual(others.map((d) => d.deviceId).sort());
      expect(issued.body.skipped).toEqual([
        {
          deviceId: lost.deviceId,
          lockOwner: 'lost',
          reason: 'This device is locked by ICT as lost; only ICT may lift or replace that lock',
        },
      ]);
    }
    // The lost device kept its lock and got nothing from the teacher.
    expect(await desired(lost.deviceId)).toMatchObject({ locked: true, lockOwner: 'lost' });
    expect((await lockCommands(lost.deviceId)).map((c) => c.issuedBy.type)).toEqual(['staff']);
    for (const other of others) {
      expect(await desired(other.deviceId)).toMatchObject({ locked: false, lockOwner: null });
    }
  });
});
