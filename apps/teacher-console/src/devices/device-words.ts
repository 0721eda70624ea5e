// How the device screens say things: platforms, command types and statuses (in the hub's
// words), compliance, policy settings and times, for a member of staff rather than an API.
import type { Device, DeviceCommand, DeviceCompliance, DevicePolicy } from '@app/hub-api';
import type { SettingPath } from '@app/policy/settings';
import { oneFieldErrorsOf, type OneFieldErrors } from '../api/bad-request-fields';

/** The platforms the hub knows (PLATFORMS in libs/devices/src/protocol.ts), as people say them. */
export const PLATFORM_LABELS: Record<string, string> = {
  ipados: 'iPad',
  android: 'Android',
  chromeos: 'Chromebook',
  windows: 'Windows',
  macos: 'Mac',
  linux: 'Linux',
};

/** Apple devices install a signed .mobileconfig (GET /api/devices/:id/profile.mobileconfig). */
export function isApple(device: Pick<Device, 'platform'>): boolean {
  return device.platform === 'ipados' || device.platform === 'macos';
}

/** "Year 4 iPad 12", else its serial number: what a device is called on screen. */
export function deviceLabel(device: Pick<Device, 'name' | 'serialNumber'>): string {
  return device.name?.trim() || device.serialNumber;
}

/** A command's status in the hub's words (pending, sent, acknowledged, error, not now, expired). */
export const COMMAND_STATUS_WORDS: Record<DeviceCommand['status'], string> = {
  pending: 'pending',
  sent: 'sent',
  acknowledged: 'acknowledged',
  error: 'error',
  not_now: 'not now',
  expired: 'expired',
  cancelled: 'cancelled',
};

/** What a command does (COMMAND_TYPES in libs/devices/src/protocol.ts). */
export const COMMAND_TYPE_WORDS: Record<string, string> = {
  'device.lock': 'Lock',
  'device.unlock': 'Unlock',
  'app.lock': 'Keep in one app',
  'app.unlock': 'Leave the app',
  'policy.apply': 'Apply policy',
  'message.show': 'Show a message',
  'photos.sync': 'Send photos',
  'device.unenroll': 'Unenrol',
};

/** Why a device is locked (LOCK_REASONS), and who may lift it. */
export const LOCK_REASON_WORDS: Record<string, string> = {
  admin: 'Held by ICT',
  lost: 'Lost or stolen',
  class: 'In class',
};

export const COMPLIANCE_WORDS: Record<DeviceCompliance['status'], string> = {
  applied: 'Applied',
  pending: 'Waiting for the device',
  partial: 'Partly applied',
  failed: 'Failed',
  none: 'No policy planned yet',
};

/** A time from the hub (ISO 8601) in the browser's time zone, or `never` words for null. */
export function formatTime(iso: string | null | undefined, never = 'Never'): string {
  if (!iso) {
    return never;
  }
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * Every setting of a resolved policy, in the schema's order (SETTING_PATHS in
 * libs/policy/src/settings.ts; the Record type keeps this list complete), with its name.
 */
export const SETTING_LABELS: Record<SettingPath, string> = {
  'camera.allowed': 'Camera allowed',
  'wifi.allowedSsids': 'Wi-Fi networks it may join',
  'wifi.allowUserAddedNetworks': 'Pupils may add Wi-Fi networks',
  'wifi.networks': 'Wi-Fi networks installed',
  'apps.mode': 'Apps',
  'apps.allowed': 'Apps allowed',
  'apps.blocked': 'Apps blocked',
  'apps.allowInstall': 'Pupils may install apps',
  'screen.autoLockMinutes': 'Screen locks after (minutes)',
  'screen.requirePasscode': 'Passcode to unlock the screen',
  'passcode.minLength': 'Shortest passcode',
  'passcode.requireMixedCase': 'Passcode needs upper and lower case',
  'passcode.requireNumber': 'Passcode needs a number',
  'passcode.requireSymbol': 'Passcode needs a symbol',
  'removableMedia.allowed': 'USB drives and SD cards allowed',
  'removableMedia.requireEncryption': 'USB drives must be encrypted',
  'photos.autoUpload': 'Photos upload on their own',
  'photos.deleteAfterUpload': 'Photos deleted once uploaded',
};

const APPS_MODE_WORDS: Record<string, string> = {
  open: 'Any app',
  allowlist: 'Only the allowed apps',
  blocklist: 'Any app but the blocked ones',
};

/** A setting's value in words. Wi-Fi passwords are never shown, only the network names. */
export function settingValueWords(path: SettingPath, value: unknown): string {
  if (path === 'wifi.networks' && Array.isArray(value)) {
    const names = value.map((network) => String((network as { ssid?: unknown }).ssid ?? '?'));
    return names.length ? names.join(', ') : 'None';
  }
  if (path === 'apps.mode' && typeof value === 'string') {
    return APPS_MODE_WORDS[value] ?? value;
  }
  if (typeof value === 'boolean') {
    return value ? 'Yes' : 'No';
  }
  if (Array.isArray(value)) {
    return value.length ? value.map(String).join(', ') : 'None';
  }
  if (value === null || value === undefined) {
    return 'Not set';
  }
  return String(value);
}

const SCOPE_WORDS: Record<DevicePolicy['decidedBy'][string]['scope'], string> = {
  baseline: 'whole school',
  group: 'group',
  device: 'this device',
  overlay: 'overlay',
  default: 'built in',
};

/** The profile that decided a setting: "Year 4 iPads (group)", "Built-in default". */
export function decidedByWords(decision: DevicePolicy['decidedBy'][string] | undefined): string {
  if (!decision || decision.scope === 'default') {
    return 'Built-in default';
  }
  return `${decision.policy} (${SCOPE_WORDS[decision.scope]})`;
}

/**
 * The hub's 400 for a command's payload field (`payload.message`, `payload.text`), part by part
 * (oneFieldErrorsOf): beside the field the parts that start with its path ("payload.message must
 * be shorter than …"), never one that merely holds the word; above the buttons the other parts,
 * or the whole error when no part is about the field.
 *
 * @param field the payload's property, as the protocol names it
 */
export function commandErrorsOf(error: unknown, field: 'message' | 'text'): OneFieldErrors {
  return oneFieldErrorsOf(error, `payload.${field}`);
}
