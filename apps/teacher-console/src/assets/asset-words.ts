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
import { badRequestFieldsOf } from '../api/bad-request-fields';
import { conflictCodeOf } from '../api/client';

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

/**
 * The field of the asset form an error is said at: the tag or the serial number when the hub
 * refused it as taken (by code), or when its 400 starts with that field's name
 * (badRequestFieldsOf); null for anything else, said above the buttons.
 */
export function assetFieldOf(error: unknown): 'assetTag' | 'serialNumber' | null {
  const refusal = assetRefusalOf(error);
  if (refusal === 'asset_tag_taken') {
    return 'assetTag';
  }
  if (refusal === 'serial_number_taken') {
    return 'serialNumber';
  }
  return badRequestFieldsOf(error, ['assetTag', 'serialNumber'] as const)?.field ?? null;
}
