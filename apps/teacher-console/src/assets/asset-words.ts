// How the assets screens name things: kinds and statuses in words, each status with a mark whose
// shape differs too (colour never carries it alone), and the filters' choices.
import { ASSET_KINDS, ASSET_STATUS_LABELS, ASSET_STATUSES } from '@app/hub-api';
import type { AssetKind, AssetStatus } from '@app/hub-api';

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
