// The school baseline: what every device gets where no profile says otherwise, drawn from the
// rules in the schools' acceptable use policies that a machine can enforce.

import { PROTECTED_APP_IDS, type PolicySettings } from './settings';

export const SCHOOL_BASELINE: PolicySettings = deepFreeze({
  // Pupils must ask before a school device takes images: a teacher turns the camera on.
  camera: { allowed: false },
  // No personal or unfiltered networks; an empty allowedSsids means any pushed/known network.
  wifi: { allowedSsids: [], allowUserAddedNetworks: false, networks: [] },
  // Software is installed by ICT only; the hub's own apps are always allowed.
  apps: { mode: 'open', allowed: [...PROTECTED_APP_IDS], blocked: [], allowInstall: false },
  // "Lock computers when leaving the room."
  screen: { autoLockMinutes: 5, requirePasscode: true },
  // "At least six characters with mixed case, a number and a symbol."
  passcode: { minLength: 6, requireMixedCase: true, requireNumber: true, requireSymbol: true },
  // Removable media holding school data taken off site must be encrypted.
  removableMedia: { allowed: true, requireEncryption: true },
  // Images go to the school network and leave the device once the hub has them.
  photos: { autoUpload: true, deleteAfterUpload: true },
});

// Frozen so that no caller can change the baseline for everyone by editing what it was given.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) {
      deepFreeze(inner);
    }
    Object.freeze(value);
  }
  return value;
}
