// The checks the hub and every device run on what crosses the /device namespace (protocol
// section 3): a command's payload, a whole command as a device receives it, a device's answer and
// its reported state. Each shape is a table of fields, and every refusal names the field.
//
// These are plain functions over field tables, like the policy settings in @app/policy, rather
// than class-validator DTOs: at a fan-out every device checks one command and the hub checks one
// answer and one state report per device, and class-validator (which looks up every decorated
// class it knows on each call) was the largest cost of all three, 60 to 100 µs a message under
// load. The messages are the ones class-validator gave, so nothing a device or a person reads
// changed, except for times and free text, which follow ./input-rules (issue 8, items 16, 17). String formats come from class-validator's own functions (validator.js).

import { isUUID } from 'class-validator';
import { plainTextProblem, rfc3339Problem, type PlainTextRule } from './input-rules';
import {
  APP_ID_MAX_LENGTH,
  COMMAND_ANSWER_STATUSES,
  COMMAND_TYPES,
  isCommandType,
  LOCK_MESSAGE_MAX_LENGTH,
  LOCK_REASONS,
  MESSAGE_FROM_MAX_LENGTH,
  MESSAGE_TEXT_MAX_LENGTH,
  type CommandAnswer,
  type CommandEnvelope,
  type CommandPayloadMap,
  type CommandType,
  type DeviceState,
} from './protocol';

export type ValidationOutcome<T> = { ok: true; payload: T } | { ok: false; errors: string[] };

/**
 * One field's rules. `type` is checked first and, when it fails, is the only complaint about
 * the field; otherwise every rule that fails is reported. Messages follow the field's name.
 */
interface FieldRule {
  type: (value: unknown) => string | null;
  rules?: ((value: never) => string | null)[];
  /** May be absent. */
  optional?: boolean;
  /** May be `null`. */
  nullable?: boolean;
}

type Shape = Record<string, FieldRule>;

// Field types.

const string = (value: unknown) => (typeof value === 'string' ? null : 'must be a string');
const boolean = (value: unknown) => (typeof value === 'boolean' ? null : 'must be a boolean value');
const integer = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) ? null : 'must be an integer number';
const finiteNumber = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value)
    ? null
    : 'must be a number conforming to the specified constraints';
const object = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? null : 'must be an object';
const oneOf = (values: readonly string[]) => (value: unknown) =>
  typeof value === 'string' && values.includes(value)
    ? null
    : `must be one of ${values.join(', ')}`;
const uuid = (value: unknown) =>
  typeof value === 'string' && isUUID(value) ? null : 'must be a UUID';
// Issue 8 item 16: one form of time everywhere, the one the hub writes (toISOString).
const isoTime = (value: unknown) => rfc3339Problem(value);

// Rules on a value of the right type.

const min = (limit: number) => (value: number) =>
  value >= limit ? null : `must not be less than ${limit}`;
const max = (limit: number) => (value: number) =>
  value <= limit ? null : `must not be greater than ${limit}`;
const maxLength = (limit: number) => (value: string) =>
  value.length <= limit ? null : `must be shorter than or equal to ${limit} characters`;
const length = (limit: number) => (value: string) =>
  value.length >= 1 && value.length <= limit ? null : `must be 1 to ${limit} characters`;
// Issue 8 item 17: text that reaches a screen, the database (PostgreSQL refuses U+0000) or a CSV.
// The length has its own rule beside it (with the message devices already know), so not here;
// nor the empty string, which that rule refuses where it must. Blank text is refused here.
const plainText = (rule: Omit<PlainTextRule, 'max'>) => (value: string) =>
  plainTextProblem(value, { ...rule, max: Infinity });
const policyVersion = (value: string) =>
  /^[0-9a-f]{64}$/.test(value) ? null : 'must be 64 lowercase hex characters';

// The shapes.

const EMPTY: Shape = {};

export const COMMAND_PAYLOAD_SHAPES: { [T in CommandType]: Shape } = {
  'device.lock': {
    message: {
      type: string,
      rules: [maxLength(LOCK_MESSAGE_MAX_LENGTH), plainText({ multiline: true, allowEmpty: true })],
      optional: true,
    },
    reason: { type: oneOf(LOCK_REASONS) },
  },
  'device.unlock': EMPTY,
  'app.lock': {
    appId: {
      type: string,
      rules: [length(APP_ID_MAX_LENGTH), plainText({ allowEmpty: true })],
    },
  },
  'app.unlock': EMPTY,
  'policy.apply': {
    policyVersion: { type: string, rules: [policyVersion] },
    // The settings' own shape is checked by @app/policy, which owns it.
    settings: { type: object },
  },
  'message.show': {
    text: {
      type: string,
      rules: [length(MESSAGE_TEXT_MAX_LENGTH), plainText({ multiline: true, allowEmpty: true })],
    },
    from: {
      type: string,
      rules: [length(MESSAGE_FROM_MAX_LENGTH), plainText({ allowEmpty: true })],
    },
  },
  'photos.sync': EMPTY,
  'device.unenroll': EMPTY,
};

/** The envelope around a command; its payload is checked by `validateCommandPayload`. */
const ENVELOPE: Shape = {
  id: { type: uuid },
  type: { type: oneOf(COMMAND_TYPES) },
  payload: { type: object },
  issuedAt: { type: isoTime },
  expiresAt: { type: isoTime, optional: true },
};

const ANSWER: Shape = {
  status: { type: oneOf(COMMAND_ANSWER_STATUSES) },
  detail: {
    type: string,
    rules: [maxLength(1000), plainText({ multiline: true, allowBlank: true })],
    optional: true,
  },
};

const STATE: Shape = {
  locked: { type: boolean },
  appLock: { type: string, rules: [length(APP_ID_MAX_LENGTH)], nullable: true },
  policyVersion: { type: string, rules: [policyVersion], nullable: true },
  battery: { type: integer, rules: [min(0), max(100)], optional: true },
  charging: { type: boolean, optional: true },
  storageFreeMb: { type: finiteNumber, rules: [min(0)], optional: true },
  osVersion: {
    type: string,
    rules: [maxLength(100), plainText({ allowBlank: true })],
    optional: true,
  },
  agentVersion: {
    type: string,
    rules: [maxLength(100), plainText({ allowBlank: true })],
    optional: true,
  },
  // An SSID is at most 32 octets; characters outside ASCII take more than one, so allow slack.
  ssid: {
    type: string,
    rules: [maxLength(64), plainText({ allowBlank: true })],
    optional: true,
    nullable: true,
  },
  pendingPhotos: { type: integer, rules: [min(0)], optional: true },
};

// The checks.

/** Checks a command's payload against the shape for its type. */
export function validateCommandPayload<T extends CommandType>(
  type: T,
  payload: unknown,
): ValidationOutcome<CommandPayloadMap[T]>;
export function validateCommandPayload(
  type: string,
  payload: unknown,
): ValidationOutcome<CommandPayloadMap[CommandType]>;
export function validateCommandPayload(
  type: string,
  payload: unknown,
): ValidationOutcome<CommandPayloadMap[CommandType]> {
  if (!isCommandType(type)) {
    return { ok: false, errors: [`type must be one of ${COMMAND_TYPES.join(', ')}`] };
  }
  return validateShape(COMMAND_PAYLOAD_SHAPES[type], payload, 'payload');
}

/** Checks a `state` event from a device. */
export function validateDeviceState(input: unknown): ValidationOutcome<DeviceState> {
  return validateShape(STATE, input, 'state');
}

/** Checks a device's answer to a command. */
export function validateCommandAnswer(input: unknown): ValidationOutcome<CommandAnswer> {
  return validateShape(ANSWER, input, 'answer');
}

/** Checks a whole command as a device receives it: the envelope, then the payload for its type. */
export function validateCommandEnvelope(input: unknown): ValidationOutcome<CommandEnvelope> {
  const envelope = validateShape<{ type: string; payload: unknown }>(ENVELOPE, input, 'command');
  if (!envelope.ok) {
    return envelope;
  }
  const payload = validateCommandPayload(envelope.payload.type, envelope.payload.payload);
  if (!payload.ok) {
    return payload;
  }
  return {
    ok: true,
    payload: { ...envelope.payload, payload: payload.payload } as CommandEnvelope,
  };
}

/**
 * Checks `input` field by field: unknown fields first (in the order sent), then each field of
 * the shape in order. Hands back only the fields the shape knows, as they were sent.
 */
function validateShape<T>(shape: Shape, input: unknown, root: string): ValidationOutcome<T> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [`${root} must be an object`] };
  }
  const fields = input as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(fields)) {
    // Own fields of the shape only: `__proto__` or `constructor` are unknown fields too.
    if (!Object.prototype.hasOwnProperty.call(shape, key)) {
      errors.push(`${root}.${key} should not exist`);
    }
  }
  const checked: Record<string, unknown> = {};
  for (const name of Object.keys(shape)) {
    const rule = shape[name];
    const value = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
    if ((value === undefined && rule.optional) || (value === null && rule.nullable)) {
      if (value === null) {
        checked[name] = null;
      }
      continue;
    }
    const wrongType = rule.type(value);
    if (wrongType) {
      errors.push(`${root}.${name} ${wrongType}`);
      continue;
    }
    for (const check of rule.rules ?? []) {
      const problem = check(value as never);
      if (problem) {
        errors.push(`${root}.${name} ${problem}`);
      }
    }
    checked[name] = value;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, payload: checked as T };
}
