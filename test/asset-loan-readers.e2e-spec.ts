// Who has an asset, until when and how overdue is the loans' business: GET /api/loans is the
// office's and ICT's. A trip leader reads assets (to find kit) and was refused the loans, yet read
// every borrower and their days overdue in each asset's `currentLoan` (the list, one asset, by
// tag). They now see the asset's status without its loan; the office and ICT see it whole.
import type { Asset, Page } from '@app/hub-api';
import { createStaff, startHub, TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

const DAY = 24 * 60 * 60 * 1000;

describe(`an asset's loan and who reads it (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let clerk: { id: string; token: string };
  let leader: { id: string; token: string };
  let borrower: { id: string; token: string };
  let asset: Asset;

  const read = async <T>(token: string, path: string): Promise<T> => {
    const response = await hub.http.get(path).set('Authorization', `Bearer ${token}`);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return response.body as T;
  };

  beforeAll(async () => {
    hub = await startHub();
    const admin = await hub.login();
    clerk = await createStaff(hub, admin, 'clerk', ['office']);
    leader = await createStaff(hub, admin, 'dokafor', ['trip_leader']);
    borrower = await createStaff(hub, admin, 'jbrown', ['teacher']);
    const created = await hub.http
      .post('/api/assets')
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ assetTag: 'LOAN-001', kind: 'laptop' });
    asset = created.body as Asset;
    const out = await hub.http
      .post('/api/loans')
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({
        assetTag: 'LOAN-001',
        borrowerId: borrower.id,
        dueAt: new Date(hub.clock.nowMs() + DAY).toISOString(),
      });
    expect(out.status).toBe(201);
    // Overdue, as the desk would see it; sign-ins last less than that.
    hub.clock.advance(3 * DAY);
    clerk.token = await hub.login('clerk', 'Staff-Pass1!');
    leader.token = await hub.login('dokafor', 'Staff-Pass1!');
  });

  afterAll(async () => {
    await hub.close();
  });

  it('gives a trip leader the status of an asset on loan, never its borrower or days overdue', async () => {
    const seen = [
      await read<Asset>(leader.token, `/api/assets/${asset.id}`),
      await read<Asset>(leader.token, '/api/assets/by-tag/loan-001'),
      (await read<Page<Asset>>(leader.token, '/api/assets?status=on_loan')).items[0],
    ];
    for (const one of seen) {
      expect(one).toMatchObject({ assetTag: 'LOAN-001', status: 'on_loan', currentLoan: null });
      expect(JSON.stringify(one)).not.toMatch(/jbrown|daysOverdue/);
    }
    // The route that answers loans was already refused them.
    const loans = await hub.http.get('/api/loans').set('Authorization', `Bearer ${leader.token}`);
    expect(loans.status).toBe(403);
  });

  it('gives the office the loan whole', async () => {
    for (const one of [
      await read<Asset>(clerk.token, `/api/assets/${asset.id}`),
      await read<Asset>(clerk.token, '/api/assets/by-tag/LOAN-001'),
      (await read<Page<Asset>>(clerk.token, '/api/assets?status=on_loan')).items[0],
    ]) {
      expect(one.currentLoan).toMatchObject({
        borrowerId: borrower.id,
        borrowerName: 'jbrown',
        daysOverdue: 2,
      });
    }
  });
});
