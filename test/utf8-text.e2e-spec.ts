// Text handed to the hub as bytes must be UTF-8, or it is refused in words: read as UTF-8 without
// a check, another encoding's letters were stored as U+FFFD. An Excel "CSV" (Windows-1252)
// imported "Café" as "Caf\uFFFD", and a JSON body did the same to any field.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Asset, Page } from '@app/hub-api';
import { makeDataDir, startHub, TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

/** "Café" in Windows-1252 (and Latin-1): é is the one byte 0xE9, never valid UTF-8 alone. */
const CAFE_1252 = Buffer.from([0x43, 0x61, 0x66, 0xe9]);

/** Sends `bytes` as they are (supertest would write a Buffer sent as JSON as its own JSON). */
const asIs = (bytes: unknown) => bytes as string;

describe(`text that is not UTF-8 (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });

  afterAll(async () => {
    await hub.close();
  });

  /** The models of the assets whose tags start with `prefix`, by tag. */
  const modelsOf = async (prefix: string): Promise<Record<string, string | null>> =>
    Object.fromEntries(
      (
        (await hub.http.get('/api/assets').set('Authorization', `Bearer ${admin}`))
          .body as Page<Asset>
      ).items
        .filter((asset) => asset.assetTag.startsWith(prefix))
        .map((asset) => [asset.assetTag, asset.model]),
    );

  it('refuses a JSON body whose bytes are not UTF-8, and one in a charset it cannot read', async () => {
    const body = Buffer.concat([
      Buffer.from('{"assetTag":"ENC-1","kind":"laptop","model":"'),
      CAFE_1252,
      Buffer.from('"}'),
    ]);
    for (const type of ['application/json', 'application/json; charset=utf-8']) {
      const sent = await hub.http
        .post('/api/assets')
        .set('Authorization', `Bearer ${admin}`)
        .set('Content-Type', type)
        .serialize(asIs)
        .send(body);
      expect({ type, status: sent.status, body: sent.body as unknown }).toEqual({
        type,
        status: 400,
        body: {
          statusCode: 400,
          message:
            'The request body is not UTF-8 text: send JSON encoded as UTF-8, so that its ' +
            'letters are stored as they were typed',
        },
      });
    }
    const latin1 = await hub.http
      .post('/api/assets')
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'application/json; charset=iso-8859-1')
      .serialize(asIs)
      .send(body);
    expect(latin1.status).toBe(415);
    expect(latin1.body).toEqual({
      statusCode: 415,
      message: 'Send JSON encoded as UTF-8 (charset=utf-8), not iso-8859-1',
    });
    expect(await modelsOf('ENC-')).toEqual({});

    const typed = await hub.http
      .post('/api/assets')
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'application/json')
      .serialize(asIs)
      .send(Buffer.from('{"assetTag":"ENC-2","kind":"laptop","model":"Café ’24 Zoë"}'));
    expect(typed.status).toBe(201);
    expect(await modelsOf('ENC-')).toEqual({ 'ENC-2': 'Café ’24 Zoë' });
  });

  it('refuses a CSV file that is not UTF-8, naming its first such line, and imports nothing', async () => {
    const file = Buffer.concat([
      Buffer.from('assetTag,kind,model\r\nCSV-1,laptop,Plain\r\nCSV-2,laptop,'),
      CAFE_1252,
      Buffer.from('\r\n'),
    ]);
    for (const dryRun of ['true', 'false']) {
      const sent = await hub.http
        .post(`/api/assets/import?dryRun=${dryRun}`)
        .set('Authorization', `Bearer ${admin}`)
        .set('Content-Type', 'text/csv')
        .send(file);
      expect({ dryRun, status: sent.status, body: sent.body as unknown }).toEqual({
        dryRun,
        status: 400,
        body: {
          statusCode: 400,
          message:
            'The file is not UTF-8 text (line 3 is not), so its letters would be garbled: in ' +
            'Excel, save it as "CSV UTF-8 (Comma delimited)" and import it again',
        },
      });
    }
    // UTF-16 (Excel's "Unicode Text") is not UTF-8 either: refused on its first line.
    const utf16 = await hub.http
      .post('/api/assets/import')
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from('\ufeffassetTag,kind\nCSV-3,laptop\n', 'utf16le'));
    expect(utf16.status).toBe(400);
    expect((utf16.body as { message: string }).message).toMatch(
      /^The file is not UTF-8 text \(line 1 is not\)/,
    );
    expect(await modelsOf('CSV-')).toEqual({});

    // Excel's "CSV UTF-8", with its byte order mark, is imported with its letters as they were.
    const utf8 = await hub.http
      .post('/api/assets/import')
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from('\ufeffassetTag,kind,model\r\nCSV-4,laptop,Café\r\n'));
    expect(utf8.status).toBe(200);
    expect(utf8.body).toMatchObject({ created: 1, errors: [] });
    expect(await modelsOf('CSV-')).toEqual({ 'CSV-4': 'Café' });
  });
});

describe(`HUB_AUP_FILE that is not UTF-8 (${TEST_DATABASE_NAME})`, () => {
  it('stops the hub at start, naming the setting and the line, before anything is published', async () => {
    const dataDir = makeDataDir();
    const aupFile = path.join(dataDir, 'aup.txt');
    // Word's plain text: the curly apostrophe is 0x92 in Windows-1252.
    fs.writeFileSync(
      aupFile,
      Buffer.concat([
        Buffer.from('Acceptable use of school devices\n\nStaff must not share passwords.\n'),
        Buffer.from([0x49, 0x92, 0x6c, 0x6c]),
        Buffer.from(' report anything lost at once.\n'),
      ]),
    );
    await expect(startHub({ dataDir, env: { HUB_AUP_FILE: aupFile } })).rejects.toThrow(
      `HUB_AUP_FILE: ${aupFile} is not UTF-8 text (line 4 is not): save it as UTF-8 (in Word, ` +
        'Plain Text with the encoding Unicode (UTF-8))',
    );
  });
});
