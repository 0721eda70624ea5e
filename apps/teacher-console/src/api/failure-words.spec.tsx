// What a field's error slot says when a read it needs was refused (the Photos page's day filter,
// the groups of the device list and the class form): what could not be done and the hub's reason,
// as the hub answered it, read through the console's own API client. A file .tsx so that the
// unit suite runs it: the console's plain .ts files are its own.
import { failureWords } from './client';
import { refusalOf } from './refusal-of';

describe(failureWords.name, () => {
  it("says the hub's reason after what could not be done, as a sentence", async () => {
    const notYours = await refusalOf(
      '/api/photos/days',
      { query: { tripId: '7f2d16de-b9bd-486f-accc-a035c3cb3ddb' } },
      403,
      {
        statusCode: 403,
        message: 'Only the leaders of this trip, ICT and safeguarding see its photos',
      },
    );
    const gone = await refusalOf(
      '/api/photos/days',
      { query: { tripId: '7f2d16de-b9bd-486f-accc-a035c3cb3ddb' } },
      404,
      { statusCode: 404, message: 'No such trip' },
    );
    expect([
      failureWords('Could not read the days.', notYours),
      failureWords('Could not read the days.', gone),
    ]).toEqual([
      'Could not read the days. Only the leaders of this trip, ICT and safeguarding see its photos.',
      'Could not read the days. No such trip.',
    ]);
  });

  it('says the status in words when the hub gave no reason, and never leaves the reason out', async () => {
    const bare = await refusalOf('/api/groups', {}, 403, {});
    expect(failureWords('Could not read the groups.', bare)).toBe(
      "Could not read the groups. You don't have access to this.",
    );
    expect(failureWords('Could not read the groups.', new Error('boom'))).toBe(
      'Could not read the groups. Something went wrong in the console. Reload the page and try again.',
    );
  });
});
