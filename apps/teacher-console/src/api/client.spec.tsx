// When the console shows the acceptable use policy: on the hub's 403 whose `code` is
// `aup_required` (ACCESS_REFUSALS), never because a 403's words begin like the AUP's. A file
// .tsx so that the unit suite runs it: the console's plain .ts files are its own.
import { api, ApiError, connectApiToSession } from './client';

/** What GET /api/devices does when the hub answers `status` with `body`: its error, and whether the AUP was asked for. */
async function answerTo(
  status: number,
  body: unknown,
): Promise<{ error: unknown; aupShown: boolean }> {
  let aupShown = false;
  connectApiToSession({
    token: () => 'a-token',
    unauthorized: () => undefined,
    aupRequired: () => {
      aupShown = true;
    },
  });
  const realFetch = global.fetch;
  global.fetch = () =>
    Promise.resolve(
      new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      }),
    );
  try {
    await api('/api/devices');
    throw new Error('the request was not refused');
  } catch (error) {
    return { error, aupShown };
  } finally {
    global.fetch = realFetch;
  }
}

describe('the AUP asked for by the hub', () => {
  it('is shown for a 403 with the code aup_required, whatever its words', async () => {
    const answer = await answerTo(403, {
      statusCode: 403,
      message: 'Bitte zuerst die Nutzungsordnung annehmen',
      code: 'aup_required',
    });
    expect([answer.aupShown, (answer.error as ApiError).code]).toEqual([true, 'aup_required']);
  });

  it('is not shown for a 403 by its words alone, nor for another status with the code', async () => {
    const words = await answerTo(403, {
      statusCode: 403,
      message: 'Accept the acceptable use policy (version abc) before using the hub',
    });
    const role = await answerTo(403, {
      statusCode: 403,
      message: 'This needs one of the roles: ict',
    });
    const conflict = await answerTo(409, {
      statusCode: 409,
      message: 'Accept the acceptable use policy first',
      code: 'aup_required',
    });
    expect([words.aupShown, role.aupShown, conflict.aupShown]).toEqual([false, false, false]);
  });
});
