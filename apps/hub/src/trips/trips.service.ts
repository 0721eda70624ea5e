// Trips (issue 13): a named kit of assets that trip leaders collect, take out and bring back,
// every device accounted for. The kit goes out in one step or not at all; each device comes back
// by scan or is reported lost; the trip closes once none is still out. While out, the kit's
// enrolled devices carry the trip's policy overlay (default: camera allowed), laid at check-out
// and taken off each device at its check-in, at its lost report and at the close (the overlay
// contract: policies/policy-overlays.service.ts). A trip leader sees and acts on the trips they
// lead; ICT on all. Every step is audited with who took it.
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type {
  AssetStatus,
  Page,
  Trip,
  TripKitCounts,
  TripKitDevice,
  TripStatus,
  TripSummary,
} from '@app/hub-api';
import {
  ASSET_STATUS_LABELS,
  TRIP_KIT_MAX,
  type TripCheckOutRefusal,
  type TripKitChangeRefusal,
} from '@app/hub-api';
import { PartialPolicySettings, PolicyValidationError, validatePartialSettings } from '@app/policy';
import { AssetsRepository } from '../assets/assets.repository';
import { AssetsService, LostInTransaction } from '../assets/assets.service';
import { tagKeyOf } from '@app/hub-api';
import { tripTarget } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import { redactPayload } from '../commands/commands.service';
import { Clock } from '../common/clock';
import { HubEvents } from '../common/hub-events';
import { codedConflict } from '../common/coded-refusal';
import { refuseTooFarAhead } from '../common/input-rules';
import { spokenTime } from '../common/local-time';
import { hasAnyRole, StaffPrincipal, StaffRole, TRIP_LEADER_ROLES } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { DevicesService } from '../devices/devices.service';
import { pendingPhotosOf } from '../photos/photos.service';
import { PolicyOverlaysService, settingPathsOf } from '../policies/policy-overlays.service';
import { StaffRepository } from '../staff/staff.repository';
import type { CreateTripDto } from './dto/trip.dto';
import type { TripEntity } from './trip.entities';
import { KitEntry, KitRow, LeaderRow, TripFilter, TripsRepository } from './trips.repository';

/**
 * A kit check-out's 409: its plain-words `message` and its `code`, one of
 * TRIP_CHECK_OUT_REFUSALS (the published codes only).
 */
function kitRefused(code: TripCheckOutRefusal, message: string): ConflictException {
  return codedConflict(code, message);
}

/**
 * A kit change's 409 (adding or taking out one asset): its plain-words `message` and its `code`,
 * one of TRIP_KIT_CHANGE_REFUSALS.
 */
function kitChangeRefused(code: TripKitChangeRefusal, message: string): ConflictException {
  return codedConflict(code, message);
}

/** What a kit's devices get while out when the trip names no overlay (issue 13). */
export const DEFAULT_TRIP_OVERLAY: PartialPolicySettings = { camera: { allowed: true } };

/** Roles that act on every trip. */
export const ALL_TRIPS_ROLES: readonly StaffRole[] = ['ict'];
/**
 * Roles that read every trip without acting on one: safeguarding browses photos by trip (issue
 * 14: "Who may browse: ICT, safeguarding, and the trip's own leaders for their trip").
 */
export const READ_ALL_TRIPS_ROLES: readonly StaffRole[] = ['ict', 'safeguarding'];

/**
 * How many times a step that lays the trip's overlay is tried in all, when the trip, its kit or
 * the kit's devices changed between reading them and its transaction.
 */
const OVERLAY_STEP_TRIES = 3;

/**
 * Thrown inside a step's transaction when what it read before it (the trip's status, the kit, the
 * kit's enrolled devices) changed meanwhile: the step is tried again from the start.
 */
class ReadAgain extends Error {}

/** What a trip's 409 for being closed carries (lockOpenTrip). */
interface LockOpenTripOptions {
  /** The `code` beside "This trip is closed", for the routes whose 409s all carry one. */
  closedCode?: 'trip_closed';
}

/** How a kit device's online state is shown: connected here, or on a live peer hub. */
type ShownOnline = (device: { id: string; online: boolean; hubId: string | null }) => boolean;

/** One kit entry as GET /api/trips/:id shows it (issue 13). */
export function toKitDeviceDto(row: KitRow, shownOnline: ShownOnline): TripKitDevice {
  const enrolled = row.deviceId !== null;
  return {
    assetId: row.assetId,
    assetTag: row.assetTag,
    kind: row.kind,
    model: row.model,
    deviceId: row.deviceId,
    status: row.status,
    online: enrolled
      ? shownOnline({
          id: row.deviceId as string,
          online: Boolean(row.deviceOnline),
          hubId: row.deviceHubId,
        })
      : false,
    lastSeenAt: enrolled ? row.deviceLastSeenAt : null,
    pendingPhotos: enrolled ? pendingPhotosOf(row.deviceReportedState) : null,
  };
}

/** A trip in a list: the one mapping from its row, leaders and kit counts. */
export function toTripSummaryDto(
  trip: TripEntity,
  leaders: readonly LeaderRow[],
  kitCounts: TripKitCounts,
): TripSummary {
  return {
    id: trip.id,
    name: trip.name,
    shortName: trip.shortName,
    startsAt: trip.startsAt.toISOString(),
    endsAt: trip.endsAt.toISOString(),
    status: trip.status,
    leaders: leaders.map((l) => ({ id: l.id, displayName: l.displayName })),
    kitCounts,
  };
}

/** A trip with its kit (GET /api/trips/:id and the answer of every step). */
export function toTripDto(
  trip: TripEntity,
  leaders: readonly LeaderRow[],
  kit: readonly TripKitDevice[],
): Trip {
  const kitCounts: TripKitCounts = { ready: 0, out: 0, back: 0, lost: 0 };
  kit.forEach((device) => (kitCounts[device.status] += 1));
  return {
    ...toTripSummaryDto(trip, leaders, kitCounts),
    leaderIds: leaders.map((l) => l.id),
    // A Wi-Fi password in the overlay is the devices' business, not every reader's (issue 8
    // item 14: secrets are redacted wherever staff read settings; the devices still get them).
    overlay: redactPayload(JSON.parse(trip.overlay)) as Record<string, Record<string, unknown>>,
    checkedOutAt: trip.checkedOutAt?.toISOString() ?? null,
    closedAt: trip.closedAt?.toISOString() ?? null,
    createdAt: trip.createdAt.toISOString(),
    kit: [...kit],
  };
}

/** "IPAD-03 (on loan)": an asset and why it cannot go. */
function assetWithStatus(asset: { assetTag: string; status: AssetStatus }): string {
  return `${asset.assetTag} (${ASSET_STATUS_LABELS[asset.status].toLowerCase()})`;
}

@Injectable()
export class TripsService implements OnModuleInit {
  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly trips: TripsRepository,
    private readonly assets: AssetsRepository,
    private readonly assetsService: AssetsService,
    private readonly staff: StaffRepository,
    private readonly overlays: PolicyOverlaysService,
    private readonly devices: DevicesService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: HubEvents,
  ) {}

  /**
   * Adds a trip (POST /api/trips): its leaders and its kit, named asset by asset. Nothing is
   * checked out yet and no asset is held: check-out decides what is available.
   *
   * @throws BadRequestException 400 for an end past or more than a year ahead (the order is the DTO's), an overlay that is not valid
   *   partial policy settings, a leader who is unknown, disabled or not a trip leader (or ICT), a
   *   trip leader adding a trip they do not lead, or a tag not in the register or named twice
   */
  async create(actor: StaffPrincipal, input: CreateTripDto): Promise<Trip> {
    const now = this.clock.now();
    const startsAt = new Date(input.startsAt);
    const endsAt = new Date(input.endsAt);
    // endsAt after startsAt is CreateTripDto's rule (IsLaterThan), named in the same 400 as the rest.
    if (endsAt.getTime() <= now.getTime()) {
      throw new BadRequestException('endsAt is in the past: a trip ends in the future');
    }
    refuseTooFarAhead('endsAt', endsAt, now, this.config.timeZone);
    const overlay = this.checkOverlay(input.overlay ?? DEFAULT_TRIP_OVERLAY);
    const leaders = await this.checkLeaders(actor, input.leaderIds);
    const keys = input.assetTags.map(tagKeyOf);
    const twice = keys.filter((key, index) => keys.indexOf(key) !== index);
    if (twice.length > 0) {
      throw new BadRequestException(`assetTags names ${[...new Set(twice)].join(', ')} twice`);
    }
    const trip: TripEntity = {
      id: randomUUID(),
      name: input.name,
      shortName: input.shortName,
      startsAt,
      endsAt,
      status: 'planned',
      overlay: JSON.stringify(overlay),
      createdBy: actor.id,
      createdAt: now,
      checkedOutAt: null,
      closedAt: null,
    };
    await this.tx.run(async (tx) => {
      const found = await this.trips.assetsByTags(input.assetTags, tx);
      const unknown = input.assetTags.filter((tag) => !found.has(tagKeyOf(tag)));
      if (unknown.length > 0) {
        throw new BadRequestException(`assetTags: no asset with tag ${unknown.join(', ')}`);
      }
      const assets = keys.map((key) => found.get(key)!);
      await this.trips.insert(
        tx,
        trip,
        input.leaderIds,
        assets.map((a) => a.id),
      );
      await this.audit.record(tx, {
        actor,
        action: 'trip.created',
        target: tripTarget(trip),
        detail: {
          shortName: trip.shortName,
          startsAt: trip.startsAt.toISOString(),
          endsAt: trip.endsAt.toISOString(),
          leaderIds: input.leaderIds,
          leaders,
          assetTags: assets.map((a) => a.assetTag),
          overlay: settingPathsOf(overlay),
        },
      });
    });
    return this.view(trip.id);
  }

  /**
   * GET /api/trips: a trip leader's own trips; every trip for ICT (only those they lead with
   * `mine`). Newest start first.
   */
  async list(
    actor: StaffPrincipal,
    query: { status?: TripStatus; mine?: boolean },
    page: number,
    pageSize: number,
  ): Promise<Page<TripSummary>> {
    const filter: TripFilter = { status: query.status };
    if (query.mine || !hasAnyRole(actor, READ_ALL_TRIPS_ROLES)) {
      filter.leaderId = actor.id;
    }
    const [rows, total] = await this.trips.page(filter, (page - 1) * pageSize, pageSize);
    const ids = rows.map((r) => r.id);
    const [leaders, counts] = await Promise.all([
      this.trips.leadersOf(ids),
      this.trips.kitCounts(ids),
    ]);
    return {
      items: rows.map((row) =>
        toTripSummaryDto(row, leaders.get(row.id) ?? [], counts.get(row.id) as TripKitCounts),
      ),
      total,
      page,
      pageSize,
    };
  }

  /**
   * A trip with its kit, for its leaders and ICT.
   *
   * @throws NotFoundException 404 for an unknown trip
   * @throws ForbiddenException 403 for a trip leader who does not lead it
   */
  async get(actor: StaffPrincipal, id: string): Promise<Trip> {
    await this.mustAccess(actor, id, READ_ALL_TRIPS_ROLES);
    return this.view(id);
  }

  /**
   * Checks the whole kit out to the trip's leaders (POST /api/trips/:id/check-out), allowed from
   * the trip's creation until its end. All or nothing: if any asset is not available, none goes
   * and the 409 names each one and why. Every enrolled kit device gets the trip's overlay in the
   * same transaction. The kit's asset rows are locked (PostgreSQL) and each moves available →
   * on_trip in one conditional statement, so a loan or another trip taking one at the same
   * moment makes this one a 409, never a device out twice.
   *
   * @throws NotFoundException 404 for an unknown trip
   * @throws ForbiddenException 403 for a trip leader who does not lead it
   * @throws ConflictException 409 with `code` (TRIP_CHECK_OUT_REFUSALS): `kit_already_out`,
   *   `trip_closed`, `trip_ended`, `asset_not_available` (an asset of the kit is not available, or
   *   was taken at the same moment), `device_locked_lost` (an asset of the kit found after a lost
   *   report whose device ICT has not unlocked yet; nothing goes out), or `kit_changed` (the kit
   *   changed or a kit device enrolled meanwhile, three times over)
   * @throws BadRequestException 400 when the trip's overlay would make a device's policies
   *   conflict (nothing is checked out then)
   */
  async checkOut(actor: StaffPrincipal, id: string): Promise<Trip> {
    const trip = await this.mustAccess(actor, id);
    let wentOut: string[] = [];
    await this.retryWhileChanged(
      async () => {
        const kitIds = (await this.trips.kitView(id)).map((k) => k.assetId);
        wentOut = await this.withTripOverlayOn(actor, trip, kitIds, async (tx) => {
          const taken = await this.checkOutIn(tx, actor, id);
          // The kit may have changed since it was read (an asset added or taken out): the
          // devices given the overlay must be the kit's as it goes.
          if (!sameSet(taken, kitIds)) {
            throw new ReadAgain();
          }
        });
      },
      () =>
        kitRefused(
          'kit_changed',
          'The kit or its devices changed meanwhile (an asset added or taken out, a device enrolled); check the kit out again',
        ),
    );
    this.announceMoved(wentOut);
    return this.view(id);
  }

  /**
   * Adds one asset to a trip's kit by its tag (POST /api/trips/:id/kit). To a planned trip it is
   * added `ready`, as at the trip's creation: nothing is held, and the check-out decides whether
   * it can go. To a trip that is out it goes out at once to the leaders, as if checked out with
   * the kit: it must be available (not on loan, on another trip, in repair, lost or retired), its
   * asset becomes `on_trip` in one conditional statement (its row locked on PostgreSQL), and its
   * enrolled device gets the trip's overlay in the same transaction; one of its kit that came
   * back (checked in, or taken out) goes out with it again. The trip's row is locked first, as
   * every trip step does. Audited `trip.kit_added`.
   *
   * @throws NotFoundException 404 for an unknown trip, or no asset with that tag
   * @throws ForbiddenException 403 for a trip leader who does not lead it
   * @throws ConflictException 409 with `code` (TRIP_KIT_CHANGE_REFUSALS): `already_in_kit`,
   *   `asset_not_available` (the message names its status), `device_locked_lost` (the kit is out
   *   and the asset's device is still locked as lost until ICT unlocks it), `trip_closed`,
   *   `trip_ended`, `kit_full`, or `kit_changed`
   * @throws BadRequestException 400 when the trip's overlay would make the device's policies
   *   conflict (nothing is added then)
   */
  async addToKit(actor: StaffPrincipal, id: string, assetTag: string): Promise<Trip> {
    await this.mustAccess(actor, id);
    const asset = (await this.trips.assetsByTags([assetTag])).get(tagKeyOf(assetTag));
    if (!asset) {
      throw new NotFoundException(`No asset has the tag ${assetTag}`);
    }
    let wentOut: string[] = [];
    await this.retryWhileChanged(
      async () => {
        const trip = await this.mustFindTrip(id);
        const within = (tx: Tx) => this.addToKitIn(tx, actor, id, asset.id, trip.status);
        if (trip.status === 'out') {
          wentOut = await this.withTripOverlayOn(actor, trip, [asset.id], within);
        } else {
          wentOut = [];
          await this.tx.run(within);
        }
      },
      () =>
        kitChangeRefused(
          'kit_changed',
          `The trip or ${asset.assetTag} changed while it was being added; add it again`,
        ),
    );
    this.announceMoved(wentOut);
    return this.view(id);
  }

  /**
   * Takes one asset out of a trip's kit (DELETE /api/trips/:id/kit/:assetTag). One that never
   * went out (`ready`) leaves the kit; one that is out is checked in as it leaves: its asset is
   * `available` again and the trip's overlay comes off its device in the same transaction, and its
   * entry stays as `back`, the trip's record that it went (photos it took on the trip stay the
   * trip's). One already back or reported lost stays as it is, for the same reason. Audited
   * `trip.kit_removed`, saying whether it was checked in.
   *
   * @throws NotFoundException 404 for an unknown trip, or a tag not in its kit
   * @throws ForbiddenException 403 for a trip leader who does not lead it
   * @throws ConflictException 409 with `code` (TRIP_KIT_CHANGE_REFUSALS): `trip_closed`,
   *   `last_in_kit` (a planned kit's only asset), or `kept_in_record` (back or lost)
   */
  async removeFromKit(actor: StaffPrincipal, id: string, assetTag: string): Promise<Trip> {
    await this.mustAccess(actor, id);
    const entry = await this.mustFindEntry(id, assetTag);
    const deviceIds = [...(await this.trips.deviceIdsOfAssets([entry.assetId])).values()];
    let checkedIn = false;
    await this.overlays.removeOverlay(
      { source: { kind: 'trip', id }, deviceIds, actor },
      {
        within: async (tx) => {
          checkedIn = await this.removeFromKitIn(tx, actor, id, entry, deviceIds[0] ?? null);
        },
      },
    );
    if (checkedIn) {
      this.announceMoved(deviceIds);
    }
    return this.view(id);
  }

  /**
   * One device back, by scan (POST /api/trips/:id/check-in): its kit entry becomes `back`, its
   * asset `available`, and its overlay is removed, in one transaction.
   *
   * @throws NotFoundException 404 for an unknown trip, or a tag not in its kit
   * @throws ForbiddenException 403 for a trip leader who does not lead it
   * @throws ConflictException 409 when the kit is not out (planned or closed), or that device is
   *   already back or reported lost
   */
  async checkIn(actor: StaffPrincipal, id: string, assetTag: string): Promise<Trip> {
    await this.mustAccess(actor, id);
    const entry = await this.mustFindEntry(id, assetTag);
    const deviceIds = [...(await this.trips.deviceIdsOfAssets([entry.assetId])).values()];
    await this.overlays.removeOverlay(
      { source: { kind: 'trip', id }, deviceIds, actor },
      {
        within: async (tx) => {
          const trip = await this.lockOpenTrip(tx, id);
          if (trip.status !== 'out') {
            throw new ConflictException('The kit has not been checked out: nothing to check in');
          }
          const now = this.clock.now();
          if (
            (await this.trips.moveKit(tx, id, 'out', 'back', actor.id, now, [entry.assetId])) !== 1
          ) {
            const current = await this.trips.kitEntryByTag(tx, id, assetTag);
            throw new ConflictException(
              current?.status === 'lost'
                ? `${entry.assetTag} was reported lost: ICT makes it available when it is found`
                : `${entry.assetTag} is already checked in`,
            );
          }
          await this.assets.updateWhereStatus(tx, entry.assetId, ['on_trip'], {
            status: 'available',
            updatedAt: now,
          });
          await this.audit.record(tx, {
            actor,
            action: 'trip.checked_in',
            target: tripTarget(trip),
            detail: {
              assetId: entry.assetId,
              assetTag: entry.assetTag,
              deviceId: deviceIds[0] ?? null,
              stillOut: await this.trips.countKit(tx, id, 'out'),
            },
          });
        },
      },
    );
    this.announceMoved(deviceIds);
    return this.view(id);
  }

  /**
   * Reports a kit device lost on the trip (POST /api/trips/:id/lost): the assets module's lost
   * path (the asset `lost`, its kit entry `lost`, its device locked with reason `lost` until ICT
   * unlocks it; audited `asset.lost` with the trip and who reported it), and its overlay is
   * removed (a lost device is no longer the trip's), all in one transaction: a hub killed
   * part-way leaves the device out on the trip as it was, to be reported again, never lost with
   * the trip's overlay still on it.
   *
   * @throws NotFoundException 404 for an unknown trip, or a tag not in its kit
   * @throws ForbiddenException 403 for a trip leader who does not lead it
   * @throws ConflictException 409 when that device is not out on this trip (not checked out, back,
   *   or already lost)
   */
  async lost(actor: StaffPrincipal, id: string, assetTag: string): Promise<Trip> {
    await this.mustAccess(actor, id);
    const entry = await this.mustFindEntry(id, assetTag);
    if (entry.status !== 'out') {
      throw new ConflictException(
        `${entry.assetTag} is not out on this trip (it is ${entry.status === 'ready' ? 'not checked out yet' : entry.status})`,
      );
    }
    const lost = await this.markKitLost(actor, id, entry.assetId);
    if (lost) {
      this.assetsService.announceLost(lost);
    }
    return this.view(id);
  }

  /**
   * Asset `assetId`, out on trip `id`, reported lost with the trip's overlay taken off its
   * device, in one transaction (see `lost`); the caller announces the lock once it commits.
   */
  private async markKitLost(
    actor: StaffPrincipal,
    id: string,
    assetId: string,
    note?: string,
  ): Promise<LostInTransaction | null> {
    const deviceIds = [...(await this.trips.deviceIdsOfAssets([assetId])).values()];
    let lost = null as LostInTransaction | null;
    await this.overlays.removeOverlay(
      { source: { kind: 'trip', id }, deviceIds, actor },
      {
        within: async (tx) => {
          lost = await this.assetsService.markLostIn(tx, actor, assetId, { tripId: id, note });
        },
      },
    );
    this.announceMoved(deviceIds);
    return lost;
  }

  /**
   * The office's lost report (POST /api/assets/:id/lost) of an asset out on a trip goes through
   * here, so the trip's overlay comes off its device as with the leader's report (the assets
   * module cannot import this one: AssetsService.reportLostOnTripWith).
   */
  onModuleInit(): void {
    this.assetsService.reportLostOnTripWith(async (actor, assetId, tripId, note) => {
      const lost = await this.markKitLost(actor, tripId, assetId, note);
      if (!lost) {
        throw new Error(`The lost report of asset ${assetId} wrote nothing`);
      }
      this.assetsService.announceLost(lost);
      return this.assetsService.lostOutcome(lost);
    });
  }

  /**
   * Closes a trip (POST /api/trips/:id/close) once no device of its kit is still out: every one is
   * back or lost (a planned trip whose kit never went may be closed too: called off). Any overlay
   * of the trip still in force is removed in the same transaction.
   *
   * @throws NotFoundException 404 for an unknown trip
   * @throws ForbiddenException 403 for a trip leader who does not lead it
   * @throws ConflictException 409 when it is already closed, or devices are still out (named)
   */
  async close(actor: StaffPrincipal, id: string): Promise<Trip> {
    await this.mustAccess(actor, id);
    await this.overlays.removeOverlay(
      { source: { kind: 'trip', id }, actor },
      {
        within: async (tx) => {
          const trip = await this.lockOpenTrip(tx, id);
          const kit = await this.trips.kitView(id, tx);
          const out = kit.filter((k) => k.status === 'out');
          if (out.length > 0) {
            throw new ConflictException(
              `${out.length} ${out.length === 1 ? 'device is' : 'devices are'} still out: ` +
                `${out.map((k) => k.assetTag).join(', ')}. Check each in by scan, or mark it lost`,
            );
          }
          const now = this.clock.now();
          if (
            !(await this.trips.updateWhereStatus(tx, id, ['planned', 'out'], {
              status: 'closed',
              closedAt: now,
            }))
          ) {
            throw new ConflictException('This trip is already closed');
          }
          const count = (status: string) => kit.filter((k) => k.status === status).length;
          await this.audit.record(tx, {
            actor,
            action: 'trip.closed',
            target: tripTarget(trip),
            detail: {
              previousStatus: trip.status,
              back: count('back'),
              lost: count('lost'),
              neverOut: count('ready'),
              lostAssetTags: kit.filter((k) => k.status === 'lost').map((k) => k.assetTag),
            },
          });
        },
      },
    );
    return this.view(id);
  }

  /**
   * When `trip` ended, in words on the school's clock (HUB_TIME_ZONE), for a refusal a trip leader
   * reads: "16:00 on Wednesday 10 March 2027".
   */
  private endWords(trip: TripEntity): string {
    return spokenTime(trip.endsAt, this.config.timeZone);
  }

  /**
   * The trip, if `actor` may see and act on it: ICT any, a trip leader those they lead. With
   * `allRoles` = READ_ALL_TRIPS_ROLES (reading only), safeguarding any too.
   *
   * @throws NotFoundException 404 for an unknown trip
   * @throws ForbiddenException 403 for a trip leader who does not lead it
   */
  private async mustAccess(
    actor: StaffPrincipal,
    id: string,
    allRoles: readonly StaffRole[] = ALL_TRIPS_ROLES,
  ): Promise<TripEntity> {
    const trip = await this.trips.findById(id);
    if (!trip) {
      throw new NotFoundException(`No trip ${id}`);
    }
    if (!hasAnyRole(actor, allRoles) && !(await this.trips.isLeader(id, actor.id))) {
      throw new ForbiddenException('You may see and act on only the trips you lead');
    }
    return trip;
  }

  /**
   * Inside `tx`: the trip, its row locked until `tx` ends (PostgreSQL).
   *
   * @param options.closedCode the `code` of the 409 for a closed trip, on the routes whose 409s
   *   all carry one (check-out, kit changes); left out, that 409 carries none
   * @throws NotFoundException 404 for an unknown trip
   * @throws ConflictException 409 "This trip is closed" when it is closed
   */
  private async lockOpenTrip(
    tx: Tx,
    id: string,
    options: LockOpenTripOptions = {},
  ): Promise<TripEntity> {
    const trip = await this.trips.findForUpdate(tx, id);
    if (!trip) {
      throw new NotFoundException(`No trip ${id}`);
    }
    if (trip.status === 'closed') {
      throw options.closedCode
        ? codedConflict(options.closedCode, 'This trip is closed')
        : new ConflictException('This trip is closed');
    }
    return trip;
  }

  /**
   * Runs `step` again from the start while it throws ReadAgain (the trip, its kit or the kit's
   * devices changed between reading them and the step's transaction), OVERLAY_STEP_TRIES times in
   * all; then throws `refusal()`.
   */
  private async retryWhileChanged(
    step: () => Promise<void>,
    refusal: () => ConflictException,
  ): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await step();
        return;
      } catch (error) {
        if (!(error instanceof ReadAgain)) {
          throw error;
        }
        if (attempt >= OVERLAY_STEP_TRIES) {
          throw refusal();
        }
      }
    }
  }

  /**
   * Runs `within` in one transaction that also lays the trip's overlay on the enrolled devices of
   * `assetIds` (those matched by serial number now). The match is read again inside the
   * transaction: a device that enrolled in between would go out without the overlay, so the
   * transaction is rolled back with ReadAgain. A trip whose overlay is empty lays nothing.
   *
   * @returns the ids of the enrolled devices of `assetIds`, as the committed transaction found them
   * @throws ReadAgain when the devices matched changed meanwhile (nothing written)
   * @throws BadRequestException 400 when the overlay would make a device's policies conflict
   */
  private async withTripOverlayOn(
    actor: StaffPrincipal,
    trip: TripEntity,
    assetIds: readonly string[],
    within: (tx: Tx) => Promise<void>,
  ): Promise<string[]> {
    const settings = JSON.parse(trip.overlay) as PartialPolicySettings;
    const deviceIds = await this.trips.deviceIdsOfAssets(assetIds);
    const checked = async (tx: Tx) => {
      await within(tx);
      if (!sameMap(await this.trips.deviceIdsOfAssets(assetIds, tx), deviceIds)) {
        throw new ReadAgain();
      }
    };
    if (settingPathsOf(settings).length === 0 || deviceIds.size === 0) {
      await this.tx.run(checked);
      return [...deviceIds.values()];
    }
    await this.overlays.applyOverlay(
      {
        source: { kind: 'trip', id: trip.id },
        deviceIds: [...deviceIds.values()],
        settings,
        expiresAt: null,
        actor,
        label: `Trip ${trip.name}`,
      },
      { within: checked },
    );
    return [...deviceIds.values()];
  }

  /**
   * After a step's commit: these devices went out on the trip or came back, so the class tiles
   * that show them are read again and sent to their watchers (`trip.devices.changed`, on every
   * hub of a cluster). One event for the whole step, however big the kit. Needed even when the
   * step laid or removed settings: settings that change nothing on a device queue no command,
   * and a trip may name none.
   */
  private announceMoved(deviceIds: readonly string[]): void {
    if (deviceIds.length > 0) {
      this.events.emit('trip.devices.changed', { deviceIds });
    }
  }

  /**
   * The writes of adding asset `assetId` to trip `id`'s kit, inside their transaction (see
   * addToKit). `expected` is the trip's status when the step was prepared: out means the overlay
   * is being laid on the asset's device, so a trip that changed status meanwhile is read again.
   */
  private async addToKitIn(
    tx: Tx,
    actor: StaffPrincipal,
    id: string,
    assetId: string,
    expected: TripStatus,
  ): Promise<void> {
    const trip = await this.lockOpenTrip(tx, id, { closedCode: 'trip_closed' });
    if (trip.status !== expected) {
      throw new ReadAgain();
    }
    const now = this.clock.now();
    if (now.getTime() >= trip.endsAt.getTime()) {
      throw kitChangeRefused(
        'trip_ended',
        `This trip ended at ${this.endWords(trip)}: nothing more can join its kit`,
      );
    }
    const asset = await this.trips.assetForUpdate(tx, assetId);
    if (!asset) {
      throw new NotFoundException('That asset is no longer in the register');
    }
    const existing = await this.trips.kitEntryByTag(tx, id, asset.assetTag);
    // One that came back (or was taken out) while the trip is out may go out with it again.
    const outAgain = existing?.status === 'back' && trip.status === 'out';
    if (existing && !outAgain) {
      throw kitChangeRefused(
        'already_in_kit',
        existing.status === 'lost'
          ? `${asset.assetTag} is in this trip's kit already, reported lost`
          : `${asset.assetTag} is already in this trip's kit`,
      );
    }
    if (!outAgain && (await this.trips.countWholeKit(tx, id)) >= TRIP_KIT_MAX) {
      throw kitChangeRefused(
        'kit_full',
        `The kit already has ${TRIP_KIT_MAX} assets, the most one trip takes`,
      );
    }
    const goesOut = trip.status === 'out';
    if (goesOut) {
      if (asset.status !== 'available') {
        throw kitChangeRefused(
          'asset_not_available',
          `${asset.assetTag} cannot join the kit while it is out: it is ${ASSET_STATUS_LABELS[
            asset.status
          ].toLowerCase()}`,
        );
      }
      const locked = await this.assets.deviceLockedAsLost(asset, tx);
      if (locked) {
        // As the desk's loans and the kit's check-out: its lost lock stays until ICT lifts it.
        throw kitChangeRefused(
          'device_locked_lost',
          `${asset.assetTag} cannot join the kit while it is out: it is still locked as lost on its device` +
            `${locked.name ? ` (${locked.name})` : ''}; ask ICT to unlock the device first`,
        );
      }
      if ((await this.assets.moveStatus(tx, [asset.id], 'available', 'on_trip', now)) !== 1) {
        throw kitChangeRefused(
          'asset_not_available',
          `${asset.assetTag} was taken at the same moment; it did not join the kit`,
        );
      }
    }
    if (!outAgain) {
      await this.trips.insertKitEntry(tx, id, asset.id, goesOut ? 'out' : 'ready', actor.id, now);
    } else if ((await this.trips.moveKit(tx, id, 'back', 'out', actor.id, now, [asset.id])) !== 1) {
      throw kitChangeRefused(
        'already_in_kit',
        `${asset.assetTag} changed at the same moment; it did not join the kit`,
      );
    }
    const deviceId = (await this.trips.deviceIdsOfAssets([asset.id], tx)).get(asset.id) ?? null;
    await this.audit.record(tx, {
      actor,
      action: 'trip.kit_added',
      target: tripTarget(trip),
      detail: {
        assetId: asset.id,
        assetTag: asset.assetTag,
        deviceId,
        checkedOut: goesOut,
        outAgain,
        kitSize: await this.trips.countWholeKit(tx, id),
      },
    });
  }

  /**
   * The writes of taking `entry` out of trip `id`'s kit, inside their transaction (removeFromKit).
   *
   * @returns whether it was out, so checked in as it left
   */
  private async removeFromKitIn(
    tx: Tx,
    actor: StaffPrincipal,
    id: string,
    entry: KitEntry,
    deviceId: string | null,
  ): Promise<boolean> {
    const trip = await this.lockOpenTrip(tx, id, { closedCode: 'trip_closed' });
    const current = await this.trips.kitEntryByTag(tx, id, entry.assetTag);
    if (!current || current.assetId !== entry.assetId) {
      throw new NotFoundException(`${entry.assetTag} is not in this trip's kit`);
    }
    const now = this.clock.now();
    if (current.status === 'back' || current.status === 'lost') {
      throw kitChangeRefused(
        'kept_in_record',
        current.status === 'back'
          ? `${entry.assetTag} went out with this trip and is back: it stays in the trip's record`
          : `${entry.assetTag} was reported lost on this trip: it stays in the trip's record`,
      );
    }
    if (current.status === 'ready') {
      if ((await this.trips.countWholeKit(tx, id)) <= 1) {
        throw kitChangeRefused(
          'last_in_kit',
          `${entry.assetTag} is the only asset in the kit: a trip takes at least one (close the trip to call it off)`,
        );
      }
      if (!(await this.trips.deleteReadyKitEntry(tx, id, entry.assetId))) {
        throw new ConflictException(`${entry.assetTag} changed at the same moment; try again`);
      }
    } else {
      // Out: checked in as it leaves (the overlay comes off in this transaction, removeFromKit).
      if ((await this.trips.moveKit(tx, id, 'out', 'back', actor.id, now, [entry.assetId])) !== 1) {
        throw new ConflictException(`${entry.assetTag} changed at the same moment; try again`);
      }
      await this.assets.updateWhereStatus(tx, entry.assetId, ['on_trip'], {
        status: 'available',
        updatedAt: now,
      });
    }
    await this.audit.record(tx, {
      actor,
      action: 'trip.kit_removed',
      target: tripTarget(trip),
      detail: {
        assetId: entry.assetId,
        assetTag: entry.assetTag,
        deviceId,
        checkedIn: current.status === 'out',
        kitSize: await this.trips.countWholeKit(tx, id),
      },
    });
    return current.status === 'out';
  }

  /**
   * The check-out's writes inside its transaction (see checkOut).
   *
   * @returns the ids of the assets that went out
   */
  private async checkOutIn(tx: Tx, actor: StaffPrincipal, id: string): Promise<string[]> {
    const trip = await this.lockOpenTrip(tx, id, { closedCode: 'trip_closed' });
    if (trip.status !== 'planned') {
      throw kitRefused('kit_already_out', 'The kit is already checked out');
    }
    const now = this.clock.now();
    if (now.getTime() >= trip.endsAt.getTime()) {
      throw kitRefused(
        'trip_ended',
        `This trip ended at ${this.endWords(trip)}: its kit can no longer be checked out`,
      );
    }
    const assets = await this.trips.kitAssetsForUpdate(tx, id);
    const unavailable = assets
      .filter((a) => a.status !== 'available')
      .sort((a, b) => a.tagKey.localeCompare(b.tagKey));
    if (unavailable.length > 0) {
      throw kitRefused(
        'asset_not_available',
        `Nothing was checked out: ${unavailable.length} of the kit ${
          unavailable.length === 1 ? 'is' : 'are'
        } not available: ${unavailable.map(assetWithStatus).join(', ')}`,
      );
    }
    // Found after a lost report and available again, but its device keeps the lost lock until
    // ICT lifts it (decisions.md): taken out, it would tell the trip it is lost. The whole
    // check-out is refused, as for any asset of the kit that cannot go.
    const locked = await this.assets.devicesLockedAsLost(assets, tx);
    if (locked.size > 0) {
      const tags = assets
        .filter((a) => locked.has(a.id))
        .sort((a, b) => a.tagKey.localeCompare(b.tagKey))
        .map((a) => a.assetTag);
      throw kitRefused(
        'device_locked_lost',
        `Nothing was checked out: ${tags.join(', ')} ${
          tags.length === 1 ? 'is' : 'are'
        } still locked as lost on ${tags.length === 1 ? 'its device' : 'their devices'}: ask ICT to unlock ${
          tags.length === 1 ? 'it' : 'them'
        }, or take ${tags.length === 1 ? 'it' : 'them'} out of the kit`,
      );
    }
    const ids = assets.map((a) => a.id);
    if ((await this.assets.moveStatus(tx, ids, 'available', 'on_trip', now)) !== ids.length) {
      throw kitRefused(
        'asset_not_available',
        'Nothing was checked out: an asset of the kit was taken at the same moment; try again',
      );
    }
    await this.trips.moveKit(tx, id, 'ready', 'out', actor.id, now);
    if (
      !(await this.trips.updateWhereStatus(tx, id, ['planned'], {
        status: 'out',
        checkedOutAt: now,
      }))
    ) {
      throw kitRefused('kit_already_out', 'The kit is already checked out');
    }
    await this.audit.record(tx, {
      actor,
      action: 'trip.checked_out',
      target: tripTarget(trip),
      detail: {
        assets: assets.length,
        assetTags: assets.map((a) => a.assetTag).sort(),
        overlay: settingPathsOf(JSON.parse(trip.overlay) as PartialPolicySettings),
      },
    });
    return ids;
  }

  /** @throws NotFoundException 404 for an unknown trip */
  private async mustFindTrip(id: string): Promise<TripEntity> {
    const trip = await this.trips.findById(id);
    if (!trip) {
      throw new NotFoundException(`No trip ${id}`);
    }
    return trip;
  }

  /** @throws NotFoundException 404 when the tag names no asset of this trip's kit */
  private async mustFindEntry(id: string, assetTag: string) {
    const entry = await this.trips.kitEntryByTag(this.tx.reader, id, assetTag);
    if (!entry) {
      throw new NotFoundException(`${assetTag} is not in this trip's kit`);
    }
    return entry;
  }

  /** @throws BadRequestException 400 naming the first setting that is not valid */
  private checkOverlay(overlay: Record<string, unknown>): PartialPolicySettings {
    try {
      return validatePartialSettings(overlay);
    } catch (error) {
      if (error instanceof PolicyValidationError) {
        throw new BadRequestException(`overlay.${error.field}: ${error.message}`);
      }
      throw error;
    }
  }

  /**
   * Every leader is an enabled staff account holding the trip leader role (or ICT): only they
   * reach the trip routes. A trip leader who adds a trip leads it, or could not see it. Answers
   * the leaders' names as the audit log keeps them (`Ms Patel (apatel)`), in the order given.
   *
   * @throws BadRequestException 400 naming the leader at fault
   */
  private async checkLeaders(
    actor: StaffPrincipal,
    leaderIds: readonly string[],
  ): Promise<string[]> {
    const names: string[] = [];
    for (const leaderId of leaderIds) {
      const account = await this.staff.findById(leaderId);
      if (!account) {
        throw new BadRequestException(`leaderIds: no staff account ${leaderId}`);
      }
      if (account.disabled) {
        throw new BadRequestException(`leaderIds: ${account.displayName}'s account is disabled`);
      }
      if (!TRIP_LEADER_ROLES.some((role) => account.roles.includes(role))) {
        throw new BadRequestException(
          `leaderIds: ${account.displayName} is not a trip leader (give them the trip leader role first)`,
        );
      }
      names.push(`${account.displayName} (${account.username})`);
    }
    if (!hasAnyRole(actor, ALL_TRIPS_ROLES) && !leaderIds.includes(actor.id)) {
      throw new BadRequestException('leaderIds: a trip leader leads the trips they add');
    }
    return names;
  }

  /** The trip as the API shows it, with its leaders and its kit read now. */
  private async view(id: string): Promise<Trip> {
    const trip = await this.trips.findById(id);
    if (!trip) {
      throw new NotFoundException(`No trip ${id}`);
    }
    const [leaders, kit] = await Promise.all([this.trips.leadersOf([id]), this.trips.kitView(id)]);
    const shownOnline: ShownOnline = (device) => this.devices.shownOnline(device);
    return toTripDto(
      trip,
      leaders.get(id) ?? [],
      kit.map((row) => toKitDeviceDto(row, shownOnline)),
    );
  }
}

function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);
}

/** Whether two lists of ids hold the same ids, in any order. */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const inB = new Set(b);
  return new Set(a).size === inB.size && a.every((item) => inB.has(item));
}
