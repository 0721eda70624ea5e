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

// A trip that has ended says when in the school's words and time (HUB_TIME_ZONE), not as UTC
// in RFC 3339 ("2027-03-10T10:30:00.000Z", an hour or more off the school's clock for much of the
// year), which a trip leader reads in the console under "The kit was not checked out."
describe('a trip that has ended', () => {
  let hub: TestHub;
  afterAll(() => hub?.close());

  it("says when it ended on the school's clock, in words", async () => {
    hub = await startHub({
      env: { HUB_TIME_ZONE: 'Asia/Kolkata' },
      clockOffsetMs: Date.parse('2027-03-10T03:00:00Z') - Date.now(),
    });
    const admin = await hub.login();
    const leader = await createStaff(hub, admin, 'msended', ['trip_leader']);
    for (const assetTag of ['END-01', 'END-02']) {
      const made = await hub.http
        .post('/api/assets')
        .set('Authorization', `Bearer ${admin}`)
        .send({ assetTag, kind: 'tablet' });
      expect(made.status).toBe(201);
    }
    const made = await hub.http
      .post('/api/trips')
      .set('Authorization', `Bearer ${leader.token}`)
      .send({
        name: 'Year 4 to the fort',
        shortName: 'fort',
        startsAt: '2027-03-10T04:00:00Z',
        // 16:00 in India (UTC+05:30).
        endsAt: '2027-03-10T10:30:00Z',
        leaderIds: [leader.id],
        assetTags: ['END-01'],
      });
    expect(made.status).toBe(201);
    const tripId = (made.body as { id: string }).id;
    hub.clock.advance(8 * 3_600_000);

    const late = (path: string, body: object = {}) =>
      hub.http.post(path).set('Authorization', `Bearer ${leader.token}`).send(body);
    const checkOut = await late(`/api/trips/${tripId}/check-out`);
    expect([checkOut.status, checkOut.body]).toEqual([
      409,
      expect.objectContaining({
        code: 'trip_ended',
        message:
          'This trip ended at 16:00 on Wednesday 10 March 2027: its kit can no longer be checked out',
      }),
    ]);
    const added = await late(`/api/trips/${tripId}/kit`, { assetTag: 'END-02' });
    expect([added.status, added.body]).toEqual([
      409,
      expect.objectContaining({
        code: 'trip_ended',
        message:
          'This trip ended at 16:00 on Wednesday 10 March 2027: nothing more can join its kit',
      }),
    ]);
  });
});
