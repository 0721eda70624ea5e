// Which chosen ids the hub's refusal names as deleted meanwhile, read from its own messages as a
// real hub words them (EnrollmentService, ClassesService, GroupsService, PoliciesService) through
// the console's API client; and the words a form says for what it took out. A file .tsx so that
// the unit suite runs it: the console's plain .ts files are its own.
import { goneIdsOf, goneWords } from './gone-choices';
import { refusalOf } from './refusal-of';

const A = '02fd2316-9407-4e34-8869-c9cd5f9d0837';
const B = '9f9adb1b-ac57-458c-9774-046d685c30b2';

const refusal = (status: number, message: string) =>
  refusalOf('/api/anything', { method: 'POST', body: {} }, status, { statusCode: status, message });

describe('goneIdsOf', () => {
  it('reads the ids a 400 names as gone from its field, and only from it', async () => {
    const groups = await refusal(400, `groupIds: no such groups: ${A}, ${B}`);
    const device = await refusal(400, `label must be one line; deviceIds: no device ${A}`);
    expect([
      goneIdsOf(groups, 'groupIds'),
      goneIdsOf(groups, 'groupId'),
      goneIdsOf(device, 'deviceIds'),
      goneIdsOf(device, 'label'),
    ]).toEqual([[A, B], [], [A], []]);
  });

  it('reads a 404 "No group <id>" only when asked for the target, and nothing else', async () => {
    const missing = await refusal(404, `No group ${A.toUpperCase()}`);
    const invalid = await refusal(400, `groupIds: each value in groupIds must be a UUID`);
    expect([goneIdsOf(missing, null), goneIdsOf(missing, 'groupIds')]).toEqual([[A], []]);
    expect([goneIdsOf(invalid, 'groupIds'), goneIdsOf(null, null)]).toEqual([[], []]);
  });
});

describe('goneWords', () => {
  it('names one, or several, in plain words', () => {
    expect(goneWords(['Year 4 Oak'], 'ticked')).toBe(
      'Year 4 Oak was deleted meanwhile, so it is no longer ticked.',
    );
    expect(goneWords(['Year 4 Oak', 'Year 5 Ash', 'Trolley B'], 'chosen')).toBe(
      'Year 4 Oak, Year 5 Ash and Trolley B were deleted meanwhile, so they are no longer chosen.',
    );
  });
});
