// The one rule by which every form places the hub's 400: beside a field only when the message (or
// a "; "-joined part of it) starts with that field's name. Read through the console's own API
// client, as a screen receives it. A file .tsx so that the unit suite runs it.
import { badRequestFieldsOf } from './bad-request-fields';
import { refusalOf } from './refusal-of';

/** What POST /api/things rejects with when the hub answers 400 with `message`. */
const badRequest = (message: string): Promise<unknown> =>
  refusalOf('/api/things', { method: 'POST', body: {} }, 400, { statusCode: 400, message });

describe(badRequestFieldsOf.name, () => {
  it('places a message that starts with a field name at that field, in any case', async () => {
    const minutes = await badRequest('minutes must be between 1 and 240');
    const colon = await badRequest('assetTags: no asset with tag LOAN-404');
    const dotted = await badRequest('payload.text must be shorter than 500 characters');

    expect([
      badRequestFieldsOf(minutes, ['appId', 'minutes']),
      badRequestFieldsOf(colon, ['name', 'assetTags'])?.field,
      badRequestFieldsOf(dotted, ['payload.message', 'payload.text'])?.field,
    ]).toEqual([
      {
        message: 'Minutes must be between 1 and 240.',
        field: 'minutes',
        parts: [{ field: 'minutes', text: 'Minutes must be between 1 and 240.' }],
      },
      'assetTags',
      'payload.text',
    ]);
  });

  it('places no message at a field its name appears in only later: that is the form’s', async () => {
    const later = await badRequest('minutes is not a field of app.lock');
    const each = await badRequest('each of deviceIds must be a UUID');

    expect([
      badRequestFieldsOf(later, ['appId', 'text'])?.field,
      badRequestFieldsOf(later, ['appId', 'text'])?.parts,
      badRequestFieldsOf(each, ['deviceIds'])?.field,
    ]).toEqual([null, [{ field: null, text: 'Minutes is not a field of app.lock.' }], null]);
  });

  it('tells a field from another whose name it begins: the whole name, or the longest', async () => {
    const tag = await badRequest('assetTag must not be empty');
    const tags = await badRequest('assetTags names LOAN-001 twice');
    const nested = await badRequest('payload.message must be shorter than 200 characters');

    expect([
      badRequestFieldsOf(tag, ['assetTags', 'assetTag'])?.field,
      badRequestFieldsOf(tags, ['assetTag', 'assetTags'])?.field,
      badRequestFieldsOf(tags, ['assetTag'])?.field,
      badRequestFieldsOf(nested, ['payload', 'payload.message'])?.field,
      badRequestFieldsOf(nested, ['payload.messageId'])?.field,
    ]).toEqual(['assetTag', 'assetTags', null, 'payload.message', null]);
  });

  it('splits messages joined by "; ", each part at the field it starts with', async () => {
    const joined = await badRequest(
      'username must be 2 to 64 lowercase letters; password must have a number; roles names no one',
    );

    expect(badRequestFieldsOf(joined, ['username', 'password'])).toEqual({
      message:
        'Username must be 2 to 64 lowercase letters; password must have a number; roles names no one.',
      field: 'username',
      parts: [
        { field: 'username', text: 'Username must be 2 to 64 lowercase letters' },
        { field: 'password', text: 'password must have a number' },
        { field: null, text: 'roles names no one.' },
      ],
    });
  });

  it('places nothing but a 400', async () => {
    const notFound = await refusalOf('/api/things', { method: 'POST', body: {} }, 404, {
      statusCode: 404,
      message: 'minutes not found',
    });
    expect([
      badRequestFieldsOf(notFound, ['minutes']),
      badRequestFieldsOf(new Error('minutes must be a number'), ['minutes']),
    ]).toEqual([null, null]);
  });
});
