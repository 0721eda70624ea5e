// The loans screens' addresses, which of the hub's check-out refusals a 409 is, which field of
// the check-out or check-in a refusal is said at (by its code, or a 400 part by part), and what
// the desk offers for a scanned asset.
import {
  CHECK_OUT_NOT_FOUND,
  CHECK_OUT_REFUSALS,
  plainFieldNames,
  type Asset,
  type CheckOutRefusal,
} from '@app/hub-api';
import { badRequestFieldsOf, badRequestPlacesOf } from '../api/bad-request-fields';
import { ApiError, conflictCodeOf, refusalCodeOf, sentence } from '../api/client';

export type { Borrower } from '@app/hub-api';

export const LOANS_PATH = '/api/loans';
export const ASSETS_PATH = '/api/assets';
export const AUP_PATH = '/api/aup';
/** GET: staff to lend to, by name, with whether each accepted the current AUP. */
export const BORROWERS_PATH = '/api/loans/borrowers';
export const byTagPath = (tag: string) => `/api/assets/by-tag/${encodeURIComponent(tag)}`;

/**
 * What the desk offers for a scanned asset: the check-in of its open loan whenever it has one
 * (on loan, or reported lost while on loan and now found: only the check-in closes that loan and
 * brings it back), else the check-out of an available asset whose device is not still locked as
 * lost (the hub refuses that check-out until ICT unlocks it), else only why neither.
 */
export function deskActionOf(
  asset: Pick<Asset, 'status' | 'currentLoan'> & Partial<Pick<Asset, 'deviceLockedAsLost'>>,
): 'check_in' | 'check_out' | 'neither' {
  if (asset.currentLoan) {
    return 'check_in';
  }
  return asset.status === 'available' && asset.deviceLockedAsLost !== true
    ? 'check_out'
    : 'neither';
}

/** Why the desk cannot lend an available asset whose device is still locked as lost. */
export const LOCKED_AS_LOST_WORDS =
  'Its device is still locked as lost, so it would reach the borrower locked: ask ICT to ' +
  'unlock the device, then it can be lent.';

/**
 * Which of the hub's check-out refusals an error from POST /api/loans is, by the `code` the hub
 * answers beside its message (CHECK_OUT_REFUSALS): null for any other error, and for a 409
 * without a known code. Never read from the message, whose words may change.
 */
export function checkOutRefusalOf(error: unknown): CheckOutRefusal | null {
  return conflictCodeOf(error, CHECK_OUT_REFUSALS);
}

/** Whether a check-out's error is the hub's "has not accepted the current AUP" (show the AUP). */
export function isAupRefusal(error: unknown): boolean {
  return checkOutRefusalOf(error) === 'aup_not_accepted';
}

/**
 * Whether a check-out's error is about the asset (not available any more: another desk checked
 * it out first, or it went to repair) rather than about the borrower (disabled, AUP not accepted):
 * the desk then shows the asset as it is now.
 */
export function isAssetRefusal(error: unknown): boolean {
  return checkOutRefusalOf(error) === 'asset_not_available';
}

/**
 * Where the check-out panel says an error from POST /api/loans. Both of the hub's 404s are told
 * apart by their `code` (CHECK_OUT_NOT_FOUND), never by the status alone or the words.
 *
 * @returns `asset` for an unknown asset tag (`asset_not_found`); `borrower` for an unknown
 *   borrower (`borrower_not_found`), a disabled one (`borrower_disabled`) or a 400 that starts
 *   with `borrowerId` (badRequestFieldsOf); null for anything else, said above the buttons
 */
export function checkOutFieldOf(error: unknown): 'asset' | 'borrower' | null {
  const notFound = refusalCodeOf(error, 404, CHECK_OUT_NOT_FOUND);
  if (notFound === 'asset_not_found') {
    return 'asset';
  }
  return notFound === 'borrower_not_found' ||
    isBorrowerRefusal(error) ||
    badRequestFieldsOf(error, ['borrowerId'])?.field
    ? 'borrower'
    : null;
}

/** Whether a check-out's error is the borrower's account being disabled (said at the borrower). */
export function isBorrowerRefusal(error: unknown): boolean {
  return checkOutRefusalOf(error) === 'borrower_disabled';
}

/** A 400's part as said beside its field: a sentence, the field in words ("Damage notes must …"). */
const inPlainWords = (part: string) => plainFieldNames(sentence(part));

/** The check-out form's fields that the hub's refusals are said beside. */
export type CheckOutField = 'borrowerId' | 'dueAt' | 'conditionOut';

/**
 * Where the check-out panel says an error of POST /api/loans: an unknown asset tag (`asset`, under
 * the heading), an unknown or disabled borrower beside the borrower (checkOutFieldOf), and each
 * "; "-joined part of a 400 beside the field it starts with (badRequestPlacesOf: "conditionOut
 * must be at most 200 characters" beside Condition going out, in plain words), the rest above the buttons
 * (`form`; null when every part has a field, undefined: say the error itself).
 */
export function checkOutErrorsOf(error: unknown): {
  asset: string | null;
  byField: Partial<Record<CheckOutField, string>>;
  form?: string | null;
} {
  const field = checkOutFieldOf(error);
  const words = error instanceof ApiError ? error.message : null;
  if (field === 'asset') {
    return { asset: words, byField: {}, form: null };
  }
  const placed = badRequestPlacesOf(
    error,
    ['borrowerId', 'dueAt', 'conditionOut'] as const,
    inPlainWords,
  );
  if (placed) {
    return { asset: null, ...placed };
  }
  if (field === 'borrower' && words) {
    return { asset: null, byField: { borrowerId: words }, form: null };
  }
  return { asset: null, byField: {} };
}

/** The check-in form's fields that the hub's 400 is said beside. */
export type CheckInField = 'condition' | 'damageNotes';

/**
 * Where the check-in panel says an error of POST /api/loans/:id/return: each "; "-joined part of
 * a 400 beside the field it starts with ("damageNotes must be at most 1000 characters" beside
 * Damage notes), the rest above the buttons (`form`, as checkOutErrorsOf's).
 */
export function checkInErrorsOf(error: unknown): {
  byField: Partial<Record<CheckInField, string>>;
  form?: string | null;
} {
  return (
    badRequestPlacesOf(error, ['condition', 'damageNotes'] as const, inPlainWords) ?? {
      byField: {},
    }
  );
}
