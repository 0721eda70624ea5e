// A class's `class.updated` entry lists what the change changed (issue 12, issue 9's log): ICT
// saving the class form sends every field, and an API client may send `{}` or the same values, so
// the fields sent are not the fields changed. A save that changes nothing writes nothing, as for
// groups, devices, staff and policies (test/unchanged-saves.e2e-spec.ts).
import type { ClassDto } from '@app/hub-api';
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import { createStaff, startHub, TestHub } from './support/hub';

describe("a class's changes in the audit log", () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });

  afterAll(() => hub.close());

  const as = () => ({ Authorization: `Bearer ${admin}` });
  const entriesOf = async (targetId: string) =>
    (
      (await hub.http.get('/api/audit').query({ action: 'class.updated', targetId }).set(as()))
        .body as { items: Array<{ detail: { changed: string[] } }> }
    ).items.map((item) => item.detail.changed);

  it('writes nothing for a save that changes nothing, and names only the fields a save changed', async () => {
    const group = await hub.http.post('/api/groups').set(as()).send({ name: 'Trolley 3' });
    const other = await hub.http.post('/api/groups').set(as()).send({ name: 'Trolley 4' });
    const token = await createEnrollmentToken(hub, admin, { maxUses: 2 });
    const tablets = [
      (await enrollTestDevice(hub, token, { name: 'Pine 01' })).deviceId,
      (await enrollTestDevice(hub, token, { name: 'Pine 02' })).deviceId,
    ];
    const teachers = [
      (await createStaff(hub, admin, 'pine1', ['teacher'])).id,
      (await createStaff(hub, admin, 'pine2', ['teacher'])).id,
    ];
    const monday = { weekday: 1, start: '09:00', end: '10:00' };
    const friday = { weekday: 5, start: '13:30', end: '14:30' };
    const created = await hub.http
      .post('/api/classes')
      .set(as())
      .send({
        name: 'Year 3 Pine',
        teacherIds: teachers,
        deviceIds: tablets,
        groupId: group.body.id,
        timetable: [monday, friday],
      });
    expect(created.status).toBe(201);
    const klass = created.body as ClassDto;

    // What the class form sends when nothing was edited, in another order; and an empty change.
    for (const body of [
      {},
      {
        name: 'Year 3 Pine',
        teacherIds: [...teachers].reverse(),
        deviceIds: [...tablets].reverse(),
        groupId: group.body.id,
        timetable: [friday, monday],
      },
      { teacherIds: [teachers[0], teachers[1], teachers[0]] },
    ]) {
      const saved = await hub.http.patch(`/api/classes/${klass.id}`).set(as()).send(body);
      expect(saved.status).toBe(200);
      expect((saved.body as ClassDto).updatedAt).toBe(klass.updatedAt);
    }
    expect(await entriesOf(klass.id)).toEqual([]);

    // The form again, with one field edited: only that field is named.
    const saved = await hub.http
      .patch(`/api/classes/${klass.id}`)
      .set(as())
      .send({
        name: 'Year 3 Pine',
        teacherIds: teachers,
        deviceIds: tablets,
        groupId: group.body.id,
        timetable: [monday],
      });
    expect(saved.status).toBe(200);
    expect((saved.body as ClassDto).timetable).toEqual([monday]);
    expect(await entriesOf(klass.id)).toEqual([['timetable']]);

    const renamed = await hub.http
      .patch(`/api/classes/${klass.id}`)
      .set(as())
      .send({ name: 'Year 3 Pine and Ash', teacherIds: [teachers[1]], groupId: other.body.id });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual(
      expect.objectContaining({
        name: 'Year 3 Pine and Ash',
        teacherIds: [teachers[1]],
        groupId: other.body.id,
      }),
    );
    expect((await entriesOf(klass.id))[0]).toEqual(['name', 'teacherIds', 'groupId']);

    const cleared = await hub.http
      .patch(`/api/classes/${klass.id}`)
      .set(as())
      .send({ groupId: null, deviceIds: [] });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual(expect.objectContaining({ groupId: null, deviceIds: [] }));
    expect((await entriesOf(klass.id))[0]).toEqual(['deviceIds', 'groupId']);
  });

  it('refuses a save made from the class as it was before someone else changed it: their change stands', async () => {
    const teachers = [
      (await createStaff(hub, admin, 'elm1', ['teacher'])).id,
      (await createStaff(hub, admin, 'elm2', ['teacher'])).id,
    ];
    const monday = { weekday: 1, start: '09:00', end: '10:00' };
    const created = await hub.http
      .post('/api/classes')
      .set(as())
      .send({ name: 'Year 6 Elm', teacherIds: [teachers[0]], timetable: [monday] });
    expect(created.status).toBe(201);
    const read = created.body as ClassDto;
    // Both as the class form sends them: every field, with the `updatedAt` it was filled from.
    const form = (change: Partial<ClassDto>) => ({
      name: read.name,
      teacherIds: read.teacherIds,
      deviceIds: read.deviceIds,
      groupId: read.groupId,
      timetable: read.timetable,
      updatedAt: read.updatedAt,
      ...change,
    });

    // One ICT adds a teacher; another, from the same read, adds a lesson.
    const first = await hub.http
      .patch(`/api/classes/${read.id}`)
      .set(as())
      .send(form({ teacherIds: teachers }));
    expect(first.status).toBe(200);
    const friday = { weekday: 5, start: '13:30', end: '14:30' };
    const second = await hub.http
      .patch(`/api/classes/${read.id}`)
      .set(as())
      .send(form({ timetable: [monday, friday] }));
    expect([second.status, second.body]).toEqual([
      409,
      {
        statusCode: 409,
        code: 'changed_meanwhile',
        message:
          'Class "Year 6 Elm" was changed by someone else after you read it. Nothing was ' +
          'saved: read it again and make the change there',
      },
    ]);
    const now = (await hub.http.get(`/api/classes/${read.id}`).set(as())).body as ClassDto;
    expect([now.teacherIds.sort(), now.timetable]).toEqual([[...teachers].sort(), [monday]]);
    expect(await entriesOf(read.id)).toEqual([['teacherIds']]);

    // Made again from the class as it is now, it is saved, and both changes stand.
    const again = await hub.http
      .patch(`/api/classes/${read.id}`)
      .set(as())
      .send({
        ...form({ teacherIds: now.teacherIds }),
        timetable: [monday, friday],
        updatedAt: now.updatedAt,
      });
    expect(again.status).toBe(200);
    expect([
      (again.body as ClassDto).teacherIds.sort(),
      (again.body as ClassDto).timetable,
    ]).toEqual([[...teachers].sort(), [monday, friday]]);
    // The same moment in another offset is the same read; a time that is not one is a 400.
    const later = again.body as ClassDto;
    const inOffset = new Date(later.updatedAt);
    const sameMoment = new Date(inOffset.getTime() + 60 * 60 * 1000)
      .toISOString()
      .replace('Z', '+01:00');
    const renamed = await hub.http
      .patch(`/api/classes/${read.id}`)
      .set(as())
      .send({ name: 'Year 6 Elm and Oak', updatedAt: sameMoment });
    expect(renamed.status).toBe(200);
    const bad = await hub.http
      .patch(`/api/classes/${read.id}`)
      .set(as())
      .send({ name: 'Year 6', updatedAt: 'yesterday' });
    expect([bad.status, String(bad.body.message).startsWith('updatedAt ')]).toEqual([400, true]);
  });
});
