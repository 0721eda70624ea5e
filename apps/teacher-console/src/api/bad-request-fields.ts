// Where a form says the hub's 400: the one rule every screen places a validation message by.
// The hub names the field at fault first in each of its validation messages ("minutes must be
// between 1 and 240", "payload.text is required", "assetTags: no asset with tag X"), and joins
// several with "; " (apps/hub/src/common/validation.ts, flattenValidationErrors, and the services'
// own BadRequestExceptions). So a message goes beside a field only when it starts with that
// field's name; one that merely holds the name later ("minutes is not a field of app.lock") is
// not about that field, and is said at the form's level.
import { ApiError } from './client';

/** One "; "-joined part of a 400's message, and the field it starts with (null: none). */
export interface BadRequestPart<F extends string> {
  field: F | null;
  /** The part's words as the client read them, without the "; " around it. */
  text: string;
}

/** A 400 read against a form's fields: see badRequestFieldsOf. */
export interface BadRequestFields<F extends string> {
  /** The whole message, as the client read it (a sentence: "Minutes must be …."). */
  message: string;
  /** The field the whole message starts with: where a form that shows it whole says it. */
  field: F | null;
  /** Its "; "-joined parts in order, each with the field it starts with: for a form that splits. */
  parts: BadRequestPart<F>[];
}

/**
 * Which of a form's fields the hub's 400 is about, by the rule the hub writes its validation
 * messages to: a message (or one "; "-joined part of it) is about a field only when it STARTS with
 * that field's name as the request spells it, in any case (the client capitalises the first
 * letter), and the name ends there: the next character is not a letter, digit or underscore
 * ("name must …", "name: …", "payload.text must …"), so `name` never takes "nameKey must …" nor
 * `to` "total must …". When several of `fields` match (`payload` and `payload.text`), the longest
 * does. Anything the rule places at no field is for the form's own error.
 *
 * @param error what an `api()` call rejected with
 * @param fields the request's property names that the form shows beside a field ("appId",
 *   "payload.message", "borrowerId")
 * @returns null for anything but an ApiError of status 400; else the whole `message`, the `field`
 *   it starts with (null for none), and its `parts` split at "; " (each trimmed, with its field)
 */
export function badRequestFieldsOf<F extends string>(
  error: unknown,
  fields: readonly F[],
): BadRequestFields<F> | null {
  if (!(error instanceof ApiError) || error.status !== 400) {
    return null;
  }
  const message = error.message;
  return {
    message,
    field: fieldNamedFirst(message, fields),
    parts: message.split(/;\s+/).map((raw) => {
      const text = raw.trim();
      return { field: fieldNamedFirst(text, fields), text };
    }),
  };
}

/** The longest of `fields` that `text` starts with (any case), followed by no name character. */
function fieldNamedFirst<F extends string>(text: string, fields: readonly F[]): F | null {
  const lower = text.toLowerCase();
  let named: F | null = null;
  for (const field of fields) {
    if (
      lower.startsWith(field.toLowerCase()) &&
      !/^\w/.test(text.slice(field.length)) &&
      (named === null || field.length > named.length)
    ) {
      named = field;
    }
  }
  return named;
}
