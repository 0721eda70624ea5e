// An asset reported lost while on loan keeps its loan open (decisions.md, issue 13); when it is
// found, only the loan's check-in brings it back. Made available (or put in repair, or retired)
// by PATCH, it stood on the shelf with the loan still open: the desk offered it for check-out,
// which the hub refused as "checked out at the same moment", never its check-in, and the borrower
// stayed overdue and reminded for a laptop the school had back.
import type { Asset, Loan } from '@app/hub-api';
import { createStaff, startHub, TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

const DAY = 24 * 60 * 60 * 1000;

describe(`an asset lost while on loan (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let clerk: { id: string; token: string };
  let borrower: { id: string; token: string };

  const send = (method: 'get' | 'post' | 'patch', path: string, body?: object) => {
    const request = hub.http[method](path).set('Authorization', `Bearer ${clerk.token}`);
    return body === undefined ? request : request.send(body);
  };

  beforeAll(async () => {
    hub = await startHub();
    const admin = await hub.login();
    clerk = await createStaff(hub, admin, 'clerk', ['office']);
    borrower = await createStaff(hub, admin, 'kwilson', ['teacher']);
  });

  afterAll(async () => {
    await hub.close();
  });

  it('is brought back by its loan’s check-in, not made available, in repair or retired by hand', async () => {
    const created = await send('post', '/api/assets', { assetTag: 'LOAN-002', kind: 'laptop' });
    expect(created.status).toBe(201);
    const asset = created.body as Asset;
    const out = await send('post', '/api/loans', {
      assetTag: 'LOAN-002',
      borrowerId: borrower.id,
      dueAt: new Date(hub.clock.nowMs() + 2 * DAY).toISOString(),
    });
    expect(out.status).toBe(201);
    const loan = out.body as Loan;
    expect(
      (await send('post', `/api/assets/${asset.id}/lost`, { note: 'Left on the bus' })).status,
    ).toBe(200);

    for (const status of ['available', 'in_repair', 'retired']) {
      const patched = await send('patch', `/api/assets/${asset.id}`, { status });
      expect({ status, answer: patched.status, body: patched.body as unknown }).toEqual({
        status,
        answer: 409,
        body: {
          statusCode: 409,
          message:
            'Asset LOAN-002 was reported lost while on loan to kwilson, and that loan is still ' +
            'open: check it in at the office desk, which makes it available (or sends it to repair)',
        },
      });
    }
    // Details other than the status may still be corrected meanwhile.
    expect(
      (await send('patch', `/api/assets/${asset.id}`, { notes: 'Bus company called' })).status,
    ).toBe(200);
    const still = (await send('get', `/api/assets/by-tag/LOAN-002`)).body as Asset;
    expect(still).toMatchObject({ status: 'lost', currentLoan: { id: loan.id } });

    const back = await send('post', `/api/loans/${loan.id}/return`, {
      condition: 'Found on the bus',
    });
    expect(back.status).toBe(200);
    const after = (await send('get', `/api/assets/${asset.id}`)).body as Asset;
    expect(after).toMatchObject({ status: 'available', currentLoan: null });
    const again = await send('post', '/api/loans', {
      assetTag: 'LOAN-002',
      borrowerId: clerk.id,
      dueAt: new Date(hub.clock.nowMs() + DAY).toISOString(),
    });
    expect(again.status).toBe(201);
  });

  it('still lets an asset lost off loan be made available when found', async () => {
    const created = await send('post', '/api/assets', { assetTag: 'CAM-1', kind: 'camera' });
    const asset = created.body as Asset;
    expect((await send('post', `/api/assets/${asset.id}/lost`, {})).status).toBe(200);
    const found = await send('patch', `/api/assets/${asset.id}`, { status: 'available' });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ status: 'available', currentLoan: null });
  });
});
