// Where the "Assign to a group" dialog says the hub's refusal (POST /api/policies/:id/assignments):
// a 400's parts that start with `priority` beside Priority, anything else above the buttons. The
// messages are the hub's own, as a real hub answered them (AssignPolicyDto, PoliciesService.assign),
// read through the console's own API client. A file .tsx so that the unit suite runs it: the
// console's plain .ts files are its own.
import { refusalOf } from '../api/refusal-of';
import { assignErrorsOf, priorityOf } from './policy-assignments';

/** What POST /api/policies/:id/assignments rejects with when the hub answers `status` with `body`. */
const refusalFor = (status: number, body: unknown): Promise<unknown> =>
  refusalOf('/api/policies/p1/assignments', { method: 'POST', body: {} }, status, body);

describe('a policy assignment refused at its dialog', () => {
  it('says a priority the hub refuses beside Priority', async () => {
    const tooHigh = await refusalFor(400, {
      statusCode: 400,
      message: 'priority must not be greater than 1000',
    });
    expect(assignErrorsOf(tooHigh)).toEqual({
      atField: 'Priority must not be greater than 1000.',
      form: null,
    });
  });

  it('says a group deleted meanwhile above the buttons', async () => {
    const gone = await refusalFor(404, {
      statusCode: 404,
      message: 'No group 9f9adb1b-ac57-458c-9774-046d685c30b2',
    });
    expect(assignErrorsOf(gone)).toEqual({
      atField: null,
      form: 'No group 9f9adb1b-ac57-458c-9774-046d685c30b2.',
    });
  });

  it('says a 400 naming two fields part by part (not reachable from this dialog today)', async () => {
    // The dialog sends a group id the hub gave it, so the hub has no reason to name targetId; the
    // hub's ValidationPipe lists priority last, so such a 400 never starts with it.
    const two = await refusalFor(400, {
      statusCode: 400,
      message: 'targetId must be a UUID; priority must not be greater than 1000',
    });
    expect(assignErrorsOf(two)).toEqual({
      atField: 'Priority must not be greater than 1000.',
      form: 'Target ID must be a UUID.',
    });
  });
});

describe("the Assign to a group dialog's own check of Priority", () => {
  it('takes a whole number from -1,000 to 1,000', () => {
    expect(['-1000', ' 5 ', '1000'].map(priorityOf)).toEqual([
      { priority: -1000 },
      { priority: 5 },
      { priority: 1000 },
    ]);
  });

  it('says the range for a number the hub refuses or cannot read, before sending it', () => {
    const problem = { problem: 'Priority must be a whole number from -1,000 to 1,000.' };
    // 20 digits: Number gives 1e20; 400 digits: Infinity, which JSON sends as null.
    expect(
      ['1001', '-1001', '99999999999999999999', '9'.repeat(400), '', '2.5'].map(priorityOf),
    ).toEqual(Array.from({ length: 6 }, () => problem));
  });
});
