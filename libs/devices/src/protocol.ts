// The device protocol, version 1 (docs/protocol.md): the shapes the hub and every device exchange,
// and the typed Socket.IO event maps both sides are built on. Types and constants only.

export const PROTOCOL_VERSION = 1;

/** The Socket.IO namespace devices connect to. */
export const DEVICE_NAMESPACE = '/device';

export const ENROLL_PATH = '/api/enroll';
export const ENROLLMENT_TOKENS_PATH = '/api/enrollment-tokens';

/** HTTP requests from a device carry `Authorization: Device <proof>`. */
export const DEVICE_AUTH_SCHEME = 'Device';

/** The only thing a refused Socket.IO connection is told (`connect_error` message). */
export const UNAUTHORIZED_MESSAGE = 'unauthorized';

/** A device that does not answer a command within this time is disconnected by the hub. */
export const COMMAND_ANSWER_TIMEOUT_MS = 30_000;

/** The hub retries a command answered `not_now` no sooner than this. */
export const NOT_NOW_RETRY_MS = 30_000;

export const PLATFORMS = ['ipados', 'android', 'chromeos', 'windows', 'macos', 'linux'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const COMMAND_TYPES = [
  'device.lock',
  'device.unlock',
  'app.lock',
  'app.unlock',
  'policy.apply',
  'message.show',
  'photos.sync',
  'device.unenroll',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

export function isCommandType(value: unknown): value is CommandType {
  return typeof value === 'string' && (COMMAND_TYPES as readonly string[]).includes(value);
}

export const LOCK_REASONS = ['class', 'lost', 'admin'] as const;
export type LockReason = (typeof LOCK_REASONS)[number];

export const LOCK_MESSAGE_MAX_LENGTH = 200;
/**
 * The longest app id (a bundle id such as `com.apple.Pages`, or a package name), in characters:
 * docs/protocol.md section 3.3 (`app.lock`'s `appId` is 1 to 255 characters), section 3.4 (the
 * state's `appLock`) and section 4 (the app ids of `apps.allowed` and `apps.blocked`). The one
 * source: `@app/policy`'s `LIMITS.appIdLength` reads it, so a policy never allows, and a class
 * never keeps a tablet in, an app id that a device may not be held in.
 */
export const APP_ID_MAX_LENGTH = 255;
export const MESSAGE_TEXT_MAX_LENGTH = 500;
export const MESSAGE_FROM_MAX_LENGTH = 100;

/** Payload of commands that carry nothing: `{}` and no other keys. */
export type EmptyPayload = Record<string, never>;

export interface DeviceLockPayload {
  message?: string;
  reason: LockReason;
}
export type DeviceUnlockPayload = EmptyPayload;
export interface AppLockPayload {
  appId: string;
}
export type AppUnlockPayload = EmptyPayload;
export interface PolicyApplyPayload {
  /** Lowercase hex SHA-256 of the canonical settings (protocol section 4). */
  policyVersion: string;
  /** PolicySettings; its shape belongs to `@app/policy`. */
  settings: object;
}
export interface MessageShowPayload {
  text: string;
  from: string;
}
export type PhotosSyncPayload = EmptyPayload;
export type DeviceUnenrollPayload = EmptyPayload;

export interface CommandPayloadMap {
  'device.lock': DeviceLockPayload;
  'device.unlock': DeviceUnlockPayload;
  'app.lock': AppLockPayload;
  'app.unlock': AppUnlockPayload;
  'policy.apply': PolicyApplyPayload;
  'message.show': MessageShowPayload;
  'photos.sync': PhotosSyncPayload;
  'device.unenroll': DeviceUnenrollPayload;
}
export type CommandPayload = CommandPayloadMap[CommandType];

/** One command of one type, as the hub sends it. */
export interface CommandEnvelopeOf<T extends CommandType> {
  id: string;
  type: T;
  payload: CommandPayloadMap[T];
  issuedAt: string;
  expiresAt?: string;
}

/** Any command: a union discriminated by `type`, so a `switch` narrows the payload. */
export type CommandEnvelope = { [T in CommandType]: CommandEnvelopeOf<T> }[CommandType];

export const COMMAND_ANSWER_STATUSES = ['acknowledged', 'error', 'not_now'] as const;
export type CommandAnswerStatus = (typeof COMMAND_ANSWER_STATUSES)[number];

/** At most this many entries in an answer's `unenforced` list (section 4 has 18 settings). */
export const UNENFORCED_MAX_ENTRIES = 64;
/** At most this many characters in one `unenforced` entry. */
export const SETTING_PATH_MAX_LENGTH = 100;

export interface CommandAnswer {
  status: CommandAnswerStatus;
  detail?: string;
  /**
   * Since 1.1, only in an `acknowledged` answer to `policy.apply`: the settings the device
   * accepted but cannot enforce on its platform, as dotted paths of section 4
   * (`"wifi.allowedSsids"`). Absent when everything is enforced, or from a 1.0 device.
   */
  unenforced?: string[];
}

/** What a device reports about itself (protocol section 3, `state`). */
export interface DeviceState {
  locked: boolean;
  appLock: string | null;
  policyVersion: string | null;
  battery?: number;
  charging?: boolean;
  storageFreeMb?: number;
  osVersion?: string;
  agentVersion?: string;
  ssid?: string | null;
  pendingPhotos?: number;
}

/** The hub's acknowledgement of a `state` event. */
export interface StateAck {
  ok: boolean;
  error?: string;
}

export interface HubToDeviceEvents {
  command: (cmd: CommandEnvelope, ack: (answer: CommandAnswer) => void) => void;
}

export interface DeviceToHubEvents {
  state: (state: DeviceState, ack?: (r: StateAck) => void) => void;
}

/** `auth` of the Socket.IO handshake. */
export interface DeviceHandshakeAuth {
  proof: string;
}

// Enrolment (protocol section 1).

export interface EnrollmentTokenRequest {
  groupIds?: string[];
  maxUses?: number;
  ttlMinutes?: number;
  label?: string;
  /** Since 1.1: may re-enrol a serial whose device is enrolled and not revoked. */
  reenrol?: boolean;
}

export interface EnrollmentTokenResponse {
  token: string;
  expiresAt: string;
  maxUses: number;
}

export interface EnrollDeviceInfo {
  serialNumber: string;
  platform: Platform;
  model?: string;
  osVersion?: string;
  name?: string;
  assetTag?: string;
}

export interface EnrollRequest {
  token: string;
  /** PKCS#10 certificate request, PEM, common name = serial number. */
  csr: string;
  device: EnrollDeviceInfo;
}

export interface EnrollResponse {
  deviceId: string;
  certificate: string;
  caCertificate: string;
}
