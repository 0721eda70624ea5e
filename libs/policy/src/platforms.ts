// What each platform enforces of each setting: the one table that the Linux agent's enforcers are
// checked against and that docs/policy-platforms.md is written from (`npm run docs:platforms`),
// so the documentation and the code cannot disagree (issue 9). A note says what the code does,
// never more.

import type { PolicySettings, SettingPath } from './settings';

/**
 * How much of a setting a platform enforces. `yes`: a standard user cannot undo it; `partly`:
 * with the gaps in the note; `supervised only`: only on a supervised iPad; `no`: recorded and
 * sent, nothing more; `n/a`: the platform has no such thing.
 */
export type Support = 'yes' | 'partly' | 'supervised only' | 'no' | 'n/a';

/** The Linux agent's enforcers, one per part of the system it configures. */
export const LINUX_ENFORCER_NAMES = ['screen-lock', 'wifi', 'removable-media', 'camera'] as const;
export type LinuxEnforcerName = (typeof LINUX_ENFORCER_NAMES)[number];

export interface SettingSupport {
  /** The iPad's `.mobileconfig` (compileMobileconfig): the payload keys, or null for none. */
  ipad: { support: Support; payload: string | null; note: string };
  /** The Linux agent: the enforcer that claims the setting, or null when none does. */
  linux: { support: Support; enforcer: LinuxEnforcerName | null; note: string };
}

const WIFI_LINUX_GAPS =
  'Only where NetworkManager manages Wi-Fi. Members of the `sudo` or `wheel` group are not held.';

/** Setting path → what each platform does with it. */
export const PLATFORM_SUPPORT: Readonly<Record<SettingPath, SettingSupport>> = Object.freeze({
  'camera.allowed': {
    ipad: {
      support: 'yes',
      payload: '`com.apple.applicationaccess` `allowCamera`',
      note: 'Apple marks it deprecated on unsupervised iPads, so expect it to become supervised only.',
    },
    linux: {
      support: 'yes',
      enforcer: 'camera',
      note:
        'A udev rule (`/etc/udev/rules.d/71-classroom-camera.rules`) de-authorises USB video-class ' +
        'camera interfaces and takes every video4linux capture device away from the logged-in ' +
        'user (mode 0000, no `uaccess`). Anyone with root gets past it. When the camera is ' +
        'allowed again, a built-in camera comes back after a restart.',
    },
  },
  'wifi.allowedSsids': {
    ipad: {
      support: 'no',
      payload: null,
      note: 'iPadOS has no SSID allow list. See `wifi.allowUserAddedNetworks` for the nearest thing.',
    },
    linux: {
      support: 'partly',
      enforcer: 'wifi',
      note:
        'The agent deletes saved Wi-Fi connections whose SSID is not in the list, and a polkit ' +
        'rule (`/etc/polkit-1/rules.d/49-classroom-network.rules`) stops standard users adding ' +
        `or changing connections. ${WIFI_LINUX_GAPS}`,
    },
  },
  'wifi.allowUserAddedNetworks': {
    ipad: {
      support: 'supervised only',
      payload: '`com.apple.applicationaccess` `forceWiFiToAllowedNetworksOnly`',
      note:
        'Written only when user-added networks are off **and** at least one network is pushed; ' +
        'with none pushed it would cut the iPad off from every network, including the hub.',
    },
    linux: {
      support: 'partly',
      enforcer: 'wifi',
      note:
        'The same polkit rule stops standard users adding networks. Saved connections the agent ' +
        'did not write are deleted only when at least one network is pushed (otherwise the ' +
        `setting is reported unenforced, so the laptop is not cut off). ${WIFI_LINUX_GAPS}`,
    },
  },
  'wifi.networks': {
    ipad: {
      support: 'yes',
      payload: 'one `com.apple.wifi.managed` per network',
      note: 'WPA3 needs iPadOS 13 or later.',
    },
    linux: {
      support: 'yes',
      enforcer: 'wifi',
      note:
        'One NetworkManager keyfile per network in `/etc/NetworkManager/system-connections/` ' +
        '(`classroom-….nmconnection`, mode 0600), then `nmcli connection reload`. Networks ' +
        'no longer in the policy are removed. Only where NetworkManager is installed.',
    },
  },
  'apps.mode': {
    ipad: {
      support: 'supervised only',
      payload:
        '`allowListedAppBundleIDs` / `blockedAppBundleIDs` and the older ' +
        '`whitelistedAppBundleIDs` / `blacklistedAppBundleIDs`',
      note: 'Both generations of keys carry the same list.',
    },
    linux: {
      support: 'no',
      enforcer: null,
      note: 'The Linux agent has no app allow or block list; `allowlist` or `blocklist` is reported unenforced.',
    },
  },
  'apps.allowed': {
    ipad: {
      support: 'supervised only',
      payload: '`allowListedAppBundleIDs`, `whitelistedAppBundleIDs`',
      note: 'Used when `apps.mode` is `allowlist`.',
    },
    linux: {
      support: 'no',
      enforcer: null,
      note: 'Reported unenforced when `apps.mode` is `allowlist`.',
    },
  },
  'apps.blocked': {
    ipad: {
      support: 'supervised only',
      payload: '`blockedAppBundleIDs`, `blacklistedAppBundleIDs`',
      note: 'Used when `apps.mode` is `blocklist`.',
    },
    linux: {
      support: 'no',
      enforcer: null,
      note: 'Reported unenforced when `apps.mode` is `blocklist`.',
    },
  },
  'apps.allowInstall': {
    ipad: {
      support: 'supervised only',
      payload: '`allowAppInstallation`, `allowUIAppInstallation`',
      note: 'Since iOS 13 both work only on supervised iPads.',
    },
    linux: {
      support: 'no',
      enforcer: null,
      note: 'Reported unenforced when false. A standard user cannot install system-wide anyway.',
    },
  },
  'screen.autoLockMinutes': {
    ipad: {
      support: 'yes',
      payload: '`com.apple.mobiledevice.passwordpolicy` `maxInactivity`',
      note: "Capped at Apple's maximum of 15 minutes: a shorter lock than asked for.",
    },
    linux: {
      support: 'partly',
      enforcer: 'screen-lock',
      note:
        'GNOME only: system dconf settings and locks (`/etc/dconf/db/local.d/`) set the idle ' +
        'delay and turn the lock screen on, then `dconf update`. Other desktops are not covered; ' +
        'without GNOME the setting is reported unenforced.',
    },
  },
  'screen.requirePasscode': {
    ipad: {
      support: 'yes',
      payload: '`com.apple.mobiledevice.passwordpolicy` `forcePIN`',
      note: '',
    },
    linux: {
      support: 'no',
      enforcer: null,
      note:
        "GNOME's lock screen asks for the account's password, but the agent neither sets nor " +
        'checks passwords, so it reports this unenforced.',
    },
  },
  'passcode.minLength': {
    ipad: {
      support: 'partly',
      payload: '`com.apple.mobiledevice.passwordpolicy` `minLength`',
      note: "Capped at Apple's maximum of 16: weaker than a policy asking for more.",
    },
    linux: { support: 'no', enforcer: null, note: 'The agent does not set password rules.' },
  },
  'passcode.requireMixedCase': {
    ipad: {
      support: 'no',
      payload: '`requireAlphanumeric` (letters and digits, not mixed case)',
      note: 'iPadOS cannot ask for mixed case.',
    },
    linux: { support: 'no', enforcer: null, note: 'The agent does not set password rules.' },
  },
  'passcode.requireNumber': {
    ipad: {
      support: 'yes',
      payload: '`com.apple.mobiledevice.passwordpolicy` `requireAlphanumeric`',
      note: '',
    },
    linux: { support: 'no', enforcer: null, note: 'The agent does not set password rules.' },
  },
  'passcode.requireSymbol': {
    ipad: {
      support: 'yes',
      payload: '`com.apple.mobiledevice.passwordpolicy` `minComplexChars` 1',
      note: '`allowSimple` is false whenever any complexity rule is on.',
    },
    linux: { support: 'no', enforcer: null, note: 'The agent does not set password rules.' },
  },
  'removableMedia.allowed': {
    ipad: {
      support: 'supervised only',
      payload: '`com.apple.applicationaccess` `allowFilesUSBDriveAccess`',
      note: 'iPadOS 13.1 and later. Drives an app reads through its own accessory support are not covered.',
    },
    linux: {
      support: 'partly',
      enforcer: 'removable-media',
      note:
        'A udev rule (`/etc/udev/rules.d/61-classroom-removable-media.rules`) de-authorises USB ' +
        'mass-storage interfaces, and a polkit rule (`/etc/polkit-1/rules.d/49-classroom-removable-media.rules`) ' +
        'stops standard users mounting any removable drive through udisks. Root gets past both.',
    },
  },
  'removableMedia.requireEncryption': {
    ipad: {
      support: 'supervised only',
      payload: '`allowFilesUSBDriveAccess` false',
      note: 'The iPad cannot tell an encrypted drive from a plain one, so USB drives are turned off altogether.',
    },
    linux: {
      support: 'partly',
      enforcer: 'removable-media',
      note:
        'The udev rule makes every USB drive that is not LUKS-encrypted read-only ' +
        '(`blockdev --setro`). USB only; card readers on other buses are not covered.',
    },
  },
  'photos.autoUpload': {
    ipad: {
      support: 'no',
      payload: null,
      note: "Not in the profile: the hub's iPad app applies it from `policy.apply`.",
    },
    linux: {
      support: 'n/a',
      enforcer: null,
      note: 'The Linux agent keeps no photos.',
    },
  },
  'photos.deleteAfterUpload': {
    ipad: {
      support: 'no',
      payload: null,
      note: "Not in the profile: the hub's iPad app applies it from `policy.apply`.",
    },
    linux: {
      support: 'n/a',
      enforcer: null,
      note: 'The Linux agent keeps no photos.',
    },
  },
});

/**
 * Whether a setting's value asks a device to hold something back: only then can a device fail
 * to enforce it. `camera.allowed: true` asks for nothing; `false` asks for the camera off.
 */
export function settingRestricts(path: SettingPath, settings: PolicySettings): boolean {
  switch (path) {
    case 'camera.allowed':
      return !settings.camera.allowed;
    case 'wifi.allowedSsids':
      return settings.wifi.allowedSsids.length > 0;
    case 'wifi.allowUserAddedNetworks':
      return !settings.wifi.allowUserAddedNetworks;
    case 'wifi.networks':
      return settings.wifi.networks.length > 0;
    case 'apps.mode':
      return settings.apps.mode !== 'open';
    case 'apps.allowed':
      return settings.apps.mode === 'allowlist';
    case 'apps.blocked':
      return settings.apps.mode === 'blocklist';
    case 'apps.allowInstall':
      return !settings.apps.allowInstall;
    case 'screen.autoLockMinutes':
      return true; // 1 to 60: there is no "never"
    case 'screen.requirePasscode':
      return settings.screen.requirePasscode;
    case 'passcode.minLength':
      return true; // at least 4
    case 'passcode.requireMixedCase':
      return settings.passcode.requireMixedCase;
    case 'passcode.requireNumber':
      return settings.passcode.requireNumber;
    case 'passcode.requireSymbol':
      return settings.passcode.requireSymbol;
    case 'removableMedia.allowed':
      return !settings.removableMedia.allowed;
    case 'removableMedia.requireEncryption':
      return settings.removableMedia.requireEncryption;
    case 'photos.autoUpload':
      return settings.photos.autoUpload;
    case 'photos.deleteAfterUpload':
      return settings.photos.deleteAfterUpload;
  }
}
