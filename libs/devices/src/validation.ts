// The checks the hub and every device run on what crosses the /device namespace (protocol
// section 3): a command's payload, a whole command as a device receives it, a device's answer and
// its reported state. Each is the JSON Schema of ./schemas, compiled with ajv once, on first use:
// the same objects the hub serves as its AsyncAPI document, so what is described is what is
// checked.
//
// Compiled ajv code is at least as fast as the hand-written field tables it replaced (bench/
// device-validation.ts measures both): at a fan-out every device checks one command and the hub
// checks one answer and one state report per device. Every refusal names the field, in the words
// class-validator used before (and ./input-rules for times and free text, issue 8 items 16, 17),
// but for lengths and lists, said as the hub's own 400s say them ("must be at most 200
// characters", "must name at most 50").

import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { isUUID } from 'class-validator';
import { plainTextProblem, quotedInput, rfc3339Problem } from './input-rules';
import {
  COMMAND_TYPES,
  isCommandType,
  type CommandAnswer,
  type CommandEnvelope,
  type CommandPayloadMap,
  type CommandType,
  type DeviceState,
} from './protocol';
import {
  COMMAND_ANSWER_SCHEMA,
  COMMAND_ENVELOPE_SCHEMA,
  COMMAND_PAYLOAD_SCHEMAS,
  DEVICE_STATE_SCHEMA,
  FIELD_PROBLEMS,
  PLAIN_TEXT_KEYWORD,
  type JsonSchema,
  type PlainTextKeyword,
} from './schemas';

export type ValidationOutcome<T> = { ok: true; payload: T } | { ok: false; errors: string[] };

/**
 * The ajv instance that knows the protocol's own keyword and formats (see ./schemas). Exported
 * for the AsyncAPI document's test, which compiles every payload schema it serves with it.
 */
export function createProtocolAjv(): Ajv {
  const ajv = new Ajv({
    // Every problem, each naming its field, as the field tables gave them.
    allErrors: true,
    // The failing value and schema, to word the refusal.
    verbose: true,
    // Unknown keywords and formats are mistakes, not annotations.
    strictSchema: true,
    // `type: ['string', 'null']` is how the protocol says "or null".
    allowUnionTypes: true,
    strictTypes: false,
    // NaN and Infinity are not numbers a device can mean (JSON cannot carry them anyway).
    strictNumbers: true,
    // Only fields the message itself has: `constructor` or `__proto__` are unknown fields.
    ownProperties: true,
  });
  ajv.addFormat('uuid', { type: 'string', validate: (value: string) => isUUID(value) });
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (value: string) => rfc3339Problem(value) === null,
  });
  ajv.addKeyword({
    keyword: PLAIN_TEXT_KEYWORD,
    type: 'string',
    schemaType: 'object',
    errors: true,
    compile(keyword: PlainTextKeyword) {
      const rule = { ...keyword, max: Infinity };
      const check = (value: string): boolean => {
        const problem = plainTextProblem(value, rule);
        check.errors = problem
          ? [{ keyword: PLAIN_TEXT_KEYWORD, message: problem, params: {} }]
          : [];
        return problem === null;
      };
      check.errors = [] as Partial<ErrorObject>[];
      return check;
    },
  });
  return ajv;
}

let sharedAjv: Ajv | undefined;

/** Compiles `schema` on first use: a process loads what it checks, not every message's check. */
function compiledOnFirstUse(schema: JsonSchema): () => ValidateFunction {
  let compiled: ValidateFunction | undefined;
  return () => (compiled ??= (sharedAjv ??= createProtocolAjv()).compile(schema));
}

const stateCheck = compiledOnFirstUse(DEVICE_STATE_SCHEMA);
const answerCheck = compiledOnFirstUse(COMMAND_ANSWER_SCHEMA);
const envelopeCheck = compiledOnFirstUse(COMMAND_ENVELOPE_SCHEMA);
const payloadChecks = Object.fromEntries(
  COMMAND_TYPES.map((type) => [type, compiledOnFirstUse(COMMAND_PAYLOAD_SCHEMAS[type])]),
) as { [T in CommandType]: () => ValidateFunction };

/**
 * The compiled checks, by message, each compiled once on first use. Each one's `schema` is the
 * object from ./schemas that the AsyncAPI document serves.
 */
export const DEVICE_MESSAGE_VALIDATORS: {
  readonly state: ValidateFunction;
  readonly answer: ValidateFunction;
  readonly envelope: ValidateFunction;
  readonly payloads: { readonly [T in CommandType]: ValidateFunction };
} = Object.freeze({
  get state() {
    return stateCheck();
  },
  get answer() {
    return answerCheck();
  },
  get envelope() {
    return envelopeCheck();
  },
  payloads: Object.freeze(
    Object.defineProperties(
      {},
      Object.fromEntries(
        COMMAND_TYPES.map((type) => [type, { get: payloadChecks[type], enumerable: true }]),
      ),
    ) as { [T in CommandType]: ValidateFunction },
  ),
});

/** Checks a command's payload against the schema for its type. */
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
  return check(payloadChecks[type](), payload, 'payload');
}

/**
 * Checks a `state` event from a device (protocol section 3). `battery` (0 to 100) and
 * `pendingPhotos` (0 or more) may be any JSON number, as the protocol writes them; they are
 * given back rounded to whole numbers, as the hub keeps and shows them ("57%", "3 waiting").
 */
export function validateDeviceState(input: unknown): ValidationOutcome<DeviceState> {
  const outcome = check<DeviceState>(stateCheck(), input, 'state');
  if (!outcome.ok) {
    return outcome;
  }
  const state = outcome.payload;
  if (
    (state.battery !== undefined && !Number.isInteger(state.battery)) ||
    (state.pendingPhotos !== undefined && !Number.isInteger(state.pendingPhotos))
  ) {
    return {
      ok: true,
      payload: {
        ...state,
        ...(state.battery !== undefined ? { battery: Math.round(state.battery) } : {}),
        ...(state.pendingPhotos !== undefined
          ? { pendingPhotos: Math.round(state.pendingPhotos) }
          : {}),
      },
    };
  }
  return outcome;
}

/**
 * Checks a device's answer to a command. `unenforced` is taken only with `acknowledged`; that
 * the command was a `policy.apply` is the hub's to check, which knows what the answer is to.
 */
export function validateCommandAnswer(input: unknown): ValidationOutcome<CommandAnswer> {
  return check(answerCheck(), input, 'answer');
}

/** Checks a whole command as a device receives it: the envelope, then the payload for its type. */
export function validateCommandEnvelope(input: unknown): ValidationOutcome<CommandEnvelope> {
  const envelope = check<{ type: string; payload: unknown }>(envelopeCheck(), input, 'command');
  if (!envelope.ok) {
    return envelope;
  }
  const payload = validateCommandPayload(envelope.payload.type, envelope.payload.payload);
  if (!payload.ok) {
    return payload;
  }
  return { ok: true, payload: input as CommandEnvelope };
}

/** Runs a compiled check; a valid message is handed back as it was sent. */
function check<T>(validate: ValidateFunction, input: unknown, root: string): ValidationOutcome<T> {
  if (validate(input)) {
    return { ok: true, payload: input as T };
  }
  return {
    ok: false,
    errors: refusals(validate.schema as JsonSchema, validate.errors ?? [], root),
  };
}

// Turning ajv's errors into the refusals devices and people read.

interface Refusal {
  /** The top-level field at fault, or '' for the message itself. */
  field: string;
  text: string;
  /** A wrong type or a missing field is the only thing said about that field. */
  wrongType: boolean;
  unknownField: boolean;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'must be a string',
  boolean: 'must be a boolean value',
  integer: 'must be an integer number',
  number: 'must be a number conforming to the specified constraints',
  object: 'must be an object',
  array: 'must be an array',
  null: 'must be null',
};

/**
 * The refusals for one message: unknown fields first (in the order sent), then the schema's
 * fields in its order; for each field, its wrong type alone, or else every rule it breaks.
 */
function refusals(schema: JsonSchema, errors: ErrorObject[], root: string): string[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const order = Object.keys(properties);
  const found: Refusal[] = [];
  for (const error of errors) {
    const refusal = describe(error, properties, root);
    if (refusal) {
      found.push(refusal);
    }
  }
  const rank = (refusal: Refusal) => (refusal.unknownField ? -1 : order.indexOf(refusal.field));
  found.sort((a, b) => rank(a) - rank(b));
  const typeWrong = new Set(found.filter((r) => r.wrongType).map((r) => r.field));
  const texts: string[] = [];
  for (const refusal of found) {
    if (typeWrong.has(refusal.field) && !refusal.wrongType) {
      continue;
    }
    if (!texts.includes(refusal.text)) {
      texts.push(refusal.text);
    }
  }
  return texts;
}

function describe(
  error: ErrorObject,
  properties: Record<string, JsonSchema>,
  root: string,
): Refusal | null {
  const segments = error.instancePath.split('/').slice(1);
  const parent = (error.parentSchema ?? {}) as JsonSchema;
  const refusal = (field: string, problem: string, wrongType = false): Refusal => ({
    field,
    text: `${root}${field ? `.${field}` : ''} ${problem}`,
    wrongType,
    unknownField: false,
  });
  if (error.keyword === 'if') {
    // Its `then` said what was wrong.
    return null;
  }
  if (error.keyword === 'additionalProperties') {
    const name = (error.params as { additionalProperty: string }).additionalProperty;
    return {
      field: name,
      // A key of any length may be sent: quoted only so far.
      text: `${root}.${quotedInput(name)} should not exist`,
      wrongType: false,
      unknownField: true,
    };
  }
  if (error.keyword === 'required') {
    const name = (error.params as { missingProperty: string }).missingProperty;
    return refusal(name, wrongType(properties[name] ?? {}, undefined), true);
  }
  const field = segments[0] ?? '';
  // Below a field (an entry of a list) the field's own words say what is wrong with it.
  const fieldSchema = field ? properties[field] : undefined;
  if (segments.length > 1 && fieldSchema) {
    const problem = FIELD_PROBLEMS.get(fieldSchema)?.items;
    if (typeof problem === 'string') {
      return refusal(field, problem, true);
    }
  }
  const named = FIELD_PROBLEMS.get(parent)?.[error.keyword];
  if (named) {
    return typeof named === 'string'
      ? refusal(field, named, error.keyword === 'type')
      : refusal(named.field, named.problem);
  }
  const at = segments.map((s, i) => (i === 0 ? s : /^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('');
  switch (error.keyword) {
    case 'type':
    case 'enum':
    case 'format':
      return refusal(at, wrongType(parent, error.data), true);
    case 'minLength':
    case 'maxLength': {
      const min = parent.minLength as number | undefined;
      const max = parent.maxLength as number | undefined;
      if (min !== undefined && max !== undefined) {
        return refusal(at, `must be ${min} to ${max} characters`);
      }
      // The hub's words for a length, as plainTextProblem and its DTOs say it, not
      // class-validator's "must be shorter than or equal to".
      return max !== undefined
        ? refusal(at, `must be at most ${max} characters`)
        : refusal(at, `must be at least ${min} characters`);
    }
    case 'minimum':
      return refusal(at, `must not be less than ${String(parent.minimum)}`);
    case 'maximum':
      return refusal(at, `must not be greater than ${String(parent.maximum)}`);
    case 'maxItems':
      return refusal(at, `must name at most ${String(parent.maxItems)}`);
    case PLAIN_TEXT_KEYWORD:
      return refusal(at, error.message ?? 'must be plain text');
    default:
      return refusal(at, error.message ?? 'is not valid');
  }
}

/** What is said about a value of the wrong type (or a missing one) for `schema`. */
function wrongType(schema: JsonSchema, value: unknown): string {
  const named = FIELD_PROBLEMS.get(schema)?.type;
  if (typeof named === 'string') {
    return named;
  }
  if (schema.format === 'uuid') {
    return 'must be a UUID';
  }
  if (schema.format === 'date-time') {
    return rfc3339Problem(value) ?? 'must be an RFC 3339 date-time';
  }
  if (Array.isArray(schema.enum)) {
    return `must be one of ${schema.enum.join(', ')}`;
  }
  const types = ([] as unknown[]).concat(schema.type).filter((type) => type !== 'null');
  return TYPE_WORDS[String(types[0])] ?? 'is not valid';
}
