// A teacher's reach over devices, end to end (issue 12: "a teacher acts only on their own classes
// (403 otherwise); ICT acts on any"): a teacher who is not also ICT sends commands to a device only
// when it is a tablet of a class they teach (its group's member or named in it), and to a group
// only when every device in it is one; they read only those tablets' commands. Anything else is a
// 403 in plain words with nothing queued; a device's detail lists its waiting commands only to those
// who may read them. ICT, and a teacher who is also ICT, reach every device.
// On PostgreSQL, a change of the class or its group in flight is waited for, not half seen.
import { DataSource } from 'typeorm';
import { createStaff, startHub, TestHub } from './support/hub';
import { as, teachClass } from './support/classroom';
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import { postgresOnly } from './support/test-database';

const REFUSED = 'Teachers can send commands only to the tablets of their own classes';
const GROUP_REFUSED = `${REFUSED}; this group also holds devices that are not`;
const READ_REFUSED = 'Teachers can see the commands only of the tablets of their own classes';

const LOCK = { type: 'device.lock', payload: { reason: 'class', message: 'Eyes on me' } };

describe("a teacher's commands reach only the tablets of their own classes", () => {
  let hub: TestHub;
  let admin: string;
  let ict: string;
  let safeguarding: string;
  let teacher: { id: string; token: string };
  let otherTeacher: { id: string; token: string };
  /** Holds both roles and teaches no class. */
  let teacherIct: string;
  let classGroup: string;
  let loanGroup: string;
  let mixedGroup: string;
  /** Members of the class's group. */
  let tablets: string[];
  /** Named in the class, in no group. */
  let named: string;
  /** On loan to a colleague: in "Loan laptops", in no class. */
  let laptop: string;
  /** A tablet of another teacher's class. */
  let otherTablet: string;
  let counter = 0;

  const send = (token: string, deviceId: string, body: object = LOCK) =>
    hub.http.post(`/api/devices/${deviceId}/commands`).set('Authorization', as(token)).send(body);
  const toGroup = (token: string, groupId: string, body: object = LOCK) =>
    hub.http.post(`/api/groups/${groupId}/commands`).set('Authorization', as(token)).send(body);
  /** The device's commands as ICT reads them, the baseline policy left out. */
  const queued = async (deviceId: string) =>
    (
      (
        await hub.http
          .get(`/api/devices/${deviceId}/commands?pageSize=100`)
          .set('Authorization', as(admin))
      ).body.items as { id: string; type: string; issuedBy: { id: string } }[]
    ).filter((c) => c.type !== 'policy.apply');

  async function createGroup(name: string): Promise<string> {
    const group = await hub.http.post('/api/groups').set('Authorization', as(admin)).send({ name });
    expect(group.status).toBe(201);
    return group.body.id as string;
  }

  /** Enrols `count` devices into `groupIds`; returns their ids. */
  async function enrol(count: number, groupIds: string[] = []): Promise<string[]> {
    const token = await createEnrollmentToken(hub, admin, { groupIds, maxUses: count });
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      counter += 1;
      ids.push((await enrollTestDevice(hub, token, { name: `Reach ${counter}` })).deviceId);
    }
    return ids;
  }

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    ict = (await createStaff(hub, admin, 'reach-ict', ['ict'])).token;
    safeguarding = (await createStaff(hub, admin, 'reach-dsl', ['safeguarding'])).token;
    teacher = await createStaff(hub, admin, 'reach-teacher', ['teacher']);
    otherTeacher = await createStaff(hub, admin, 'reach-other', ['teacher']);
    teacherIct = (await createStaff(hub, admin, 'reach-both', ['teacher', 'ict'])).token;
    classGroup = await createGroup('Reach Year 4 Oak');
    loanGroup = await createGroup('Reach loan laptops');
    const otherGroup = await createGroup('Reach Year 5 Elm');
    tablets = await enrol(2, [classGroup]);
    [named] = await enrol(1);
    [laptop] = await enrol(1, [loanGroup]);
    [otherTablet] = await enrol(1, [otherGroup]);
    await teachClass(hub, admin, [teacher.id], { groupId: classGroup, deviceIds: [named] });
    await teachClass(hub, admin, [otherTeacher.id], { groupId: otherGroup });
    mixedGroup = await createGroup('Reach front table and a laptop');
    const added = await hub.http
      .post(`/api/groups/${mixedGroup}/members`)
      .set('Authorization', as(admin))
      .send({ deviceIds: [tablets[0], laptop] });
    expect(added.status).toBe(201);
  });

  afterAll(() => hub.close());

  it("lets a teacher lock, message and unlock their class's tablets, by its group or named in it", async () => {
    for (const deviceId of [tablets[0], named]) {
      const locked = await send(teacher.token, deviceId);
      expect(locked.status).toBe(201);
      expect(locked.body).toMatchObject({ deviceId, type: 'device.lock', status: 'pending' });
      const message = await send(teacher.token, deviceId, {
        type: 'message.show',
        payload: { text: 'Tidy up' },
      });
      expect(message.status).toBe(201);
      expect(
        (await send(teacher.token, deviceId, { type: 'device.unlock', payload: {} })).status,
      ).toBe(201);
    }
    // The class's own group is all theirs: one command per tablet.
    const issued = await toGroup(teacher.token, classGroup);
    expect(issued.status).toBe(201);
    expect(issued.body.count).toBe(2);
  });

  it('refuses a teacher a device in none of their classes, or in a colleague’s, and queues nothing', async () => {
    for (const body of [
      LOCK,
      { type: 'device.unlock', payload: {} },
      { type: 'message.show', payload: { text: 'Whose laptop is this?' } },
      { type: 'app.lock', payload: { appId: 'org.school.maths' } },
      { type: 'photos.sync', payload: {} },
    ]) {
      for (const deviceId of [laptop, otherTablet]) {
        const refused = await send(teacher.token, deviceId, body);
        expect({ body, deviceId, status: refused.status, message: refused.body.message }).toEqual({
          body,
          deviceId,
          status: 403,
          message: REFUSED,
        });
      }
    }
    expect(await queued(laptop)).toEqual([]);
    expect(await queued(otherTablet)).toEqual([]);
    // The colleague whose class it is may.
    expect((await send(otherTeacher.token, otherTablet)).status).toBe(201);
  });

  it('refuses a teacher a group that holds any device outside their classes, queuing nothing', async () => {
    const before = (await queued(tablets[0])).length;
    for (const groupId of [loanGroup, mixedGroup]) {
      const refused = await toGroup(teacher.token, groupId);
      expect({ groupId, status: refused.status, message: refused.body.message }).toEqual({
        groupId,
        status: 403,
        message: GROUP_REFUSED,
      });
    }
    // The tablet of theirs in the mixed group got nothing either, nor did the laptop.
    expect(await queued(tablets[0])).toHaveLength(before);
    expect(await queued(laptop)).toEqual([]);
  });

  it('lets ICT, and a teacher who is also ICT, command any device and any group', async () => {
    for (const token of [ict, teacherIct]) {
      expect((await send(token, laptop)).status).toBe(201);
      expect((await send(token, otherTablet)).status).toBe(201);
      const loans = await toGroup(token, loanGroup, { type: 'device.unlock', payload: {} });
      expect([loans.status, loans.body.count]).toEqual([201, 1]);
      const mixed = await toGroup(token, mixedGroup, { type: 'device.unlock', payload: {} });
      expect([mixed.status, mixed.body.count]).toEqual([201, 2]);
    }
  });

  it("lets a teacher read only their tablets' commands; ICT and safeguarding read any", async () => {
    const read = (token: string, deviceId: string) =>
      hub.http.get(`/api/devices/${deviceId}/commands`).set('Authorization', as(token));
    expect((await read(teacher.token, tablets[0])).status).toBe(200);
    expect((await read(teacher.token, named)).status).toBe(200);
    for (const deviceId of [laptop, otherTablet]) {
      const refused = await read(teacher.token, deviceId);
      expect([refused.status, refused.body.message]).toEqual([403, READ_REFUSED]);
      expect(JSON.stringify(refused.body)).not.toContain('Eyes on me');
    }
    for (const token of [ict, safeguarding, teacherIct]) {
      expect((await read(token, laptop)).status).toBe(200);
    }
  });

  it("shows a device's waiting commands only to those who may read its commands", async () => {
    const office = (await createStaff(hub, admin, 'reach-office', ['office'])).token;
    const leader = (await createStaff(hub, admin, 'reach-leader', ['trip_leader'])).token;
    const text = 'Bring this laptop to ICT, please';
    expect((await send(ict, laptop, { type: 'message.show', payload: { text } })).status).toBe(201);
    const pending = async (token: string, deviceId: string) => {
      const detail = await hub.http.get(`/api/devices/${deviceId}`).set('Authorization', as(token));
      expect(detail.status).toBe(200);
      return (detail.body.pendingCommands as { type: string }[]).filter(
        (c) => c.type !== 'policy.apply',
      );
    };
    expect(JSON.stringify(await pending(ict, laptop))).toContain(text);
    for (const token of [office, leader, teacher.token]) {
      expect(await pending(token, laptop)).toEqual([]);
    }
    // A teacher's own tablet: its waiting commands, as its commands route shows them.
    expect((await pending(teacher.token, tablets[0])).length).toBeGreaterThan(0);
  });

  it('refuses a teacher taken off the class, and a tablet taken out of its group', async () => {
    const group = await createGroup('Reach Year 6 Ash');
    const [kept, moved] = await enrol(2, [group]);
    const leaving = await createStaff(hub, admin, 'reach-leaving', ['teacher']);
    const classId = await teachClass(hub, admin, [leaving.id, teacher.id], { groupId: group });
    expect((await send(leaving.token, kept)).status).toBe(201);
    expect((await send(teacher.token, moved)).status).toBe(201);

    const changed = await hub.http
      .patch(`/api/classes/${classId}`)
      .set('Authorization', as(admin))
      .send({ teacherIds: [teacher.id] });
    expect(changed.status).toBe(200);
    const gone = await send(leaving.token, kept);
    expect([gone.status, gone.body.message]).toEqual([403, REFUSED]);

    const removed = await hub.http
      .delete(`/api/groups/${group}/members/${moved}`)
      .set('Authorization', as(admin));
    expect(removed.status).toBe(204);
    const away = await send(teacher.token, moved);
    expect([away.status, away.body.message]).toEqual([403, REFUSED]);
    expect((await send(teacher.token, kept)).status).toBe(201);
  });

  postgresOnly('two transactions in flight at once happen only on PostgreSQL')(
    'a change in flight',
    () => {
      /** A transaction of the test's own on the hub's database, open until `commit`. */
      async function openTransaction() {
        const runner = hub.app.get(DataSource).createQueryRunner();
        await runner.connect();
        await runner.startTransaction();
        return {
          sql: (text: string, params: unknown[]) => runner.query(text, params) as Promise<unknown>,
          commit: async () => {
            await runner.commitTransaction();
            await runner.release();
          },
        };
      }

      /** Sends `request` and checks it is still waiting a moment later. */
      async function stillWaiting<T>(request: PromiseLike<T>): Promise<{ answer: Promise<T> }> {
        let answered = false;
        const answer = Promise.resolve(request).then((value) => {
          answered = true;
          return value;
        });
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(answered).toBe(false);
        return { answer };
      }

      it('waits for a change of the class that takes the teacher off it, then refuses', async () => {
        const group = await createGroup('Reach in flight 1');
        const [tablet] = await enrol(1, [group]);
        const leaving = await createStaff(hub, admin, 'reach-flight-1', ['teacher']);
        const classId = await teachClass(hub, admin, [leaving.id], { groupId: group });
        // A change of the class as the hub makes one (PATCH): the class's row first, then its
        // teachers. The teacher's lock arrives in between.
        const change = await openTransaction();
        await change.sql('UPDATE classes SET updated_at = updated_at WHERE id = $1', [classId]);
        const { answer } = await stillWaiting(send(leaving.token, tablet));
        await change.sql('DELETE FROM class_teachers WHERE class_id = $1', [classId]);
        await change.commit();
        const refused = await answer;
        expect([refused.status, refused.body.message]).toEqual([403, REFUSED]);
        expect(await queued(tablet)).toEqual([]);
      });

      it('waits for a tablet being taken out of the class’s group, then refuses', async () => {
        const group = await createGroup('Reach in flight 2');
        const [tablet] = await enrol(1, [group]);
        const keen = await createStaff(hub, admin, 'reach-flight-2', ['teacher']);
        await teachClass(hub, admin, [keen.id], { groupId: group });
        const change = await openTransaction();
        await change.sql(
          'DELETE FROM device_group_members WHERE group_id = $1 AND device_id = $2',
          [group, tablet],
        );
        const { answer } = await stillWaiting(send(keen.token, tablet));
        await change.commit();
        const refused = await answer;
        expect([refused.status, refused.body.message]).toEqual([403, REFUSED]);
        expect(await queued(tablet)).toEqual([]);
      });
    },
  );
});
