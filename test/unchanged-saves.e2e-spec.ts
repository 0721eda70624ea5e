// A save that changes nothing writes nothing: ICT pressing "Save changes" on a policy, a group, a
// device or an account's roles without editing anything (or an API client sending `{}` or the
// same values) makes no new policy revision and no audit entry, so the revision history and the
// audit log list only real changes.
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import { createStaff, startHub, TestHub } from './support/hub';

describe('a save that changes nothing', () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });

  afterAll(() => hub.close());

  const as = () => ({ Authorization: `Bearer ${admin}` });
  const auditOf = async (action: string, targetId: string) =>
    (await hub.http.get('/api/audit').query({ action, targetId }).set(as())).body.total as number;

  it('makes no policy revision and no audit entry, and a real change still does', async () => {
    const created = await hub.http
      .post('/api/policies')
      .set(as())
      .send({ name: 'Year 6 trolley', settings: { camera: { allowed: false } } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // What the editor sends when nothing was edited: every field, as it is ("" for no description).
    for (const body of [
      {},
      { name: 'Year 6 trolley', description: '', settings: { camera: { allowed: false } } },
      { enforced: [] },
    ]) {
      const saved = await hub.http.patch(`/api/policies/${id}`).set(as()).send(body);
      expect(saved.status).toBe(200);
      expect(saved.body.revision).toBe(1);
    }
    const revisions = await hub.http.get(`/api/policies/${id}/revisions`).set(as());
    expect(revisions.body.map((revision: { revision: number }) => revision.revision)).toEqual([1]);
    expect(await auditOf('policy.updated', id)).toBe(0);

    const changed = await hub.http
      .patch(`/api/policies/${id}`)
      .set(as())
      .send({ settings: { camera: { allowed: true } } });
    expect(changed.body.revision).toBe(2);
    expect(await auditOf('policy.updated', id)).toBe(1);
  });

  it('audits no group, device or account change that left it as it was', async () => {
    const group = await hub.http.post('/api/groups').set(as()).send({ name: 'Trolley 6' });
    for (const body of [{}, { name: 'Trolley 6' }, { name: 'Trolley 6', description: '' }]) {
      const saved = await hub.http.patch(`/api/groups/${group.body.id}`).set(as()).send(body);
      expect(saved.status).toBe(200);
      expect(saved.body.updatedAt).toBe(group.body.updatedAt);
    }
    expect(await auditOf('group.updated', group.body.id)).toBe(0);

    const device = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin), {
      name: 'Trolley 6 laptop',
      assetTag: 'T6-01',
    });
    const renamed = await hub.http
      .patch(`/api/devices/${device.deviceId}`)
      .set(as())
      .send({ name: 'Trolley 6 laptop', assetTag: 'T6-01' });
    expect(renamed.status).toBe(200);
    expect(await auditOf('device.updated', device.deviceId)).toBe(0);

    const person = await createStaff(hub, admin, 'tessa', ['teacher', 'trip_leader']);
    const sameRoles = await hub.http
      .patch(`/api/staff/${person.id}`)
      .set(as())
      .send({ roles: ['trip_leader', 'teacher'] });
    expect(sameRoles.status).toBe(200);
    expect(await auditOf('staff.updated', person.id)).toBe(0);
  });
});
