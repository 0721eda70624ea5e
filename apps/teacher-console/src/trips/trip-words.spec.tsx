// Where the new-trip form says the hub's 400: each "; "-joined part beside the field it names
// first, the rest above the button. Read through the console's own API client. A file .tsx so
// that the unit suite runs it: the console's plain .ts files are its own.
import { refusalOf } from '../api/refusal-of';
import { newTripErrorsOf } from './trip-words';

/** What POST /api/trips rejects with when the hub answers `status` with `body`. */
const refusalFor = (status: number, body: unknown): Promise<unknown> =>
  refusalOf('/api/trips', { method: 'POST', body: {} }, status, body);

describe('a new trip refused at its form', () => {
  it('says each part of a 400 beside its own field, in plain words, the rest above the button', async () => {
    const three = await refusalFor(400, {
      statusCode: 400,
      message:
        'shortName must be 1 to 24 lowercase letters, digits or dashes; ' +
        'assetTags: no asset with tag LOAN-404; ' +
        'overlay.camera.allowed must be a boolean value',
    });
    expect(newTripErrorsOf(three)).toEqual({
      byField: {
        shortName: 'Short name must be 1 to 24 lowercase letters, digits or dashes.',
        assetTags: 'Asset tags: no asset with tag LOAN-404.',
      },
      form: 'Overlay.camera.allowed must be a boolean value.',
    });
  });

  it('puts a field name that only starts a longer word at no field, and says other errors whole', async () => {
    const longer = await refusalFor(400, { statusCode: 400, message: 'names must be unique' });
    const conflict = await refusalFor(409, {
      statusCode: 409,
      message: 'name: a trip with this name is already planned',
    });
    expect([newTripErrorsOf(longer), newTripErrorsOf(conflict)]).toEqual([
      { byField: {}, form: 'Names must be unique.' },
      { byField: {} },
    ]);
  });
});
