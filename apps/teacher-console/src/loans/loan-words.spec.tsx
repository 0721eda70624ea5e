// How the desk tells the hub's check-out refusals apart, and where it says each (an unknown asset
// tag at the asset, an unknown or disabled borrower at the borrower: both unknowns are 404s): by
// the `code` the hub answers (read through the console's own API client), never by the words of
// the message, which may change, nor by the status alone.
// A file .tsx so that the unit suite runs it: the console's plain .ts files are its own.
import { ApiError } from '../api/client';
import { refusalOf } from '../api/refusal-of';
import {
  checkInErrorsOf,
  checkOutErrorsOf,
  checkOutFieldOf,
  checkOutRefusalOf,
  deskActionOf,
  isAssetRefusal,
  isAupRefusal,
  isBorrowerRefusal,
} from './loan-words';

/** What POST /api/loans rejects with when the hub answers `status` with `body`. */
const refusalFor = (status: number, body: unknown): Promise<unknown> =>
  refusalOf('/api/loans', { method: 'POST', body: {} }, status, body);

describe('check-out refusals at the desk', () => {
  it('decides by the code, whatever the message says', async () => {
    // Reworded (another language, a school's own words): still told apart by code.
    const aup = await refusalFor(409, {
      statusCode: 409,
      message: 'Jo Brown muss zuerst die Nutzungsordnung annehmen',
      code: 'aup_not_accepted',
    });
    const asset = await refusalFor(409, {
      statusCode: 409,
      message: 'Dieses Gerät ist gerade verliehen',
      code: 'asset_not_available',
    });
    const disabled = await refusalFor(409, {
      statusCode: 409,
      message: 'Asset rules: the acceptable use policy says loans go to current staff only',
      code: 'borrower_disabled',
    });

    expect(
      [aup, asset, disabled].map((error) => [
        (error as ApiError).message,
        checkOutRefusalOf(error),
        isAupRefusal(error),
        isAssetRefusal(error),
        isBorrowerRefusal(error),
      ]),
    ).toEqual([
      [
        'Jo Brown muss zuerst die Nutzungsordnung annehmen.',
        'aup_not_accepted',
        true,
        false,
        false,
      ],
      ['Dieses Gerät ist gerade verliehen.', 'asset_not_available', false, true, false],
      [
        'Asset rules: the acceptable use policy says loans go to current staff only.',
        'borrower_disabled',
        false,
        false,
        true,
      ],
    ]);
  });

  it('takes no 409 for one of them by its words alone, nor another status with a code', async () => {
    const unnamed = await refusalFor(409, {
      statusCode: 409,
      message: 'Asset LOAN-001 is not available: the acceptable use policy (AUP) applies',
    });
    const unknownCode = await refusalFor(409, {
      statusCode: 409,
      message: 'Asset LOAN-001 is being audited',
      code: 'asset_in_audit',
    });
    const notConflict = await refusalFor(400, {
      statusCode: 400,
      message: 'dueAt is in the past',
      code: 'aup_not_accepted',
    });

    expect([unnamed, unknownCode, notConflict].map((error) => checkOutRefusalOf(error))).toEqual([
      null,
      null,
      null,
    ]);
    expect(
      [unnamed, unknownCode, notConflict].some((e) => isAupRefusal(e) || isAssetRefusal(e)),
    ).toBe(false);
  });
});

describe(checkOutFieldOf.name, () => {
  it('says an unknown asset tag at the asset and an unknown borrower at the borrower', async () => {
    const noAsset = await refusalFor(404, {
      statusCode: 404,
      message: 'No asset with tag LOAN-001',
      code: 'asset_not_found',
    });
    const noBorrower = await refusalFor(404, {
      statusCode: 404,
      message: 'No staff account 4a1f0a3e-6f1e-4c1b-9a59-2b1f3c1d9e00',
      code: 'borrower_not_found',
    });
    expect([checkOutFieldOf(noAsset), checkOutFieldOf(noBorrower)]).toEqual(['asset', 'borrower']);
  });

  it('says a disabled borrower or a 400 about borrowerId at the borrower', async () => {
    const disabled = await refusalFor(409, {
      statusCode: 409,
      message: "Jo's account is disabled: loans go to current staff only",
      code: 'borrower_disabled',
    });
    const badId = await refusalFor(400, {
      statusCode: 400,
      message: 'borrowerId must be a UUID',
    });
    expect([checkOutFieldOf(disabled), checkOutFieldOf(badId)]).toEqual(['borrower', 'borrower']);
  });

  it('puts a 404 without a known code, and anything else, at neither field', async () => {
    const uncoded = await refusalFor(404, { statusCode: 404, message: 'Not Found' });
    const otherStatus = await refusalFor(400, {
      statusCode: 400,
      message: 'dueAt is in the past: a loan is due back in the future',
      code: 'borrower_not_found',
    });
    const moved = await refusalFor(409, {
      statusCode: 409,
      message: 'Asset LOAN-001 is not available: it is on loan',
      code: 'asset_not_available',
    });
    expect([uncoded, otherStatus, moved].map(checkOutFieldOf)).toEqual([null, null, null]);
  });
});

describe('what the desk offers for a scanned asset', () => {
  const loan = {
    id: 'loan-1',
    borrowerId: 'staff-1',
    borrowerName: 'Kim Wilson',
    borrowerDisabled: false,
    dueAt: '2026-12-06T15:00:00Z',
    daysOverdue: 0,
  };

  it('opens the check-in of an asset lost while on loan, the only way its loan closes', () => {
    // Before: "It is marked lost. If it has been found, make it available on its page", which
    // left its loan open and put it on the shelf, where the desk then offered only its check-out.
    expect(deskActionOf({ status: 'lost', currentLoan: loan })).toBe('check_in');
    // One a hub before the fix left available with its loan open is checked in too.
    expect(deskActionOf({ status: 'available', currentLoan: loan })).toBe('check_in');
  });

  it('opens check-in on loan, check-out when available, and neither otherwise', () => {
    expect(deskActionOf({ status: 'on_loan', currentLoan: loan })).toBe('check_in');
    expect(deskActionOf({ status: 'available', currentLoan: null })).toBe('check_out');
    expect(deskActionOf({ status: 'lost', currentLoan: null })).toBe('neither');
    expect(deskActionOf({ status: 'in_repair', currentLoan: null })).toBe('neither');
    expect(deskActionOf({ status: 'on_trip', currentLoan: null })).toBe('neither');
  });

  it('does not open check-out for an available asset whose device is still locked as lost', () => {
    // Found after a lost report: the hub refuses its check-out until ICT unlocks the device.
    expect(deskActionOf({ status: 'available', currentLoan: null, deviceLockedAsLost: true })).toBe(
      'neither',
    );
    expect(
      deskActionOf({ status: 'available', currentLoan: null, deviceLockedAsLost: false }),
    ).toBe('check_out');
    // Its loan's check-in still comes first: a laptop lost on loan is checked in locked.
    expect(deskActionOf({ status: 'lost', currentLoan: loan, deviceLockedAsLost: true })).toBe(
      'check_in',
    );
  });
});

describe('where the desk says a 400 of check-out and check-in', () => {
  it('says each part of a check-in 400 beside its own field', async () => {
    // Before: "Condition must be at most 200 characters; damage notes must be at most 1000
    // characters." went whole above the buttons, beside neither field.
    const error = await refusalOf('/api/loans/x/return', { method: 'POST', body: {} }, 400, {
      statusCode: 400,
      message:
        'condition must be at most 200 characters; damageNotes must be at most 1000 characters',
    });
    expect(checkInErrorsOf(error)).toEqual({
      byField: {
        condition: 'Condition must be at most 200 characters.',
        damageNotes: 'Damage notes must be at most 1000 characters.',
      },
      form: null,
    });
  });

  it('says each part of a check-out 400 beside its field, the rest above the buttons', async () => {
    const error = await refusalFor(400, {
      statusCode: 400,
      message:
        'conditionOut must not contain control characters (found U+0007); dueAt is more than a ' +
        'year ahead (Thursday 1 January 2099): check the year; aupAcceptedAtDesk must be a boolean value',
    });
    expect(checkOutErrorsOf(error)).toEqual({
      asset: null,
      byField: {
        conditionOut: 'Condition out must not contain control characters (found U+0007).',
        dueAt: 'Due at is more than a year ahead (Thursday 1 January 2099): check the year.',
      },
      form: 'Aup accepted at desk must be a boolean value.',
    });
  });

  it('keeps the asset’s and the borrower’s 404s where they were, and any other error whole', async () => {
    const asset = await refusalFor(404, {
      statusCode: 404,
      message: 'No asset with tag LOAN-001',
      code: 'asset_not_found',
    });
    expect(checkOutErrorsOf(asset)).toEqual({
      asset: 'No asset with tag LOAN-001.',
      byField: {},
      form: null,
    });
    const borrower = await refusalFor(404, {
      statusCode: 404,
      message: 'No staff account x',
      code: 'borrower_not_found',
    });
    expect(checkOutErrorsOf(borrower)).toEqual({
      asset: null,
      byField: { borrowerId: 'No staff account x.' },
      form: null,
    });
    const taken = await refusalFor(409, {
      statusCode: 409,
      message: 'Asset LOAN-001 is not available: it is on loan',
      code: 'asset_not_available',
    });
    expect(checkOutErrorsOf(taken)).toEqual({ asset: null, byField: {} });
  });
});
