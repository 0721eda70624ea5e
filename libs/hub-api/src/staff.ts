// Staff accounts (/api/staff): what a client reads beside the shapes in responses.ts.

/**
 * The `code` of each 409 of POST /api/staff that a client tells apart, beside its message in
 * plain words (the console says it at the username field; the words may change):
 * - `username_taken`: another account has that username.
 * Its other 409 (your own account was disabled or lost the ict role meanwhile) carries no code.
 */
export const STAFF_REFUSALS = ['username_taken'] as const;
export type StaffRefusal = (typeof STAFF_REFUSALS)[number];
