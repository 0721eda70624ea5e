// A hub restarted over the same data directory keeps its staff, their sessions, AUP acceptances
// and the audit log, and does not recreate or reset the first admin; devices whose policy was
// changed just before it stopped (an enrolment, a group's new members) get that policy after.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADMIN_PASSWORD, createStaff, startHub, TestHub } from './support/hub';
import { createEnrollmentToken, enrollTestDevice, waitFor } from './support/devices';
import { ON_POSTGRES } from './support/test-database';

describe('restarting the hub', () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  it('keeps staff, sessions, AUP acceptances and the audit log', async () => {
    hub = await startHub();
    const dataDir = hub.dataDir;
    const admin = await hub.login();
    const teacher = await createStaff(
      hub,
      admin,
      'rosa',
      ['teacher', 'trip_leader'],
      'Staff-Pass1!',
      { acceptAup: false },
    );
    const aup = await hub.http.get('/api/aup').set('Authorization', `Bearer ${teacher.token}`);
    const accepted = await hub.http
      .post('/api/staff/me/aup-acceptance')
      .set('Authorization', `Bearer ${teacher.token}`)
      .send({ version: aup.body.version });
    expect(accepted.status).toBe(201);
    const staffBefore = (await hub.http.get('/api/staff').set('Authorization', `Bearer ${admin}`))
      .body;
    const auditBefore = (
      await hub.http
        .get('/api/audit')
        .query({ pageSize: 500 })
        .set('Authorization', `Bearer ${admin}`)
    ).body;
    await hub.close();

    if (!ON_POSTGRES) {
      // The SQLite file is in the data dir; a PostgreSQL database is on its server.
      expect(fs.existsSync(path.join(dataDir, 'hub.sqlite'))).toBe(true);
    }
    // A different HUB_ADMIN_PASSWORD only matters for a brand new hub.
    hub = await startHub({ dataDir, env: { HUB_ADMIN_PASSWORD: 'Another-Admin2!' } });

    const me = await hub.http.get('/api/auth/me').set('Authorization', `Bearer ${teacher.token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: teacher.id,
      username: 'rosa',
      roles: ['teacher', 'trip_leader'],
    });

    const staffAfter = (await hub.http.get('/api/staff').set('Authorization', `Bearer ${admin}`))
      .body;
    expect(staffAfter).toEqual(staffBefore);

    const aupAfter = await hub.http.get('/api/aup').set('Authorization', `Bearer ${teacher.token}`);
    expect(aupAfter.body).toMatchObject({
      version: aup.body.version,
      acceptedAt: accepted.body.acceptedAt,
    });

    const auditAfter = (
      await hub.http
        .get('/api/audit')
        .query({ pageSize: 500 })
        .set('Authorization', `Bearer ${admin}`)
    ).body as { items: { action: string }[]; total: number };
    // Every entry from before is kept as it was; the restart itself adds exactly its stop and
    // start (newest first).
    const before = auditBefore as { items: { action: string }[]; total: number };
    expect(auditAfter.items.slice(0, 2).map((entry) => entry.action)).toEqual([
      'hub.started',
      'hub.stopped',
    ]);
    expect(auditAfter.items.slice(2)).toEqual(before.items);
    expect(auditAfter.total).toBe(before.total + 2);

    expect(
      (await hub.http.post('/api/auth/login').send({ username: 'admin', password: ADMIN_PASSWORD }))
        .status,
    ).toBe(200);
    expect(
      (
        await hub.http
          .post('/api/auth/login')
          .send({ username: 'admin', password: 'Another-Admin2!' })
      ).status,
    ).toBe(401);
  });

  it('keeps a lock-out across a restart', async () => {
    hub = await startHub({ env: { HUB_LOGIN_SLOW_AFTER: '2', HUB_LOGIN_LOCK_AFTER: '3' } });
    const dataDir = hub.dataDir;
    for (let i = 0; i < 3; i++) {
      await hub.http.post('/api/auth/login').send({ username: 'admin', password: 'Guess-Pass1!' });
    }
    await hub.close();

    hub = await startHub({
      dataDir,
      env: { HUB_LOGIN_SLOW_AFTER: '2', HUB_LOGIN_LOCK_AFTER: '3' },
    });
    const response = await hub.http
      .post('/api/auth/login')
      .send({ username: 'admin', password: ADMIN_PASSWORD });
    expect(response.status).toBe(429);
  });

  it('plans the policy of a device enrolled just before the hub stopped', async () => {
    hub = await startHub();
    const dataDir = hub.dataDir;
    const admin = await hub.login();
    const { deviceId } = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    // Stopped at once: the enrolment's plan (gathered for 200 ms) never ran.
    await hub.close();
    hub = await startHub({ dataDir });
    const token = await hub.login('admin', ADMIN_PASSWORD);
    const compliance = await waitFor(async () => {
      const record = await hub!.http
        .get(`/api/devices/${deviceId}`)
        .set('Authorization', `Bearer ${token}`);
      return record.body.compliance?.desiredVersion ? record.body.compliance : null;
    }, 'the device’s policy planned after the restart');
    expect(compliance).toMatchObject({ status: 'pending' });
  });

  it('plans the policy of devices added to a group just before the hub stopped', async () => {
    hub = await startHub();
    const dataDir = hub.dataDir;
    const admin = await hub.login();
    const auth = { Authorization: `Bearer ${admin}` };
    const token = await createEnrollmentToken(hub, admin, { maxUses: 3 });
    const deviceIds: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      deviceIds.push((await enrollTestDevice(hub, token)).deviceId);
    }
    const group = await hub.http.post('/api/groups').set(auth).send({ name: 'Year 6 Ash' });
    expect(group.status).toBe(201);
    const policy = await hub.http
      .post('/api/policies')
      .set(auth)
      .send({ name: 'Year 6 screens', settings: { screen: { autoLockMinutes: 9 } } });
    expect(policy.status).toBe(201);
    const assigned = await hub.http
      .post(`/api/policies/${policy.body.id as string}/assignments`)
      .set(auth)
      .send({ scope: 'group', targetId: group.body.id as string });
    expect(assigned.status).toBe(201);
    // The enrolments' plans are made and the devices run the baseline.
    await waitFor(async () => {
      for (const id of deviceIds) {
        const record = await hub!.http.get(`/api/devices/${id}`).set(auth);
        if (!record.body.compliance?.desiredVersion) {
          return false;
        }
      }
      return true;
    }, 'the enrolled devices’ policies planned');

    const added = await hub.http
      .post(`/api/groups/${group.body.id as string}/members`)
      .set(auth)
      .send({ deviceIds });
    expect(added.status).toBe(201);
    // Stopped at once (as by a kill): the new members' plan (gathered for 200 ms) never ran.
    await hub.close();
    hub = await startHub({ dataDir });
    const again = { Authorization: `Bearer ${await hub.login('admin', ADMIN_PASSWORD)}` };
    for (const id of deviceIds) {
      const resolved = await hub.http.get(`/api/devices/${id}/policy`).set(again);
      expect(resolved.body.settings.screen.autoLockMinutes).toBe(9);
      const compliance = await waitFor(async () => {
        const record = await hub!.http.get(`/api/devices/${id}`).set(again);
        return record.body.compliance?.desiredVersion === resolved.body.version
          ? record.body.compliance
          : null;
      }, 'the group’s policy planned for its new member after the restart');
      expect(compliance).toMatchObject({ status: 'pending' });
    }
  });
});
