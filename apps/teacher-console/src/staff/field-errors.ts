// The hub answers a bad form with one 400 whose message names the fields at fault, joined by
// "; " ("Username must be 2 to 64 lowercase letters…; Password must have a number."), and a 409
// with `code` `username_taken` for a username already taken. This splits such an answer so each
// part goes beside its field; a 409 goes by its code, never by its words.
import { plainFieldNames, STAFF_REFUSALS, type StaffRefusal } from '@app/hub-api';
import { formErrorsOf } from '../api/bad-request-fields';
import { ApiError, conflictCodeOf, sentence } from '../api/client';

/**
 * Which of the hub's staff refusals an error from POST /api/staff is, by the `code` the hub
 * answers beside its message (STAFF_REFUSALS): null for any other error, and for a 409 without a
 * known code. Never read from the message, whose words may change.
 */
export function staffRefusalOf(error: unknown): StaffRefusal | null {
  return conflictCodeOf(error, STAFF_REFUSALS);
}

/**
 * The error's parts by field (formErrorsOf: each part of a 400 beside the field it starts with,
 * the rest and anything else at the form), and a taken username (by its code) at `username`
 * when it is one of `fields`.
 *
 * @param fields the body's property names, as the hub's messages start ("username", "roles")
 */
export function fieldErrors<F extends string>(
  error: unknown,
  fields: readonly F[],
): { byField: Partial<Record<F, string>>; form: string | null } {
  if (staffRefusalOf(error) === 'username_taken' && fields.some((name) => name === 'username')) {
    return {
      byField: {
        ['username' as F]: sentence(plainFieldNames((error as ApiError).message)),
      } as Partial<Record<F, string>>,
      form: null,
    };
  }
  return formErrorsOf(error, fields);
}
