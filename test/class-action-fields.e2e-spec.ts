// A class action's 400 names the field as the request names it (issue 12). A teacher's app lock
// without an app, or a message without its text, was refused with the command protocol's names
// ("payload.appId must be a string"), a field the request has no such name for.
import { act, setUpClass, startSession, type TestClass } from './support/classroom';
import { startHub, type TestHub } from './support/hub';

describe("a class action's missing or bad field", () => {
  let hub: TestHub;
  let oak: TestClass;

  beforeAll(async () => {
    hub = await startHub();
    oak = await setUpClass(hub, await hub.login(), 1);
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
});
