// Trips (issue 13): named kits of devices taken out by trip leaders. The shapes of /api/trips.

/** `planned` until the kit is checked out, `out` until closed. */
export const TRIP_STATUSES = ['planned', 'out', 'closed'] as const;
export type TripStatus = (typeof TRIP_STATUSES)[number];

/**
 * A kit device's state on its trip: `ready` before the kit is checked out, then `out`, `back`
 * (checked in by scan) or `lost`.
 */
export const TRIP_KIT_STATUSES = ['ready', 'out', 'back', 'lost'] as const;
export type TripKitStatus = (typeof TRIP_KIT_STATUSES)[number];

/**
 * The `code` of each 409 that POST /api/trips/:id/check-out answers, beside its message in plain
 * words: what a client acts on, as the words may change.
 * - `asset_not_available`: an asset of the kit is on loan, on another trip, in repair, lost or
 *   retired (the message names each), or was taken at the same moment; nothing went out;
 * - `device_locked_lost`: an asset of the kit was found after a lost report and its device is
 *   still locked as lost until ICT unlocks it (the message names each); nothing went out;
 * - `kit_already_out`: the kit is already checked out;
 * - `trip_closed`: the trip is closed;
 * - `trip_ended`: the trip's end has passed;
 * - `kit_changed`: the kit changed (an asset added or taken out) or a kit device enrolled
 *   meanwhile, three times over (check the kit out again).
 */
export const TRIP_CHECK_OUT_REFUSALS = [
  'asset_not_available',
  'device_locked_lost',
  'kit_already_out',
  'trip_closed',
  'trip_ended',
  'kit_changed',
] as const;
export type TripCheckOutRefusal = (typeof TRIP_CHECK_OUT_REFUSALS)[number];

/**
 * The `code` of each 409 that a change of a trip's kit answers (POST /api/trips/:id/kit adds an
 * asset, DELETE /api/trips/:id/kit/:assetTag takes one out), beside its message in plain words:
 * - `already_in_kit`: the asset is in this trip's kit already (one that came back while the trip
 *   is out is not: added again, it goes out again);
 * - `asset_not_available`: the kit is out, so an added asset goes out at once, and this one is on
 *   loan, on another trip, in repair, lost or retired (the message says which), or was taken at
 *   the same moment;
 * - `device_locked_lost`: the kit is out, and the asset was found after a lost report with its
 *   device still locked as lost until ICT unlocks it;
 * - `trip_closed`: the trip is closed;
 * - `trip_ended`: the trip's end has passed, so nothing more can join its kit;
 * - `kit_full`: the kit already has TRIP_KIT_MAX assets;
 * - `last_in_kit`: the asset is the planned kit's only one (close the trip to call it off);
 * - `kept_in_record`: the asset came back or was reported lost on this trip, so its entry stays
 *   as the trip's record;
 * - `kit_changed`: the trip or the asset's device changed while the change was made, three times
 *   over (try again).
 */
export const TRIP_KIT_CHANGE_REFUSALS = [
  'already_in_kit',
  'asset_not_available',
  'device_locked_lost',
  'trip_closed',
  'trip_ended',
  'kit_full',
  'last_in_kit',
  'kept_in_record',
  'kit_changed',
] as const;
export type TripKitChangeRefusal = (typeof TRIP_KIT_CHANGE_REFUSALS)[number];

/** The most assets one trip's kit may name (a coach of iPads, with room to spare). */
export const TRIP_KIT_MAX = 200;

/** The rule of a trip's short name (it becomes part of stored photo names: never a person's name). */
export const TRIP_SHORT_NAME_PATTERN = /^[a-z0-9-]{1,24}$/;
export const TRIP_SHORT_NAME_RULE = '1 to 24 of a-z, 0-9 and -';

/** One asset of a trip's kit, as GET /api/trips/:id shows it. */
export interface TripKitDevice {
  assetId: string;
  assetTag: string;
  kind: string;
  model: string | null;
  /** The enrolled device, or null for an asset not enrolled. */
  deviceId: string | null;
  status: TripKitStatus;
  online: boolean;
  /** ISO 8601, UTC; null when never seen or not enrolled. */
  lastSeenAt: string | null;
  /** Photos the device reports waiting to upload; null when unknown or not enrolled. */
  pendingPhotos: number | null;
}

/** A trip leader as a trip shows them. */
export interface TripLeader {
  id: string;
  displayName: string;
}

/** Counts of a trip's kit by status. */
export type TripKitCounts = Record<TripKitStatus, number>;

/** GET /api/trips: a Page of these (a leader sees their own trips, ICT all). */
export interface TripSummary {
  id: string;
  name: string;
  shortName: string;
  /** ISO 8601, UTC. */
  startsAt: string;
  endsAt: string;
  status: TripStatus;
  leaders: TripLeader[];
  kitCounts: TripKitCounts;
}

/** GET /api/trips/:id, and the answer of every trip step. */
export interface Trip extends TripSummary {
  leaderIds: string[];
  /** Partial policy settings the kit's enrolled devices get while out (default camera allowed). */
  overlay: Record<string, Record<string, unknown>>;
  checkedOutAt: string | null;
  closedAt: string | null;
  createdAt: string;
  kit: TripKitDevice[];
}

/** POST /api/trips: 201 with the Trip. */
export interface CreateTripRequest {
  name: string;
  /** TRIP_SHORT_NAME_PATTERN. */
  shortName: string;
  startsAt: string;
  endsAt: string;
  leaderIds: string[];
  assetTags: string[];
  overlay?: Record<string, Record<string, unknown>>;
}

/** POST /api/trips/:id/check-in and /lost. */
export interface TripAssetRequest {
  assetTag: string;
}

/**
 * Where a trip's kit is changed: `/api/trips/:id/kit` (POST `{ assetTag }` adds an asset) and,
 * given a tag, `/api/trips/:id/kit/:assetTag` (DELETE takes it out). Both answer the Trip as it
 * is now.
 */
export function tripKitPath(tripId: string, assetTag?: string): string {
  const kit = `/api/trips/${encodeURIComponent(tripId)}/kit`;
  return assetTag === undefined ? kit : `${kit}/${encodeURIComponent(assetTag)}`;
}

/** GET /api/trips query. `status` filters; `mine=true` limits ICT to trips they lead. */
export interface TripListQuery {
  status?: TripStatus;
  mine?: boolean;
  page?: number;
  pageSize?: number;
}
