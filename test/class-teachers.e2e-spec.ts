// A class's teachers are enabled staff accounts holding the teacher role (or ICT), as a trip's
// leaders are: anyone else named would be shown a class they could never open (issue 12; found
// by a probe that made an office clerk and a disabled account teachers of a class).
import { as } from './support/classroom';
import { createStaff, startHub, TestHub } from './support/hub';

describe('the teachers a class may name', () => {
  let hub: TestHub;
  let admin: string;
  let teacher: { id: string };
  let office: { id: string };
  let leaver: { id: string };
  let ict: { id: string };

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    teacher = await createStaff(hub, admin, 'ctteacher', ['teacher']);
    office = await createStaff(hub, admin, 'ctoffice', ['office']);
    leaver = await createStaff(hub, admin, 'ctleaver', ['teacher']);
    ict = await createStaff(hub, admin, 'ctict', ['ict']);
    const disabled = await hub.http
      .patch(`/api/staff/${leaver.id}`)
      .set('Authorization', as(admin))
      .send({ disabled: true });
    expect(disabled.status).toBe(200);
  });
  afterAll(() => hub.close());

  const create = (name: string, teacherIds: string[]) =>
    hub.http.post('/api/classes').set('Authorization', as(admin)).send({ name, teacherIds });

  it('refuses an account without the teacher role, and a disabled one, naming the field', async () => {
    const clerk = await create('Clerk class', [teacher.id, office.id]);
    expect(clerk.status).toBe(400);
    expect(clerk.body.message).toBe(
      'teacherIds: ctoffice is not a teacher (give them the teacher role first)',
    );
    const gone = await create('Leaver class', [leaver.id]);
    expect(gone.status).toBe(400);
    expect(gone.body.message).toBe("teacherIds: ctleaver's account is disabled");
    const list = await hub.http.get('/api/classes').set('Authorization', as(admin));
    expect((list.body as { name: string }[]).map((c) => c.name)).not.toEqual(
      expect.arrayContaining(['Clerk class', 'Leaver class']),
    );
  });

  it('takes teachers and ICT, and refuses the same accounts when a class is changed', async () => {
    const made = await create('Year 5 Elm', [teacher.id, ict.id]);
    expect(made.status).toBe(201);
    const classId = (made.body as { id: string }).id;
    const changed = await hub.http
      .patch(`/api/classes/${classId}`)
      .set('Authorization', as(admin))
      .send({ teacherIds: [teacher.id, office.id] });
    expect(changed.status).toBe(400);
    expect(changed.body.message).toBe(
      'teacherIds: ctoffice is not a teacher (give them the teacher role first)',
    );
    const read = await hub.http.get(`/api/classes/${classId}`).set('Authorization', as(admin));
    expect([...(read.body as { teacherIds: string[] }).teacherIds].sort()).toEqual(
      [teacher.id, ict.id].sort(),
    );
  });
});
