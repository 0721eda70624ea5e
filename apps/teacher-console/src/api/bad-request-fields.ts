// Where a form says the hub's 400: the one rule every screen places a validation message by.
// The hub names the field at fault first in each of its validation messages ("minutes must be
// between 1 and 240", "payload.text is required", "assetTags: no asset with tag X"), and joins
// several with "; " (apps/hub/src/common/validation.ts, flattenValidationErrors, and the services'
// own BadRequestExceptions). So a message goes beside a field only when it starts with that
// field's name; one that merely holds the name later ("minutes is not a field of app.lock") is
// not about that field, and is said at the form's level.
import { plainFieldNames } from '@app/hub-api';
import { ApiError, describeError, sentence } from './client';

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

/** A 400 placed part by part: see badRequestPlacesOf. */
export interface BadRequestPlaces<F extends string> {
  /** Each field's parts, each a sentence, joined by a space (in the message's order). */
  byField: Partial<Record<F, string>>;
  /**
   * The parts that start with none of the fields, each a sentence in plain words as describeError
   * says a whole message (plainFieldNames), joined by a space; else null.
   */
  form: string | null;
}

/**
 * A 400 read part by part (badRequestFieldsOf's `parts`): each "; "-joined part goes beside the
 * field it starts with, the rest to the form's own error, so "assetTag must …; serialNumber
 * must …" says each half at its own field.
 *
 * @param words how a part beside its field is written for people (default: a sentence, capital
 *   first and a full stop last, as the client writes a whole message)
 * @returns null for anything but an ApiError of status 400
 */
export function badRequestPlacesOf<F extends string>(
  error: unknown,
  fields: readonly F[],
  words: (part: string) => string = sentence,
): BadRequestPlaces<F> | null {
  const refused = badRequestFieldsOf(error, fields);
  if (!refused) {
    return null;
  }
  const byField: Partial<Record<F, string>> = {};
  const rest: string[] = [];
  for (const { field, text } of refused.parts) {
    if (field) {
      byField[field] = byField[field] ? `${byField[field]} ${words(text)}` : words(text);
    } else {
      rest.push(plainFieldNames(sentence(text)));
    }
  }
  return { byField, form: rest.length ? rest.join(' ') : null };
}

/** A dialog's error for its one field the hub may name, and for above its buttons. */
export interface OneFieldErrors {
  /** The 400's parts that start with the field (each a sentence); null for none. */
  atField: string | null;
  /** What to say above the buttons: the parts that start with no field, or, when none is at the
   * field, the whole error in words (describeError); null for no error, or nothing left. */
  form: string | null;
}

/** A dialog with one field the hub's 400 may name: badRequestPlacesOf for that one field. */
export function oneFieldErrorsOf(error: unknown, field: string): OneFieldErrors {
  if (error === null || error === undefined) {
    return { atField: null, form: null };
  }
  const placed = badRequestPlacesOf(error, [field]);
  const atField = placed?.byField[field] ?? null;
  return { atField, form: atField === null ? describeError(error) : (placed?.form ?? null) };
}

/**
 * A form's errors for any error it got: a 400 placed part by part (badRequestPlacesOf), each part
 * beside its field in plain words (plainFieldNames: "targetId" is "Target ID"); anything else
 * whole above the buttons (describeError); no error, nothing.
 *
 * @param fields the request's property names the form shows beside a field
 */
export function formErrorsOf<F extends string>(
  error: unknown,
  fields: readonly F[],
): BadRequestPlaces<F> {
  if (error === null || error === undefined) {
    return { byField: {}, form: null };
  }
  return (
    badRequestPlacesOf(error, fields, (part) => sentence(plainFieldNames(part))) ?? {
      byField: {},
      form: describeError(error),
    }
  );
}
