// Group edits at the same moment (issue 8 item 3): each edit writes only what it changes, so
// edits of different fields both stand, and a name taken by a request at the same moment is a
// 409 for the loser, never a 500.
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import { startHub, TestHub } from './support/hub';

interface ErrorBody {
  statusCode: number;
  message: string;
}

describe('groups edited at the same moment', () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });

  afterAll(() => hub.close());

  const createGroup = (name: string) =>
    hub.http.post('/api/groups').set('Authorization', `Bearer ${admin}`).send({ name });
  const patchGroup = (id: string, body: object) =>
    hub.http.patch(`/api/groups/${id}`).set('Authorization', `Bearer ${admin}`).send(body);

  it('keeps both of two edits of different fields made at once', async () => {
    const created = await createGroup('Race 7C');
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (let round = 1; round <= 5; round += 1) {
      const [renamed, described] = await Promise.all([
        patchGroup(id, { name: `Race 7C round ${round}` }),
        patchGroup(id, { description: `Trolley ${round}` }),
      ]);
      expect([renamed.status, described.status]).toEqual([200, 200]);
      const group = await hub.http.get(`/api/groups/${id}`).set('Authorization', `Bearer ${admin}`);
      expect(group.body).toMatchObject({
        name: `Race 7C round ${round}`,
        description: `Trolley ${round}`,
      });
    }
  });

  it('answers 409 to all but one of ten creations of one name at once', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => createGroup('Race 8D')));
    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    for (const loser of responses.filter((r) => r.status === 409)) {
      expect((loser.body as ErrorBody).message).toContain('Race 8D');
    }
    const list = await hub.http.get('/api/groups').set('Authorization', `Bearer ${admin}`);
    expect((list.body as { name: string }[]).filter((g) => g.name === 'Race 8D')).toHaveLength(1);
  });

  it('answers 409 to one of two renames to the same name at once, and 404 for no such group', async () => {
    const a = await createGroup('Race 9E');
    const b = await createGroup('Race 9F');
    const [first, second] = await Promise.all([
      patchGroup(a.body.id as string, { name: 'Race 9 merged' }),
      patchGroup(b.body.id as string, { name: 'Race 9 merged' }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    // A rename to the name the group already has is no clash.
    const same = await patchGroup(a.body.id as string, { name: 'Race 9E' });
    expect(same.status).toBe(200);
    const missing = await patchGroup('6f1c1b0e-3d4a-4b6c-9e7f-0a1b2c3d4e5f', { name: 'Nobody' });
    expect(missing.status).toBe(404);
  });

  it('adds a device already in the group no second time, and audits only what was added', async () => {
    const token = await createEnrollmentToken(hub, admin, { maxUses: 2 });
    const [one, two] = [await enrollTestDevice(hub, token), await enrollTestDevice(hub, token)];
    const group = await createGroup('Race 10G');
    const id = group.body.id as string;
    const add = (deviceIds: string[]) =>
      hub.http
        .post(`/api/groups/${id}/members`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ deviceIds });
    expect((await add([one.deviceId])).status).toBe(201);
    const again = await Promise.all([
      add([one.deviceId]),
      add([one.deviceId, two.deviceId]),
      add([one.deviceId, two.deviceId]),
      add([two.deviceId, one.deviceId]),
    ]);
    expect(again.map((r) => r.status)).toEqual(Array(4).fill(201));
    // The three that name the second device see it in the group; the one that names only the
    // first sees the second only if another add committed before it counted (PostgreSQL runs
    // the four side by side, so either count is right for it).
    expect(again.slice(1).map((r) => r.body.members)).toEqual([2, 2, 2]);
    expect([1, 2]).toContain(again[0].body.members);
    const audit = await hub.http
      .get('/api/audit?action=group.members_added&pageSize=100')
      .set('Authorization', `Bearer ${admin}`);
    const entries = (audit.body.items as { targetId: string; detail: { count: number } }[]).filter(
      (entry) => entry.targetId === id,
    );
    // The first add (one device) and the one of the four that added the second device.
    expect(entries.map((entry) => entry.detail.count).sort()).toEqual([1, 1]);
  });
});
