// Staff accounts (/api/staff): what a client reads beside the shapes in responses.ts.
import type { StaffRole } from './roles';

/**
 * The `code` of each 409 of POST /api/staff that a client tells apart, beside its message in
 * plain words (the console says it at the username field; the words may change):
 * - `username_taken`: another account has that username.
 * Its other 409 (your own account was disabled or lost the ict role meanwhile) carries no code.
 */
export const STAFF_REFUSALS = ['username_taken'] as const;
export type StaffRefusal = (typeof STAFF_REFUSALS)[number];

/**
 * The `code` of each 409 of PATCH /api/staff/:id that a client tells apart, beside its message
 * in plain words:
 * - `changed_meanwhile`: the account changed after the `updatedAt` the change was made from
 *   (UpdateStaffRequest); nothing was saved.
 * Its other 409s (your own account or ict role, a disable at the same moment) carry no code.
 */
export const STAFF_UPDATE_REFUSALS = ['changed_meanwhile'] as const;
export type StaffUpdateRefusal = (typeof STAFF_UPDATE_REFUSALS)[number];

/** PATCH /api/staff/:id (ICT): only the fields given are changed. */
export interface UpdateStaffRequest {
  displayName?: string;
  password?: string;
  roles?: StaffRole[];
  disabled?: boolean;
  /** null removes it. */
  email?: string | null;
  /**
   * The account's `updatedAt` as read when the change was made: an account changed since is not
   * saved over (409 `changed_meanwhile`, STAFF_UPDATE_REFUSALS). Left out: no such check.
   */
  updatedAt?: string;
}
