// Where the new-asset form says the register's refusals: by the `code` the hub answers (read
// through the console's own API client), never by the words of the message, which may change.
// A file .tsx so that the unit suite runs it: the console's plain .ts files are its own.
import { ApiError } from '../api/client';
import { refusalOf } from '../api/refusal-of';
import { assetFieldOf, assetRefusalOf } from './asset-words';

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
    expect([assetFieldOf(tag), assetFieldOf(other)]).toEqual(['assetTag', null]);
  });
});
