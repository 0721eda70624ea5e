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

/** A CSV file's bytes read as text, or the first line that is not UTF-8 (from 1). */
export type CsvFileText = { text: string } | { notUtf8Line: number };

/**
 * A chosen CSV file's bytes as text, only when they are UTF-8 (a byte order mark is dropped).
 * `File.text()` reads any bytes as UTF-8 and makes what is not U+FFFD, so an Excel "CSV"
 * (Windows-1252) reached the hub, and the register, with "Café" as "Caf\uFFFD".
 */
export function csvFileText(bytes: Uint8Array): CsvFileText {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return { text: strict.decode(bytes) };
  } catch {
    // Lines end at LF, which no multi-byte UTF-8 character holds: each is checked on its own.
    let line = 1;
    let start = 0;
    for (let at = 0; at <= bytes.length; at += 1) {
      if (at === bytes.length || bytes[at] === 0x0a) {
        try {
          strict.decode(bytes.subarray(start, at));
        } catch {
          return { notUtf8Line: line };
        }
        line += 1;
        start = at + 1;
      }
    }
    return { notUtf8Line: 1 };
  }
}

/** What the import page says of a file that is not UTF-8 (`csvFileText`). */
export function notUtf8Words(fileName: string, line: number): string {
  return (
    `${fileName} is not saved as UTF-8 text (line ${line} is not), so its letters would be ` +
    'garbled. In Excel, save it as "CSV UTF-8 (Comma delimited)" and choose it again.'
  );
}
