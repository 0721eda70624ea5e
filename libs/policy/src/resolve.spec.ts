// Specs for how profiles combine: the resolution table, enforcement, ties, and order independence.

import { SCHOOL_BASELINE } from './baseline';
import { resolvePolicy, type PolicyLayer, type PolicyScope } from './resolve';
import {
  PROTECTED_APP_IDS,
  PolicyValidationError,
  SETTING_PATHS,
  type PartialPolicySettings,
  type SettingPath,
} from './settings';
import { policyVersion } from './version';

function layer(
  id: string,
  scope: PolicyScope,
  settings: PartialPolicySettings,
  options: { priority?: number; enforced?: SettingPath[]; name?: string } = {},
): PolicyLayer {
  return {
    id,
    name: options.name ?? `${scope} ${id}`,
    scope,
    priority: options.priority ?? 0,
    settings,
    enforced: options.enforced ?? [],
  };
}

const cameraOn = { camera: { allowed: true } };
const cameraOff = { camera: { allowed: false } };

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) {
    return [[...items]];
  }
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [
      item,
      ...rest,
    ]),
  );
}

function refusal(run: () => unknown): PolicyValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyValidationError);
    return error as PolicyValidationError;
  }
  throw new Error('expected a PolicyValidationError, but the layers were accepted');
}

describe(resolvePolicy.name, () => {
  describe('resolution table (camera.allowed)', () => {
    const school = layer('school', 'baseline', cameraOff);
    const year5 = layer('year5', 'group', cameraOn);
    const ipad7 = layer('ipad7', 'device', cameraOff);
    const lesson = layer('lesson', 'overlay', cameraOn);

    it.each<[string, PolicyLayer[], boolean, string | null]>([
      ['no layers: the built-in default', [], false, null],
      ['baseline only', [school], false, 'school'],
      ['group over baseline', [school, year5], true, 'year5'],
      ['device over group', [school, year5, ipad7], false, 'ipad7'],
      ['overlay over device', [school, year5, ipad7, lesson], true, 'lesson'],
      [
        'enforced in baseline beats group, device and overlay',
        [
          layer('school', 'baseline', cameraOff, { enforced: ['camera.allowed'] }),
          year5,
          layer('ipad7', 'device', cameraOn),
          lesson,
        ],
        false,
        'school',
      ],
      [
        'enforced in group beats device and overlay',
        [
          school,
          layer('year5', 'group', cameraOn, { enforced: ['camera.allowed'] }),
          ipad7,
          layer('lesson', 'overlay', cameraOff),
        ],
        true,
        'year5',
      ],
      [
        'the widest enforcing scope wins over a narrower enforcing one',
        [
          layer('school', 'baseline', cameraOn, { enforced: ['camera.allowed'] }),
          layer('year5', 'group', cameraOff, { enforced: ['camera.allowed'], priority: 100 }),
        ],
        true,
        'school',
      ],
      [
        'an enforced layer beats a higher-priority unenforced one in its own scope',
        [
          layer('art', 'group', cameraOn, { priority: 90 }),
          layer('year5', 'group', cameraOff, { priority: 10, enforced: ['camera.allowed'] }),
        ],
        false,
        'year5',
      ],
      [
        'two groups disagreeing: the higher priority wins',
        [
          school,
          layer('art', 'group', cameraOn, { priority: 20 }),
          layer('year5', 'group', cameraOff, { priority: 10 }),
        ],
        true,
        'art',
      ],
      [
        'two enforcing groups disagreeing: the higher priority wins',
        [
          layer('art', 'group', cameraOn, { priority: 20, enforced: ['camera.allowed'] }),
          layer('year5', 'group', cameraOff, { priority: 30, enforced: ['camera.allowed'] }),
        ],
        false,
        'year5',
      ],
      [
        'equal priority: the lowest id wins',
        [
          layer('group-b', 'group', cameraOff, { priority: 5 }),
          layer('group-a', 'group', cameraOn, { priority: 5 }),
        ],
        true,
        'group-a',
      ],
    ])('%s', (_, layers, allowed, decidedById) => {
      const resolved = resolvePolicy(layers);
      expect(resolved.settings.camera.allowed).toBe(allowed);
      expect(resolved.decidedBy['camera.allowed'].layerId).toBe(decidedById);
    });
  });

  it('takes every leaf nobody sets from the defaults, and says so', () => {
    const resolved = resolvePolicy([layer('year5', 'group', { screen: { autoLockMinutes: 2 } })]);
    expect(resolved.settings).toEqual({
      ...SCHOOL_BASELINE,
      screen: { ...SCHOOL_BASELINE.screen, autoLockMinutes: 2 },
    });
    expect(resolved.decidedBy['screen.autoLockMinutes']).toEqual({
      layerId: 'year5',
      name: 'group year5',
      scope: 'group',
    });
    expect(resolved.decidedBy['screen.requirePasscode']).toEqual({
      layerId: null,
      name: 'built-in default',
      scope: 'default',
    });
    expect(Object.keys(resolved.decidedBy).sort()).toEqual([...SETTING_PATHS].sort());
  });

  it('uses the defaults it is given', () => {
    const defaults = structuredClone(SCHOOL_BASELINE);
    defaults.photos.autoUpload = false;
    expect(resolvePolicy([], defaults).settings.photos.autoUpload).toBe(false);
  });

  it('decides each leaf on its own, so one layer can win some leaves and lose others', () => {
    const resolved = resolvePolicy([
      layer(
        'school',
        'baseline',
        { camera: { allowed: false }, passcode: { minLength: 8 } },
        {
          enforced: ['passcode.minLength'],
        },
      ),
      layer('ipad7', 'device', { camera: { allowed: true }, passcode: { minLength: 4 } }),
    ]);
    expect(resolved.settings.camera.allowed).toBe(true);
    expect(resolved.settings.passcode.minLength).toBe(8);
    expect(resolved.decidedBy['camera.allowed'].layerId).toBe('ipad7');
    expect(resolved.decidedBy['passcode.minLength'].layerId).toBe('school');
  });

  it('carries the version of the settings it produced', () => {
    const resolved = resolvePolicy([layer('year5', 'group', cameraOn)]);
    expect(resolved.version).toBe(policyVersion(resolved.settings));
    expect(resolved.version).not.toBe(resolvePolicy([]).version);
  });

  it('does not share arrays with its layers', () => {
    const group = layer('year5', 'group', { wifi: { allowedSsids: ['School'] } });
    const resolved = resolvePolicy([group]);
    group.settings.wifi?.allowedSsids?.push('Home');
    expect(resolved.settings.wifi.allowedSsids).toEqual(['School']);
  });

  describe('order independence', () => {
    const layers: PolicyLayer[] = [
      layer(
        'school',
        'baseline',
        { camera: { allowed: false }, passcode: { minLength: 8 }, screen: { autoLockMinutes: 5 } },
        { enforced: ['passcode.minLength'] },
      ),
      layer(
        'year5',
        'group',
        {
          camera: { allowed: true },
          screen: { autoLockMinutes: 10 },
          apps: { mode: 'allowlist', allowed: [...PROTECTED_APP_IDS, 'com.example.maths'] },
        },
        { priority: 10 },
      ),
      layer(
        'art-club',
        'group',
        {
          screen: { autoLockMinutes: 15 },
          apps: { allowed: [...PROTECTED_APP_IDS, 'com.example.paint'] },
        },
        { priority: 10 },
      ),
      layer('ipad7', 'device', { passcode: { minLength: 4 }, photos: { autoUpload: false } }),
      layer('trip', 'overlay', { camera: { allowed: false }, removableMedia: { allowed: false } }),
    ];

    it('gives one answer, and the expected one, for all 120 orders of five layers', () => {
      const orders = permutations(layers);
      expect(orders).toHaveLength(120);
      const first = resolvePolicy(orders[0]);
      // The answer itself, so that a resolver that is wrong in the same way every time fails.
      expect(first.settings.camera.allowed).toBe(false);
      expect(first.decidedBy['camera.allowed'].layerId).toBe('trip');
      expect(first.settings.passcode.minLength).toBe(8);
      expect(first.decidedBy['passcode.minLength'].layerId).toBe('school');
      // year5 and art-club tie on priority 10; 'art-club' < 'year5'.
      expect(first.settings.screen.autoLockMinutes).toBe(15);
      expect(first.settings.apps.allowed).toContain('com.example.paint');
      expect(first.settings.apps.mode).toBe('allowlist');
      expect(first.settings.photos.autoUpload).toBe(false);
      expect(first.settings.removableMedia.allowed).toBe(false);
      for (const order of orders) {
        const resolved = resolvePolicy(order);
        expect(resolved.version).toBe(first.version);
        expect(resolved.settings).toEqual(first.settings);
        expect(resolved.decidedBy).toEqual(first.decidedBy);
      }
    });
  });

  describe('refusals', () => {
    it('refuses a combination that no single layer made: the field and the deciding layer are named', () => {
      const error = refusal(() =>
        resolvePolicy([
          layer('school', 'baseline', { wifi: { allowedSsids: ['School'] } }),
          layer('ipad7', 'device', {
            wifi: {
              networks: [
                { ssid: 'Staff', security: 'wpa2', password: 'password123', autoJoin: true },
              ],
            },
          }),
        ]),
      );
      expect(error.field).toBe('wifi.networks[0].ssid');
      expect(error.layerId).toBe('ipad7');
      expect(error.message).toContain('wifi.networks[0].ssid');
      expect(error.message).toContain('ipad7');
    });

    it('refuses a layer with bad settings, naming the field and the layer', () => {
      const error = refusal(() =>
        resolvePolicy([layer('year5', 'group', { passcode: { minLength: 2 } })]),
      );
      expect(error.field).toBe('passcode.minLength');
      expect(error.layerId).toBe('year5');
      expect(error.message).toContain('passcode.minLength');
    });

    it('refuses two layers with the same id, since ids settle ties', () => {
      const error = refusal(() =>
        resolvePolicy([layer('year5', 'group', cameraOn), layer('year5', 'device', cameraOff)]),
      );
      expect(error.field).toBe('id');
    });

    it('refuses an enforced path that the layer does not set', () => {
      const error = refusal(() =>
        resolvePolicy([
          layer('school', 'baseline', cameraOff, { enforced: ['photos.autoUpload'] }),
        ]),
      );
      expect(error.field).toBe('enforced[0]');
      expect(error.message).toContain('photos.autoUpload');
    });

    it.each([
      ['scope', { scope: 'school' }],
      ['priority', { priority: Number.NaN }],
      ['enforced[0]', { enforced: ['camera.enabled'] }],
      ['colour', { colour: 'red' }],
    ])('refuses a malformed layer (%s)', (field, change) => {
      const bad = { ...layer('year5', 'group', cameraOn), ...change } as unknown as PolicyLayer;
      expect(refusal(() => resolvePolicy([bad])).field).toBe(field);
    });

    it('refuses invalid defaults', () => {
      const defaults = structuredClone(SCHOOL_BASELINE);
      defaults.screen.autoLockMinutes = 0;
      expect(refusal(() => resolvePolicy([], defaults)).field).toBe('screen.autoLockMinutes');
    });
  });
});
