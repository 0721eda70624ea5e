// Specs for the settings schema: what a profile may say, and how a refusal names the field.

import { SCHOOL_BASELINE } from './baseline';
import {
  PROTECTED_APP_IDS,
  PolicyValidationError,
  SETTING_PATHS,
  diffSettings,
  validatePartialSettings,
  validateSettings,
  type PolicySettings,
} from './settings';

function baseline(): PolicySettings {
  return structuredClone(SCHOOL_BASELINE);
}

function refusal(run: () => unknown): PolicyValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyValidationError);
    return error as PolicyValidationError;
  }
  throw new Error('expected a PolicyValidationError, but the input was accepted');
}

function expectRefused(input: unknown, field: string, partial = true): PolicyValidationError {
  const error = refusal(() => (partial ? validatePartialSettings(input) : validateSettings(input)));
  expect(error.field).toBe(field);
  expect(error.message).toContain(field);
  return error;
}

describe(validatePartialSettings.name, () => {
  it('accepts a subset and returns a copy the caller cannot reach into', () => {
    const input = { camera: { allowed: true }, wifi: { allowedSsids: ['School'] } };
    const result = validatePartialSettings(input);
    expect(result).toEqual(input);
    input.wifi.allowedSsids.push('Home');
    expect(result.wifi?.allowedSsids).toEqual(['School']);
  });

  it('accepts an empty profile', () => {
    expect(validatePartialSettings({})).toEqual({});
  });

  it.each([
    [{ bluetooth: { allowed: false } }, 'bluetooth'],
    [{ camera: { allowed: true, front: false } }, 'camera.front'],
    [
      { wifi: { networks: [{ ssid: 'S', security: 'open', autoJoin: true, hidden: true }] } },
      'wifi.networks[0].hidden',
    ],
    [{ __proto__: null, constructor: {} }, 'constructor'],
  ])('refuses unknown keys at any level (%j)', (input, field) => {
    expectRefused(input, field);
  });

  it.each([
    [null, 'settings'],
    [[], 'settings'],
    [{ camera: true }, 'camera'],
    [{ camera: { allowed: 'yes' } }, 'camera.allowed'],
    [{ wifi: { allowedSsids: 'School' } }, 'wifi.allowedSsids'],
    [{ wifi: { allowedSsids: [42] } }, 'wifi.allowedSsids[0]'],
    [{ apps: { mode: 'kiosk' } }, 'apps.mode'],
    [{ screen: { autoLockMinutes: '5' } }, 'screen.autoLockMinutes'],
    [{ passcode: { minLength: 6.5 } }, 'passcode.minLength'],
    [
      { wifi: { networks: [{ ssid: 'S', security: 'wep', autoJoin: true }] } },
      'wifi.networks[0].security',
    ],
    [{ wifi: { networks: [{ ssid: 'S', security: 'open' }] } }, 'wifi.networks[0].autoJoin'],
  ])('refuses wrong types (%j)', (input, field) => {
    expectRefused(input, field);
  });

  it.each([
    [{ screen: { autoLockMinutes: 0 } }, 'screen.autoLockMinutes'],
    [{ screen: { autoLockMinutes: 61 } }, 'screen.autoLockMinutes'],
    [{ passcode: { minLength: 3 } }, 'passcode.minLength'],
    [{ passcode: { minLength: 65 } }, 'passcode.minLength'],
    [{ wifi: { allowedSsids: [''] } }, 'wifi.allowedSsids[0]'],
    [{ wifi: { allowedSsids: ['x'.repeat(33)] } }, 'wifi.allowedSsids[0]'],
    // 11 three-byte characters are 33 bytes: an SSID is measured in bytes, not characters.
    [{ wifi: { allowedSsids: ['€'.repeat(11)] } }, 'wifi.allowedSsids[0]'],
    [{ wifi: { allowedSsids: ['School', 'School'] } }, 'wifi.allowedSsids[1]'],
    // Text a .mobileconfig cannot carry (issue 8 item 17): controls, lone surrogates, U+FFFF.
    [{ wifi: { allowedSsids: ['Sch\u0001ol'] } }, 'wifi.allowedSsids[0]'],
    [{ wifi: { allowedSsids: ['School\ud800'] } }, 'wifi.allowedSsids[0]'],
    [{ apps: { blocked: ['com.example.\uffff'] } }, 'apps.blocked[0]'],
    [{ apps: { blocked: [''] } }, 'apps.blocked[0]'],
    [{ apps: { blocked: ['a'.repeat(256)] } }, 'apps.blocked[0]'],
    [{ apps: { blocked: [' com.example.game'] } }, 'apps.blocked[0]'],
    [
      { apps: { blocked: Array.from({ length: 501 }, (_, index) => `com.example.app${index}`) } },
      'apps.blocked',
    ],
  ])('refuses values out of range (%j)', (input, field) => {
    expectRefused(input, field);
  });

  it('accepts the edges of each range', () => {
    expect(() =>
      validatePartialSettings({
        screen: { autoLockMinutes: 60 },
        passcode: { minLength: 64 },
        wifi: { allowedSsids: ['x'.repeat(32), '€'.repeat(10)] },
        apps: { blocked: ['a'.repeat(255), ...Array.from({ length: 499 }, (_, i) => `b${i}`)] },
      }),
    ).not.toThrow();
    expect(() =>
      validatePartialSettings({ screen: { autoLockMinutes: 1 }, passcode: { minLength: 4 } }),
    ).not.toThrow();
  });

  describe('protected apps', () => {
    it('exports the hub apps', () => {
      expect([...PROTECTED_APP_IDS].sort()).toEqual(['org.devicehub.agent', 'org.devicehub.ipad']);
    });

    it('refuses an allowlist that leaves out a protected app, naming apps.allowed', () => {
      const error = expectRefused(
        { apps: { mode: 'allowlist', allowed: ['org.devicehub.agent', 'com.example.maths'] } },
        'apps.allowed',
      );
      expect(error.message).toContain('org.devicehub.ipad');
    });

    it('refuses an empty allowed list too, whatever the mode, since the mode may come from another profile', () => {
      expectRefused({ apps: { allowed: [] } }, 'apps.allowed');
    });

    it('refuses a blocklist that holds a protected app, naming apps.blocked', () => {
      const error = expectRefused({ apps: { blocked: ['org.devicehub.agent'] } }, 'apps.blocked');
      expect(error.message).toContain('org.devicehub.agent');
    });

    it('accepts an allowlist holding every protected app', () => {
      const allowed = [...PROTECTED_APP_IDS, 'com.example.maths'];
      expect(
        validatePartialSettings({ apps: { mode: 'allowlist', allowed } }).apps?.allowed,
      ).toEqual(allowed);
    });
  });

  describe('Wi-Fi networks', () => {
    const network = (extra: object) => ({
      wifi: { networks: [{ ssid: 'School', autoJoin: true, ...extra }] },
    });

    it.each(['wpa2', 'wpa3'])('requires a password for %s', (security) => {
      expectRefused(network({ security }), 'wifi.networks[0].password');
    });

    it.each([
      ['too short', 'seven77'],
      ['too long', 'p'.repeat(64)],
      ['not ASCII', 'pässwörd-school'],
      ['a control character', 'password\n123'],
    ])('refuses a WPA password that is %s', (_, password) => {
      expectRefused(network({ security: 'wpa2', password }), 'wifi.networks[0].password');
    });

    it('refuses a password on an open network', () => {
      expectRefused(
        network({ security: 'open', password: 'password123' }),
        'wifi.networks[0].password',
      );
    });

    it('accepts passwords of 8 and 63 characters, and an open network without one', () => {
      expect(() =>
        validatePartialSettings(network({ security: 'wpa3', password: '8 chars!' })),
      ).not.toThrow();
      expect(() =>
        validatePartialSettings(network({ security: 'wpa2', password: 'p'.repeat(63) })),
      ).not.toThrow();
      expect(() => validatePartialSettings(network({ security: 'open' }))).not.toThrow();
    });

    it('refuses the same SSID twice', () => {
      expectRefused(
        {
          wifi: {
            networks: [
              { ssid: 'School', security: 'open', autoJoin: true },
              { ssid: 'School', security: 'wpa2', password: 'password123', autoJoin: false },
            ],
          },
        },
        'wifi.networks[1].ssid',
      );
    });

    it('refuses a pushed network that the allowed SSIDs would not let the device join', () => {
      expectRefused(
        {
          wifi: {
            allowedSsids: ['School'],
            networks: [
              { ssid: 'Staff', security: 'wpa2', password: 'password123', autoJoin: true },
            ],
          },
        },
        'wifi.networks[0].ssid',
      );
    });
  });

  it('refuses an app that is both allowed and blocked', () => {
    expectRefused(
      {
        apps: {
          allowed: [...PROTECTED_APP_IDS, 'com.example.game'],
          blocked: ['com.example.game'],
        },
      },
      'apps.blocked',
    );
  });
});

describe(validateSettings.name, () => {
  it('accepts the school baseline and returns an unfrozen copy', () => {
    const result = validateSettings(SCHOOL_BASELINE);
    expect(result).toEqual(SCHOOL_BASELINE);
    expect(Object.isFrozen(result.wifi.allowedSsids)).toBe(false);
  });

  it('requires every group and every leaf', () => {
    const { photos: _photos, ...withoutPhotos } = baseline();
    expectRefused(withoutPhotos, 'photos', false);
    const withoutLeaf = baseline() as unknown as { passcode: Record<string, unknown> };
    delete withoutLeaf.passcode.requireSymbol;
    expectRefused(withoutLeaf, 'passcode.requireSymbol', false);
  });

  it('applies the same rules as the partial validator', () => {
    const settings = baseline();
    settings.wifi.networks = [{ ssid: 'School', security: 'wpa2', autoJoin: true }];
    expectRefused(settings, 'wifi.networks[0].password', false);
  });
});

describe('SCHOOL_BASELINE', () => {
  it('holds the rules the AUPs ask for', () => {
    expect(SCHOOL_BASELINE.camera.allowed).toBe(false);
    expect(SCHOOL_BASELINE.passcode).toEqual({
      minLength: 6,
      requireMixedCase: true,
      requireNumber: true,
      requireSymbol: true,
    });
    expect(SCHOOL_BASELINE.screen).toEqual({ autoLockMinutes: 5, requirePasscode: true });
    expect(SCHOOL_BASELINE.wifi).toEqual({
      allowedSsids: [],
      allowUserAddedNetworks: false,
      networks: [],
    });
    expect(SCHOOL_BASELINE.apps.mode).toBe('open');
    expect(SCHOOL_BASELINE.apps.allowInstall).toBe(false);
    expect(SCHOOL_BASELINE.removableMedia).toEqual({ allowed: true, requireEncryption: true });
    expect(SCHOOL_BASELINE.photos).toEqual({ autoUpload: true, deleteAfterUpload: true });
  });

  it('cannot be changed by a caller', () => {
    expect(() => {
      (SCHOOL_BASELINE.camera as { allowed: boolean }).allowed = true;
    }).toThrow(TypeError);
    expect(() => SCHOOL_BASELINE.wifi.allowedSsids.push('Home')).toThrow(TypeError);
    expect(SCHOOL_BASELINE.camera.allowed).toBe(false);
  });
});

describe(diffSettings.name, () => {
  it('lists the leaves that differ, in schema order', () => {
    const before = { camera: { allowed: false }, wifi: { allowedSsids: ['School'] } };
    const after = {
      camera: { allowed: false },
      wifi: { allowedSsids: ['School', 'Staff'] },
      screen: { autoLockMinutes: 10 },
    };
    expect(diffSettings(before, after)).toEqual(['wifi.allowedSsids', 'screen.autoLockMinutes']);
  });

  it('treats a leaf set in one profile and not in the other as changed', () => {
    expect(diffSettings({ photos: { autoUpload: true } }, { photos: {} })).toEqual([
      'photos.autoUpload',
    ]);
  });

  it('compares network objects by value, not by key order', () => {
    const a = { wifi: { networks: [{ ssid: 'S', security: 'open' as const, autoJoin: true }] } };
    const b = { wifi: { networks: [{ autoJoin: true, security: 'open' as const, ssid: 'S' }] } };
    expect(diffSettings(a, b)).toEqual([]);
    expect(
      diffSettings(a, { wifi: { networks: [{ ...b.wifi.networks[0], autoJoin: false }] } }),
    ).toEqual(['wifi.networks']);
  });

  it('finds every leaf between the baseline and an empty profile', () => {
    expect(diffSettings(SCHOOL_BASELINE, {})).toEqual([...SETTING_PATHS]);
  });
});
