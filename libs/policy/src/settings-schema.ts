// PolicySettings (protocol section 4) as JSON Schema, for those who read the API rather than the
// code: the hub's OpenAPI document (a policy's settings) and its AsyncAPI document (a
// policy.apply command). Made from the same limits and choices as the validators in ./settings,
// and a spec checks the two agree. The validators stay the authority: they also check what a
// schema cannot say well (SSIDs counted in UTF-8 bytes, the hub's own apps, names listed twice,
// a network outside allowedSsids).

import { LIMITS, PROTECTED_APP_IDS } from './settings';

type Schema = { readonly [keyword: string]: unknown };

const BOOLEAN: Schema = { type: 'boolean' };

const SSID: Schema = {
  type: 'string',
  minLength: LIMITS.ssidBytes.min,
  description: `${LIMITS.ssidBytes.min} to ${LIMITS.ssidBytes.max} bytes of UTF-8, no control characters`,
};

const APP_ID: Schema = {
  type: 'string',
  minLength: LIMITS.appIdLength.min,
  maxLength: LIMITS.appIdLength.max,
  description: 'A bundle id (com.apple.Pages) or package name, without surrounding spaces',
};

function list(items: Schema, description: string): Schema {
  return {
    type: 'array',
    items,
    maxItems: LIMITS.listEntries,
    uniqueItems: true,
    description,
  };
}

function group(properties: Record<string, Schema>, description: string): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties),
    properties,
    description,
  };
}

function integer(limits: { min: number; max: number }, description: string): Schema {
  return { type: 'integer', minimum: limits.min, maximum: limits.max, description };
}

const WIFI_NETWORK: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['ssid', 'security', 'autoJoin'],
  properties: {
    ssid: SSID,
    security: { enum: ['open', 'wpa2', 'wpa3'] },
    password: {
      type: 'string',
      minLength: LIMITS.wifiPassword.min,
      maxLength: LIMITS.wifiPassword.max,
      pattern: '^[\\x20-\\x7e]*$',
      description: 'Printable ASCII; required for wpa2 and wpa3, absent for open',
    },
    autoJoin: BOOLEAN,
  },
};

/**
 * The complete PolicySettings a device receives in `policy.apply`: every group and every
 * setting present. A JSON Schema (draft 7) object, frozen.
 */
export const POLICY_SETTINGS_SCHEMA: Schema = deepFreeze(
  group(
    {
      camera: group({ allowed: BOOLEAN }, 'The camera'),
      wifi: group(
        {
          allowedSsids: list(SSID, 'The networks a device may join; empty means any'),
          allowUserAddedNetworks: BOOLEAN,
          networks: list(WIFI_NETWORK, 'Networks pushed to the device, each in allowedSsids'),
        },
        'Wi-Fi',
      ),
      apps: group(
        {
          mode: { enum: ['open', 'allowlist', 'blocklist'] },
          allowed: list(APP_ID, `Must include the hub's own apps: ${PROTECTED_APP_IDS.join(', ')}`),
          blocked: list(APP_ID, "Must not include the hub's own apps, nor an allowed app"),
          allowInstall: BOOLEAN,
        },
        'Apps',
      ),
      screen: group(
        {
          autoLockMinutes: integer(LIMITS.autoLockMinutes, 'Lock after this many idle minutes'),
          requirePasscode: BOOLEAN,
        },
        'The screen lock',
      ),
      passcode: group(
        {
          minLength: integer(LIMITS.passcodeMinLength, 'Characters'),
          requireMixedCase: BOOLEAN,
          requireNumber: BOOLEAN,
          requireSymbol: BOOLEAN,
        },
        'The device passcode',
      ),
      removableMedia: group(
        { allowed: BOOLEAN, requireEncryption: BOOLEAN },
        'USB sticks and memory cards',
      ),
      photos: group(
        { autoUpload: BOOLEAN, deleteAfterUpload: BOOLEAN },
        'Photos taken on the device',
      ),
    },
    'PolicySettings (protocol section 4): every group and setting present. policyVersion is ' +
      'the lowercase hex SHA-256 of these settings as canonical JSON.',
  ),
);

/**
 * One profile's settings: any subset of groups, and of settings within a group (arrays are
 * whole values). The same leaves as `POLICY_SETTINGS_SCHEMA`, none required.
 */
export const PARTIAL_POLICY_SETTINGS_SCHEMA: Schema = deepFreeze(
  withoutRequired(POLICY_SETTINGS_SCHEMA, 2),
);

/** The dotted paths of the leaves `schema` describes (two levels: group.setting). */
export function schemaSettingPaths(schema: Schema = POLICY_SETTINGS_SCHEMA): string[] {
  const groups = schema.properties as Record<string, Schema>;
  return Object.entries(groups).flatMap(([name, inner]) =>
    Object.keys(inner.properties as Record<string, Schema>).map((key) => `${name}.${key}`),
  );
}

function withoutRequired(schema: Schema, depth: number): Schema {
  const copy: Record<string, unknown> = { ...schema };
  delete copy.required;
  if (depth > 1 && schema.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(schema.properties as Record<string, Schema>).map(([key, inner]) => [
        key,
        withoutRequired(inner, depth - 1),
      ]),
    );
  }
  return copy;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) {
      deepFreeze(inner);
    }
    Object.freeze(value);
  }
  return value;
}
