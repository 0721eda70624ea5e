// Where a class action's dialogs say the hub's 400: beside the field only when the message names
// that field first, as the hub does ("appId is required for app.lock"); a message that merely
// holds the word decides nothing. Read through the console's own API client. A file .tsx so that
// the unit suite runs it: the console's plain .ts files are its own.
import { refusalOf } from '../api/refusal-of';
import { acceptedWords, actionErrorsOf, onTripWords } from './class-words';

const actionFieldError = (error: unknown, field: 'appId' | 'text' | 'minutes') =>
  actionErrorsOf(error, field).atField;

/** What POST /api/classes/:id/session/actions rejects with when the hub answers `status` with `body`. */
const refusalFor = (status: number, body: unknown): Promise<unknown> =>
  refusalOf('/api/classes/c1/session/actions', { method: 'POST', body: {} }, status, body);

describe('a class action refused at its dialogs', () => {
  it('says a 400 beside the field its message names first', async () => {
    const app = await refusalFor(400, { statusCode: 400, message: 'appId must not be empty' });
    const text = await refusalFor(400, {
      statusCode: 400,
      message: 'text is required for message',
    });
    const minutes = await refusalFor(400, {
      statusCode: 400,
      message: 'minutes must not be greater than 240',
    });
    expect([
      actionFieldError(app, 'appId'),
      actionFieldError(text, 'text'),
      actionFieldError(minutes, 'minutes'),
    ]).toEqual([
      'AppId must not be empty.',
      'Text is required for message.',
      'Minutes must not be greater than 240.',
    ]);
  });

  it('takes no error for a field by the words it holds', async () => {
    const notAField = await refusalFor(400, {
      statusCode: 400,
      message: 'minutes is not a field of app.lock',
    });
    const strangers = await refusalFor(400, {
      statusCode: 400,
      message: 'deviceIds: device d9 is not a tablet of this class (its app and text are kept)',
    });
    const notRunning = await refusalFor(409, {
      statusCode: 409,
      message: 'This class has no session running: the text was not sent',
    });
    expect(
      [notAField, strangers, notRunning].map((error) => [
        actionFieldError(error, 'appId'),
        actionFieldError(error, 'text'),
      ]),
    ).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
  });

  it('says each part of a 400 beside its own field, and the rest above the buttons', async () => {
    const two = await refusalFor(400, {
      statusCode: 400,
      message:
        'text must be one line, without line breaks or tabs (found U+0009); ' +
        'deviceIds must contain no more than 500 elements',
    });
    expect([actionErrorsOf(two, 'text'), actionErrorsOf(two, 'appId')]).toEqual([
      {
        atField: 'Text must be one line, without line breaks or tabs (found U+0009).',
        form: 'Device IDs must contain no more than 500 elements.',
      },
      {
        atField: null,
        form:
          'Text must be one line, without line breaks or tabs (found U+0009); ' +
          'device IDs must contain no more than 500 elements.',
      },
    ]);
  });
});

describe('tablets out on a trip', () => {
  it('counts them apart in the "sent to" line and names the trip on the tile', () => {
    expect(
      acceptedWords('lock', {
        deviceIds: ['a', 'b'],
        seq: 1,
        skipped: [{ deviceId: 'c', reason: 'on_trip', tripId: 't', tripName: 'Museum visit' }],
      }),
    ).toBe('Lock sent to 2 tablets (1 on a trip).');
    expect(onTripWords({ onTrip: { tripId: 't', name: 'Museum visit' } })).toBe(
      'On trip: Museum visit',
    );
    expect(onTripWords({ onTrip: null })).toBeNull();
  });
});
