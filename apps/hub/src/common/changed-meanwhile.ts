// A change made from an older read of a record that its editor sends whole (a policy's settings,
// a class's teachers, tablets and timetable, an account's roles) would put back, silently, what
// someone else saved since. Such a route takes the record's `revision` or `updatedAt` as read,
// checks it under the record's row lock or a conditional update, and refuses a stale one with
// this 409; nothing is written or audited. Without the field the change is made as before.
import type { ConflictException } from '@nestjs/common';
import { codedConflict } from './coded-refusal';

/** The `code` beside the 409 (POLICY_REFUSALS, CLASS_UPDATE_REFUSALS, STAFF_UPDATE_REFUSALS). */
export const CHANGED_MEANWHILE = 'changed_meanwhile';

/**
 * The 409 `changed_meanwhile` in plain words: "<thing> was changed by someone else <after>[:
 * <now>]. Nothing was saved: read it again and make the change there".
 *
 * @param thing the record as a person names it, starting with a capital: `Class "7B Maths"`,
 *   `The account of Ms Patel (mpatel)`
 * @param after what the change was made from: by default "after you read it"
 * @param now what it is now, when there is something to say ("it is now at revision 3")
 * @returns the exception to throw (inside the write's transaction, so nothing is saved)
 */
export function changedMeanwhile(
  thing: string,
  after = 'after you read it',
  now?: string,
): ConflictException {
  return codedConflict(
    CHANGED_MEANWHILE,
    `${thing} was changed by someone else ${after}${now ? `: ${now}` : ''}. Nothing was saved: ` +
      'read it again and make the change there',
  );
}

/**
 * Whether a record whose `updatedAt` is `current` (read under its row lock) is still the one a
 * change was made from.
 *
 * @param readAt the record's `updatedAt` as the client read it (RFC 3339, validated by the DTO),
 *   or undefined when the client did not say (then there is nothing to check: true)
 * @param current the record's `updatedAt` now, to the millisecond as stored
 */
export function isUnchangedSince(readAt: string | undefined, current: Date): boolean {
  return readAt === undefined || new Date(readAt).getTime() === current.getTime();
}
