// Classroom (issue 12): marking tablets absent or present writes the log entry (and takes the
// class's next number) only for the tablets whose mark changes. A second tap on "Mark absent", two
// teachers marking the same tablet at once, or a request naming none leaves nothing in the log.
import type { ClassSessionView } from '@app/hub-api';
import { as, setUpClass, startSession, TestClass } from './support/classroom';
import { startHub, TestHub } from './support/hub';

describe('classroom: absence marks', () => {
  let hub: TestHub;
  let admin: string;
  let klass: TestClass;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    klass = await setUpClass(hub, admin, 2, { connect: false });
    await startSession(hub, klass.teacher.token, klass.classId);
  });
  afterAll(() => hub.close());

  const mark = (deviceIds: string[], absent: boolean) =>
    hub.http
      .put(`/api/classes/${klass.classId}/session/absent`)
      .set('Authorization', as(klass.teacher.token))
      .send({ deviceIds, absent });
  const entries = async () =>
    (
      (
        await hub.http
          .get('/api/audit')
          .query({ action: 'class.absence_marked', targetId: klass.classId })
          .set('Authorization', as(admin))
      ).body as { items: Array<{ detail: { deviceIds: string[]; absent: boolean } }> }
    ).items.map((item) => ({ absent: item.detail.absent, deviceIds: item.detail.deviceIds }));

  it('writes an entry only for the tablets whose mark changes', async () => {
    const [first, second] = klass.deviceIds;
    // Two taps at once, then a third; a request naming none; a present tablet marked present.
    const answers = await Promise.all([mark([first], true), mark([first], true)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const again = await mark([first], true);
    expect(again.status).toBe(200);
    expect((await mark([], true)).status).toBe(200);
    expect((await mark([second], false)).status).toBe(200);
    const view = again.body as ClassSessionView;
    expect(view.tiles.filter((tile) => tile.absent).map((tile) => tile.deviceId)).toEqual([first]);
    expect(await entries()).toEqual([{ absent: true, deviceIds: [first] }]);

    // Both named: only the one whose mark changes is in the entry.
    expect((await mark([first, second], true)).status).toBe(200);
    expect((await entries())[0]).toEqual({ absent: true, deviceIds: [second] });
    expect(await entries()).toHaveLength(2);
  });
});
