// Where the new-token form says the hub's 400 (POST /api/enrollment-tokens): each "; "-joined
// part beside the field it starts with, in plain words, the rest above the button. The messages
// are the hub's own, as a real hub answered them (CreateEnrollmentTokenDto and
// EnrollmentService.createToken), read through the console's own API client. A file .tsx so
// that the unit suite runs it: the console's plain .ts files are its own.
import { refusalOf } from '../api/refusal-of';
import { tokenErrorsOf } from './make-token-form';

/** What POST /api/enrollment-tokens rejects with when the hub answers `status` with `body`. */
const refusalFor = (status: number, body: unknown): Promise<unknown> =>
  refusalOf('/api/enrollment-tokens', { method: 'POST', body: {} }, status, body);

const GONE = '02fd2316-9407-4e34-8869-c9cd5f9d0837';

describe('a new enrolment token refused at its form', () => {
  it('says each part of a 400 beside its own field: 51 groups ticked and a tab pasted into the label', async () => {
    const two = await refusalFor(400, {
      statusCode: 400,
      message:
        'groupIds must name at most 50; ' +
        'label must be one line, without line breaks or tabs (found U+0009)',
    });
    expect(tokenErrorsOf(two, true)).toEqual({
      byField: {
        groupIds: 'Group IDs must name at most 50.',
        label: 'Label must be one line, without line breaks or tabs (found U+0009).',
      },
      form: null,
    });
  });

  it('leaves a group deleted meanwhile to the form, which unticks it and names it', async () => {
    const gone = await refusalFor(400, {
      statusCode: 400,
      message: `groupIds: no such groups: ${GONE}`,
    });
    expect([tokenErrorsOf(gone, true), tokenErrorsOf(gone, false)]).toEqual([
      { byField: {}, form: null },
      { byField: {}, form: null },
    ]);
  });

  it('says anything else above the button, in its own words', async () => {
    const denied = await refusalFor(403, { statusCode: 403, message: 'Only ICT may do this' });
    expect([tokenErrorsOf(denied, true), tokenErrorsOf(null, true)]).toEqual([
      { byField: {}, form: 'Only ICT may do this.' },
      { byField: {}, form: null },
    ]);
  });
});
