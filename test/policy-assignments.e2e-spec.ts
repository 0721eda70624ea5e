// An assignment to the baseline names no target: one that names a group or a device was taken as
// the baseline with its target dropped, so a policy meant for one class reached every device.
import { startHub, TestHub } from './support/hub';

describe('assigning a policy', () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });
  afterAll(() => hub.close());

  const as = () => `Bearer ${admin}`;

  it('refuses the baseline scope with a target, and assigns nothing', async () => {
    const policy = await hub.http
      .post('/api/policies')
      .set('Authorization', as())
      .send({ name: 'Art room cameras', settings: { camera: { allowed: true } } });
    expect(policy.status).toBe(201);
    const group = await hub.http
      .post('/api/groups')
      .set('Authorization', as())
      .send({ name: 'Art' });
    const assigned = await hub.http
      .post(`/api/policies/${policy.body.id}/assignments`)
      .set('Authorization', as())
      .send({ scope: 'baseline', targetId: group.body.id });
    expect(assigned.status).toBe(400);
    expect(assigned.body.message).toBe(
      'targetId: the baseline reaches every device and names no target (use scope group or device)',
    );
    const read = await hub.http.get(`/api/policies/${policy.body.id}`).set('Authorization', as());
    expect(read.body.assignments).toEqual([]);
    const toGroup = await hub.http
      .post(`/api/policies/${policy.body.id}/assignments`)
      .set('Authorization', as())
      .send({ scope: 'group', targetId: group.body.id });
    expect(toGroup.status).toBe(201);
  });
});
