// Specs for canonical JSON and the policy version that devices report back.

import { createHash } from 'node:crypto';

import { SCHOOL_BASELINE } from './baseline';
import type { PolicySettings } from './settings';
import { canonicalJson, policyVersion } from './version';

// The same settings with every object's keys written in reverse order.
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(reverseKeys);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, inner]) => [key, reverseKeys(inner)]),
    );
  }
  return value;
}

describe(canonicalJson.name, () => {
  it('sorts keys at every level, keeps array order and leaves out whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: true, y: null }], c: 'x y' } })).toBe(
      '{"a":{"c":"x y","d":[3,1,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('leaves out undefined members, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak "quoted" é' })).toBe(
      JSON.stringify({ 'k"': 'line\nbreak "quoted" é' }),
    );
  });

  it.each([[NaN], [Infinity], [() => 1], [10n], [[undefined]]])('refuses %p', (value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });
});

describe(policyVersion.name, () => {
  it('is the lowercase hex SHA-256 of the canonical JSON', () => {
    const expected = createHash('sha256').update(canonicalJson(SCHOOL_BASELINE)).digest('hex');
    expect(policyVersion(SCHOOL_BASELINE)).toBe(expected);
    expect(policyVersion(SCHOOL_BASELINE)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on key order', () => {
    const reordered = reverseKeys(SCHOOL_BASELINE) as PolicySettings;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(SCHOOL_BASELINE));
    expect(policyVersion(reordered)).toBe(policyVersion(SCHOOL_BASELINE));
  });

  it('changes when any value changes', () => {
    const changed = structuredClone(SCHOOL_BASELINE);
    changed.screen.autoLockMinutes = 6;
    expect(policyVersion(changed)).not.toBe(policyVersion(SCHOOL_BASELINE));
    const reordered = structuredClone(SCHOOL_BASELINE);
    reordered.apps.allowed.reverse();
    expect(policyVersion(reordered)).not.toBe(policyVersion(SCHOOL_BASELINE));
  });
});
