// The policy editor's model: every setting of PolicySettings (libs/policy) as a form field,
// grouped by section, and the conversions between a policy's settings and what the form holds.
// A profile sets any subset of settings; a setting it does not set comes from a wider policy or
// the built-in default. `enforced` lists set settings that narrower policies may not change.
import {
  LIMITS,
  type PartialPolicySettings,
  type PolicySettings,
  type SettingPath,
  type WifiSecurity,
} from '@app/policy/settings';
import {
  wholeNumberIn,
  wholeNumberProblem,
  type Policy,
  type WholeNumberRange,
} from '@app/hub-api';

/** How a setting is edited: on/off, a whole number, a list one entry a line, a choice, networks. */
export type SettingKind = 'boolean' | 'integer' | 'lines' | 'appsMode' | 'networks';

export interface SettingField {
  /** The field's label, naming the setting for a school ("Camera allowed"). */
  label: string;
  description: string;
  kind: SettingKind;
  /** For booleans: the value's words ("Allowed" / "Not allowed"). */
  words?: { on: string; off: string };
  /** For whole numbers: the range the hub's check takes (libs/policy LIMITS). */
  range?: WholeNumberRange;
}

/**
 * Every leaf of PolicySettings, described for the form. Typed as a Record over SettingPath, so a
 * setting added to libs/policy without a field here does not compile.
 */
export const SETTING_FIELDS: Record<SettingPath, SettingField> = {
  'camera.allowed': {
    label: 'Camera allowed',
    description: 'Whether the camera works at all.',
    kind: 'boolean',
    words: { on: 'Allowed', off: 'Not allowed' },
  },
  'wifi.allowedSsids': {
    label: 'Networks a device may join',
    description: 'One network name (SSID) a line. Leave empty to allow any network listed below.',
    kind: 'lines',
  },
  'wifi.allowUserAddedNetworks': {
    label: 'Pupils may add networks',
    description: 'Whether someone using the device may join a network of their own.',
    kind: 'boolean',
    words: { on: 'Allowed', off: 'Not allowed' },
  },
  'wifi.networks': {
    label: 'Networks set up on the device',
    description: 'Pushed to every device with their passwords. Each must be a network it may join.',
    kind: 'networks',
  },
  'apps.mode': {
    label: 'Which apps may run',
    description: 'Any app, only the allowed ones, or any except the blocked ones.',
    kind: 'appsMode',
  },
  'apps.allowed': {
    label: 'Allowed apps',
    description:
      'One app id a line (com.apple.Pages). Must include the hub’s own apps: org.devicehub.agent and org.devicehub.ipad.',
    kind: 'lines',
  },
  'apps.blocked': {
    label: 'Blocked apps',
    description: 'One app id a line. Never the hub’s own apps, nor an allowed app.',
    kind: 'lines',
  },
  'apps.allowInstall': {
    label: 'Pupils may install apps',
    description: 'Whether someone using the device may install apps themselves.',
    kind: 'boolean',
    words: { on: 'Allowed', off: 'Not allowed' },
  },
  'screen.autoLockMinutes': {
    label: 'Lock the screen after (minutes)',
    description: `Idle minutes before the screen locks: ${LIMITS.autoLockMinutes.min} to ${LIMITS.autoLockMinutes.max}.`,
    kind: 'integer',
    range: LIMITS.autoLockMinutes,
  },
  'screen.requirePasscode': {
    label: 'Passcode to unlock the screen',
    description: 'Whether unlocking needs the passcode.',
    kind: 'boolean',
    words: { on: 'Required', off: 'Not required' },
  },
  'passcode.minLength': {
    label: 'Shortest passcode (characters)',
    description: `${LIMITS.passcodeMinLength.min} to ${LIMITS.passcodeMinLength.max} characters.`,
    kind: 'integer',
    range: LIMITS.passcodeMinLength,
  },
  'passcode.requireMixedCase': {
    label: 'Upper and lower case letters',
    description: 'Whether a passcode needs both.',
    kind: 'boolean',
    words: { on: 'Required', off: 'Not required' },
  },
  'passcode.requireNumber': {
    label: 'A number',
    description: 'Whether a passcode needs a digit.',
    kind: 'boolean',
    words: { on: 'Required', off: 'Not required' },
  },
  'passcode.requireSymbol': {
    label: 'A symbol',
    description: 'Whether a passcode needs a symbol.',
    kind: 'boolean',
    words: { on: 'Required', off: 'Not required' },
  },
  'removableMedia.allowed': {
    label: 'USB sticks and memory cards allowed',
    description: 'Whether removable media can be used.',
    kind: 'boolean',
    words: { on: 'Allowed', off: 'Not allowed' },
  },
  'removableMedia.requireEncryption': {
    label: 'Removable media must be encrypted',
    description: 'Only encrypted sticks and cards can be written to.',
    kind: 'boolean',
    words: { on: 'Required', off: 'Not required' },
  },
  'photos.autoUpload': {
    label: 'Upload photos to the school store',
    description: 'Photos taken on the device go to the hub on their own.',
    kind: 'boolean',
    words: { on: 'Yes', off: 'No' },
  },
  'photos.deleteAfterUpload': {
    label: 'Delete photos once uploaded',
    description: 'A photo leaves the device once the hub has it.',
    kind: 'boolean',
    words: { on: 'Yes', off: 'No' },
  },
};

export interface PolicySection {
  id: keyof PolicySettings;
  title: string;
  settings: SettingPath[];
}

/** The editor's sections, in the order the issue lists them. */
export const POLICY_SECTIONS: PolicySection[] = [
  { id: 'camera', title: 'Camera', settings: ['camera.allowed'] },
  {
    id: 'wifi',
    title: 'Wi-Fi',
    settings: ['wifi.allowedSsids', 'wifi.networks', 'wifi.allowUserAddedNetworks'],
  },
  {
    id: 'apps',
    title: 'Apps',
    settings: ['apps.mode', 'apps.allowed', 'apps.blocked', 'apps.allowInstall'],
  },
  { id: 'screen', title: 'Screen', settings: ['screen.autoLockMinutes', 'screen.requirePasscode'] },
  {
    id: 'passcode',
    title: 'Passcode',
    settings: [
      'passcode.minLength',
      'passcode.requireMixedCase',
      'passcode.requireNumber',
      'passcode.requireSymbol',
    ],
  },
  {
    id: 'removableMedia',
    title: 'Removable media',
    settings: ['removableMedia.allowed', 'removableMedia.requireEncryption'],
  },
  { id: 'photos', title: 'Photos', settings: ['photos.autoUpload', 'photos.deleteAfterUpload'] },
];

/** A Wi-Fi network as the form holds it (the password kept while the security is changed). */
export interface NetworkDraft {
  /** A key for React only: networks can be added and removed in any order. */
  key: number;
  ssid: string;
  security: WifiSecurity;
  password: string;
  autoJoin: boolean;
}

/** What the form holds for one setting, by kind. */
export type DraftValue = boolean | string | NetworkDraft[];

/** The whole form: the settings this policy sets (absent = not set here) and which it enforces. */
export interface PolicyDraft {
  name: string;
  description: string;
  values: Partial<Record<SettingPath, DraftValue>>;
  enforced: SettingPath[];
}

let networkKeys = 0;

/** A new, empty network row. */
export function newNetwork(): NetworkDraft {
  networkKeys += 1;
  return { key: networkKeys, ssid: '', security: 'wpa2', password: '', autoJoin: true };
}

function settingOf(settings: Policy['settings'], path: SettingPath): unknown {
  const [group, key] = path.split('.');
  return settings[group]?.[key];
}

/** A setting's value as the form holds it. */
export function toDraftValue(path: SettingPath, value: unknown): DraftValue {
  switch (SETTING_FIELDS[path].kind) {
    case 'boolean':
      return value === true;
    case 'integer':
      return value === undefined || value === null ? '' : String(value as number);
    case 'lines':
      return Array.isArray(value) ? (value as string[]).join('\n') : '';
    case 'appsMode':
      return typeof value === 'string' ? value : 'open';
    case 'networks':
      return (Array.isArray(value) ? (value as PolicySettings['wifi']['networks']) : []).map(
        (network) => ({
          ...newNetwork(),
          ssid: network.ssid,
          security: network.security,
          password: network.password ?? '',
          autoJoin: network.autoJoin,
        }),
      );
  }
}

/** The form for a policy as the hub has it. */
export function toDraft(policy: Policy): PolicyDraft {
  const values: PolicyDraft['values'] = {};
  for (const path of Object.keys(SETTING_FIELDS) as SettingPath[]) {
    const value = settingOf(policy.settings, path);
    if (value !== undefined) {
      values[path] = toDraftValue(path, value);
    }
  }
  return {
    name: policy.name,
    description: policy.description ?? '',
    values,
    enforced: policy.enforced.filter((path): path is SettingPath => path in SETTING_FIELDS),
  };
}

/**
 * What the form sends: the settings it sets, converted back. Nothing is checked here beyond the
 * shape: the hub checks every value and names the field at fault, and the form shows it there.
 * A whole number that is not one is sent as typed, so the hub's words say what is wrong.
 */
export function fromDraft(draft: PolicyDraft): {
  name: string;
  description: string;
  settings: PartialPolicySettings;
  enforced: SettingPath[];
} {
  const settings: Record<string, Record<string, unknown>> = {};
  for (const [path, value] of Object.entries(draft.values) as [SettingPath, DraftValue][]) {
    const [group, key] = path.split('.');
    settings[group] ??= {};
    settings[group][key] = fromDraftValue(path, value);
  }
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    settings: settings as PartialPolicySettings,
    enforced: draft.enforced.filter((path) => draft.values[path] !== undefined),
  };
}

/**
 * The form's own check of its whole-number settings, before anything is sent: each set one must
 * be a whole number within the range the hub's check takes (libs/policy LIMITS), digits only, so
 * a number too long for JavaScript (which JSON would send as null) is refused here, in words
 * that say the range, rather than by the hub as "must be a whole number".
 *
 * @returns the words to say beside each setting at fault, by its path; empty when none is
 */
export function numberProblemsOf(draft: PolicyDraft): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const [path, value] of Object.entries(draft.values) as [SettingPath, DraftValue][]) {
    const { kind, label, range } = SETTING_FIELDS[path];
    if (kind === 'integer' && range && wholeNumberIn(value as string, range) === null) {
      problems[path] = wholeNumberProblem(label, range);
    }
  }
  return problems;
}

function fromDraftValue(path: SettingPath, value: DraftValue): unknown {
  switch (SETTING_FIELDS[path].kind) {
    case 'boolean':
    case 'appsMode':
      return value;
    case 'integer': {
      const text = (value as string).trim();
      return /^-?\d+$/.test(text) ? Number(text) : text;
    }
    case 'lines':
      return (value as string)
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
    case 'networks':
      return (value as NetworkDraft[]).map((network) => ({
        ssid: network.ssid,
        security: network.security,
        autoJoin: network.autoJoin,
        ...(network.security === 'open' ? {} : { password: network.password }),
      }));
  }
}

/** A setting's value in words, for "not set here" and the built-in default. */
export function describeValue(path: SettingPath, value: unknown): string {
  const field = SETTING_FIELDS[path];
  switch (field.kind) {
    case 'boolean':
      return value === true ? (field.words?.on ?? 'On') : (field.words?.off ?? 'Off');
    case 'integer':
      return String(value as number);
    case 'lines':
      return Array.isArray(value) && value.length > 0 ? (value as string[]).join(', ') : 'none';
    case 'appsMode':
      return APPS_MODES.find((mode) => mode.value === value)?.label ?? String(value);
    case 'networks':
      return Array.isArray(value) && value.length > 0
        ? (value as { ssid: string }[]).map((network) => network.ssid).join(', ')
        : 'none';
  }
}

export const APPS_MODES = [
  { value: 'open', label: 'Any app' },
  { value: 'allowlist', label: 'Only the allowed apps' },
  { value: 'blocklist', label: 'Any app except the blocked ones' },
] as const;

export const WIFI_SECURITIES = [
  { value: 'wpa2', label: 'WPA2 (password)' },
  { value: 'wpa3', label: 'WPA3 (password)' },
  { value: 'open', label: 'Open (no password)' },
] as const;

/** A setting path's name for people ("Camera allowed"), or the path itself if unknown. */
export function settingLabel(path: string): string {
  if (path === 'enforced') {
    return 'Which settings are enforced';
  }
  return SETTING_FIELDS[path as SettingPath]?.label ?? path;
}
