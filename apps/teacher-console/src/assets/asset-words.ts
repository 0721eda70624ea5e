// How the assets screens name things: kinds and statuses in words, each status with a mark whose
// shape differs too (colour never carries it alone), the filters' choices, and which field a
// refusal of the register is about (by the hub's code).
import {
  ASSET_KINDS,
  ASSET_REGISTER_REFUSALS,
  ASSET_STATUS_LABELS,
  ASSET_STATUSES,
} from '@app/hub-api';
import type { AssetKind, AssetRegisterRefusal, AssetStatus } from '@app/hub-api';
import { badRequestPlacesOf } from '../api/bad-request-fields';
import { ApiError, conflictCodeOf } from '../api/client';

/** An asset's kind as a person says it. */
export const ASSET_KIND_LABELS: Record<AssetKind, string> = {
  laptop: 'Laptop',
  tablet: 'Tablet',
  netbook: 'Netbook',
  camera: 'Camera',
  charger: 'Charger',
  other: 'Other',
};

/** A mark beside each status's word (hidden from screen readers: the word says it). */
export const ASSET_STATUS_MARKS: Record<AssetStatus, string> = {
  available: '✓',
  on_loan: '→',
  on_trip: '⇢',
  in_repair: '⚒',
  lost: '✕',
  retired: '–',
};

export const ANY = '';

/** The status filter's choices: any, then every status in the hub's order. */
export const STATUS_OPTIONS = [
  { value: ANY, label: 'Any status' },
  ...ASSET_STATUSES.map((status) => ({ value: status, label: ASSET_STATUS_LABELS[status] })),
];

/** The kind filter's choices: any, then every kind. */
export const KIND_OPTIONS = [
  { value: ANY, label: 'Any kind' },
  ...ASSET_KINDS.map((kind) => ({ value: kind, label: ASSET_KIND_LABELS[kind] })),
];

/** Whether a value from the address is one of the hub's statuses (else the filter is off). */
export function isAssetStatus(value: string): value is AssetStatus {
  return (ASSET_STATUSES as readonly string[]).includes(value);
}

export function isAssetKind(value: string): value is AssetKind {
  return (ASSET_KINDS as readonly string[]).includes(value);
}

export const assetPath = (id: string) => `/api/assets/${encodeURIComponent(id)}`;
export const ASSETS_PATH = '/api/assets';

/**
 * Which of the register's refusals an error from POST or PATCH /api/assets is, by the `code` the
 * hub answers beside its message (ASSET_REGISTER_REFUSALS): null for any other error, and for a
 * 409 without a known code. Never read from the message, whose words may change.
 */
export function assetRefusalOf(error: unknown): AssetRegisterRefusal | null {
  return conflictCodeOf(error, ASSET_REGISTER_REFUSALS);
}

/** The asset form's fields that the hub's refusals are said beside. */
export type AssetField = 'assetTag' | 'serialNumber';

/**
 * Where the asset form says an error: the tag or the serial number when the hub refused it as
 * taken (by code); each "; "-joined part of a 400 beside the field it starts with
 * (badRequestPlacesOf: "assetTag must …; serialNumber must …" says each half at its own field),
 * the parts that start with none at the form's level. `form` is null when every part has a field;
 * any other error is the form's whole (`form` undefined: say the error itself).
 */
export function assetErrorsOf(error: unknown): {
  byField: Partial<Record<AssetField, string>>;
  form?: string | null;
} {
  const refusal = assetRefusalOf(error);
  if (error instanceof ApiError && refusal === 'asset_tag_taken') {
    return { byField: { assetTag: error.message }, form: null };
  }
  if (error instanceof ApiError && refusal === 'serial_number_taken') {
    return { byField: { serialNumber: error.message }, form: null };
  }
  return badRequestPlacesOf(error, ['assetTag', 'serialNumber'] as const) ?? { byField: {} };
}
