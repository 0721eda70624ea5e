// PATCH /api/staff/:id with the account's `updatedAt` as read (the console's Roles dialog sends
// the whole list of roles): two members of ICT changing one person's roles from the same read
// must not have the second silently undo the first. A stale save is refused with 409
// `changed_meanwhile`, nothing saved or audited; a current one is saved; without the field the
// change is made as before.
import type { AuditEntry, Page, StaffAccount } from '@app/hub-api';
import { createStaff, startHub, TestHub } from './support/hub';

describe("a staff account's roles changed from an older read", () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });
  afterAll(() => hub.close());

  const as = () => ({ Authorization: `Bearer ${admin}` });
  const read = async (id: string) =>
    (await hub.http.get(`/api/staff/${id}`).set(as())).body as StaffAccount;
  const auditedChanges = async (id: string) =>
    (
      (await hub.http.get('/api/audit').query({ action: 'staff.updated', targetId: id }).set(as()))
        .body as Page<AuditEntry>
    ).total;

  it('refuses the second of two role changes made from the same read: the first stands', async () => {
    const person = await createStaff(hub, admin, 'rowan', ['teacher']);
    const opened = await read(person.id);

    // ICT A adds trip leader; ICT B, from the same read, adds office. Each sends the whole list.
    const first = await hub.http
      .patch(`/api/staff/${person.id}`)
      .set(as())
      .send({ roles: ['teacher', 'trip_leader'], updatedAt: opened.updatedAt });
    expect(first.status).toBe(200);
    const second = await hub.http
      .patch(`/api/staff/${person.id}`)
      .set(as())
      .send({ roles: ['teacher', 'office'], updatedAt: opened.updatedAt });
    expect([second.status, second.body]).toEqual([
      409,
      {
        statusCode: 409,
        code: 'changed_meanwhile',
        message:
          'The account of rowan (rowan) was changed by someone else after you read it. ' +
          'Nothing was saved: read it again and make the change there',
      },
    ]);
    const now = await read(person.id);
    expect(now.roles.sort()).toEqual(['teacher', 'trip_leader']);
    expect(await auditedChanges(person.id)).toBe(1);

    // Made again from the account as it is now, it is saved, and both changes stand.
    const again = await hub.http
      .patch(`/api/staff/${person.id}`)
      .set(as())
      .send({ roles: ['teacher', 'trip_leader', 'office'], updatedAt: now.updatedAt });
    expect(again.status).toBe(200);
    expect((again.body as StaffAccount).roles.sort()).toEqual(['office', 'teacher', 'trip_leader']);
    expect(await auditedChanges(person.id)).toBe(2);
  });

  it('refuses a stale save that changes other fields too, writing none of them', async () => {
    const person = await createStaff(hub, admin, 'sorrel', ['teacher']);
    const opened = await read(person.id);
    expect(
      (await hub.http.patch(`/api/staff/${person.id}`).set(as()).send({ disabled: true })).status,
    ).toBe(200);
    const stale = await hub.http
      .patch(`/api/staff/${person.id}`)
      .set(as())
      .send({ displayName: 'Sorrel Ash', roles: ['office'], updatedAt: opened.updatedAt });
    expect([stale.status, stale.body.code]).toEqual([409, 'changed_meanwhile']);
    const now = await read(person.id);
    expect([now.displayName, now.roles, now.disabled]).toEqual(['sorrel', ['teacher'], true]);
  });

  it('makes the change as before when no updatedAt is given, and refuses one that is not a time', async () => {
    const person = await createStaff(hub, admin, 'tansy', ['teacher']);
    const opened = await read(person.id);
    expect(
      (
        await hub.http
          .patch(`/api/staff/${person.id}`)
          .set(as())
          .send({ roles: ['teacher', 'trip_leader'], updatedAt: opened.updatedAt })
      ).status,
    ).toBe(200);
    const without = await hub.http
      .patch(`/api/staff/${person.id}`)
      .set(as())
      .send({ roles: ['office'] });
    expect([without.status, (without.body as StaffAccount).roles]).toEqual([200, ['office']]);

    // The same moment in another offset is the same read.
    const later = await read(person.id);
    const sameMoment = new Date(new Date(later.updatedAt).getTime() + 60 * 60 * 1000)
      .toISOString()
      .replace('Z', '+01:00');
    const inOffset = await hub.http
      .patch(`/api/staff/${person.id}`)
      .set(as())
      .send({ roles: ['office', 'teacher'], updatedAt: sameMoment });
    expect(inOffset.status).toBe(200);

    const bad = await hub.http
      .patch(`/api/staff/${person.id}`)
      .set(as())
      .send({ roles: ['teacher'], updatedAt: 'yesterday' });
    expect([bad.status, String(bad.body.message).startsWith('updatedAt ')]).toEqual([400, true]);
    expect((await read(person.id)).roles.sort()).toEqual(['office', 'teacher']);
  });
});
