// class-validator DTOs for everything that crosses the /device namespace, and the two checks the
// hub and devices run on untrusted input: a command's payload and a device's reported state.

import { plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidationError,
  validateSync,
  type ValidatorOptions,
} from 'class-validator';
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
  type CommandAnswerStatus,
  type CommandEnvelope,
  type CommandPayloadMap,
  type CommandType,
  type DeviceState,
  type LockReason,
} from './protocol';

const POLICY_VERSION_PATTERN = /^[0-9a-f]{64}$/;
const oneOf = (values: readonly string[]) => ({
  message: `$property must be one of ${values.join(', ')}`,
});

/** An optional field may be absent, but not `null` unless the protocol says so. */
const IfPresent = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);
/** A required field whose value may be `null`. */
const IfNotNull = () => ValidateIf((_object: unknown, value: unknown) => value !== null);
/** An optional field that may also be `null`. */
const IfPresentAndNotNull = () =>
  ValidateIf((_object: unknown, value: unknown) => value !== undefined && value !== null);

// Command payloads.

export class DeviceLockPayloadDto {
  @IfPresent()
  @IsString()
  @MaxLength(LOCK_MESSAGE_MAX_LENGTH)
  message?: string;

  @IsIn(LOCK_REASONS, oneOf(LOCK_REASONS))
  reason: LockReason;
}

/** `device.unlock`, `app.unlock`, `photos.sync`, `device.unenroll`: `{}` and nothing else. */
export class EmptyPayloadDto {}

export class AppLockPayloadDto {
  @IsString()
  @Length(1, APP_ID_MAX_LENGTH, {
    message: `$property must be 1 to ${APP_ID_MAX_LENGTH} characters`,
  })
  appId: string;
}

export class PolicyApplyPayloadDto {
  @IsString()
  @Matches(POLICY_VERSION_PATTERN, { message: '$property must be 64 lowercase hex characters' })
  policyVersion: string;

  // The settings' own shape is checked by @app/policy, which owns it.
  @IsObject()
  settings: object;
}

export class MessageShowPayloadDto {
  @IsString()
  @Length(1, MESSAGE_TEXT_MAX_LENGTH, {
    message: `$property must be 1 to ${MESSAGE_TEXT_MAX_LENGTH} characters`,
  })
  text: string;

  @IsString()
  @Length(1, MESSAGE_FROM_MAX_LENGTH, {
    message: `$property must be 1 to ${MESSAGE_FROM_MAX_LENGTH} characters`,
  })
  from: string;
}

export const COMMAND_PAYLOAD_DTOS: { [T in CommandType]: new () => object } = {
  'device.lock': DeviceLockPayloadDto,
  'device.unlock': EmptyPayloadDto,
  'app.lock': AppLockPayloadDto,
  'app.unlock': EmptyPayloadDto,
  'policy.apply': PolicyApplyPayloadDto,
  'message.show': MessageShowPayloadDto,
  'photos.sync': EmptyPayloadDto,
  'device.unenroll': EmptyPayloadDto,
};

// Envelopes, answers and state.

/** The envelope around a command; its payload is checked by `validateCommandPayload`. */
export class CommandEnvelopeDto {
  @IsUUID()
  id: string;

  @IsIn(COMMAND_TYPES, oneOf(COMMAND_TYPES))
  type: CommandType;

  @IsObject()
  payload: object;

  @IsISO8601({ strict: true })
  issuedAt: string;

  @IfPresent()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class CommandAnswerDto {
  @IsIn(COMMAND_ANSWER_STATUSES, oneOf(COMMAND_ANSWER_STATUSES))
  status: CommandAnswerStatus;

  @IfPresent()
  @IsString()
  @MaxLength(1000)
  detail?: string;
}

export class DeviceStateDto {
  @IsBoolean()
  locked: boolean;

  @IfNotNull()
  @IsString()
  @Length(1, APP_ID_MAX_LENGTH, {
    message: `$property must be 1 to ${APP_ID_MAX_LENGTH} characters`,
  })
  appLock: string | null;

  @IfNotNull()
  @IsString()
  @Matches(POLICY_VERSION_PATTERN, { message: '$property must be 64 lowercase hex characters' })
  policyVersion: string | null;

  @IfPresent()
  @IsInt()
  @Min(0)
  @Max(100)
  battery?: number;

  @IfPresent()
  @IsBoolean()
  charging?: boolean;

  @IfPresent()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  storageFreeMb?: number;

  @IfPresent()
  @IsString()
  @MaxLength(100)
  osVersion?: string;

  @IfPresent()
  @IsString()
  @MaxLength(100)
  agentVersion?: string;

  // An SSID is at most 32 octets; characters outside ASCII take more than one, so allow slack.
  @IfPresentAndNotNull()
  @IsString()
  @MaxLength(64)
  ssid?: string | null;

  @IfPresent()
  @IsInt()
  @Min(0)
  pendingPhotos?: number;
}

// The checks.

export type ValidationOutcome<T> = { ok: true; payload: T } | { ok: false; errors: string[] };

const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  // Input is always turned into a DTO instance first; the payload-less DTO has no decorated
  // property, which class-validator would otherwise refuse as an "unknown value".
  forbidUnknownValues: false,
};

/** Checks a command's payload against the DTO for its type. */
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
  return validateAs(COMMAND_PAYLOAD_DTOS[type], payload, 'payload');
}

/** Checks a `state` event from a device. */
export function validateDeviceState(input: unknown): ValidationOutcome<DeviceState> {
  return validateAs(DeviceStateDto, input, 'state');
}

/** Checks a device's answer to a command. */
export function validateCommandAnswer(input: unknown): ValidationOutcome<CommandAnswer> {
  return validateAs(CommandAnswerDto, input, 'answer');
}

/** Checks a whole command as a device receives it: the envelope, then the payload for its type. */
export function validateCommandEnvelope(input: unknown): ValidationOutcome<CommandEnvelope> {
  const envelope = validateAs<CommandEnvelopeDto>(CommandEnvelopeDto, input, 'command');
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

function validateAs<T>(dto: new () => object, input: unknown, root: string): ValidationOutcome<T> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [`${root} must be an object`] };
  }
  const instance = plainToInstance(dto, input);
  const errors = validateSync(instance, VALIDATOR_OPTIONS);
  if (errors.length > 0) {
    return { ok: false, errors: flattenErrors(errors, root) };
  }
  // Class fields are defined on every instance; hand back only what was sent.
  const plain = Object.fromEntries(Object.entries(instance).filter(([, v]) => v !== undefined));
  return { ok: true, payload: plain as T };
}

/** When one of these fails, the field's other constraints say nothing useful. */
const TYPE_CONSTRAINTS = new Set(['isString', 'isBoolean', 'isInt', 'isNumber', 'isObject']);

function flattenErrors(errors: ValidationError[], parent: string): string[] {
  const messages: string[] = [];
  for (const error of errors) {
    const field = `${parent}.${error.property}`;
    const failed = Object.entries(error.constraints ?? {});
    const typeFailure = failed.filter(([constraint]) => TYPE_CONSTRAINTS.has(constraint));
    for (const [constraint, text] of typeFailure.length > 0 ? typeFailure : failed) {
      if (constraint === 'whitelistValidation') {
        messages.push(`${field} should not exist`);
      } else if (text.startsWith(error.property)) {
        messages.push(`${field}${text.slice(error.property.length)}`);
      } else {
        messages.push(`${field}: ${text}`);
      }
    }
    if (error.children?.length) {
      messages.push(...flattenErrors(error.children, field));
    }
  }
  return messages;
}
