// A class action's 400 names the field as the request names it (issue 12). A teacher's app lock
// without an app, or a message without its text, was refused with the command protocol's names
// ("payload.appId must be a string"), a field the request has no such name for.
import { LIMITS } from '@app/policy';
import { act, setUpClass, startSession, type TestClass } from './support/classroom';
import { waitFor } from './support/devices';
import { startHub, type TestHub } from './support/hub';

describe("a class action's missing or bad field", () => {
  let hub: TestHub;
  let admin: string;
  let oak: TestClass;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    oak = await setUpClass(hub, admin, 1);
    await startSession(hub, oak.teacher.token, oak.classId);
  });
  afterAll(async () => {
    oak.devices.forEach((device) => device.client.close());
    await hub.close();
  });

  const refusal = async (body: object) => {
    const response = await act(hub, oak.teacher.token, oak.classId, body);
    return { status: response.status, message: (response.body as { message: string }).message };
  };

  it('names a field the action needs and lacks', async () => {
    expect(await refusal({ action: 'app.lock' })).toEqual({
      status: 400,
      message: 'appId is required for app.lock',
    });
    expect(await refusal({ action: 'message' })).toEqual({
      status: 400,
      message: 'text is required for message',
    });
  });

  it("names a bad value by the request's own field name", async () => {
    expect(await refusal({ action: 'app.lock', appId: '   ' })).toEqual({
      status: 400,
      message: 'appId must not be blank',
    });
    expect(await refusal({ action: 'app.lock', appId: 'com.example\u0000' })).toEqual({
      status: 400,
      message: 'appId must not contain control characters (found U+0000)',
    });
  });

  it('keeps tablets in an app whose id is as long as a policy may name one, and no longer', async () => {
    // The longest app id the school's policy may allow (libs/policy LIMITS): ClassActionDto took
    // 200 characters at most, so a teacher could not keep the class in such an allowed app.
    const appId = `org.school.${'q'.repeat(LIMITS.appIdLength.max - 'org.school.'.length)}`;
    const policy = await hub.http
      .post('/api/policies')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        name: 'Long app ids',
        settings: {
          apps: {
            mode: 'allowlist',
            allowed: ['org.devicehub.agent', 'org.devicehub.ipad', appId],
          },
        },
      });
    expect(policy.status).toBe(201);
    const assigned = await hub.http
      .post(`/api/policies/${(policy.body as { id: string }).id}/assignments`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ scope: 'group', targetId: oak.groupId });
    expect(assigned.status).toBe(201);

    const kept = await act(hub, oak.teacher.token, oak.classId, { action: 'app.lock', appId });
    expect([kept.status, appId.length]).toEqual([202, LIMITS.appIdLength.max]);
    await waitFor(
      () => oak.devices.every((device) => device.enforcer.currentState().appLock === appId),
      'the tablet kept in the app',
    );
    expect(await refusal({ action: 'app.lock', appId: `${appId}q` })).toEqual({
      status: 400,
      message: `appId must be at most ${LIMITS.appIdLength.max} characters`,
    });
  });
});
