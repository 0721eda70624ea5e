// The hub names the field at fault in a policy's errors ("settings.screen.autoLockMinutes:
// screen.autoLockMinutes must be between 1 and 60", apps/hub/src/policies/policies.service.ts,
// from PolicyValidationError in libs/policy). This turns such a message into the form field it
// belongs to and plain words for beside that field. A name another policy has is told by the
// hub's `code` (POLICY_REFUSALS), never by the words of its message.
import { plainFieldNames, POLICY_REFUSALS, type PolicyRefusal } from '@app/hub-api';
import type { SettingPath } from '@app/policy/settings';
import { badRequestFieldsOf, badRequestPlacesOf } from '../api/bad-request-fields';
import { ApiError, conflictCodeOf, sentence } from '../api/client';
import { SETTING_FIELDS, settingLabel } from './policy-form';

/**
 * Where an error shows: a setting (`screen.autoLockMinutes`), one network's field
 * (`wifi.networks[0].password`), a setting's enforced switch (`camera.allowed#enforced`), or
 * `name` / `description`.
 */
export type FieldKey = string;

export interface FieldErrors {
  /** Errors by field key; empty when the error names no field of the form. */
  byField: Record<FieldKey, string>;
  /** The error as a whole, for the top of the form. */
  error: unknown;
  /** A refusal's parts that name no field of the form, in words (null: none, or not a refusal). */
  form: string | null;
}

const FIELD_AT_START =
  /^(?:settings\.)?([a-z]+\.[a-z]+(?:\[\d+\](?:\.[a-z]+)?)?|enforced\[\d+\])\s*:\s*/i;

/** Puts setting names for people in place of the dotted paths in the hub's words. */
function plainWords(text: string): string {
  const paths = (Object.keys(SETTING_FIELDS) as SettingPath[]).sort((a, b) => b.length - a.length);
  let out = text;
  for (const path of paths) {
    out = out.split(path).join(`“${settingLabel(path)}”`);
  }
  return out.charAt(0).toUpperCase() + out.slice(1);
}

/**
 * Which of the hub's policy refusals an error from POST or PATCH /api/policies is, by the `code`
 * the hub answers beside its message (POLICY_REFUSALS): null for any other error, and for a 409
 * without a known code. Never read from the message, whose words may change.
 */
export function policyRefusalOf(error: unknown): PolicyRefusal | null {
  return conflictCodeOf(error, POLICY_REFUSALS);
}

/**
 * The words for beside a policy's name field: a name another policy has (by the hub's code), or
 * the parts of a 400 that start with `name` (badRequestPlacesOf: of "name …; description …" only
 * the first); else null.
 */
export function policyNameErrorOf(error: unknown): string | null {
  if (!(error instanceof ApiError)) {
    return null;
  }
  if (policyRefusalOf(error) === 'name_taken') {
    return error.message;
  }
  return badRequestPlacesOf(error, ['name'])?.byField.name ?? null;
}

/**
 * Reads an error from saving a policy, part by part: each "; "-joined part of its message goes
 * beside the setting (`settings.screen.autoLockMinutes: …`) or the field (`name`, `description`)
 * it starts with; the parts that start with none are `form`. `sentEnforced` is the enforced list
 * as sent, to find the setting an `enforced[i]` error is about.
 */
export function fieldErrorsOf(error: unknown, sentEnforced: readonly string[]): FieldErrors {
  const byField: Record<FieldKey, string> = {};
  if (!(error instanceof ApiError) || error.status >= 500) {
    return { byField, error, form: null };
  }
  if (policyRefusalOf(error) === 'name_taken') {
    byField.name = error.message;
    return { byField, error, form: null };
  }
  // A 400 is read part by part; any other refusal is one part, as the hub wrote it.
  const parts = badRequestFieldsOf(error, ['name', 'description'] as const)?.parts ?? [
    { field: null, text: error.message },
  ];
  const unplaced: string[] = [];
  const put = (key: FieldKey, text: string) => {
    byField[key] = byField[key] ? `${byField[key]} ${text}` : text;
  };
  for (const part of parts) {
    const match = FIELD_AT_START.exec(part.text);
    if (match) {
      const field = match[1];
      // The rest repeats the path first ("screen.autoLockMinutes must be …"): say it without it.
      let rest = part.text.slice(match[0].length);
      if (rest.toLowerCase().startsWith(field.toLowerCase())) {
        rest = rest.slice(field.length).trim();
      }
      const enforcedIndex = /^enforced\[(\d+)\]$/i.exec(field);
      if (enforcedIndex) {
        const path = sentEnforced[Number(enforcedIndex[1])];
        if (path) {
          put(`${path}#enforced`, plainWords(rest));
        } else {
          unplaced.push(plainFieldNames(sentence(part.text)));
        }
      } else {
        const [, group, key, index, sub] =
          /^([a-z]+)\.([a-z]+)(?:\[(\d+)\](?:\.([a-z]+))?)?$/i.exec(field) as RegExpExecArray;
        const path = `${group}.${key}` as SettingPath;
        if (SETTING_FIELDS[path]) {
          if (SETTING_FIELDS[path].kind === 'networks' && index !== undefined) {
            put(sub ? `${path}[${index}].${sub}` : path, plainWords(rest));
          } else if (index !== undefined) {
            put(path, `Line ${Number(index) + 1}: ${plainWords(rest)}`);
          } else {
            put(path, plainWords(rest));
          }
        } else {
          unplaced.push(plainFieldNames(sentence(part.text)));
        }
      }
    } else if (part.field) {
      put(part.field, sentence(part.text));
    } else {
      unplaced.push(plainFieldNames(sentence(part.text)));
    }
  }
  return { byField, error, form: unplaced.length ? unplaced.join(' ') : null };
}
