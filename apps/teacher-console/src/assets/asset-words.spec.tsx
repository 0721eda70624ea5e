// Where the new-asset form says the register's refusals: by the `code` the hub answers (read
// through the console's own API client), never by the words of the message, which may change.
// A file .tsx so that the unit suite runs it: the console's plain .ts files are its own.
import { ApiError } from '../api/client';
import { refusalOf } from '../api/refusal-of';
import { assetErrorsOf, assetRefusalOf, csvFileText, notUtf8Words } from './asset-words';

/** The field an error is said at alone (null: none, or more than one). */
const assetFieldOf = (error: unknown) => {
  const fields = Object.keys(assetErrorsOf(error).byField);
  return fields.length === 1 ? fields[0] : null;
};

/** What POST /api/assets rejects with when the hub answers `status` with `body`. */
const refusalFor = (status: number, body: unknown): Promise<unknown> =>
  refusalOf('/api/assets', { method: 'POST', body: {} }, status, body);

describe('the asset register refusals at the new-asset form', () => {
  it('puts a taken serial number or tag at its field by the code, whatever the message says', async () => {
    const serial = await refusalFor(409, {
      statusCode: 409,
      message: 'This serial is already on asset LOAN-001',
      code: 'serial_number_taken',
    });
    const tag = await refusalFor(409, {
      statusCode: 409,
      message: 'Serial numbers aside, the tag LOAN-002 is already used',
      code: 'asset_tag_taken',
    });

    expect(
      [serial, tag].map((error) => [
        (error as ApiError).message,
        assetRefusalOf(error),
        assetFieldOf(error),
      ]),
    ).toEqual([
      ['This serial is already on asset LOAN-001.', 'serial_number_taken', 'serialNumber'],
      ['Serial numbers aside, the tag LOAN-002 is already used.', 'asset_tag_taken', 'assetTag'],
    ]);
  });

  it('puts no 409 at a field by its words alone, nor another status with a code', async () => {
    const unnamed = await refusalFor(409, {
      statusCode: 409,
      message: 'Serial number C02XK1 is already on asset LOAN-001',
    });
    const unknownCode = await refusalFor(409, {
      statusCode: 409,
      message: 'Asset tag LOAN-001 is being audited',
      code: 'asset_in_audit',
    });
    const notConflict = await refusalFor(500, {
      statusCode: 500,
      message: 'Internal server error',
      code: 'serial_number_taken',
    });

    expect(
      [unnamed, unknownCode, notConflict].map((error) => [
        assetRefusalOf(error),
        assetFieldOf(error),
      ]),
    ).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
  });

  it('says a 400 at the field its message names first, as the hub names the field at fault', async () => {
    const tag = await refusalFor(400, { statusCode: 400, message: 'assetTag must be shorter' });
    const other = await refusalFor(400, { statusCode: 400, message: 'model has an assetTag' });
    expect([assetErrorsOf(tag), assetErrorsOf(other)]).toEqual([
      { byField: { assetTag: 'AssetTag must be shorter.' }, form: null },
      { byField: {}, form: 'Model has an assetTag.' },
    ]);
  });

  it('says each part of a 400 that names two fields beside its own field, the rest at the form', async () => {
    const both = await refusalFor(400, {
      statusCode: 400,
      message:
        'assetTag must be 1 to 64 letters, digits, dots, dashes or underscores; ' +
        'serialNumber must be one line, without line breaks or tabs (found U+0009); ' +
        'model must be shorter than 200 characters',
    });

    expect(assetErrorsOf(both)).toEqual({
      byField: {
        assetTag: 'AssetTag must be 1 to 64 letters, digits, dots, dashes or underscores.',
        serialNumber: 'SerialNumber must be one line, without line breaks or tabs (found U+0009).',
      },
      form: 'Model must be shorter than 200 characters.',
    });
  });
});

describe('a CSV file read for the import', () => {
  const bytes = (...parts: (string | number[])[]) =>
    new Uint8Array(
      parts.flatMap((part) =>
        typeof part === 'string' ? [...new TextEncoder().encode(part)] : part,
      ),
    );

  it('names the first line that is not UTF-8 (an Excel "CSV" in Windows-1252), never reads it as text', () => {
    // "Café" with é as Windows-1252's one byte 0xE9: File.text() made it "Caf\uFFFD" and sent it.
    const excel = bytes(
      'assetTag,kind,model\r\nLOAN-1,laptop,Plain\r\nLOAN-2,laptop,Caf',
      [0xe9],
      '\r\n',
    );
    expect(csvFileText(excel)).toEqual({ notUtf8Line: 3 });
    expect(notUtf8Words('assets.csv', 3)).toBe(
      'assets.csv is not saved as UTF-8 text (line 3 is not), so its letters would be garbled. ' +
        'In Excel, save it as "CSV UTF-8 (Comma delimited)" and choose it again.',
    );
    // Excel's "Unicode Text" is UTF-16: its byte order mark is not UTF-8.
    expect(csvFileText(bytes([0xff, 0xfe], 'a\u0000,\u0000'))).toEqual({ notUtf8Line: 1 });
  });

  it('reads a UTF-8 file as it is, without its byte order mark', () => {
    expect(csvFileText(bytes('\ufeffassetTag,kind,model\nLOAN-1,laptop,Café ’24\n'))).toEqual({
      text: 'assetTag,kind,model\nLOAN-1,laptop,Café ’24\n',
    });
  });
});
