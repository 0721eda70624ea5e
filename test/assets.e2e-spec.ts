// The asset register (issue 13), through the API: the CSV import with bad rows reported by line
// and field (a dry run changing nothing), labels that are valid SVG whose QR code and Code 128
// decode to the asset tag (rendered to pixels by sharp, decoded by ZXing's WebAssembly build),
// an asset matched with its device by serial number either way round, and a lost device locked,
// still locked after a class unlock and the class's end, until ICT unlocks it; a lost report
// that fails part-way (as when the hub is killed) leaves nothing half-done.
import * as fs from 'node:fs';
import sharp from 'sharp';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import type { Asset, ImportReport, Page } from '@app/hub-api';
import { CommandsService } from '../apps/hub/src/commands/commands.service';
import { act, as, setUpClass, startSession, waitForLocked } from './support/classroom';
import { createEnrollmentToken, enrollTestDevice, waitFor } from './support/devices';
import { createStaff, startHub, TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

/** Decodes every QR code and Code 128 in an SVG, drawn at `density` dots per inch. */
async function decodeSvg(svg: string, density = 300): Promise<{ format: string; text: string }[]> {
  const { data, info } = await sharp(Buffer.from(svg), { density })
    .flatten({ background: '#ffffff' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const results = await readBarcodes(
    {
      data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      colorSpace: 'srgb',
    },
    { formats: ['QRCode', 'Code128'], maxNumberOfSymbols: 4, tryHarder: true },
  );
  return results.filter((r) => r.isValid).map((r) => ({ format: r.format, text: r.text }));
}

describe(`the asset register (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let clerk: { id: string; token: string };
  let teacher: { id: string; token: string };

  function importCsv(token: string, csv: string, query = '') {
    return hub.http
      .post(`/api/assets/import${query}`)
      .set('Authorization', as(token))
      .set('Content-Type', 'text/csv')
      .send(csv);
  }

  async function get<T>(token: string, path: string): Promise<T> {
    const response = await hub.http.get(path).set('Authorization', as(token));
    if (response.status !== 200) {
      throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body as T;
  }

  async function createAsset(body: object): Promise<Asset> {
    const response = await hub.http
      .post('/api/assets')
      .set('Authorization', as(clerk.token))
      .send(body);
    expect(response.status).toBe(201);
    return response.body as Asset;
  }

  beforeAll(async () => {
    await prepareZXingModule({
      overrides: {
        wasmBinary: fs.readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'))
          .buffer as ArrayBuffer,
      },
      fireImmediately: true,
    });
    hub = await startHub();
    admin = await hub.login();
    clerk = await createStaff(hub, admin, 'clerk', ['office']);
    teacher = await createStaff(hub, admin, 'mrsjones', ['teacher']);
  });

  afterAll(async () => {
    await hub.close();
  });

  it('imports the good rows of a CSV in one go and reports each bad row by line and field', async () => {
    await createAsset({ assetTag: 'EXIST-1', kind: 'laptop' });
    const csv = [
      'kind,assetTag,serialNumber,model,notes',
      'laptop,IMP-001,SN-IMP-1,ThinkPad T14,',
      'tablet,IMP-002,,iPad 9,',
      'laptop,exist-1,,,',
      'phone,IMP-003,,,',
      'laptop,,,,',
      'tablet,imp-001,,,',
      'camera,IMP-005,,"Canon, EOS 2000D","Strap missing"',
      'laptop,IMP 006,,,',
      '',
    ].join('\n');
    const expectedErrors = [
      { row: 4, field: 'assetTag', message: expect.stringMatching(/already in the hub/) },
      { row: 5, field: 'kind', message: expect.any(String) },
      { row: 6, field: 'assetTag', message: 'is empty' },
      {
        row: 7,
        field: 'assetTag',
        message: expect.stringMatching(/repeated in the file \(first on line 2\)/),
      },
      { row: 9, field: 'assetTag', message: expect.any(String) },
    ];

    const dry = await importCsv(clerk.token, csv, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ created: 3, errors: expectedErrors, dryRun: true });
    const none = await get<Page<Asset>>(clerk.token, '/api/assets?search=imp-');
    expect(none.total).toBe(0);

    const real = await importCsv(clerk.token, csv);
    expect(real.status).toBe(200);
    expect(real.body).toEqual({ created: 3, errors: expectedErrors, dryRun: false });
    const imported = await get<Page<Asset>>(clerk.token, '/api/assets?search=imp-');
    expect(imported.items.map((a) => [a.assetTag, a.kind, a.model, a.status])).toEqual([
      ['IMP-001', 'laptop', 'ThinkPad T14', 'available'],
      ['IMP-002', 'tablet', 'iPad 9', 'available'],
      ['IMP-005', 'camera', 'Canon, EOS 2000D', 'available'],
    ]);
    expect(imported.items[2].notes).toBe('Strap missing');
    expect(imported.items[1].serialNumber).toBeNull();

    // The same file again: every good row is now a tag already in the hub.
    const again = await importCsv(clerk.token, csv);
    expect(again.status).toBe(200);
    expect((again.body as ImportReport).created).toBe(0);
    expect(
      (again.body as ImportReport).errors
        .filter((e) => /already in the hub/.test(e.message))
        .map((e) => e.row),
    ).toEqual([2, 3, 4, 8]);

    // A header naming an unknown column, or without kind, reads no row.
    const header = await importCsv(clerk.token, 'assetTag,colour\nHDR-1,blue\n');
    expect(header.status).toBe(200);
    expect(header.body).toEqual({
      created: 0,
      dryRun: false,
      errors: expect.arrayContaining([
        expect.objectContaining({ row: 1, field: 'colour' }),
        expect.objectContaining({ row: 1, field: 'kind', message: 'required column missing' }),
      ]),
    });

    const audit = await get<Page<{ action: string; actor: string }>>(
      admin,
      '/api/audit?pageSize=200',
    );
    const imports = audit.items.filter((e) => e.action === 'assets.imported');
    expect(imports.map((e) => e.actor)).toEqual(['clerk']);

    const json = await hub.http
      .post('/api/assets/import')
      .set('Authorization', as(clerk.token))
      .send({ assetTag: 'X' });
    expect(json.status).toBe(415);
    const huge = await importCsv(clerk.token, `assetTag,kind\n${'A-1,laptop\n'.repeat(220_000)}`);
    expect(huge.status).toBe(413);
    expect((await importCsv(teacher.token, 'assetTag,kind\nTEACHER-9,laptop\n')).status).toBe(403);
    expect((await get<Page<Asset>>(clerk.token, '/api/assets?search=teacher-9')).total).toBe(0);
  });

  it('refuses a row with more values than the header has columns, instead of dropping the rest', async () => {
    const csv = [
      'assetTag,kind,model',
      // Unquoted, the comma splits the model in two: "Gen 2" has no column.
      'COMMA-1,laptop,ThinkPad 14, Gen 2',
      'COMMA-2,laptop,"ThinkPad 14, Gen 2"',
      // A spreadsheet's empty cells past the last column change nothing.
      'COMMA-3,tablet,iPad 9,,',
      // A short row leaves the missing values empty.
      'COMMA-4,camera',
      'COMMA-5,laptop,ThinkPad,,Gen 3',
      '',
    ].join('\r\n');
    const refused = (row: number, counted: number) => ({
      row,
      field: 'row',
      message: `has ${counted} values where the header names 3 columns: a value holding a comma must be in double quotes, such as "ThinkPad 14, Gen 2"`,
    });
    for (const query of ['?dryRun=true', '']) {
      const report = await importCsv(clerk.token, csv, query);
      expect([query, report.status, report.body]).toEqual([
        query,
        200,
        { created: 3, errors: [refused(2, 4), refused(6, 5)], dryRun: query !== '' },
      ]);
    }
    const imported = await get<Page<Asset>>(clerk.token, '/api/assets?search=comma-');
    expect(imported.items.map((a) => [a.assetTag, a.model])).toEqual([
      ['COMMA-2', 'ThinkPad 14, Gen 2'],
      ['COMMA-3', 'iPad 9'],
      ['COMMA-4', null],
    ]);
  });

  it('reads a file saved with semicolons, and quotes back at most 64 characters of a bad value', async () => {
    // As Excel saves "CSV" where the comma is the decimal mark: semicolons, commas in values.
    const semicolons = [
      'assetTag;kind;model;notes',
      'SEMI-1;laptop;ThinkPad 14, Gen 2;Charger, bag',
      'SEMI-2;tablet;iPad 9;Case; cracked',
      '',
    ].join('\r\n');
    const report = await importCsv(clerk.token, semicolons);
    expect([report.status, report.body]).toEqual([
      200,
      {
        created: 1,
        dryRun: false,
        errors: [
          {
            row: 3,
            field: 'row',
            message:
              'has 5 values where the header names 4 columns: a value holding a semicolon must be in double quotes, such as "ThinkPad 14; Gen 2"',
          },
        ],
      },
    ]);
    const semi = await get<Page<Asset>>(clerk.token, '/api/assets?search=semi-');
    expect(semi.items.map((a) => [a.assetTag, a.kind, a.model, a.notes])).toEqual([
      ['SEMI-1', 'laptop', 'ThinkPad 14, Gen 2', 'Charger, bag'],
    ]);

    // A kind, or a column's name, of 3,000 characters is named by its start and its length.
    const long = 'K'.repeat(3000);
    const kinds = await importCsv(clerk.token, `assetTag,kind\nLONG-1,${long}\n`, '?dryRun=true');
    expect(kinds.body).toEqual({
      created: 0,
      dryRun: true,
      errors: [
        {
          row: 2,
          field: 'kind',
          message: `unknown kind ${'K'.repeat(64)}… (3000 characters); one of laptop, tablet, netbook, camera, charger, other`,
        },
      ],
    });
    const columns = await importCsv(clerk.token, `assetTag,kind,${long}\nLONG-2,laptop,x\n`);
    expect((columns.body as ImportReport).errors).toEqual([
      expect.objectContaining({ row: 1, field: `${'K'.repeat(64)}… (3000 characters)` }),
    ]);
    expect(JSON.stringify(columns.body).length).toBeLessThan(500);
  });

  it('prints a label that is an SVG whose QR code and Code 128 both read as the tag', async () => {
    for (const assetTag of ['LAB-001', 'lab.2_Z']) {
      const asset = await createAsset({ assetTag, kind: 'laptop', model: 'ThinkPad <T14> & co' });
      const response = await hub.http
        .get(`/api/assets/${asset.id}/label.svg`)
        .set('Authorization', as(clerk.token))
        .buffer(true)
        .parse((res, done) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => done(null, text));
        });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const svg = response.body as string;
      expect(svg).toMatch(
        /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="60mm" height="25mm"/,
      );
      // librsvg (inside sharp) refuses a document that is not well-formed XML.
      const metadata = await sharp(Buffer.from(svg)).metadata();
      expect(metadata.format).toBe('svg');
      expect(svg).toContain('ThinkPad &lt;T14&gt; &amp; co');
      const decoded = await decodeSvg(svg);
      expect(decoded).toEqual(
        expect.arrayContaining([
          { format: 'QRCode', text: assetTag },
          { format: 'Code128', text: assetTag },
        ]),
      );
      expect(decoded.every((d) => d.text === assetTag)).toBe(true);
    }
    const missing = await hub.http
      .get('/api/assets/4a1f0a3e-6f1e-4c1b-9a59-2b1f3c1d9e00/label.svg')
      .set('Authorization', as(clerk.token));
    expect(missing.status).toBe(404);
  });

  it('matches an asset with its device by serial number, made before or after it enrols', async () => {
    const early = await createAsset({
      assetTag: 'EARLY-1',
      kind: 'netbook',
      serialNumber: 'SN-EARLY-1',
    });
    expect(early.deviceId).toBeNull();
    const token = await createEnrollmentToken(hub, admin, { maxUses: 2 });
    const first = await enrollTestDevice(hub, token, { serialNumber: 'SN-EARLY-1' });
    await waitFor(
      async () =>
        (await get<{ assetTag: string | null }>(admin, `/api/devices/${first.deviceId}`))
          .assetTag === 'EARLY-1',
      'the enrolled device to take the asset tag',
    );
    expect((await get<Asset>(clerk.token, `/api/assets/${early.id}`)).deviceId).toBe(
      first.deviceId,
    );

    const second = await enrollTestDevice(hub, token, { serialNumber: 'SN-LATE-1' });
    const late = await createAsset({
      assetTag: 'LATE-1',
      kind: 'netbook',
      serialNumber: 'SN-LATE-1',
    });
    expect(late.deviceId).toBe(second.deviceId);
    expect(
      (await get<{ assetTag: string | null }>(admin, `/api/devices/${second.deviceId}`)).assetTag,
    ).toBe('LATE-1');
  });

  it('says what each register refusal is in a code, beside its message in plain words', async () => {
    // The console puts a taken tag at the tag field and a taken serial number at the serial
    // field by `code`, never by the message, whose words may change.
    const send = (method: 'post' | 'patch', path: string, body: object, token = clerk.token) =>
      hub.http[method](path).set('Authorization', as(token)).send(body);
    const held = await createAsset({
      assetTag: 'CODE-1',
      kind: 'laptop',
      serialNumber: 'SN-CODE-1',
    });
    const other = await createAsset({ assetTag: 'CODE-2', kind: 'laptop' });
    const tagOnCreate = await send('post', '/api/assets', { assetTag: 'code-1', kind: 'laptop' });
    const tagOnPatch = await send('patch', `/api/assets/${other.id}`, { assetTag: 'CODE-1' });
    const serialOnCreate = await send('post', '/api/assets', {
      assetTag: 'CODE-3',
      kind: 'laptop',
      serialNumber: 'sn-code-1',
    });
    const serialOnPatch = await send('patch', `/api/assets/${other.id}`, {
      serialNumber: 'SN-CODE-1',
    });
    // A device's own tag is the same refusal: another active device has it.
    const token = await createEnrollmentToken(hub, admin, { maxUses: 2 });
    await enrollTestDevice(hub, token, { serialNumber: 'SN-CODE-D1', assetTag: 'CODE-D' });
    const second = await enrollTestDevice(hub, token, { serialNumber: 'SN-CODE-D2' });
    const deviceTag = await send(
      'patch',
      `/api/devices/${second.deviceId}`,
      { assetTag: 'code-d' },
      admin,
    );

    expect(
      [tagOnCreate, tagOnPatch, serialOnCreate, serialOnPatch, deviceTag].map((r) => r.body),
    ).toEqual([
      { statusCode: 409, code: 'asset_tag_taken', message: 'Asset tag code-1 is already used' },
      { statusCode: 409, code: 'asset_tag_taken', message: 'Asset tag CODE-1 is already used' },
      {
        statusCode: 409,
        code: 'serial_number_taken',
        message: 'Serial number sn-code-1 is already on asset CODE-1',
      },
      {
        statusCode: 409,
        code: 'serial_number_taken',
        message: 'Serial number SN-CODE-1 is already on asset CODE-1',
      },
      {
        statusCode: 409,
        code: 'asset_tag_taken',
        message: expect.stringMatching(/^Asset tag "code-d" is already on .*: one asset tag/),
      },
    ]);
    // Other 409s carry no code: only the refusals the docs name have one.
    await send('post', `/api/assets/${held.id}/lost`, {});
    const twice = await send('post', `/api/assets/${held.id}/lost`, {});
    expect(twice.body).toEqual({ statusCode: 409, message: 'Asset CODE-1 is already lost' });
  });

  it('locks a lost device, which stays locked through a class unlock and the end, until ICT unlocks it', async () => {
    const klass = await setUpClass(hub, admin, 2);
    const [lostTablet, other] = klass.devices;
    const { serialNumber } = await get<{ serialNumber: string }>(
      admin,
      `/api/devices/${klass.deviceIds[0]}`,
    );
    const asset = await createAsset({ assetTag: 'LOST-1', kind: 'tablet', serialNumber });
    expect(asset.deviceId).toBe(klass.deviceIds[0]);

    await startSession(hub, klass.teacher.token, klass.classId);
    expect((await act(hub, klass.teacher.token, klass.classId, { action: 'lock' })).status).toBe(
      202,
    );
    await waitForLocked(klass.devices, true, 'the class locked');

    const lost = await hub.http
      .post(`/api/assets/${asset.id}/lost`)
      .set('Authorization', as(clerk.token))
      .send({ note: 'Left on the coach' });
    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({ status: 'lost', lockedDeviceId: klass.deviceIds[0] });
    await waitFor(
      () => /school office/.test(lostTablet.enforcer.lockMessage ?? ''),
      'the lost lock message',
    );
    expect(
      (
        await hub.http
          .post(`/api/assets/${asset.id}/lost`)
          .set('Authorization', as(clerk.token))
          .send({})
      ).status,
    ).toBe(409);

    expect((await act(hub, klass.teacher.token, klass.classId, { action: 'unlock' })).status).toBe(
      202,
    );
    await waitForLocked([other], false, 'the rest of the class unlocked');
    expect(lostTablet.enforcer.currentState().locked).toBe(true);
    const ended = await hub.http
      .delete(`/api/classes/${klass.classId}/session`)
      .set('Authorization', as(klass.teacher.token));
    expect(ended.status).toBeLessThan(300);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(lostTablet.enforcer.currentState().locked).toBe(true);
    expect(lostTablet.enforcer.lockMessage).toMatch(/school office/);

    // Found: the office makes the asset available; its device stays locked until ICT unlocks it.
    const found = await hub.http
      .patch(`/api/assets/${asset.id}`)
      .set('Authorization', as(clerk.token))
      .send({ status: 'available' });
    expect(found.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lostTablet.enforcer.currentState().locked).toBe(true);
    const unlock = await hub.http
      .post(`/api/devices/${klass.deviceIds[0]}/commands`)
      .set('Authorization', as(admin))
      .send({ type: 'device.unlock', payload: {} });
    expect(unlock.status).toBe(201);
    await waitForLocked([lostTablet], false, 'ICT unlocking the found tablet');

    const audit = await get<Page<{ action: string; actor: string }>>(
      admin,
      '/api/audit?pageSize=200',
    );
    expect(audit.items.map((e) => `${e.action} by ${e.actor}`)).toEqual(
      expect.arrayContaining(['asset.lost by clerk']),
    );
    klass.devices.forEach((device) => device.client.close());
  });

  it('reports an asset lost and locks its device wholly or not at all, so a report that failed part-way can be made again', async () => {
    const token = await createEnrollmentToken(hub, admin);
    const serialNumber = `SN-HALF-${process.pid}`;
    const identity = await enrollTestDevice(hub, token, { serialNumber });
    const asset = await createAsset({ assetTag: 'HALF-1', kind: 'laptop', serialNumber });
    expect(asset.deviceId).toBe(identity.deviceId);

    // The lock's queueing fails once, as when the hub is killed or its database fails between
    // the asset's row and the lock (before the fix: the asset lost, its device never locked, and
    // a second report refused as "already lost").
    const commands = hub.app.get(CommandsService);
    const issueIn = commands.issueIn.bind(commands);
    let failures = 1;
    commands.issueIn = (...args: Parameters<CommandsService['issueIn']>) => {
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(new Error('the database went away'));
      }
      return issueIn(...args);
    };
    try {
      const failed = await hub.http
        .post(`/api/assets/${asset.id}/lost`)
        .set('Authorization', as(clerk.token))
        .send({});
      expect(failed.status).not.toBe(200);
    } finally {
      commands.issueIn = issueIn;
    }
    expect((await get<Asset>(clerk.token, `/api/assets/${asset.id}`)).status).toBe('available');
    const device = await get<{ desiredState: { lockOwner: string | null } }>(
      admin,
      `/api/devices/${identity.deviceId}`,
    );
    expect(device.desiredState.lockOwner).toBeNull();
    const lostEntries = await get<Page<{ targetId: string | null }>>(
      admin,
      `/api/audit?action=asset.lost&targetId=${asset.id}`,
    );
    expect(lostEntries.total).toBe(0);

    const again = await hub.http
      .post(`/api/assets/${asset.id}/lost`)
      .set('Authorization', as(clerk.token))
      .send({});
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'lost', lockedDeviceId: identity.deviceId });
    const locked = await get<{ desiredState: { lockOwner: string | null } }>(
      admin,
      `/api/devices/${identity.deviceId}`,
    );
    expect(locked.desiredState.lockOwner).toBe('lost');
  });
});
