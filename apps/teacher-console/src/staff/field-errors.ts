// The hub answers a bad form with one 400 whose message names the fields at fault, joined by
// "; " ("Username must be 2 to 64 lowercase letters…; Password must have a number."), and a 409
// for a username already taken. This splits such an answer so each part goes beside its field.
import { plainFieldNames } from '@app/hub-api';
import { ApiError, describeError } from '../api/client';

/**
 * The error's parts by field: each "; "-separated part that starts with one of `fields` (any
 * case) goes to that field; the rest, and anything that is not a 400/409 from the hub, to `form`.
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
  if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 409)) {
    return { byField, form: describeError(error) };
  }
  const rest: string[] = [];
  for (const raw of error.message.split(/;\s+/)) {
    const part = raw.trim();
    const field = fields.find((name) => part.toLowerCase().startsWith(name.toLowerCase() + ' '));
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
