// The Linux agent's enforcers, in the order they run. Each claims the settings PLATFORM_SUPPORT
// (@app/policy) gives it; a unit test fails when they disagree.

import { cameraEnforcer } from './camera.enforcer';
import { removableMediaEnforcer } from './removable-media.enforcer';
import { screenLockEnforcer } from './screen-lock.enforcer';
import type { SettingEnforcer } from './setting-enforcer';
import { wifiEnforcer } from './wifi.enforcer';

export const LINUX_SETTING_ENFORCERS: readonly SettingEnforcer[] = [
  screenLockEnforcer,
  wifiEnforcer,
  removableMediaEnforcer,
  cameraEnforcer,
];

export type { SettingEnforcer, Unenforced } from './setting-enforcer';
