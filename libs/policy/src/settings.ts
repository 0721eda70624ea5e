// The PolicySettings schema (protocol section 4): its types, its leaf paths, and the validators
// that every profile and every resolved policy pass through before anything is stored or sent.

// The protocol's constants alone (types and constants, no client): the device protocol owns the
// app id's length, which a policy's app lists share.
import { APP_ID_MAX_LENGTH } from '@app/devices/protocol';
import { canonicalJson } from './version';

export type WifiSecurity = 'open' | 'wpa2' | 'wpa3';
export type AppsMode = 'open' | 'allowlist' | 'blocklist';

export interface WifiNetwork {
  ssid: string;
  security: WifiSecurity;
  /** Present for wpa2/wpa3 (8 to 63 printable ASCII characters), absent for open. */
  password?: string;
  autoJoin: boolean;
}

export interface PolicySettings {
  camera: { allowed: boolean };
  wifi: { allowedSsids: string[]; allowUserAddedNetworks: boolean; networks: WifiNetwork[] };
  apps: { mode: AppsMode; allowed: string[]; blocked: string[]; allowInstall: boolean };
  screen: { autoLockMinutes: number; requirePasscode: boolean };
  passcode: {
    minLength: number;
    requireMixedCase: boolean;
    requireNumber: boolean;
    requireSymbol: boolean;
  };
  removableMedia: { allowed: boolean; requireEncryption: boolean };
  photos: { autoUpload: boolean; deleteAfterUpload: boolean };
}

/** What one profile sets: any subset of groups and of leaves within them. Arrays are whole values. */
export type PartialPolicySettings = {
  [G in keyof PolicySettings]?: Partial<PolicySettings[G]>;
};

export const SETTING_PATHS = [
  'camera.allowed',
  'wifi.allowedSsids',
  'wifi.allowUserAddedNetworks',
  'wifi.networks',
  'apps.mode',
  'apps.allowed',
  'apps.blocked',
  'apps.allowInstall',
  'screen.autoLockMinutes',
  'screen.requirePasscode',
  'passcode.minLength',
  'passcode.requireMixedCase',
  'passcode.requireNumber',
  'passcode.requireSymbol',
  'removableMedia.allowed',
  'removableMedia.requireEncryption',
  'photos.autoUpload',
  'photos.deleteAfterUpload',
] as const;

export type SettingPath = (typeof SETTING_PATHS)[number];

// Compile-time proof that SETTING_PATHS lists exactly the leaves of PolicySettings, no more, no less.
type LeafPathOf<T> = {
  [G in keyof T & string]: `${G}.${keyof T[G] & string}`;
}[keyof T & string];
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const settingPathsMatchSchema: Exactly<SettingPath, LeafPathOf<PolicySettings>> = true;
void settingPathsMatchSchema;

/** The hub's own device apps: no profile may hide them from a device or block them. */
export const PROTECTED_APP_IDS: readonly string[] = Object.freeze([
  'org.devicehub.agent',
  'org.devicehub.ipad',
]);

export const LIMITS = Object.freeze({
  autoLockMinutes: { min: 1, max: 60 },
  passcodeMinLength: { min: 4, max: 64 },
  ssidBytes: { min: 1, max: 32 },
  wifiPassword: { min: 8, max: 63 },
  /** An app id (`apps.allowed`, `apps.blocked`, a class's Keep in app): the protocol's length. */
  appIdLength: { min: 1, max: APP_ID_MAX_LENGTH },
  listEntries: 500,
});

/** A setting, profile or layer that does not fit the schema. `field` is the dotted path at fault. */
export class PolicyValidationError extends Error {
  override readonly name = 'PolicyValidationError';

  constructor(
    readonly field: string,
    message: string,
    /** The policy layer the bad value came from, when it came from one. */
    readonly layerId?: string,
  ) {
    super(message);
  }
}

type LeafValidator = (value: unknown, field: string) => void;

const GROUP_KEYS: { [G in keyof PolicySettings]: readonly (keyof PolicySettings[G] & string)[] } = {
  camera: ['allowed'],
  wifi: ['allowedSsids', 'allowUserAddedNetworks', 'networks'],
  apps: ['mode', 'allowed', 'blocked', 'allowInstall'],
  screen: ['autoLockMinutes', 'requirePasscode'],
  passcode: ['minLength', 'requireMixedCase', 'requireNumber', 'requireSymbol'],
  removableMedia: ['allowed', 'requireEncryption'],
  photos: ['autoUpload', 'deleteAfterUpload'],
};

const LEAF_VALIDATORS: Record<SettingPath, LeafValidator> = {
  'camera.allowed': checkBoolean,
  'wifi.allowedSsids': (value, field) => checkList(value, field, checkSsid),
  'wifi.allowUserAddedNetworks': checkBoolean,
  'wifi.networks': checkNetworks,
  'apps.mode': (value, field) => checkOneOf(value, field, ['open', 'allowlist', 'blocklist']),
  'apps.allowed': (value, field) => {
    checkList(value, field, checkAppId);
    const missing = PROTECTED_APP_IDS.filter((id) => !(value as string[]).includes(id));
    if (missing.length > 0) {
      fail(field, `${field} must include the hub's own apps: missing ${missing.join(', ')}`);
    }
  },
  'apps.blocked': (value, field) => {
    checkList(value, field, checkAppId);
    const found = PROTECTED_APP_IDS.filter((id) => (value as string[]).includes(id));
    if (found.length > 0) {
      fail(field, `${field} must not include the hub's own apps: found ${found.join(', ')}`);
    }
  },
  'apps.allowInstall': checkBoolean,
  'screen.autoLockMinutes': (value, field) =>
    checkInteger(value, field, LIMITS.autoLockMinutes.min, LIMITS.autoLockMinutes.max),
  'screen.requirePasscode': checkBoolean,
  'passcode.minLength': (value, field) =>
    checkInteger(value, field, LIMITS.passcodeMinLength.min, LIMITS.passcodeMinLength.max),
  'passcode.requireMixedCase': checkBoolean,
  'passcode.requireNumber': checkBoolean,
  'passcode.requireSymbol': checkBoolean,
  'removableMedia.allowed': checkBoolean,
  'removableMedia.requireEncryption': checkBoolean,
  'photos.autoUpload': checkBoolean,
  'photos.deleteAfterUpload': checkBoolean,
};

/**
 * Checks one profile's settings: any subset, but every key known and every value valid.
 * Returns a deep copy, so later changes to `input` cannot reach the result.
 */
export function validatePartialSettings(input: unknown): PartialPolicySettings {
  checkGroups(input, false);
  return cloneSettings(input as PartialPolicySettings);
}

/** Checks a complete PolicySettings: every group and every leaf present and valid. */
export function validateSettings(input: unknown): PolicySettings {
  checkGroups(input, true);
  return cloneSettings(input as PolicySettings);
}

/** Reads one leaf of a (partial) settings object; `undefined` when the profile does not set it. */
export function getSetting(settings: PartialPolicySettings, path: SettingPath): unknown {
  const [group, key] = splitPath(path);
  const values = settings[group] as Record<string, unknown> | undefined;
  return values === undefined ? undefined : values[key];
}

/** The leaves whose values differ between two profiles (set vs unset counts as different). */
export function diffSettings(a: PartialPolicySettings, b: PartialPolicySettings): SettingPath[] {
  return SETTING_PATHS.filter((path) => {
    const left = getSetting(a, path);
    const right = getSetting(b, path);
    if (left === undefined || right === undefined) {
      return left !== right;
    }
    return canonicalJson(left) !== canonicalJson(right);
  });
}

export function splitPath(path: SettingPath): [keyof PolicySettings, string] {
  const dot = path.indexOf('.');
  return [path.slice(0, dot) as keyof PolicySettings, path.slice(dot + 1)];
}

function checkGroups(input: unknown, complete: boolean): void {
  if (!isPlainObject(input)) {
    fail('settings', 'settings must be an object');
  }
  for (const group of Object.keys(input)) {
    if (!Object.prototype.hasOwnProperty.call(GROUP_KEYS, group)) {
      fail(group, `${group} is not a known setting group`);
    }
  }
  for (const [group, keys] of Object.entries(GROUP_KEYS) as [keyof PolicySettings, string[]][]) {
    const values = input[group];
    if (values === undefined) {
      if (complete) {
        fail(group, `${group} is required`);
      }
      continue;
    }
    if (!isPlainObject(values)) {
      fail(group, `${group} must be an object`);
    }
    for (const key of Object.keys(values)) {
      if (!keys.includes(key)) {
        fail(`${group}.${key}`, `${group}.${key} is not a known setting`);
      }
    }
    for (const key of keys) {
      const path = `${group}.${key}` as SettingPath;
      const value = values[key];
      if (value === undefined) {
        if (complete) {
          fail(path, `${path} is required`);
        }
        continue;
      }
      LEAF_VALIDATORS[path](value, path);
    }
  }
  checkCombinations(input as PartialPolicySettings);
}

// Rules that span two leaves. They are checked whenever both leaves are present, so a profile is
// held to them on its own and the resolved policy is held to them after layers are merged.
function checkCombinations(settings: PartialPolicySettings): void {
  const allowedSsids = settings.wifi?.allowedSsids;
  const networks = settings.wifi?.networks;
  if (allowedSsids !== undefined && allowedSsids.length > 0 && networks !== undefined) {
    networks.forEach((network, index) => {
      if (!allowedSsids.includes(network.ssid)) {
        const field = `wifi.networks[${index}].ssid`;
        fail(field, `${field} "${network.ssid}" is not in wifi.allowedSsids`);
      }
    });
  }
  const allowed = settings.apps?.allowed;
  const blocked = settings.apps?.blocked;
  if (allowed !== undefined && blocked !== undefined) {
    const both = blocked.filter((id) => allowed.includes(id));
    if (both.length > 0) {
      fail(
        'apps.blocked',
        `apps.blocked lists apps that apps.allowed also lists: ${both.join(', ')}`,
      );
    }
  }
}

function checkNetworks(value: unknown, field: string): void {
  checkList(value, field, (network, itemField) => {
    if (!isPlainObject(network)) {
      fail(itemField, `${itemField} must be an object`);
    }
    for (const key of Object.keys(network)) {
      if (!['ssid', 'security', 'password', 'autoJoin'].includes(key)) {
        fail(`${itemField}.${key}`, `${itemField}.${key} is not a known Wi-Fi network setting`);
      }
    }
    checkSsid(network.ssid, `${itemField}.ssid`);
    checkOneOf(network.security, `${itemField}.security`, ['open', 'wpa2', 'wpa3']);
    checkBoolean(network.autoJoin, `${itemField}.autoJoin`);
    const passwordField = `${itemField}.password`;
    if (network.security === 'open') {
      if (network.password !== undefined) {
        fail(passwordField, `${passwordField} must be absent for an open network`);
      }
    } else {
      checkWifiPassword(network.password, passwordField);
    }
  });
  const ssids = (value as WifiNetwork[]).map((network) => network.ssid);
  ssids.forEach((ssid, index) => {
    if (ssids.indexOf(ssid) !== index) {
      const itemField = `${field}[${index}].ssid`;
      fail(itemField, `${itemField} "${ssid}" is listed twice in ${field}`);
    }
  });
}

function checkWifiPassword(value: unknown, field: string): void {
  const { min, max } = LIMITS.wifiPassword;
  if (value === undefined) {
    fail(field, `${field} is required for a wpa2 or wpa3 network`);
  }
  if (typeof value !== 'string') {
    fail(field, `${field} must be a string`);
  }
  // A WPA passphrase is 8 to 63 printable ASCII characters (IEEE 802.11i, annex H).
  if (value.length < min || value.length > max || !/^[\x20-\x7e]*$/.test(value)) {
    fail(field, `${field} must be ${min} to ${max} printable ASCII characters`);
  }
}

function checkSsid(value: unknown, field: string): void {
  const { min, max } = LIMITS.ssidBytes;
  if (typeof value !== 'string') {
    fail(field, `${field} must be a string`);
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < min || bytes > max || hasControlCharacters(value)) {
    fail(field, `${field} must be ${min} to ${max} bytes of UTF-8 without control characters`);
  }
}

function checkAppId(value: unknown, field: string): void {
  const { min, max } = LIMITS.appIdLength;
  if (typeof value !== 'string') {
    fail(field, `${field} must be a string`);
  }
  if (
    value.length < min ||
    value.length > max ||
    value.trim() !== value ||
    hasControlCharacters(value)
  ) {
    fail(
      field,
      `${field} must be an app id of ${min} to ${max} characters, without surrounding spaces`,
    );
  }
}

function checkList(
  value: unknown,
  field: string,
  checkItem: (item: unknown, itemField: string) => void,
): void {
  if (!Array.isArray(value)) {
    fail(field, `${field} must be an array`);
  }
  if (value.length > LIMITS.listEntries) {
    fail(field, `${field} must have at most ${LIMITS.listEntries} entries`);
  }
  value.forEach((item, index) => {
    const itemField = `${field}[${index}]`;
    checkItem(item, itemField);
    if (typeof item === 'string' && value.indexOf(item) !== index) {
      fail(itemField, `${itemField} "${item}" is listed twice in ${field}`);
    }
  });
}

function checkBoolean(value: unknown, field: string): void {
  if (typeof value !== 'boolean') {
    fail(field, `${field} must be true or false`);
  }
}

function checkInteger(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fail(field, `${field} must be a whole number`);
  }
  if (value < min || value > max) {
    fail(field, `${field} must be between ${min} and ${max}`);
  }
}

function checkOneOf(value: unknown, field: string, choices: readonly string[]): void {
  if (typeof value !== 'string' || !choices.includes(value)) {
    fail(field, `${field} must be one of ${choices.join(', ')}`);
  }
}

// Also what XML cannot carry (U+FFFE, U+FFFF, lone surrogates): these values reach a
// .mobileconfig, which would otherwise fail only when it is made (issue 8 item 17).
function hasControlCharacters(value: string): boolean {
  return (
    /[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/.test(value) ||
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  // Compared by shape, not by identity with this realm's Object.prototype, so objects made in
  // another realm (a vm context, structuredClone under Jest) are still recognised.
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** A deep copy of validated, JSON-shaped data (plain objects, arrays and primitives). */
export function cloneSettings<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map((item: unknown) => cloneSettings(item)) as T;
  }
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      copy[key] = cloneSettings(inner);
    }
    return copy as T;
  }
  return value;
}

function fail(field: string, message: string): never {
  throw new PolicyValidationError(field, message);
}
