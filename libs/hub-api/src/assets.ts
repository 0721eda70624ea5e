// Assets (issue 13): the school's lendable things, each with a printable asset tag. The shapes of
// /api/assets as the console reads them; the hub's DTOs in apps/hub/src/assets/dto implement them.

/** What an asset is (issue 13, "Assets"). */
export const ASSET_KINDS = ['laptop', 'tablet', 'netbook', 'camera', 'charger', 'other'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/**
 * The key an asset tag is unique and looked up by: trimmed and lower-case, so "OAK-01" and
 * "oak-01" are one asset (the hub's register and the console's forms count tags by it).
 */
export function tagKeyOf(tag: string): string {
  return tag.trim().toLowerCase();
}

/**
 * The key a serial number is unique and matched by: trimmed, ASCII letters in upper case, so
 * "c02xk1", " C02xK1 " and "C02XK1" are one serial number (a person reading a label types either
 * case; manufacturers' serials are case-blind, Apple's all capitals). Nothing else is folded: a
 * serial is a maker's identifier, not a word, so compatibility forms (NFKC's "²" as "2"), accents
 * and non-ASCII case stay as typed, and the key has exactly the serial's length (within the
 * columns' 128). Devices' serials are ASCII letters, digits, `.`, `_` and `-` only, so every
 * device's key is its serial in capitals. The hub's register keeps one asset per key
 * (`assets.serial_key`, unique), one device per key (`devices.serial_key`), and joins an asset
 * with its device by it (decisions.md, "One serial number, one asset, whatever its capitals").
 *
 * @param serial a serial number as typed or reported, e.g. " c02xK1"
 * @returns its key, e.g. "C02XK1"; never throws
 */
export function serialKeyOf(serial: string): string {
  return serial.trim().replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/**
 * The `code` of each 409 of POST and PATCH /api/assets that a client tells apart, beside its
 * message in plain words (the console puts each at its field; the words may change):
 * - `asset_tag_taken`: another asset, or another active device, has the tag (in any case);
 * - `serial_number_taken`: another asset has the serial number (in any capitals); the message
 *   names it.
 * PATCH's other 409s (on loan or on a trip, lost on a loan still open, changed at the same
 * moment) carry no code.
 */
export const ASSET_REGISTER_REFUSALS = ['asset_tag_taken', 'serial_number_taken'] as const;
export type AssetRegisterRefusal = (typeof ASSET_REGISTER_REFUSALS)[number];

/**
 * Where an asset is (issue 13). `on_loan` and `on_trip` are set by loans and trips only; `lost` by
 * POST /api/assets/:id/lost or a trip's lost report.
 */
export const ASSET_STATUSES = [
  'available',
  'on_loan',
  'on_trip',
  'in_repair',
  'lost',
  'retired',
] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

/** How a status is named to a person. */
export const ASSET_STATUS_LABELS: Record<AssetStatus, string> = {
  available: 'Available',
  on_loan: 'On loan',
  on_trip: 'On a trip',
  in_repair: 'In repair',
  lost: 'Lost',
  retired: 'Retired',
};

/** The open loan of an asset on loan, as GET /api/assets/:id shows it. */
export interface AssetCurrentLoan {
  id: string;
  borrowerId: string;
  borrowerName: string;
  /** True when the borrower's account is disabled (they have left): as `Loan.borrowerDisabled`. */
  borrowerDisabled: boolean;
  /** ISO 8601, UTC. */
  dueAt: string;
  /**
   * Whole days overdue by the hub's clock and zone, as `Loan.daysOverdue` counts them (calendar
   * days in HUB_TIME_ZONE, at least 1 once the due time has passed); 0 when not overdue.
   */
  daysOverdue: number;
}

/** An asset: GET /api/assets (a Page of these), GET /api/assets/:id, /by-tag/:tag. */
export interface Asset {
  id: string;
  /** Unique, case as entered; what the label's QR code and Code 128 hold. */
  assetTag: string;
  kind: AssetKind;
  serialNumber: string | null;
  model: string | null;
  condition: string | null;
  notes: string | null;
  status: AssetStatus;
  /** The enrolled device with the same serial number in any capitals (`serialKeyOf`), or null. */
  deviceId: string | null;
  /**
   * True while that device still holds the lock of a lost report (lock owner `lost`), which only
   * ICT lifts: an asset found and made available keeps it, so it is not lent until ICT unlocks
   * the device (POST /api/loans answers 409 `device_locked_lost`). False with no device.
   */
  deviceLockedAsLost: boolean;
  /**
   * The open loan when `status` is `on_loan` (or `lost` while on loan), else null. Null too for a
   * reader who may not read loans (a trip leader): who has an asset, and how overdue, is the
   * office's and ICT's, as GET /api/loans is.
   */
  currentLoan: AssetCurrentLoan | null;
  /** The trip that has it when `status` is `on_trip`, else null. */
  currentTripId: string | null;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

/** POST /api/assets: 201 with the Asset, 409 for a tag already used. */
export interface CreateAssetRequest {
  assetTag: string;
  kind: AssetKind;
  serialNumber?: string;
  model?: string;
  condition?: string;
  notes?: string;
}

/**
 * PATCH /api/assets/:id. `status` may only move between `available`, `in_repair` and `retired`
 * (and from `lost` back to `available` when found); loans and trips set the others.
 */
export interface UpdateAssetRequest {
  assetTag?: string;
  kind?: AssetKind;
  serialNumber?: string | null;
  model?: string | null;
  condition?: string | null;
  notes?: string | null;
  status?: 'available' | 'in_repair' | 'retired';
}

/** GET /api/assets query. `search` matches tag, serial number or model (case-insensitive). */
export interface AssetListQuery {
  status?: AssetStatus;
  kind?: AssetKind;
  search?: string;
  page?: number;
  pageSize?: number;
}

/** The columns of the CSV import, by their JSON names, in any order; `assetTag` and `kind` are required. */
export const ASSET_IMPORT_COLUMNS = [
  'assetTag',
  'kind',
  'serialNumber',
  'model',
  'condition',
  'notes',
] as const;

/** One refused row of a CSV import. */
export interface ImportRowError {
  /** The line of the file, the header being line 1. */
  row: number;
  /**
   * The JSON name of the column at fault, e.g. `assetTag`, `kind`; `row` for the line as a whole
   * (more values than the header has columns), `file` for a file that cannot be read as CSV.
   */
  field: string;
  message: string;
}

/** POST /api/assets/import (text/csv body, ?dryRun=true only reports): 200. */
export interface ImportReport {
  /** Assets created, or that would be created on a dry run. */
  created: number;
  errors: ImportRowError[];
  dryRun: boolean;
}
