// The hub answers a bad form with one 400 whose message names the fields at fault, joined by
// "; " ("Username must be 2 to 64 lowercase letters…; Password must have a number."), and a 409
// with `code` `username_taken` for a username already taken. This splits such an answer so each
// part goes beside its field; a 409 goes by its code, never by its words.
import { plainFieldNames, STAFF_REFUSALS, type StaffRefusal } from '@app/hub-api';
import { badRequestFieldsOf } from '../api/bad-request-fields';
import { ApiError, conflictCodeOf, describeError } from '../api/client';

/**
 * Which of the hub's staff refusals an error from POST /api/staff is, by the `code` the hub
 * answers beside its message (STAFF_REFUSALS): null for any other error, and for a 409 without a
 * known code. Never read from the message, whose words may change.
 */
export function staffRefusalOf(error: unknown): StaffRefusal | null {
  return conflictCodeOf(error, STAFF_REFUSALS);
}

/**
 * The error's parts by field: of a 400, each "; "-separated part that starts with one of
 * `fields` (badRequestFieldsOf) goes to that field; a taken username (by its code) to `username` when it is
 * one of `fields`; the rest, and anything else, to `form`.
 *
 * @param fields the body's property names, as the hub's messages start ("username", "roles")
 */
export function fieldErrors<F extends string>(
  error: unknown,
  fields: readonly F[],
): { byField: Partial<Record<F, string>>; form: string | null } {
  const byField: Partial<Record<F, string>> = {};
  if (error === null || error === undefined) {
    return { byField, form: null };
  }
  if (staffRefusalOf(error) === 'username_taken' && fields.some((name) => name === 'username')) {
    byField['username' as F] = sentence((error as ApiError).message);
    return { byField, form: null };
  }
  const refused = badRequestFieldsOf(error, fields);
  if (!refused) {
    return { byField, form: describeError(error) };
  }
  const rest: string[] = [];
  for (const { field, text: part } of refused.parts) {
    if (field) {
      const text = sentence(part);
      byField[field] = byField[field] ? `${byField[field]} ${text}` : text;
    } else {
      rest.push(part);
    }
  }
  return { byField, form: rest.length ? rest.map(sentence).join(' ') : null };
}

function sentence(text: string): string {
  const capital = plainFieldNames(text);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
