// One serial number, one asset (issue 13's register, two faults found after it): assets are matched
// with enrolled devices by serial number, so a second asset with a serial already in the register
// is refused with a 409 naming the asset that has it (on create, on PATCH, per row in the CSV
// import's dry run and report, and by the database when requests race), also on a database that
// already held duplicates when this hub first started on it. And an asset's serial number cannot
// change while it is on loan or on a trip: the check-in must find the device that went out.
import { DataSource } from 'typeorm';
import type { Asset, DevicePolicy, ImportReport, Page, Trip } from '@app/hub-api';
import { createEnrollmentToken, enrollTestDevice, waitFor } from './support/devices';
import { createStaff, hubDatabaseOf, startHub, TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const as = (token: string) => `Bearer ${token}`;

describe(`one serial number, one asset (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let clerk: { id: string; token: string };
  let teacher: { id: string; token: string };
  let leader: { id: string; token: string };

  function post(token: string, route: string, body: object = {}) {
    return hub.http.post(route).set('Authorization', as(token)).send(body);
  }

  function patch(token: string, route: string, body: object) {
    return hub.http.patch(route).set('Authorization', as(token)).send(body);
  }

  function importCsv(csv: string, query = '') {
    return hub.http
      .post(`/api/assets/import${query}`)
      .set('Authorization', as(clerk.token))
      .set('Content-Type', 'text/csv')
      .send(csv);
  }

  async function get<T>(token: string, route: string): Promise<T> {
    const response = await hub.http.get(route).set('Authorization', as(token));
    if (response.status !== 200) {
      throw new Error(`GET ${route}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body as T;
  }

  async function createAsset(body: object): Promise<Asset> {
    const response = await post(clerk.token, '/api/assets', body);
    expect(response.status).toBe(201);
    return response.body as Asset;
  }

  /** The assets whose tag, serial number or model contain `search`, as the register lists them. */
  async function listed(search: string): Promise<{ assetTag: string; serialNumber: unknown }[]> {
    const page = await get<Page<Asset>>(clerk.token, `/api/assets?search=${search}&pageSize=100`);
    return page.items.map((a) => ({ assetTag: a.assetTag, serialNumber: a.serialNumber }));
  }

  async function deviceTag(deviceId: string): Promise<string | null> {
    return (await get<{ assetTag: string | null }>(admin, `/api/devices/${deviceId}`)).assetTag;
  }

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    clerk = await createStaff(hub, admin, 'clerk', ['office']);
    teacher = await createStaff(hub, admin, 'mrsjones', ['teacher']);
    leader = await createStaff(hub, admin, 'msleader', ['trip_leader']);
  });

  afterAll(async () => {
    await hub.close();
  });

  it('refuses a second asset with a serial number already in the register, naming the first', async () => {
    const token = await createEnrollmentToken(hub, admin);
    const device = await enrollTestDevice(hub, token, { serialNumber: 'PROBE-1' });
    const first = await createAsset({ assetTag: 'PT-1', kind: 'laptop', serialNumber: 'PROBE-1' });
    expect(first.deviceId).toBe(device.deviceId);
    await waitFor(async () => (await deviceTag(device.deviceId)) === 'PT-1', 'the tag PT-1');

    // The same serial, also with spaces round it (trimmed, as every typed field is).
    for (const serialNumber of ['PROBE-1', '  PROBE-1 ']) {
      const again = await post(clerk.token, '/api/assets', {
        assetTag: 'N2',
        kind: 'laptop',
        serialNumber,
      });
      expect({ serialNumber, status: again.status, body: again.body }).toEqual({
        serialNumber,
        status: 409,
        body: {
          statusCode: 409,
          message: 'Serial number PROBE-1 is already on asset PT-1',
          code: 'serial_number_taken',
        },
      });
    }
    expect(await listed('probe-1')).toEqual([{ assetTag: 'PT-1', serialNumber: 'PROBE-1' }]);
    // The device keeps the first asset's tag (its stored photos are named by it).
    expect(await deviceTag(device.deviceId)).toBe('PT-1');

    // Nor may PATCH give another asset that serial; the asset's own serial again is no change.
    const other = await createAsset({ assetTag: 'N3', kind: 'laptop', serialNumber: 'PROBE-3' });
    const moved = await patch(clerk.token, `/api/assets/${other.id}`, {
      serialNumber: 'PROBE-1',
    });
    expect(moved.status).toBe(409);
    expect(moved.body).toEqual({
      statusCode: 409,
      message: 'Serial number PROBE-1 is already on asset PT-1',
      code: 'serial_number_taken',
    });
    expect((await get<Asset>(clerk.token, `/api/assets/${other.id}`)).serialNumber).toBe('PROBE-3');
    const same = await patch(clerk.token, `/api/assets/${first.id}`, {
      serialNumber: 'PROBE-1',
      model: 'ThinkPad T14',
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ serialNumber: 'PROBE-1', model: 'ThinkPad T14' });
    expect(await deviceTag(device.deviceId)).toBe('PT-1');

    // Serials are alike but for capitals: another case is the same serial, also on PATCH.
    const lower = await post(clerk.token, '/api/assets', {
      assetTag: 'N4',
      kind: 'laptop',
      serialNumber: 'probe-1',
    });
    expect(lower.status).toBe(409);
    expect(lower.body.message).toBe('Serial number probe-1 is already on asset PT-1');
    const movedLower = await patch(clerk.token, `/api/assets/${other.id}`, {
      serialNumber: 'Probe-1',
    });
    expect(movedLower.status).toBe(409);
    expect(movedLower.body.message).toBe('Serial number Probe-1 is already on asset PT-1');
    expect(await deviceTag(device.deviceId)).toBe('PT-1');
  });

  it('refuses a serial number typed in other capitals than the asset that has it, naming that asset', async () => {
    await createAsset({ assetTag: 'CI-1', kind: 'laptop', serialNumber: 'c02xk1' });
    const again = await post(clerk.token, '/api/assets', {
      assetTag: 'CI-2',
      kind: 'laptop',
      serialNumber: 'C02XK1',
    });
    expect({ status: again.status, body: again.body }).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        message: 'Serial number C02XK1 is already on asset CI-1',
        code: 'serial_number_taken',
      },
    });
    expect(await listed('c02xk1')).toEqual([{ assetTag: 'CI-1', serialNumber: 'c02xk1' }]);
    // Its own serial in other capitals is its own: kept as typed, now as the new spelling.
    const own = await hub.http.get('/api/assets/by-tag/CI-1').set('Authorization', as(clerk.token));
    const respelt = await patch(clerk.token, `/api/assets/${(own.body as Asset).id}`, {
      serialNumber: 'C02XK1',
    });
    expect(respelt.status).toBe(200);
    expect(respelt.body).toMatchObject({ serialNumber: 'C02XK1' });

    // The CSV import: in the register, and repeated in the file, in other capitals.
    const csv = [
      'assetTag,kind,serialNumber',
      'CI-3,laptop,c02xK1',
      'CI-4,laptop,ci-sn-9',
      'CI-5,laptop,CI-SN-9',
      '',
    ].join('\n');
    const dry = await importCsv(csv, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body as ImportReport).toEqual({
      created: 1,
      errors: [
        { row: 2, field: 'serialNumber', message: 'c02xK1 is already on asset CI-1' },
        {
          row: 4,
          field: 'serialNumber',
          message: 'CI-SN-9 is repeated in the file (first on line 3)',
        },
      ],
      dryRun: true,
    });
  });

  it('matches an asset with its enrolled device whatever the capitals of either serial', async () => {
    const token = await createEnrollmentToken(hub, admin);
    // The asset typed after the device enrolled, in lower case.
    const laptop = await enrollTestDevice(hub, token, { serialNumber: 'C02CASE1' });
    const typedLower = await createAsset({
      assetTag: 'CASE-1',
      kind: 'laptop',
      serialNumber: 'c02case1',
    });
    expect(typedLower.deviceId).toBe(laptop.deviceId);
    await waitFor(async () => (await deviceTag(laptop.deviceId)) === 'CASE-1', 'the tag CASE-1');

    // The asset typed before the device enrolled, in mixed case.
    const early = await createAsset({
      assetTag: 'CASE-2',
      kind: 'tablet',
      serialNumber: 'C02case2',
    });
    expect(early.deviceId).toBeNull();
    const tablet = await enrollTestDevice(hub, token, { serialNumber: 'C02CASE2' });
    await waitFor(async () => (await deviceTag(tablet.deviceId)) === 'CASE-2', 'the tag CASE-2');
    expect((await get<Asset>(clerk.token, `/api/assets/${early.id}`)).deviceId).toBe(
      tablet.deviceId,
    );

    // A trip's kit shows the tablet, and its check-out puts the trip's overlay on it.
    const now = hub.clock.nowMs();
    const created = await post(leader.token, '/api/trips', {
      name: 'Year 3 to the farm',
      shortName: 'farm',
      startsAt: new Date(now + HOUR).toISOString(),
      endsAt: new Date(now + 10 * HOUR).toISOString(),
      leaderIds: [leader.id],
      assetTags: ['CASE-2'],
    });
    expect(created.status).toBe(201);
    const trip = created.body as Trip;
    expect(trip.kit.map((k) => k.deviceId)).toEqual([tablet.deviceId]);
    expect((await post(leader.token, `/api/trips/${trip.id}/check-out`)).status).toBe(200);
    const policy = await get<DevicePolicy>(admin, `/api/devices/${tablet.deviceId}/policy`);
    expect(policy.decidedBy['camera.allowed'].scope).toBe('overlay');
    expect(
      (await post(leader.token, `/api/trips/${trip.id}/check-in`, { assetTag: 'CASE-2' })).status,
    ).toBe(200);

    // The device's serial in other capitals is the same device: enrolled already, so refused.
    await expect(enrollTestDevice(hub, token, { serialNumber: 'c02case1' })).rejects.toThrow(
      /C02CASE1 is already enrolled/,
    );
  });

  it('gives one asset when serial numbers alike but for capitals are asked for at once', async () => {
    const serials = ['race-ci', 'RACE-CI', 'Race-Ci', 'rACE-cI', 'RACE-ci', 'race-CI'];
    const answers = await Promise.all(
      serials.map((serialNumber, i) =>
        post(clerk.token, '/api/assets', {
          assetTag: `RCI-${i + 1}`,
          kind: 'tablet',
          serialNumber,
        }),
      ),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(created).toHaveLength(1);
    const winner = created[0].body as Asset;
    answers.forEach((answer, i) => {
      if (answer.status !== 201) {
        expect(answer.body).toEqual({
          statusCode: 409,
          message: `Serial number ${serials[i]} is already on asset ${winner.assetTag}`,
          code: 'serial_number_taken',
        });
      }
    });
    expect(await listed('race-ci')).toEqual([
      { assetTag: winner.assetTag, serialNumber: winner.serialNumber },
    ]);
  });

  it('gives one asset of a serial number when requests for it arrive at once', async () => {
    const tags = Array.from({ length: 8 }, (_, i) => `RACE-${i + 1}`);
    const answers = await Promise.all(
      tags.map((assetTag) =>
        post(clerk.token, '/api/assets', { assetTag, kind: 'tablet', serialNumber: 'RACE-SN' }),
      ),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(created).toHaveLength(1);
    const winner = (created[0].body as Asset).assetTag;
    for (const answer of answers.filter((a) => a.status !== 201)) {
      expect(answer.body).toEqual({
        statusCode: 409,
        message: `Serial number RACE-SN is already on asset ${winner}`,
        code: 'serial_number_taken',
      });
    }
    expect(await listed('race-sn')).toEqual([{ assetTag: winner, serialNumber: 'RACE-SN' }]);
  });

  it('reports a serial number in the register or repeated in the file on its row, dry run and import', async () => {
    await createAsset({ assetTag: 'CSV-OLD', kind: 'laptop', serialNumber: 'CSV-SN-1' });
    const csv = [
      'assetTag,kind,serialNumber',
      'CSV-A,laptop,CSV-SN-1',
      'CSV-B,laptop, CSV-SN-2 ',
      'CSV-C,laptop,CSV-SN-2',
      'CSV-D,laptop,CSV-SN-3',
      'csv-old,laptop,CSV-SN-4',
      '',
    ].join('\n');
    const errors = [
      { row: 2, field: 'serialNumber', message: 'CSV-SN-1 is already on asset CSV-OLD' },
      {
        row: 4,
        field: 'serialNumber',
        message: 'CSV-SN-2 is repeated in the file (first on line 3)',
      },
      { row: 6, field: 'assetTag', message: 'csv-old is already in the hub' },
    ];
    const dry = await importCsv(csv, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body as ImportReport).toEqual({ created: 2, errors, dryRun: true });
    const real = await importCsv(csv);
    expect(real.status).toBe(200);
    expect(real.body as ImportReport).toEqual({ created: 2, errors, dryRun: false });
    expect(await listed('csv-')).toEqual([
      { assetTag: 'CSV-B', serialNumber: 'CSV-SN-2' },
      { assetTag: 'CSV-D', serialNumber: 'CSV-SN-3' },
      { assetTag: 'CSV-OLD', serialNumber: 'CSV-SN-1' },
    ]);
  });

  it('keeps an asset’s serial number while it is on loan or on a trip, until it is checked in', async () => {
    // On loan.
    const lent = await createAsset({ assetTag: 'LENT-1', kind: 'laptop', serialNumber: 'LENT-SN' });
    const loan = await post(clerk.token, '/api/loans', {
      assetTag: 'LENT-1',
      borrowerId: teacher.id,
      dueAt: new Date(hub.clock.nowMs() + 7 * DAY).toISOString(),
    });
    expect(loan.status).toBe(201);
    const whileLent = await patch(clerk.token, `/api/assets/${lent.id}`, {
      serialNumber: 'PROBE-8',
    });
    expect(whileLent.status).toBe(409);
    expect(whileLent.body.message).toBe('Asset LENT-1 is on loan: check it in first');
    expect((await get<Asset>(clerk.token, `/api/assets/${lent.id}`)).serialNumber).toBe('LENT-SN');
    const back = await post(clerk.token, `/api/loans/${(loan.body as { id: string }).id}/return`, {
      condition: 'Good',
    });
    expect(back.status).toBe(200);
    const afterLoan = await patch(clerk.token, `/api/assets/${lent.id}`, {
      serialNumber: 'LENT-SN-2',
    });
    expect(afterLoan.status).toBe(200);
    expect(afterLoan.body).toMatchObject({ serialNumber: 'LENT-SN-2', status: 'available' });

    // On a trip: the enrolled tablet that went out gets the trip's overlay, and the check-in
    // takes it off that tablet, because the asset still names it.
    const token = await createEnrollmentToken(hub, admin);
    const tablet = await enrollTestDevice(hub, token, { serialNumber: 'TRIP-SN' });
    const kit = await createAsset({ assetTag: 'KIT-1', kind: 'tablet', serialNumber: 'TRIP-SN' });
    expect(kit.deviceId).toBe(tablet.deviceId);
    const cameraOfTablet = async () => {
      const policy = await get<DevicePolicy>(admin, `/api/devices/${tablet.deviceId}/policy`);
      return policy.decidedBy['camera.allowed'].scope;
    };
    const now = hub.clock.nowMs();
    const created = await post(leader.token, '/api/trips', {
      name: 'Year 4 to the museum',
      shortName: 'museum',
      startsAt: new Date(now + HOUR).toISOString(),
      endsAt: new Date(now + 10 * HOUR).toISOString(),
      leaderIds: [leader.id],
      assetTags: ['KIT-1'],
    });
    expect(created.status).toBe(201);
    const trip = created.body as Trip;
    expect((await post(leader.token, `/api/trips/${trip.id}/check-out`)).status).toBe(200);
    expect(await cameraOfTablet()).toBe('overlay');

    for (const serialNumber of ['PROBE-8', null]) {
      const whileOut = await patch(clerk.token, `/api/assets/${kit.id}`, { serialNumber });
      expect({ serialNumber, status: whileOut.status, message: whileOut.body.message }).toEqual({
        serialNumber,
        status: 409,
        message: 'Asset KIT-1 is on trip: check it in first',
      });
    }
    const out = await get<Asset>(clerk.token, `/api/assets/${kit.id}`);
    expect(out).toMatchObject({ serialNumber: 'TRIP-SN', deviceId: tablet.deviceId });
    // Its other details may still change.
    const noted = await patch(clerk.token, `/api/assets/${kit.id}`, { notes: 'Case cracked' });
    expect(noted.status).toBe(200);

    const checkedIn = await post(leader.token, `/api/trips/${trip.id}/check-in`, {
      assetTag: 'KIT-1',
    });
    expect(checkedIn.status).toBe(200);
    expect(await cameraOfTablet()).not.toBe('overlay');
    const afterTrip = await patch(clerk.token, `/api/assets/${kit.id}`, {
      serialNumber: 'PROBE-8',
    });
    expect(afterTrip.status).toBe(200);
    expect(afterTrip.body).toMatchObject({ serialNumber: 'PROBE-8', deviceId: null });
  });
});

describe(`a register that already holds one serial number twice (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub | null = null;

  afterAll(async () => {
    await hub?.close();
  });

  it('keeps every asset, the serial number on the oldest, and says so in the others’ notes', async () => {
    const first = await startHub();
    hub = first;
    const admin = await first.login();
    const create = async (body: object) => {
      const response = await first.http
        .post('/api/assets')
        .set('Authorization', as(admin))
        .send(body);
      expect(response.status).toBe(201);
      return response.body as Asset;
    };
    const token = await createEnrollmentToken(first, admin);
    const device = await enrollTestDevice(first, token, { serialNumber: 'DUP-SN' });
    const older = await create({ assetTag: 'DUP-1', kind: 'laptop', serialNumber: 'DUP-SN' });
    first.clock.advance(1000);
    const later = await create({
      assetTag: 'DUP-2',
      kind: 'laptop',
      serialNumber: 'DUP-SN-TYPO',
      notes: 'Shelf 3',
    });
    await first.close();
    hub = null;

    // As an earlier version left it: no unique index, the later asset with the same serial and
    // the device named by it (the tag flipped to the newest asset).
    const earlier = new DataSource(hubDatabaseOf(first));
    await earlier.initialize();
    try {
      const applied = async () =>
        ((await earlier.query('SELECT name FROM migrations')) as { name: string }[]).map(
          (row) => row.name,
        );
      if (earlier.options.type === 'sqlite') {
        await earlier.query('PRAGMA foreign_keys = OFF');
      }
      while ((await applied()).includes('UniqueAssetSerialNumbers1764820000000')) {
        await earlier.undoLastMigration({ transaction: 'each' });
      }
      await earlier.query("UPDATE assets SET serial_number = 'DUP-SN' WHERE asset_tag = 'DUP-2'");
      await earlier.query("UPDATE devices SET asset_tag = 'DUP-2' WHERE serial_number = 'DUP-SN'");
    } finally {
      await earlier.destroy();
    }

    const upgraded = await startHub({ dataDir: first.dataDir });
    hub = upgraded;
    const adminB = await upgraded.login();
    const read = async (id: string) => {
      const response = await upgraded.http
        .get(`/api/assets/${id}`)
        .set('Authorization', as(adminB));
      expect(response.status).toBe(200);
      return response.body as Asset;
    };
    expect(await read(older.id)).toMatchObject({
      assetTag: 'DUP-1',
      serialNumber: 'DUP-SN',
      deviceId: device.deviceId,
    });
    const cleared = await read(later.id);
    expect(cleared).toMatchObject({ assetTag: 'DUP-2', serialNumber: null, deviceId: null });
    expect(cleared.notes).toMatch(
      /^Serial number DUP-SN was cleared on \d{4}-\d{2}-\d{2}: asset DUP-1 has it too, and one serial number names one asset\. Shelf 3$/,
    );
    const deviceNow = await upgraded.http
      .get(`/api/devices/${device.deviceId}`)
      .set('Authorization', as(adminB));
    expect((deviceNow.body as { assetTag: string }).assetTag).toBe('DUP-1');
    const again = await upgraded.http
      .patch(`/api/assets/${later.id}`)
      .set('Authorization', as(adminB))
      .send({ serialNumber: 'DUP-SN' });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('Serial number DUP-SN is already on asset DUP-1');
  });
});

describe(`a register that holds one serial number in two capitals (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub | null = null;

  afterAll(async () => {
    await hub?.close();
  });

  it('keeps every asset and device, the serial number on the oldest asset, and matches by it', async () => {
    const first = await startHub();
    hub = first;
    const admin = await first.login();
    const create = async (body: object) => {
      const response = await first.http
        .post('/api/assets')
        .set('Authorization', as(admin))
        .send(body);
      expect(response.status).toBe(201);
      return response.body as Asset;
    };
    const token = await createEnrollmentToken(first, admin);
    const device = await enrollTestDevice(first, token, { serialNumber: 'dupc-sn' });
    const lonelyDevice = await enrollTestDevice(first, token, { serialNumber: 'C02LONE' });
    const olderDevice = await enrollTestDevice(first, token, { serialNumber: 'DEVDUP-A' });
    first.clock.advance(1000);
    const laterDevice = await enrollTestDevice(first, token, { serialNumber: 'DEVDUP-B' });
    const older = await create({ assetTag: 'DUPC-1', kind: 'laptop', serialNumber: 'DUPC-SN' });
    first.clock.advance(1000);
    const later = await create({
      assetTag: 'DUPC-2',
      kind: 'laptop',
      serialNumber: 'DUPC-SN-TYPO',
      notes: 'Shelf 3',
    });
    const lonely = await create({ assetTag: 'LONE-1', kind: 'tablet', serialNumber: 'LONE-TYPO' });
    await first.close();
    hub = null;

    // As an earlier version, which compared serials exactly, left it: the later asset with the
    // serial in lower case and the lower-case device named by it; an asset typed in lower case
    // whose device (upper case) it never matched; two devices whose serials differ in case.
    const earlier = new DataSource(hubDatabaseOf(first));
    await earlier.initialize();
    try {
      const applied = async () =>
        ((await earlier.query('SELECT name FROM migrations')) as { name: string }[]).map(
          (row) => row.name,
        );
      if (earlier.options.type === 'sqlite') {
        await earlier.query('PRAGMA foreign_keys = OFF');
      }
      while ((await applied()).includes('SerialNumbersAsOne1764860000000')) {
        await earlier.undoLastMigration({ transaction: 'each' });
      }
      await earlier.query("UPDATE assets SET serial_number = 'dupc-sn' WHERE asset_tag = 'DUPC-2'");
      await earlier.query("UPDATE assets SET serial_number = 'c02lone' WHERE asset_tag = 'LONE-1'");
      await earlier.query(
        "UPDATE devices SET asset_tag = 'DUPC-2', tag_key = 'dupc-2' WHERE serial_number = 'dupc-sn'",
      );
      await earlier.query(
        "UPDATE devices SET asset_tag = NULL, tag_key = NULL WHERE serial_number = 'C02LONE'",
      );
      await earlier.query(
        "UPDATE devices SET serial_number = 'devdup-a' WHERE serial_number = 'DEVDUP-B'",
      );
    } finally {
      await earlier.destroy();
    }

    const upgraded = await startHub({ dataDir: first.dataDir });
    hub = upgraded;
    const adminB = await upgraded.login();
    const read = async <T>(route: string) => {
      const response = await upgraded.http.get(route).set('Authorization', as(adminB));
      expect(response.status).toBe(200);
      return response.body as T;
    };
    expect(await read<Asset>(`/api/assets/${older.id}`)).toMatchObject({
      assetTag: 'DUPC-1',
      serialNumber: 'DUPC-SN',
      deviceId: device.deviceId,
    });
    const cleared = await read<Asset>(`/api/assets/${later.id}`);
    expect(cleared).toMatchObject({ assetTag: 'DUPC-2', serialNumber: null, deviceId: null });
    expect(cleared.notes).toMatch(
      /^Serial number dupc-sn was cleared on \d{4}-\d{2}-\d{2}: asset DUPC-1 has DUPC-SN, the same serial number in other capitals, and one serial number names one asset\. Shelf 3$/,
    );
    expect(await read<Asset>(`/api/assets/${lonely.id}`)).toMatchObject({
      serialNumber: 'c02lone',
      deviceId: lonelyDevice.deviceId,
    });
    // The devices take the tags of the assets that now name them.
    const tagOf = async (id: string) =>
      (await read<{ assetTag: string | null }>(`/api/devices/${id}`)).assetTag;
    expect(await tagOf(device.deviceId)).toBe('DUPC-1');
    expect(await tagOf(lonelyDevice.deviceId)).toBe('LONE-1');
    // Both devices are kept; the one enrolled first is the one the serial names.
    expect(
      await read<{ serialNumber: string }>(`/api/devices/${laterDevice.deviceId}`),
    ).toMatchObject({
      serialNumber: 'devdup-a',
    });
    const named = await upgraded.http
      .post('/api/assets')
      .set('Authorization', as(adminB))
      .send({ assetTag: 'DD-1', kind: 'laptop', serialNumber: 'Devdup-A' });
    expect(named.status).toBe(201);
    expect((named.body as Asset).deviceId).toBe(olderDevice.deviceId);

    const again = await upgraded.http
      .patch(`/api/assets/${later.id}`)
      .set('Authorization', as(adminB))
      .send({ serialNumber: 'Dupc-Sn' });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('Serial number Dupc-Sn is already on asset DUPC-1');
  });
});
