// The whole numbers staff type or choose in the console, with the range the hub's DTO accepts
// for each: the hub's class-validator decorators (@Min, @Max) and the console's own checks read
// the same constants, so a form never lets through a number the hub refuses. Also the one rule
// by which a form reads what was typed: digits only, so a number too long for JavaScript (which
// JSON would send as null, or rounded) is refused by its range before it is sent.

/** A range of whole numbers, both ends included. */
export interface WholeNumberRange {
  min: number;
  max: number;
}

/** How many devices may enrol with one token: CreateEnrollmentTokenDto `maxUses`. */
export const TOKEN_MAX_USES: WholeNumberRange = Object.freeze({ min: 1, max: 100_000 });

/** How long a token lasts, in minutes (at most 30 days): CreateEnrollmentTokenDto `ttlMinutes`. */
export const TOKEN_TTL_MINUTES: WholeNumberRange = Object.freeze({ min: 1, max: 30 * 24 * 60 });

/** A policy assignment's priority: AssignPolicyDto `priority`. */
export const POLICY_PRIORITY: WholeNumberRange = Object.freeze({ min: -1000, max: 1000 });

/** How long a class allows the camera, in minutes: the `camera.allow` action's `minutes`. */
export const CAMERA_ALLOW_MINUTES: WholeNumberRange = Object.freeze({ min: 1, max: 240 });

/** A timetabled lesson's day, 1 (Monday) to 7 (Sunday): TimetableSlotDto `weekday`. */
export const LESSON_WEEKDAY: WholeNumberRange = Object.freeze({ min: 1, max: 7 });

/** "-1,000", "100,000": how a limit is written for a reader. */
function numberWords(value: number): string {
  return value.toLocaleString('en-GB');
}

/**
 * What was typed as a whole number, if it is one within `range`: digits with an optional minus
 * sign and spaces around, nothing else ("1e3", "1.0", "+5", "10 000" are not). The range is
 * checked on the digits, so a number of any length outside it is refused, never rounded.
 *
 * @param text as typed, e.g. " 250 "
 * @param range the hub's range for the field
 * @returns the number (e.g. 250), or null when the text is not a whole number within `range`
 */
export function wholeNumberIn(text: string, range: WholeNumberRange): number | null {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) {
    return null;
  }
  // Leading zeros do not change a number ("007" is 7); -0 is 0.
  const digits = trimmed.replace(/^(-?)0+(?=\d)/, '$1');
  // More digits than either end has: outside the range whatever they are.
  if (digits.replace('-', '').length > 16) {
    return null;
  }
  const value = Number(digits) || 0;
  return Number.isSafeInteger(value) && value >= range.min && value <= range.max ? value : null;
}

/**
 * The words a form says beside a whole-number field when what was typed is not one within the
 * hub's range: "Priority must be a whole number from -1,000 to 1,000."
 *
 * @param field the field's name as its label says it ("Priority", "How many devices may use it")
 * @param range the hub's range for the field
 */
export function wholeNumberProblem(field: string, range: WholeNumberRange): string {
  return `${field} must be a whole number from ${numberWords(range.min)} to ${numberWords(range.max)}.`;
}
