// The loans screens' addresses, and how the hub's AUP refusal is recognised at the desk.
export type { Borrower } from '@app/hub-api';

export const LOANS_PATH = '/api/loans';
export const ASSETS_PATH = '/api/assets';
export const AUP_PATH = '/api/aup';
/** GET: staff to lend to, by name, with whether each accepted the current AUP. */
export const BORROWERS_PATH = '/api/loans/borrowers';
export const byTagPath = (tag: string) => `/api/assets/by-tag/${encodeURIComponent(tag)}`;

/** Whether a 409 from POST /api/loans is the hub's "has not accepted the AUP" refusal. */
export function isAupRefusal(message: string): boolean {
  return /acceptable use policy|\bAUP\b/i.test(message);
}

/**
 * Whether a check-out's 409 is about the asset (not available any more: another desk checked it
 * out first, "Asset LOAN-001 is not available: it is on loan", "… was checked out at the same
 * moment") rather than about the borrower (disabled, AUP not accepted).
 */
export function isAssetRefusal(error: { status: number; message: string }): boolean {
  return error.status === 409 && /^Asset /.test(error.message);
}
