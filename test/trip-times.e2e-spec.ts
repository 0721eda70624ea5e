// A trip's times are checked with the rest of its request: endsAt before startsAt is named in the
// same 400 as any other field that is wrong (IsLaterThan in CreateTripDto), not found only once
// the rest has passed.
import { createStaff, startHub, TestHub } from './support/hub';

describe('a trip whose times are the wrong way round', () => {
  let hub: TestHub;
  afterAll(() => hub?.close());

  it('is refused in one 400 that names endsAt and every other wrong field', async () => {
    hub = await startHub();
    const admin = await hub.login();
    const leader = await createStaff(hub, admin, 'msleader', ['trip_leader']);
    const now = hub.clock.nowMs();
    const startsAt = new Date(now + 10 * 3_600_000).toISOString();
    const endsAt = new Date(now + 3_600_000).toISOString();
    const response = await hub.http
      .post('/api/trips')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        name: 'Year 4 to the museum',
        shortName: 'Not a short name!',
        startsAt,
        endsAt,
        leaderIds: [leader.id],
        assetTags: ['OAK-01'],
      });
    expect(response.status).toBe(400);
    const message = (response.body as { message: string }).message;
    expect(message).toContain(
      `endsAt must be later than startsAt: ${endsAt} is not after ${startsAt}`,
    );
    expect(message).toMatch(/shortName must be/);
  });
});
