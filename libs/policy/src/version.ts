// The canonical form of settings and the policy version derived from it (protocol section 4):
// the same settings always give the same version, whatever order their keys were written in.

import { createHash } from 'node:crypto';

import type { PolicySettings } from './settings';

/**
 * JSON with object keys sorted (by UTF-16 code unit, as Array.prototype.sort does) at every
 * level, no whitespace, and arrays in their own order. Keys whose value is `undefined` are left
 * out, as JSON.stringify does. Values JSON cannot carry faithfully are refused rather than
 * silently changed, so two different inputs can never share a version.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new TypeError(`canonicalJson cannot encode the number ${value}`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonicalJson cannot encode a value of type ${typeof value}`);
}

/** Lowercase hex SHA-256 of the canonical JSON of the settings. */
export function policyVersion(settings: PolicySettings): string {
  return createHash('sha256').update(canonicalJson(settings), 'utf8').digest('hex');
}
