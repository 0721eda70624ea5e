// Classroom (issue 12), what the clock does: the camera allowance is a policy overlay held in the
// database that reverts by itself when its time is up (compliance shows it while it lasts), and a
// session ends at its end time and undoes its locks; both also across a hub restart, where the hub
// that was down at the end time reverts and ends them when it starts. The tests move the hub's
// clock (never more than the 300 s a device proof may be off, so the tablets stay connected).
import type { ClassActionAccepted, ClassSessionView } from '@app/hub-api';
import { connectTestDevice, TestDevice, waitFor, waitForConnect } from './support/devices';
import {
  act,
  as,
  connectWatcher,
  setUpClass,
  startSession,
  TestClass,
  waitForLocked,
} from './support/classroom';
import { startHub, TestHub } from './support/hub';

const cameraOf = (device: TestDevice) =>
  (device.enforcer.settings as { camera?: { allowed: boolean } } | null)?.camera?.allowed;

describe('classroom: the clock', () => {
  let hub: TestHub;
  let admin: string;
  const classes: TestClass[] = [];
  const extra: TestDevice[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });
  afterAll(async () => {
    classes.forEach((c) => c.devices.forEach((device) => device.client.close()));
    extra.forEach((device) => device.client.close());
    await hub.close();
  });

  async function policyOf(deviceId: string) {
    const response = await hub.http
      .get(`/api/devices/${deviceId}/policy`)
      .set('Authorization', as(admin));
    expect(response.status).toBe(200);
    return response.body as {
      settings: { camera: { allowed: boolean } };
      decidedBy: Record<string, { scope: string; policy: string }>;
      compliance: { status: string | null };
    };
  }

  async function auditActions(type: string, id: string) {
    const response = await hub.http
      .get(`/api/audit?targetType=${type}&targetId=${id}&pageSize=100`)
      .set('Authorization', as(admin));
    return (response.body as { items: { action: string; detail: Record<string, unknown> }[] })
      .items;
  }

  it('allows the camera for a while, shows it in compliance, and reverts it by itself when the clock passes the end', async () => {
    const klass = await setUpClass(hub, admin, 3);
    classes.push(klass);
    await waitFor(() => klass.devices.every((d) => cameraOf(d) === false), 'baseline applied');
    const session = await startSession(hub, klass.teacher.token, klass.classId);
    const watcher = await connectWatcher(hub, klass.teacher.token);
    expect((await watcher.watch(klass.classId)).ok).toBe(true);

    const allowedAt = hub.clock.nowMs();
    const allowed = await act(hub, klass.teacher.token, klass.classId, {
      action: 'camera.allow',
      minutes: 1,
    });
    expect(allowed.status).toBe(202);
    expect((allowed.body as ClassActionAccepted).seq).toBe(1);
    await waitFor(() => klass.devices.every((d) => cameraOf(d) === true), 'camera allowed');
    const during = await policyOf(klass.deviceIds[0]);
    expect(during.settings.camera.allowed).toBe(true);
    expect(during.decidedBy['camera.allowed'].scope).toBe('overlay');
    await waitFor(
      async () => (await policyOf(klass.deviceIds[0])).compliance.status === 'applied',
      'compliance applied with the overlay',
    );
    // The grid showed them pending while the policy went out, then done.
    await waitFor(() => [...watcher.tiles.values()].every((t) => !t.pending), 'tiles done');
    // Each tile says until when the class allows the camera, live and when read.
    const watched = () => klass.deviceIds.map((id) => watcher.tiles.get(id)?.cameraUntil ?? null);
    await waitFor(() => watched().every((at) => at !== null), 'tiles show the camera allowed');
    for (const at of watched()) {
      expect(Date.parse(at as string) - allowedAt).toBeGreaterThanOrEqual(60_000);
      expect(Date.parse(at as string) - allowedAt).toBeLessThan(65_000);
    }
    const read = await hub.http
      .get(`/api/classes/${klass.classId}/session`)
      .set('Authorization', as(klass.teacher.token));
    expect((read.body as ClassSessionView).tiles.map((tile) => tile.cameraUntil)).toEqual(
      expect.arrayContaining(watched()),
    );

    hub.clock.advance(61_000);
    await waitFor(
      () => klass.devices.every((d) => cameraOf(d) === false),
      'camera back to what the policy says',
    );
    await waitFor(() => watched().every((at) => at === null), 'tiles show the camera gone');
    const readAfter = await hub.http
      .get(`/api/classes/${klass.classId}/session`)
      .set('Authorization', as(klass.teacher.token));
    expect((readAfter.body as ClassSessionView).tiles.map((tile) => tile.cameraUntil)).toEqual([
      null,
      null,
      null,
    ]);
    const after = await policyOf(klass.deviceIds[0]);
    expect(after.decidedBy['camera.allowed'].scope).not.toBe('overlay');
    const expired = await auditActions('class_session', session.id);
    expect(expired.map((e) => e.action)).toEqual(
      expect.arrayContaining(['policy.overlay_applied', 'policy.overlay_expired']),
    );
    watcher.socket.disconnect();
  });

  it('ends a session at its end time by the clock and unlocks its tablets', async () => {
    const klass = await setUpClass(hub, admin, 3);
    classes.push(klass);
    const session = await startSession(hub, klass.teacher.token, klass.classId, {
      endsAt: new Date(hub.clock.nowMs() + 60_000).toISOString(),
    });
    expect((await act(hub, klass.teacher.token, klass.classId, { action: 'lock' })).status).toBe(
      202,
    );
    await waitForLocked(klass.devices, true, 'locked');
    hub.clock.advance(61_000);
    await waitForLocked(klass.devices, false, 'unlocked at the end time');
    const view = await hub.http
      .get(`/api/classes/${klass.classId}/session`)
      .set('Authorization', as(klass.teacher.token));
    expect((view.body as ClassSessionView).session).toBeNull();
    const ended = (await auditActions('class', klass.classId)).find(
      (e) => e.action === 'class.session_ended',
    );
    expect(ended?.detail).toEqual(
      expect.objectContaining({ sessionId: session.id, by: 'clock', classId: klass.classId }),
    );
  });
});

describe('classroom: across a hub restart', () => {
  it('reverts the camera and ends the session when a hub that was down at the end time starts', async () => {
    let hub = await startHub();
    const dataDir = hub.dataDir;
    const admin = await hub.login();
    const klass = await setUpClass(hub, admin, 3);
    let devices = klass.devices;
    try {
      await waitFor(() => devices.every((d) => cameraOf(d) === false), 'baseline applied');
      const session = await startSession(hub, klass.teacher.token, klass.classId, {
        endsAt: new Date(hub.clock.nowMs() + 90_000).toISOString(),
      });
      expect(
        (await act(hub, klass.teacher.token, klass.classId, { action: 'camera.allow', minutes: 1 }))
          .status,
      ).toBe(202);
      expect((await act(hub, klass.teacher.token, klass.classId, { action: 'lock' })).status).toBe(
        202,
      );
      await waitFor(() => devices.every((d) => cameraOf(d) === true), 'camera allowed');
      await waitForLocked(devices, true, 'locked');

      devices.forEach((device) => device.client.close());
      await hub.close();
      // Down past both ends: the camera's (60 s) and the session's (90 s).
      hub = await startHub({ dataDir, clockOffsetMs: 120_000 });
      const adminAgain = await hub.login();
      devices = devices.map((device) =>
        connectTestDevice(
          { ...device.identity, hubUrl: hub.url },
          { enforcer: device.enforcer, journal: device.journal },
        ),
      );
      await Promise.all(devices.map((device) => waitForConnect(device)));
      await waitForLocked(devices, false, 'unlocked after the restart');
      await waitFor(() => devices.every((d) => cameraOf(d) === false), 'camera reverted');

      const view = await hub.http
        .get(`/api/classes/${klass.classId}/session`)
        .set('Authorization', as(adminAgain));
      expect((view.body as ClassSessionView).session).toBeNull();
      const entries = await hub.http
        .get(`/api/audit?targetType=class&targetId=${klass.classId}&pageSize=100`)
        .set('Authorization', as(adminAgain));
      const ended = (
        entries.body as { items: { action: string; detail: Record<string, unknown> }[] }
      ).items.find((e) => e.action === 'class.session_ended');
      expect(ended?.detail).toEqual(
        expect.objectContaining({ sessionId: session.id, by: 'start-up' }),
      );
    } finally {
      devices.forEach((device) => device.client.close());
      await hub.close();
    }
  });
});
