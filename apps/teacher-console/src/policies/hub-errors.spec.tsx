// Where the policy forms say a name another policy has: by the `code` the hub answers (read
// through the console's own API client), never by the words of the message, which may change.
// A file .tsx so that the unit suite runs it: the console's plain .ts files are its own.
import { refusalOf } from '../api/refusal-of';
import { fieldErrorsOf, policyNameErrorOf, policyRefusalOf } from './hub-errors';

/** What PATCH /api/policies/:id rejects with when the hub answers `status` with `body`. */
const refusalFor = (status: number, body: unknown): Promise<unknown> =>
  refusalOf('/api/policies/p1', { method: 'PATCH', body: {} }, status, body);

describe('policy refusals at the policy forms', () => {
  it('says a taken name at the name field by the code, whatever the message says', async () => {
    const taken = await refusalFor(409, {
      statusCode: 409,
      message: 'That name is the Year 5 profile’s already',
      code: 'name_taken',
    });

    expect([
      policyRefusalOf(taken),
      policyNameErrorOf(taken),
      fieldErrorsOf(taken, []).byField,
    ]).toEqual([
      'name_taken',
      'That name is the Year 5 profile’s already.',
      { name: 'That name is the Year 5 profile’s already.' },
    ]);
  });

  it('puts no 409 at the name field by its words alone, nor another status with a code', async () => {
    const unnamed = await refusalFor(409, {
      statusCode: 409,
      message: 'A policy named "Year 5" was changed by someone else at the same moment',
    });
    const reworded = await refusalFor(409, {
      statusCode: 409,
      message: 'Name of the policy changed by someone else at the same moment; read it again',
    });
    const unknownCode = await refusalFor(409, {
      statusCode: 409,
      message: 'A policy named "Year 5" is being rolled out',
      code: 'rollout_running',
    });
    const notConflict = await refusalFor(403, {
      statusCode: 403,
      message: 'Only ICT may change policies',
      code: 'name_taken',
    });

    const errors = [unnamed, reworded, unknownCode, notConflict];
    expect(
      errors.map((error) => [
        policyRefusalOf(error),
        policyNameErrorOf(error),
        fieldErrorsOf(error, []).byField,
      ]),
    ).toEqual(errors.map(() => [null, null, {}]));
  });

  it('says a 400 at the field its message names first, as the hub names the field at fault', async () => {
    const name = await refusalFor(400, { statusCode: 400, message: 'name must not be blank' });
    const description = await refusalFor(400, {
      statusCode: 400,
      message: 'description must be shorter than or equal to 500 characters',
    });
    expect([
      policyNameErrorOf(name),
      fieldErrorsOf(name, []).byField,
      fieldErrorsOf(description, []).byField,
    ]).toEqual([
      'Name must not be blank.',
      { name: 'Name must not be blank.' },
      { description: 'Description must be shorter than or equal to 500 characters.' },
    ]);
  });

  it('says each part of a 400 that names the name and the description beside its own field', async () => {
    const both = await refusalFor(400, {
      statusCode: 400,
      message:
        'name must be shorter than or equal to 100 characters; ' +
        'description must be shorter than or equal to 500 characters; ' +
        'settings.screen.autoLockMinutes: screen.autoLockMinutes must be between 1 and 60; ' +
        'revision must be an integer',
    });

    const placed = fieldErrorsOf(both, []);
    expect([policyNameErrorOf(both), placed.byField, placed.form]).toEqual([
      'Name must be shorter than or equal to 100 characters.',
      {
        name: 'Name must be shorter than or equal to 100 characters.',
        description: 'Description must be shorter than or equal to 500 characters.',
        'screen.autoLockMinutes': 'Must be between 1 and 60',
      },
      'Revision must be an integer.',
    ]);
  });
});
