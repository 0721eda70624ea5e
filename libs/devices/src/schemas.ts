// The device protocol's messages (protocol section 3) as JSON Schema (draft 7, which AsyncAPI 3's
// default schema format extends): the one description that the hub and every device validate
// against and that the hub serves as its AsyncAPI document, so the two cannot drift apart.
//
// Rules that JSON Schema cannot say are named extensions, compiled as ajv keywords and formats
// by ./validation: `x-plain-text` (the plain-text rule of ./input-rules), the format `uuid`
// (class-validator's isUUID) and the format `date-time` (RFC 3339 as ./input-rules reads it,
// which is stricter than JSON Schema's). Everything here is plain data, frozen, so the objects a
// validator was compiled from are the very objects the document shows.

import {
  APP_ID_MAX_LENGTH,
  COMMAND_ANSWER_STATUSES,
  COMMAND_TYPES,
  LOCK_MESSAGE_MAX_LENGTH,
  LOCK_REASONS,
  MESSAGE_FROM_MAX_LENGTH,
  MESSAGE_TEXT_MAX_LENGTH,
  SETTING_PATH_MAX_LENGTH,
  UNENFORCED_MAX_ENTRIES,
  type CommandType,
} from './protocol';

/** A JSON Schema object, as plain data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * The plain-text rule of ./input-rules for one string field (`plainTextProblem` with no length
 * limit of its own: the schema's `maxLength` says that). Shown in the document as is.
 */
export interface PlainTextKeyword {
  multiline?: boolean;
  allowEmpty?: boolean;
  allowBlank?: boolean;
}

/** The ajv keyword that carries `PlainTextKeyword`. */
export const PLAIN_TEXT_KEYWORD = 'x-plain-text';

/** The lowercase hex SHA-256 of canonical settings (protocol section 4). */
export const POLICY_VERSION_PATTERN = '^[0-9a-f]{64}$';

/** A dotted path of protocol section 4 (`wifi.allowedSsids`): the form only, not the list. */
export const SETTING_PATH_PATTERN = '^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)+$';

/**
 * What a refusal says about a field, by the keyword that failed, where the words cannot be made
 * from the keyword itself (a pattern, a list checked as a whole). `items` covers every problem
 * with an entry of a list. A `{ field, problem }` is said of another field than the one at
 * fault (a status that does not allow a list is the list's fault). Read by ./validation when it
 * words a refusal; not part of the document.
 */
export type FieldProblems = {
  readonly [keyword: string]: string | { readonly field: string; readonly problem: string };
};

export const FIELD_PROBLEMS = new WeakMap<JsonSchema, FieldProblems>();

function frozen<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (typeof inner === 'object' && inner !== null && !Object.isFrozen(inner)) {
      frozen(inner as object);
    }
  }
  return Object.freeze(value);
}

function withProblems(schema: JsonSchema, problems: FieldProblems): JsonSchema {
  FIELD_PROBLEMS.set(schema, problems);
  return schema;
}

function policyVersionField(nullable: boolean, description: string): JsonSchema {
  return withProblems(
    {
      type: nullable ? ['string', 'null'] : 'string',
      pattern: POLICY_VERSION_PATTERN,
      description,
    },
    { pattern: 'must be 64 lowercase hex characters' },
  );
}

const EMPTY_PAYLOAD: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {},
  description: 'Exactly `{}`.',
};

/** The payload of each command type (protocol section 3, "Command types"). */
export const COMMAND_PAYLOAD_SCHEMAS: { readonly [T in CommandType]: JsonSchema } = frozen({
  'device.lock': {
    type: 'object',
    additionalProperties: false,
    required: ['reason'],
    properties: {
      message: {
        type: 'string',
        maxLength: LOCK_MESSAGE_MAX_LENGTH,
        [PLAIN_TEXT_KEYWORD]: { multiline: true, allowEmpty: true },
        description: 'Shown on the lock screen if the device can.',
      },
      reason: { enum: [...LOCK_REASONS], description: 'Why the device is locked.' },
    },
    description: 'Cover the screen and block input until unlocked.',
  },
  'device.unlock': { ...EMPTY_PAYLOAD, description: 'End a lock. Exactly `{}`.' },
  'app.lock': {
    type: 'object',
    additionalProperties: false,
    required: ['appId'],
    properties: {
      appId: {
        type: 'string',
        minLength: 1,
        maxLength: APP_ID_MAX_LENGTH,
        [PLAIN_TEXT_KEYWORD]: { allowEmpty: true },
        description: 'A bundle id (com.apple.Pages) or package name.',
      },
    },
    description: 'Keep the device in one app (Guided Access, kiosk mode).',
  },
  'app.unlock': { ...EMPTY_PAYLOAD, description: 'Leave single-app mode. Exactly `{}`.' },
  'policy.apply': {
    type: 'object',
    additionalProperties: false,
    required: ['policyVersion', 'settings'],
    properties: {
      policyVersion: policyVersionField(false, 'The SHA-256 of the settings as canonical JSON.'),
      settings: {
        type: 'object',
        description:
          'The complete PolicySettings (protocol section 4); its own schema belongs to the ' +
          'policy library, which checks it.',
      },
    },
    description: 'Apply the whole resolved policy, then report policyVersion in the state.',
  },
  'message.show': {
    type: 'object',
    additionalProperties: false,
    required: ['text', 'from'],
    properties: {
      text: {
        type: 'string',
        minLength: 1,
        maxLength: MESSAGE_TEXT_MAX_LENGTH,
        [PLAIN_TEXT_KEYWORD]: { multiline: true, allowEmpty: true },
      },
      from: {
        type: 'string',
        minLength: 1,
        maxLength: MESSAGE_FROM_MAX_LENGTH,
        [PLAIN_TEXT_KEYWORD]: { allowEmpty: true },
        description: "The sender's display name.",
      },
    },
    description: 'Show a message to the user.',
  },
  'photos.sync': { ...EMPTY_PAYLOAD, description: 'Upload waiting photos now. Exactly `{}`.' },
  'device.unenroll': {
    ...EMPTY_PAYLOAD,
    description: 'Forget the hub identity and its policy. Exactly `{}`.',
  },
});

/**
 * A command as the hub sends it, its payload checked as an object only: the payload's shape for
 * its type is `COMMAND_PAYLOAD_SCHEMAS[type]`, checked next (so a refusal names the payload's
 * field, not every type it might have been).
 */
export const COMMAND_ENVELOPE_SCHEMA: JsonSchema = frozen({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'payload', 'issuedAt'],
  properties: {
    id: {
      type: 'string',
      format: 'uuid',
      description: 'The same id again means the same command.',
    },
    type: { enum: [...COMMAND_TYPES] },
    payload: { type: 'object', description: 'The payload for the type.' },
    issuedAt: { type: 'string', format: 'date-time' },
    expiresAt: {
      type: 'string',
      format: 'date-time',
      description: 'Never delivered after this time.',
    },
  },
});

// `unenforced` only with `acknowledged` (whether the command was a policy.apply only the hub
// knows, so that half is the hub's check).
const UNENFORCED_ONLY_WHEN_ACKNOWLEDGED: JsonSchema = withProblems(
  { const: 'acknowledged' },
  { const: { field: 'unenforced', problem: 'is only allowed with status acknowledged' } },
);

const NOT_SETTING_PATHS = 'must be an array of dotted setting paths (such as wifi.allowedSsids)';

/** A device's answer to a command, given through the Socket.IO acknowledgement. */
export const COMMAND_ANSWER_SCHEMA: JsonSchema = frozen({
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: {
      enum: [...COMMAND_ANSWER_STATUSES],
      description:
        '`acknowledged` and `error` are final; `not_now` is tried again no sooner than 30 s.',
    },
    detail: {
      type: 'string',
      maxLength: 1000,
      [PLAIN_TEXT_KEYWORD]: { multiline: true, allowBlank: true },
      description: 'Why, in words staff can read.',
    },
    unenforced: withProblems(
      {
        type: 'array',
        maxItems: UNENFORCED_MAX_ENTRIES,
        uniqueItems: true,
        items: {
          type: 'string',
          maxLength: SETTING_PATH_MAX_LENGTH,
          pattern: SETTING_PATH_PATTERN,
        },
        description:
          'Since 1.1, only in an acknowledged answer to policy.apply: the settings the device ' +
          'accepted but cannot enforce, as dotted paths of section 4 (wifi.allowedSsids).',
      },
      {
        type: NOT_SETTING_PATHS,
        items: NOT_SETTING_PATHS,
        uniqueItems: 'must not list a setting twice',
      },
    ),
  },
  if: { required: ['unenforced'] },
  then: { properties: { status: UNENFORCED_ONLY_WHEN_ACKNOWLEDGED } },
});

/** What a device reports about itself: the `state` event. */
export const DEVICE_STATE_SCHEMA: JsonSchema = frozen({
  type: 'object',
  additionalProperties: false,
  required: ['locked', 'appLock', 'policyVersion'],
  properties: {
    locked: { type: 'boolean' },
    appLock: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: APP_ID_MAX_LENGTH,
      description: 'The app the device is held in, or null.',
    },
    policyVersion: policyVersionField(true, 'The version last applied, or null.'),
    // `0..100` and `number` in ../shared/protocol.md section 3: a native app's battery level is
    // often a float (iOS gives 0.0 to 1.0), so any number in range is taken and kept rounded.
    battery: {
      type: 'number',
      minimum: 0,
      maximum: 100,
      description: 'Percent; any number 0 to 100, kept rounded to a whole percent.',
    },
    charging: { type: 'boolean' },
    storageFreeMb: { type: 'number', minimum: 0 },
    osVersion: { type: 'string', maxLength: 100, [PLAIN_TEXT_KEYWORD]: { allowBlank: true } },
    agentVersion: { type: 'string', maxLength: 100, [PLAIN_TEXT_KEYWORD]: { allowBlank: true } },
    // An SSID is at most 32 octets; characters outside ASCII take more than one, so allow slack.
    ssid: {
      type: ['string', 'null'],
      maxLength: 64,
      [PLAIN_TEXT_KEYWORD]: { allowBlank: true },
      description: 'null means not on Wi-Fi.',
    },
    pendingPhotos: {
      type: 'number',
      minimum: 0,
      description: 'Photos waiting on the device; a number, kept rounded to a whole count.',
    },
  },
});

/** The hub's acknowledgement of a `state` event. */
export const STATE_ACK_SCHEMA: JsonSchema = frozen({
  type: 'object',
  additionalProperties: false,
  required: ['ok'],
  properties: {
    ok: { type: 'boolean' },
    error: { type: 'string', description: 'What was wrong, naming the field.' },
  },
});

/** `auth` of the Socket.IO handshake (protocol section 2). */
export const HANDSHAKE_AUTH_SCHEMA: JsonSchema = frozen({
  type: 'object',
  required: ['proof'],
  properties: {
    proof: {
      type: 'string',
      maxLength: 2048,
      description:
        'v1.<deviceId>.<unixMillis>.<nonce>.<base64url RSASSA-PKCS1-v1_5-SHA256 signature>, ' +
        'made fresh for every connection.',
    },
  },
});
