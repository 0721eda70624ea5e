// A laptop reported lost is locked on its device with the lost report's lock, which only ICT
// lifts (decisions.md). Found and made available, or checked in from the loan it was lost on, the
// asset was on the shelf again and the desk lent it at once: the borrower got a laptop that said
// "This device has been reported lost. Please bring it to the school office." The asset now says
// its device is still locked as lost, and the check-out is refused until ICT unlocks the device.
import type { Asset, Loan } from '@app/hub-api';
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import { createStaff, startHub, TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

const DAY = 24 * 60 * 60 * 1000;

describe(`a found asset whose device is still locked as lost (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let ict: string;
  let clerk: { id: string; token: string };
  let borrower: { id: string; token: string };
  let enrolToken: string;

  const send = (method: 'get' | 'post' | 'patch', path: string, body?: object, token?: string) => {
    const request = hub.http[method](path).set('Authorization', `Bearer ${token ?? clerk.token}`);
    return body === undefined ? request : request.send(body);
  };
  const lend = (assetTag: string) =>
    send('post', '/api/loans', {
      assetTag,
      borrowerId: borrower.id,
      dueAt: new Date(hub.clock.nowMs() + 2 * DAY).toISOString(),
    });
  /** An asset with an enrolled laptop of the same serial number. */
  const laptop = async (assetTag: string) => {
    const serialNumber = `FOUND-${assetTag}`;
    const device = await enrollTestDevice(hub, enrolToken, { serialNumber, name: assetTag });
    const created = await send('post', '/api/assets', { assetTag, kind: 'laptop', serialNumber });
    expect(created.status).toBe(201);
    const asset = created.body as Asset;
    expect(asset).toMatchObject({ deviceId: device.deviceId, deviceLockedAsLost: false });
    return asset;
  };
  const unlockedByIct = async (deviceId: string) => {
    const unlock = await send(
      'post',
      `/api/devices/${deviceId}/commands`,
      { type: 'device.unlock', payload: {} },
      ict,
    );
    expect(unlock.status).toBe(201);
  };

  beforeAll(async () => {
    hub = await startHub();
    ict = await hub.login();
    clerk = await createStaff(hub, ict, 'clerk', ['office']);
    borrower = await createStaff(hub, ict, 'kwilson', ['teacher']);
    enrolToken = await createEnrollmentToken(hub, ict);
  });

  afterAll(async () => {
    await hub.close();
  });

  it('is not lent after "Found: make available" until ICT unlocks its device', async () => {
    const asset = await laptop('LOAN-005');
    expect((await send('post', `/api/assets/${asset.id}/lost`, {})).status).toBe(200);
    const found = await send('patch', `/api/assets/${asset.id}`, { status: 'available' });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ status: 'available', deviceLockedAsLost: true });
    expect((await send('get', '/api/assets/by-tag/LOAN-005')).body).toMatchObject({
      status: 'available',
      deviceLockedAsLost: true,
    });

    const refused = await lend('LOAN-005');
    expect({ status: refused.status, body: refused.body as unknown }).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        code: 'device_locked_lost',
        message:
          'Asset LOAN-005 is still locked as lost on its device (LOAN-005): ask ICT to unlock ' +
          'the device before it is lent',
      },
    });
    // Nothing was written: the asset stays on the shelf with no loan.
    expect((await send('get', `/api/assets/${asset.id}`)).body).toMatchObject({
      status: 'available',
      currentLoan: null,
    });
    const loans = await send('get', `/api/assets/${asset.id}/loans`);
    expect(loans.body).toMatchObject({ total: 0 });

    await unlockedByIct(asset.deviceId as string);
    expect((await send('get', `/api/assets/${asset.id}`)).body).toMatchObject({
      status: 'available',
      deviceLockedAsLost: false,
    });
    const lent = await lend('LOAN-005');
    expect(lent.status).toBe(201);
    expect((lent.body as Loan).assetTag).toBe('LOAN-005');
  });

  it('is not lent again after the check-in of the loan it was lost on until ICT unlocks it', async () => {
    const asset = await laptop('LOAN-006');
    const out = await lend('LOAN-006');
    expect(out.status).toBe(201);
    expect((await send('post', `/api/assets/${asset.id}/lost`, {})).status).toBe(200);
    const back = await send('post', `/api/loans/${(out.body as Loan).id}/return`, {
      condition: 'Found in the staff room',
    });
    expect(back.status).toBe(200);
    expect((await send('get', `/api/assets/${asset.id}`)).body).toMatchObject({
      status: 'available',
      currentLoan: null,
      deviceLockedAsLost: true,
    });
    const refused = await lend('LOAN-006');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'device_locked_lost' });

    await unlockedByIct(asset.deviceId as string);
    expect((await lend('LOAN-006')).status).toBe(201);
  });

  it('says an asset without an enrolled device is never locked as lost', async () => {
    const created = await send('post', '/api/assets', { assetTag: 'CHG-1', kind: 'charger' });
    const asset = created.body as Asset;
    expect((await send('post', `/api/assets/${asset.id}/lost`, {})).status).toBe(200);
    const found = await send('patch', `/api/assets/${asset.id}`, { status: 'available' });
    expect(found.body).toMatchObject({ deviceId: null, deviceLockedAsLost: false });
    expect((await lend('CHG-1')).status).toBe(201);
  });
});
