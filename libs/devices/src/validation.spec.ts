// Validation of command payloads, answers, envelopes and device state: the shapes of protocol
// section 3, refused field by field.

import { COMMAND_TYPES } from './protocol';
import {
  validateCommandAnswer,
  validateCommandEnvelope,
  validateCommandPayload,
  validateDeviceState,
} from './validation';

const VERSION = 'a'.repeat(64);
const SETTINGS = {
  camera: { allowed: false },
  wifi: { allowedSsids: ['School'], allowUserAddedNetworks: false, networks: [] },
};

function errorsOf(outcome: { ok: boolean; errors?: string[] }): string[] {
  expect(outcome.ok).toBe(false);
  return outcome.errors ?? [];
}

describe('validateCommandPayload', () => {
  it('refuses an unknown command type, naming the known ones', () => {
    expect(errorsOf(validateCommandPayload('device.wipe', {}))).toEqual([
      `type must be one of ${COMMAND_TYPES.join(', ')}`,
    ]);
  });

  it('refuses a payload that is not an object', () => {
    for (const payload of [null, undefined, 'x', 3, []]) {
      expect(errorsOf(validateCommandPayload('device.unlock', payload))).toEqual([
        'payload must be an object',
      ]);
    }
  });

  describe('device.lock', () => {
    it('accepts a reason with or without a message', () => {
      expect(validateCommandPayload('device.lock', { reason: 'class' })).toEqual({
        ok: true,
        payload: { reason: 'class' },
      });
      expect(
        validateCommandPayload('device.lock', { reason: 'lost', message: 'Return to office 12' }),
      ).toEqual({ ok: true, payload: { reason: 'lost', message: 'Return to office 12' } });
      expect(
        validateCommandPayload('device.lock', { reason: 'admin', message: 'm'.repeat(200) }).ok,
      ).toBe(true);
    });

    it('refuses a missing or unknown reason, and a long or non-string message', () => {
      expect(errorsOf(validateCommandPayload('device.lock', {}))).toEqual([
        'payload.reason must be one of class, lost, admin',
      ]);
      expect(errorsOf(validateCommandPayload('device.lock', { reason: 'exam' }))).toEqual([
        'payload.reason must be one of class, lost, admin',
      ]);
      expect(
        errorsOf(
          validateCommandPayload('device.lock', { reason: 'class', message: 'm'.repeat(201) }),
        ),
      ).toEqual(['payload.message must be at most 200 characters']);
      expect(
        errorsOf(validateCommandPayload('device.lock', { reason: 'class', message: null })),
      ).toEqual(['payload.message must be a string']);
    });

    it('refuses unknown fields', () => {
      expect(
        errorsOf(validateCommandPayload('device.lock', { reason: 'class', wipe: true })),
      ).toEqual(['payload.wipe should not exist']);
    });
  });

  describe.each(['device.unlock', 'app.unlock', 'photos.sync', 'device.unenroll'])('%s', (type) => {
    it('accepts only {}', () => {
      expect(validateCommandPayload(type, {})).toEqual({ ok: true, payload: {} });
      expect(errorsOf(validateCommandPayload(type, { force: true, x: 1 }))).toEqual([
        'payload.force should not exist',
        'payload.x should not exist',
      ]);
    });
  });

  describe('app.lock', () => {
    it('accepts an app id of 1 to 255 characters', () => {
      expect(validateCommandPayload('app.lock', { appId: 'com.apple.Pages' })).toEqual({
        ok: true,
        payload: { appId: 'com.apple.Pages' },
      });
      expect(validateCommandPayload('app.lock', { appId: 'a'.repeat(255) }).ok).toBe(true);
    });

    it('refuses a missing, empty or overlong app id', () => {
      expect(errorsOf(validateCommandPayload('app.lock', {}))).toEqual([
        'payload.appId must be a string',
      ]);
      expect(errorsOf(validateCommandPayload('app.lock', { appId: '' }))).toEqual([
        'payload.appId must be 1 to 255 characters',
      ]);
      expect(errorsOf(validateCommandPayload('app.lock', { appId: 'a'.repeat(256) }))).toEqual([
        'payload.appId must be 1 to 255 characters',
      ]);
    });
  });

  describe('policy.apply', () => {
    it('accepts a version and passes the settings through untouched', () => {
      const outcome = validateCommandPayload('policy.apply', {
        policyVersion: VERSION,
        settings: SETTINGS,
      });
      expect(outcome).toEqual({
        ok: true,
        payload: { policyVersion: VERSION, settings: SETTINGS },
      });
      if (outcome.ok) {
        expect(Array.isArray((outcome.payload.settings as typeof SETTINGS).wifi.allowedSsids)).toBe(
          true,
        );
      }
    });

    it('refuses a version that is not 64 lowercase hex characters', () => {
      for (const policyVersion of ['A'.repeat(64), 'a'.repeat(63), 'g'.repeat(64)]) {
        expect(
          errorsOf(validateCommandPayload('policy.apply', { policyVersion, settings: {} })),
        ).toContain('payload.policyVersion must be 64 lowercase hex characters');
      }
    });

    it('says only that a version of the wrong type is not a string', () => {
      expect(
        errorsOf(validateCommandPayload('policy.apply', { policyVersion: 42, settings: {} })),
      ).toEqual(['payload.policyVersion must be a string']);
    });

    it('refuses settings that are not an object', () => {
      for (const settings of [null, [], 'camera', undefined]) {
        expect(
          errorsOf(validateCommandPayload('policy.apply', { policyVersion: VERSION, settings })),
        ).toEqual(['payload.settings must be an object']);
      }
    });
  });

  describe('message.show', () => {
    it('accepts text of 1 to 500 and a sender of 1 to 100 characters', () => {
      expect(validateCommandPayload('message.show', { text: 'Hands up', from: 'Ms Berg' })).toEqual(
        { ok: true, payload: { text: 'Hands up', from: 'Ms Berg' } },
      );
      expect(
        validateCommandPayload('message.show', { text: 't'.repeat(500), from: 'f'.repeat(100) }).ok,
      ).toBe(true);
    });

    it('refuses empty or overlong text and sender', () => {
      expect(errorsOf(validateCommandPayload('message.show', { text: '', from: '' }))).toEqual([
        'payload.text must be 1 to 500 characters',
        'payload.from must be 1 to 100 characters',
      ]);
      expect(
        errorsOf(
          validateCommandPayload('message.show', { text: 't'.repeat(501), from: 'f'.repeat(101) }),
        ),
      ).toEqual([
        'payload.text must be 1 to 500 characters',
        'payload.from must be 1 to 100 characters',
      ]);
    });
  });
});

describe('validateDeviceState', () => {
  const minimal = { locked: false, appLock: null, policyVersion: null };

  it('accepts the three required fields, with nulls', () => {
    expect(validateDeviceState(minimal)).toEqual({ ok: true, payload: minimal });
  });

  it('accepts every field of the protocol', () => {
    const full = {
      locked: true,
      appLock: 'com.apple.Pages',
      policyVersion: VERSION,
      battery: 100,
      charging: true,
      storageFreeMb: 1234.5,
      osVersion: '17.4',
      agentVersion: '0.1.0',
      ssid: null,
      pendingPhotos: 3,
    };
    expect(validateDeviceState(full)).toEqual({ ok: true, payload: full });
    expect(validateDeviceState({ ...full, ssid: 'School', battery: 0 }).ok).toBe(true);
  });

  it('requires locked, appLock and policyVersion', () => {
    expect(errorsOf(validateDeviceState({}))).toEqual([
      'state.locked must be a boolean value',
      'state.appLock must be a string',
      'state.policyVersion must be a string',
    ]);
  });

  it('takes any number for battery and pendingPhotos, as protocol section 3 writes them, rounded', () => {
    // A Swift app's battery level is a Float (0.0 to 1.0): times 100 it is rarely whole.
    const full = { locked: false, appLock: null, policyVersion: null };
    const outcome = validateDeviceState({
      ...full,
      battery: 56.99999237060547,
      pendingPhotos: 2.4,
    });
    expect(outcome).toEqual({
      ok: true,
      payload: { ...full, battery: 57, pendingPhotos: 2 },
    });
    expect(validateDeviceState({ ...full, battery: 100, pendingPhotos: 0 })).toEqual({
      ok: true,
      payload: { ...full, battery: 100, pendingPhotos: 0 },
    });
  });

  it.each([
    [{ battery: 101 }, 'state.battery must not be greater than 100'],
    [{ battery: -1 }, 'state.battery must not be less than 0'],
    [{ battery: null }, 'state.battery must be a number conforming to the specified constraints'],
    [{ battery: '50' }, 'state.battery must be a number conforming to the specified constraints'],
    [{ pendingPhotos: -1 }, 'state.pendingPhotos must not be less than 0'],
    [{ charging: 'yes' }, 'state.charging must be a boolean value'],
    [{ storageFreeMb: -5 }, 'state.storageFreeMb must not be less than 0'],
    [
      { storageFreeMb: Number.NaN },
      'state.storageFreeMb must be a number conforming to the specified constraints',
    ],
    [{ osVersion: 'x'.repeat(101) }, 'state.osVersion must be at most 100 characters'],
    [{ ssid: 42 }, 'state.ssid must be a string'],
    [{ locked: 'true' }, 'state.locked must be a boolean value'],
    [{ policyVersion: 'v1' }, 'state.policyVersion must be 64 lowercase hex characters'],
    [{ location: 'Room 4' }, 'state.location should not exist'],
  ])('refuses %j', (patch, message) => {
    expect(errorsOf(validateDeviceState({ ...minimal, ...patch }))).toContain(message);
  });

  it('refuses something that is not an object', () => {
    expect(errorsOf(validateDeviceState('locked'))).toEqual(['state must be an object']);
  });

  it('refuses a __proto__ or constructor field sent as JSON, as it would any unknown field', () => {
    const sent = JSON.parse(
      '{"locked": false, "appLock": null, "policyVersion": null, "__proto__": {"locked": true}}',
    ) as unknown;
    expect(errorsOf(validateDeviceState(sent))).toEqual(['state.__proto__ should not exist']);
    expect(errorsOf(validateDeviceState({ ...minimal, constructor: 'x' }))).toEqual([
      'state.constructor should not exist',
    ]);
  });
});

describe('validateCommandAnswer', () => {
  it('accepts the three statuses, with an optional detail', () => {
    expect(validateCommandAnswer({ status: 'acknowledged' })).toEqual({
      ok: true,
      payload: { status: 'acknowledged' },
    });
    expect(validateCommandAnswer({ status: 'not_now', detail: 'on battery saver' }).ok).toBe(true);
    expect(validateCommandAnswer({ status: 'error', detail: 'no kiosk mode' }).ok).toBe(true);
  });

  it('refuses another status, a long detail and unknown fields', () => {
    expect(errorsOf(validateCommandAnswer({ status: 'done' }))).toEqual([
      'answer.status must be one of acknowledged, error, not_now',
    ]);
    expect(errorsOf(validateCommandAnswer({ status: 'error', detail: 'd'.repeat(1001) }))).toEqual([
      'answer.detail must be at most 1000 characters',
    ]);
    expect(errorsOf(validateCommandAnswer({ status: 'error', code: 3 }))).toEqual([
      'answer.code should not exist',
    ]);
  });

  it('accepts an acknowledged answer listing settings it could not enforce (protocol 1.1)', () => {
    expect(
      validateCommandAnswer({
        status: 'acknowledged',
        unenforced: ['wifi.allowedSsids', 'apps.mode'],
      }),
    ).toEqual({
      ok: true,
      payload: { status: 'acknowledged', unenforced: ['wifi.allowedSsids', 'apps.mode'] },
    });
    expect(validateCommandAnswer({ status: 'acknowledged', unenforced: [] }).ok).toBe(true);
  });

  it('refuses an unenforced list with another status, of another form, too long or repeated', () => {
    expect(
      errorsOf(validateCommandAnswer({ status: 'error', unenforced: ['camera.allowed'] })),
    ).toEqual(['answer.unenforced is only allowed with status acknowledged']);
    for (const unenforced of [
      'camera.allowed',
      [3],
      ['camera'],
      ['a.b c'],
      ['x.'.repeat(60) + 'y'],
    ]) {
      expect(errorsOf(validateCommandAnswer({ status: 'acknowledged', unenforced }))).toEqual([
        'answer.unenforced must be an array of dotted setting paths (such as wifi.allowedSsids)',
      ]);
    }
    const many = Array.from({ length: 65 }, (_, i) => `group.setting${i}`);
    expect(errorsOf(validateCommandAnswer({ status: 'acknowledged', unenforced: many }))).toEqual([
      'answer.unenforced must name at most 64',
    ]);
    expect(
      errorsOf(
        validateCommandAnswer({
          status: 'acknowledged',
          unenforced: ['camera.allowed', 'camera.allowed'],
        }),
      ),
    ).toEqual(['answer.unenforced must not list a setting twice']);
  });
});

describe('validateCommandEnvelope', () => {
  const envelope = {
    id: '0b7e4c7e-8f0a-4f57-9a3e-2d3c9a1b5e6f',
    type: 'device.lock',
    payload: { reason: 'class' },
    issuedAt: '2025-11-23T09:00:00.000Z',
  };

  it('accepts a command with a valid payload for its type', () => {
    expect(validateCommandEnvelope(envelope)).toEqual({ ok: true, payload: envelope });
    const expiring = { ...envelope, expiresAt: '2025-11-23T10:00:00.000Z' };
    expect(validateCommandEnvelope(expiring)).toEqual({ ok: true, payload: expiring });
  });

  it('refuses a bad envelope, then a bad payload', () => {
    expect(errorsOf(validateCommandEnvelope({ ...envelope, id: 'cmd-1' }))).toEqual([
      'command.id must be a UUID',
    ]);
    expect(errorsOf(validateCommandEnvelope({ ...envelope, issuedAt: 'yesterday' }))).toEqual([
      'command.issuedAt must be an RFC 3339 date-time with a time zone, such as 2027-01-31T08:00:00Z',
    ]);
    expect(errorsOf(validateCommandEnvelope({ ...envelope, payload: { reason: 'x' } }))).toEqual([
      'payload.reason must be one of class, lost, admin',
    ]);
  });
});
