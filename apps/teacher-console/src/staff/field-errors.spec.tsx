// Where the new-account form says a username another account has: by the `code` the hub answers
// (read through the console's own API client), never by the words of the message, which may
// change. A file .tsx so that the unit suite runs it: the console's plain .ts files are its own.
import { refusalOf } from '../api/refusal-of';
import { fieldErrors, staffRefusalOf } from './field-errors';

const CREATE_FIELDS = ['username', 'displayName', 'password', 'roles', 'email'] as const;

/** What POST /api/staff rejects with when the hub answers `status` with `body`. */
const refusalFor = (status: number, body: unknown): Promise<unknown> =>
  refusalOf('/api/staff', { method: 'POST', body: {} }, status, body);

describe('staff refusals at the account forms', () => {
  it('says a taken username at the username field by the code, whatever the message says', async () => {
    const taken = await refusalFor(409, {
      statusCode: 409,
      message: 'Tom has that sign-in name already',
      code: 'username_taken',
    });

    expect([staffRefusalOf(taken), fieldErrors(taken, CREATE_FIELDS)]).toEqual([
      'username_taken',
      { byField: { username: 'Tom has that sign-in name already.' }, form: null },
    ]);
  });

  it('puts no 409 at a field by its words alone, nor another status with a code', async () => {
    const unnamed = await refusalFor(409, {
      statusCode: 409,
      message: 'username tom is already taken',
    });
    const unknownCode = await refusalFor(409, {
      statusCode: 409,
      message: 'Roles were changed by someone else at the same moment: already taken care of',
      code: 'roles_changed',
    });
    const forbidden = await refusalFor(403, {
      statusCode: 403,
      message: 'username changes are for ICT',
      code: 'username_taken',
    });

    expect(
      [unnamed, unknownCode, forbidden].map((error) => [
        staffRefusalOf(error),
        fieldErrors(error, CREATE_FIELDS).byField,
      ]),
    ).toEqual([
      [null, {}],
      [null, {}],
      [null, {}],
    ]);
  });

  it('says each part of a 400 at the field it names first, as the hub names the field at fault', async () => {
    const bad = await refusalFor(400, {
      statusCode: 400,
      message: 'username must be 2 to 64 lowercase letters; password must have a number; other',
    });
    expect(fieldErrors(bad, CREATE_FIELDS).byField).toEqual({
      username: 'Username must be 2 to 64 lowercase letters.',
      password: 'Password must have a number.',
    });
  });
});
