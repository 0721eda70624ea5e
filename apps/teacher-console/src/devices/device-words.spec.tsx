// Where a device's Lock and Message dialogs say the hub's 400: beside the field only when the
// message names that payload field first, as the hub does; a message that merely holds the word
// ("message", "text") decides nothing. Read through the console's own API client. A file .tsx so
// that the unit suite runs it: the console's plain .ts files are its own.
import { refusalOf } from '../api/refusal-of';
import { commandErrorsOf } from './device-words';

const commandFieldError = (error: unknown, field: 'message' | 'text') =>
  commandErrorsOf(error, field).atField;

/** What POST /api/devices/:id/commands rejects with when the hub answers `status` with `body`. */
const refusalFor = (status: number, body: unknown): Promise<unknown> =>
  refusalOf('/api/devices/d1/commands', { method: 'POST', body: {} }, status, body);

describe('a device command refused at the lock and message dialogs', () => {
  it('says a 400 beside the payload field its message names first', async () => {
    const long = await refusalFor(400, {
      statusCode: 400,
      message: 'payload.message must be at most 200 characters',
    });
    const blank = await refusalFor(400, {
      statusCode: 400,
      message: 'payload.text must not be blank',
    });
    expect([commandFieldError(long, 'message'), commandFieldError(blank, 'text')]).toEqual([
      'Payload.message must be at most 200 characters.',
      'Payload.text must not be blank.',
    ]);
  });

  it('takes no error for a field by the words it holds', async () => {
    const reason = await refusalFor(400, {
      statusCode: 400,
      message: 'payload.reason must be one of class, admin, lost: the message stays as it was',
    });
    const stronger = await refusalFor(403, {
      statusCode: 403,
      message: 'payload.message: ICT holds this device locked; the text cannot replace it',
    });
    const revoked = await refusalFor(409, {
      statusCode: 409,
      message: 'This device is revoked; its message and text were not sent',
    });
    expect(
      [reason, stronger, revoked].map((error) => [
        commandFieldError(error, 'message'),
        commandFieldError(error, 'text'),
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
        'payload.message must be one line, without line breaks or tabs (found U+0009); ' +
        'payload.reason must be one of class, admin, lost',
    });
    const other = await refusalFor(400, {
      statusCode: 400,
      message: 'payload.reason must be one of class, admin, lost',
    });
    expect([commandErrorsOf(two, 'message'), commandErrorsOf(other, 'message')]).toEqual([
      {
        atField: 'Payload.message must be one line, without line breaks or tabs (found U+0009).',
        form: 'Payload.reason must be one of class, admin, lost.',
      },
      { atField: null, form: 'Payload.reason must be one of class, admin, lost.' },
    ]);
  });
});
