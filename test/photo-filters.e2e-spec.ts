// The photo browser's filters are checked as every other query is (a probe found a day that does
// not exist, and ids that are not ids, answered 200 with nothing, or 404 "No such trip").
import { as } from './support/classroom';
import { startHub, TestHub } from './support/hub';

describe('the photo filters', () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });
  afterAll(() => hub.close());

  const get = (url: string) => hub.http.get(url).set('Authorization', as(admin));

  it('refuses a day that does not exist and ids that are not UUIDs with 400, naming the field', async () => {
    const answers = [];
    for (const url of [
      '/api/photos?day=2026-02-30',
      '/api/photos?day=2025-02-29',
      '/api/photos?tripId=not-a-uuid',
      '/api/photos?deviceId=not-a-uuid',
      '/api/photos/days?tripId=not-a-uuid',
      '/api/photos/devices?tripId=not-a-uuid',
      '/api/photos/devices?deviceId=a&deviceId=b',
    ]) {
      const response = await get(url);
      answers.push(`${url} ${response.status} ${response.body.message}`);
    }
    expect(answers).toEqual([
      '/api/photos?day=2026-02-30 400 day must be a day of the calendar (YYYY-MM-DD)',
      '/api/photos?day=2025-02-29 400 day must be a day of the calendar (YYYY-MM-DD)',
      '/api/photos?tripId=not-a-uuid 400 tripId must be a UUID',
      '/api/photos?deviceId=not-a-uuid 400 deviceId must be a UUID',
      '/api/photos/days?tripId=not-a-uuid 400 tripId must be a UUID',
      '/api/photos/devices?tripId=not-a-uuid 400 tripId must be a UUID',
      '/api/photos/devices?deviceId=a&deviceId=b 400 deviceId must each be a UUID: "a" and "b" are not',
    ]);
  });

  it('takes a real day (a leap day too) and well-formed ids', async () => {
    for (const url of [
      '/api/photos?day=2028-02-29',
      `/api/photos?deviceId=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`,
      `/api/photos/devices?deviceId=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`,
    ]) {
      expect([url, (await get(url)).status]).toEqual([url, 200]);
    }
    expect(
      (await get(`/api/photos?tripId=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)).status,
    ).toBe(404);
  });
});
