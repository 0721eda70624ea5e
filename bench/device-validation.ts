// npm run bench:validation — the device messages the hub and every device check at a fan-out
// (a state report, a command answer, a whole command), checked by the hand-written field tables
// that libs/devices/src/validation.ts had before issue 9 (copied below, as they were with the
// 1.1 `unenforced` list) and by the compiled ajv schemas that replaced them. Prints operations
// per second for both. Not a test: run it on a quiet machine.
import { performance } from 'node:perf_hooks';
import { isUUID } from 'class-validator';
import {
  plainTextProblem,
  rfc3339Problem,
  type PlainTextRule,
  validateCommandAnswer,
  validateCommandEnvelope,
  validateDeviceState,
  APP_ID_MAX_LENGTH,
  COMMAND_ANSWER_STATUSES,
  COMMAND_TYPES,
  isCommandType,
  LOCK_MESSAGE_MAX_LENGTH,
  LOCK_REASONS,
  MESSAGE_FROM_MAX_LENGTH,
  MESSAGE_TEXT_MAX_LENGTH,
  SETTING_PATH_MAX_LENGTH,
  UNENFORCED_MAX_ENTRIES,
  type CommandAnswer,
  type CommandEnvelope,
  type CommandPayloadMap,
  type CommandType,
  type DeviceState,
} from '@app/devices';

// The messages: what a fan-out of a policy change and a class lock carries.

const VERSION = '9c4e0f6c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f';

const STATE_REPORT = {
  locked: false,
  appLock: null,
  policyVersion: VERSION,
  battery: 57,
  charging: false,
  storageFreeMb: 10240,
  osVersion: '17.4',
  agentVersion: '2.1.0',
  ssid: 'School-WiFi',
  pendingPhotos: 3,
};
const SMALL_STATE = { locked: true, appLock: 'com.apple.Pages', policyVersion: null };
const ACKNOWLEDGED = { status: 'acknowledged' };
const PARTIAL = {
  status: 'acknowledged',
  unenforced: ['wifi.allowedSsids', 'apps.mode', 'passcode.minLength'],
};
const NOT_NOW = { status: 'not_now', detail: 'on battery saver' };
const LOCK = {
  id: '0b7e4c7e-8f0a-4f57-9a3e-2d3c9a1b5e6f',
  type: 'device.lock',
  payload: { reason: 'class', message: 'Eyes on the board, please' },
  issuedAt: '2025-11-24T16:02:11.318Z',
  expiresAt: '2025-11-24T17:02:11.318Z',
};
const POLICY = {
  id: '1c8f5d8f-9a1b-4a68-8b4f-3e4dab2c6f70',
  type: 'policy.apply',
  payload: { policyVersion: VERSION, settings: { camera: { allowed: false } } },
  issuedAt: '2025-11-24T16:02:11.318Z',
};
const BAD_STATE = { ...STATE_REPORT, battery: 101, location: 'Room 4' };

interface Case {
  name: string;
  table: () => { ok: boolean };
  ajv: () => { ok: boolean };
}

const CASES: Case[] = [
  {
    name: 'state report (every field)',
    table: () => tableDeviceState(STATE_REPORT),
    ajv: () => validateDeviceState(STATE_REPORT),
  },
  {
    name: 'state report (required fields)',
    table: () => tableDeviceState(SMALL_STATE),
    ajv: () => validateDeviceState(SMALL_STATE),
  },
  {
    name: 'answer acknowledged',
    table: () => tableCommandAnswer(ACKNOWLEDGED),
    ajv: () => validateCommandAnswer(ACKNOWLEDGED),
  },
  {
    name: 'answer acknowledged + unenforced',
    table: () => tableCommandAnswer(PARTIAL),
    ajv: () => validateCommandAnswer(PARTIAL),
  },
  {
    name: 'answer not_now + detail',
    table: () => tableCommandAnswer(NOT_NOW),
    ajv: () => validateCommandAnswer(NOT_NOW),
  },
  {
    name: 'command device.lock',
    table: () => tableCommandEnvelope(LOCK),
    ajv: () => validateCommandEnvelope(LOCK),
  },
  {
    name: 'command policy.apply',
    table: () => tableCommandEnvelope(POLICY),
    ajv: () => validateCommandEnvelope(POLICY),
  },
  {
    name: 'state report refused (2 faults)',
    table: () => tableDeviceState(BAD_STATE),
    ajv: () => validateDeviceState(BAD_STATE),
  },
];

/** Operations per second of `run`, best of `rounds` timed rounds of `iterations` calls. */
function opsPerSecond(run: () => { ok: boolean }, iterations: number, rounds: number): number {
  let best = Infinity;
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) {
      sink += run().ok ? 1 : 0;
    }
    best = Math.min(best, performance.now() - start);
  }
  if (sink < 0) {
    console.log(sink);
  }
  return (iterations / best) * 1000;
}

function main(): void {
  const iterations = Number(process.argv.find((a) => a.startsWith('--iterations='))?.slice(13));
  const count = Number.isFinite(iterations) && iterations > 0 ? iterations : 200_000;
  console.log(`bench:validation — ${count} calls a round, best of 5 rounds`);
  console.log(
    `${'message'.padEnd(36)}${'tables ops/s'.padStart(16)}${'ajv ops/s'.padStart(16)}  ajv/tables`,
  );
  for (const c of CASES) {
    if (c.table().ok !== c.ajv().ok) {
      throw new Error(`${c.name}: the tables and ajv disagree`);
    }
    // Warm both up before timing, so neither pays for the JIT in its figure.
    opsPerSecond(c.table, count / 4, 1);
    opsPerSecond(c.ajv, count / 4, 1);
    const table = opsPerSecond(c.table, count, 5);
    const ajv = opsPerSecond(c.ajv, count, 5);
    console.log(
      `${c.name.padEnd(36)}${Math.round(table).toLocaleString('en-GB').padStart(16)}` +
        `${Math.round(ajv).toLocaleString('en-GB').padStart(16)}  ${(ajv / table).toFixed(2)}`,
    );
  }
}

// The field tables, as libs/devices/src/validation.ts had them before issue 9.

type ValidationOutcome<T> = { ok: true; payload: T } | { ok: false; errors: string[] };

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
// A dotted path of protocol section 4 (`wifi.allowedSsids`). Which paths exist is @app/policy's
// to say (the hub checks that); here only the form, so a newer device's path is not an error.
const settingPathList = (value: unknown) =>
  Array.isArray(value) &&
  value.every(
    (entry) =>
      typeof entry === 'string' &&
      entry.length <= SETTING_PATH_MAX_LENGTH &&
      /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$/.test(entry),
  )
    ? null
    : 'must be an array of dotted setting paths (such as wifi.allowedSsids)';
const maxEntries = (limit: number) => (value: unknown[]) =>
  value.length <= limit ? null : `must contain no more than ${limit} elements`;
const distinct = (value: unknown[]) =>
  new Set(value).size === value.length ? null : 'must not list a setting twice';
const policyVersion = (value: string) =>
  /^[0-9a-f]{64}$/.test(value) ? null : 'must be 64 lowercase hex characters';

// The shapes.

const EMPTY: Shape = {};

const COMMAND_PAYLOAD_SHAPES: { [T in CommandType]: Shape } = {
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

/** The envelope around a command; its payload is checked by `tableCommandPayload`. */
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
  // Since 1.1; only with `acknowledged` (checked in tableCommandAnswer) and only to a
  // `policy.apply` (checked by the hub, which knows what the answer is to).
  unenforced: {
    type: settingPathList,
    rules: [maxEntries(UNENFORCED_MAX_ENTRIES), distinct],
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
function tableCommandPayload<T extends CommandType>(
  type: T,
  payload: unknown,
): ValidationOutcome<CommandPayloadMap[T]>;
function tableCommandPayload(
  type: string,
  payload: unknown,
): ValidationOutcome<CommandPayloadMap[CommandType]>;
function tableCommandPayload(
  type: string,
  payload: unknown,
): ValidationOutcome<CommandPayloadMap[CommandType]> {
  if (!isCommandType(type)) {
    return { ok: false, errors: [`type must be one of ${COMMAND_TYPES.join(', ')}`] };
  }
  return validateShape(COMMAND_PAYLOAD_SHAPES[type], payload, 'payload');
}

/** Checks a `state` event from a device. */
function tableDeviceState(input: unknown): ValidationOutcome<DeviceState> {
  return validateShape(STATE, input, 'state');
}

/** Checks a device's answer to a command. */
function tableCommandAnswer(input: unknown): ValidationOutcome<CommandAnswer> {
  const outcome = validateShape<CommandAnswer>(ANSWER, input, 'answer');
  if (outcome.ok && outcome.payload.unenforced !== undefined) {
    if (outcome.payload.status !== 'acknowledged') {
      return { ok: false, errors: ['answer.unenforced is only allowed with status acknowledged'] };
    }
  }
  return outcome;
}

/** Checks a whole command as a device receives it: the envelope, then the payload for its type. */
function tableCommandEnvelope(input: unknown): ValidationOutcome<CommandEnvelope> {
  const envelope = validateShape<{ type: string; payload: unknown }>(ENVELOPE, input, 'command');
  if (!envelope.ok) {
    return envelope;
  }
  const payload = tableCommandPayload(envelope.payload.type, envelope.payload.payload);
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

main();
