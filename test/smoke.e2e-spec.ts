import { startHub, TestHub } from './support/hub';

describe('hub smoke', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.close());

  it('answers health with the database checked', async () => {
    const response = await hub.http.get('/api/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('signs admin in', async () => {
    const token = await hub.login();
    const me = await hub.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`);
    expect(me.body.roles).toEqual(['ict', 'teacher', 'office', 'trip_leader', 'safeguarding']);
  });
});
