// The JSON Schema of PolicySettings against the validators that own the rules: the same leaves,
// and what one accepts or refuses the other does too, for the cases a schema can say.
import Ajv from 'ajv';
import { SCHOOL_BASELINE } from './baseline';
import { SETTING_PATHS, validateSettings, type PolicySettings } from './settings';
import {
  PARTIAL_POLICY_SETTINGS_SCHEMA,
  POLICY_SETTINGS_SCHEMA,
  schemaSettingPaths,
} from './settings-schema';

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
const complete = ajv.compile(POLICY_SETTINGS_SCHEMA);
const partial = ajv.compile(PARTIAL_POLICY_SETTINGS_SCHEMA);

function changed(patch: (settings: PolicySettings) => void): PolicySettings {
  const settings = structuredClone(SCHOOL_BASELINE) as PolicySettings;
  patch(settings);
  return settings;
}

describe('POLICY_SETTINGS_SCHEMA', () => {
  it('describes exactly the settings the validators know', () => {
    expect(schemaSettingPaths()).toEqual([...SETTING_PATHS]);
    expect(schemaSettingPaths(PARTIAL_POLICY_SETTINGS_SCHEMA)).toEqual([...SETTING_PATHS]);
  });

  it('accepts the school baseline and a policy with a Wi-Fi network, as the validators do', () => {
    const withNetwork = changed((s) => {
      s.wifi.allowedSsids = ['School'];
      s.wifi.networks = [
        { ssid: 'School', security: 'wpa2', password: 'correct horse', autoJoin: true },
      ];
    });
    for (const settings of [SCHOOL_BASELINE, withNetwork]) {
      expect(() => validateSettings(settings)).not.toThrow();
      expect(complete(settings)).toBe(true);
    }
  });

  it.each([
    ['a missing group', (s: PolicySettings) => delete (s as Partial<PolicySettings>).camera],
    ['an unknown setting', (s: PolicySettings) => Object.assign(s.camera, { front: true })],
    ['a lock time out of range', (s: PolicySettings) => (s.screen.autoLockMinutes = 61)],
    ['a passcode length that is not whole', (s: PolicySettings) => (s.passcode.minLength = 6.5)],
    ['an unknown apps mode', (s: PolicySettings) => Object.assign(s.apps, { mode: 'kiosk' })],
    [
      'a string for a boolean',
      (s: PolicySettings) => Object.assign(s.photos, { autoUpload: 'yes' }),
    ],
    [
      'a short Wi-Fi password',
      (s: PolicySettings) =>
        (s.wifi.networks = [
          { ssid: 'School', security: 'wpa3', password: 'short', autoJoin: false },
        ]),
    ],
  ])('refuses %s, as the validators do', (_, patch) => {
    const settings = changed(patch);
    expect(() => validateSettings(settings)).toThrow();
    expect(complete(settings)).toBe(false);
  });

  it('takes any subset of groups and settings for one profile', () => {
    expect(partial({ camera: { allowed: true } })).toBe(true);
    expect(partial({ screen: {} })).toBe(true);
    expect(partial({ screen: { autoLockMinutes: 0 } })).toBe(false);
    expect(partial({ printers: {} })).toBe(false);
  });
});
