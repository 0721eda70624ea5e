// The asset register (issue 13): create, read, change, import from CSV, print labels, and report
// an asset lost, which locks its device with reason `lost` (a lock only ICT may lift: it outranks
// class and admin locks, commands/command.entity.ts LOCK_OWNERS). An asset's device is the active
// device with the same serial number in any capitals (`serialKeyOf`); when they match (the asset made after the device enrolled,
// or the device enrolling after the asset was made) the device takes the asset's tag.
import {
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Asset, AssetRegisterRefusal, AssetStatus, ImportReport, Page } from '@app/hub-api';
import { quotedInput } from '@app/devices';
import { assetTarget, deviceTarget } from '../audit/audit-labels';
import { AuditActor, AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { codedConflict } from '../common/coded-refusal';
import { HubEvents } from '../common/hub-events';
import { hasAnyRole, LOAN_DESK_ROLES, type StaffPrincipal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { CommandsService, IssueOutcome } from '../commands/commands.service';
import { parseAssetCsv } from './asset-import';
import { assetLabelSvg } from './asset-label';
import { serialKeyOf, tagKeyOf } from '@app/hub-api';
import { AssetEntity } from './asset.entity';
import {
  AssetFilter,
  AssetsRepository,
  AssetViewClock,
  MatchedDevice,
  UnkeyedAsset,
} from './assets.repository';
import type { CreateAssetDto, UpdateAssetDto } from './dto/asset.dto';

/** What a lost device's lock screen says (issue 13; device.lock's message is at most 200). */
export const LOST_LOCK_MESSAGE =
  'This device has been reported lost. Please bring it to the school office.';

/**
 * Statuses PATCH may change an asset's status or serial number from; loans and trips own
 * `on_loan` and `on_trip`. The serial number names the device a loan or trip took out (a trip's
 * overlay is taken off the device the serial names at check-in), so it waits for the check-in too.
 */
const PATCHABLE_FROM: readonly AssetStatus[] = ['available', 'in_repair', 'retired', 'lost'];

/**
 * The unique key's column that two assets with one serial number in any capitals break (both
 * databases name it; migration 1764860000000).
 */
const SERIAL_KEY_COLUMN = 'serial_key';

/** An asset's serial key: null with no serial number. */
function serialKeyOrNull(serialNumber: string | null): string | null {
  return serialNumber === null ? null : serialKeyOf(serialNumber);
}

/** The 409 for a change PATCH may not make while the asset is on loan or on a trip. */
function checkInFirst(asset: AssetEntity): ConflictException {
  return new ConflictException(
    `Asset ${asset.assetTag} is ${asset.status.replace('_', ' ')}: check it in first`,
  );
}

/**
 * A 409 of the register's that a client tells apart (ASSET_REGISTER_REFUSALS): its plain-words
 * `message` and its `code`, the published codes only.
 */
function registerRefused(code: AssetRegisterRefusal, message: string): ConflictException {
  return codedConflict(code, message);
}

/** The words of a serial number refused because `holder` has it. */
function serialTakenBy(serialNumber: string, holder: AssetEntity | null): string {
  return holder
    ? `Serial number ${serialNumber} is already on asset ${holder.assetTag}`
    : `Serial number ${serialNumber} is already on another asset`;
}

/**
 * An asset as `viewer` may read it: its open loan (who has it, until when, how overdue) only for
 * the roles that read loans (LOAN_DESK_ROLES). A trip leader reads assets to find kit, and was
 * refused GET /api/loans, yet read every borrower and their days overdue here.
 */
export function shownTo(viewer: StaffPrincipal, asset: Asset): Asset {
  return asset.currentLoan && !hasAnyRole(viewer, LOAN_DESK_ROLES)
    ? { ...asset, currentLoan: null }
    : asset;
}

/** What reporting an asset lost did. */
export interface LostOutcome {
  asset: Asset;
  /** The trip it was out on, whose kit now shows it lost; null if none. */
  tripId: string | null;
  /** The device locked as lost; null when the asset has no enrolled device. */
  lockedDeviceId: string | null;
}

/** Reports lost an asset out on a trip, its trip's overlay taken off (see markLost). */
export type LostOnTripReporter = (
  actor: StaffPrincipal,
  assetId: string,
  tripId: string,
  note: string | undefined,
) => Promise<LostOutcome>;

/** A lost report written in a transaction not yet committed (`AssetsService.markLostIn`). */
export interface LostInTransaction {
  assetId: string;
  /** The trip it was out on; null if none. */
  tripId: string | null;
  /** The lost lock queued for its device; null when the asset matches no device. */
  issued: IssueOutcome | null;
}

@Injectable()
export class AssetsService implements OnModuleInit {
  private readonly logger = new Logger(AssetsService.name);
  /** See reportLostOnTripWith. */
  private lostOnTrip: LostOnTripReporter | null = null;

  constructor(
    private readonly assets: AssetsRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: HubEvents,
    private readonly commands: CommandsService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** The hub's clock now and the school's zone, for an asset's view (its loan's days overdue). */
  private viewClock(): AssetViewClock {
    return { now: this.clock.now(), timeZone: this.config.timeZone };
  }

  /** A device that enrols with the serial number of an asset takes the asset's tag. */
  onModuleInit(): void {
    this.events.on('device.enrolled', ({ deviceId }) => this.matchEnrolledDevice(deviceId));
  }

  /**
   * Adds an asset (ICT, office). 409 for a tag already used (in any case): the unique key on the
   * lower-case tag decides, so two requests for one tag at once give one asset. 409 too for a
   * serial number another asset has in any capitals (by `serialKeyOf`, after the DTO trimmed it,
   * as assets are matched with devices), naming that asset: one serial names one device, which
   * could otherwise be on loan and on a trip at once. The unique index UQ_assets_serial_key
   * decides a race (decisions.md, "One serial number, one asset, whatever its capitals").
   *
   * @throws ConflictException 409 for a tag (`asset_tag_taken`) or a serial number
   *   (`serial_number_taken`) already in the register
   */
  async create(actor: StaffPrincipal, input: CreateAssetDto): Promise<Asset> {
    const now = this.clock.now();
    const asset: UnkeyedAsset = {
      id: randomUUID(),
      assetTag: input.assetTag,
      tagKey: tagKeyOf(input.assetTag),
      kind: input.kind,
      serialNumber: input.serialNumber ?? null,
      serialKey: serialKeyOrNull(input.serialNumber ?? null),
      model: input.model ?? null,
      condition: input.condition ?? null,
      notes: input.notes ?? null,
      status: 'available',
      createdAt: now,
      updatedAt: now,
    };
    try {
      return await this.tx.run(async (tx) => {
        await this.refuseTakenSerial(tx, asset.serialNumber, asset.id);
        await this.assets.insert(tx, asset);
        const device = await this.matchDevice(tx, actor, asset);
        await this.audit.record(tx, {
          actor,
          action: 'asset.created',
          target: assetTarget(asset),
          detail: {
            assetTag: asset.assetTag,
            kind: asset.kind,
            serialNumber: asset.serialNumber,
            deviceId: device?.id ?? null,
          },
        });
        return (await this.assets.viewById(asset.id, this.viewClock(), tx)) as Asset;
      });
    } catch (error) {
      if (isUniqueViolation(error, SERIAL_KEY_COLUMN) && asset.serialNumber) {
        throw await this.serialConflict(asset.serialNumber);
      }
      if (isUniqueViolation(error)) {
        throw registerRefused('asset_tag_taken', `Asset tag ${input.assetTag} is already used`);
      }
      throw error;
    }
  }

  /** GET /api/assets: a page of assets in tag order, as `viewer` may see them (`shownTo`). */
  async list(
    viewer: StaffPrincipal,
    filter: AssetFilter,
    page: number,
    pageSize: number,
  ): Promise<Page<Asset>> {
    const [items, total] = await this.assets.viewPage(
      filter,
      (page - 1) * pageSize,
      pageSize,
      this.viewClock(),
    );
    return { items: items.map((asset) => shownTo(viewer, asset)), total, page, pageSize };
  }

  /**
   * The asset as `viewer` may see it (`shownTo`); without a viewer, whole (the hub's own answers
   * to office and ICT).
   *
   * @throws NotFoundException 404 for an unknown id
   */
  async get(id: string, viewer?: StaffPrincipal): Promise<Asset> {
    const asset = await this.assets.viewById(id, this.viewClock());
    if (!asset) {
      throw new NotFoundException(`No asset ${id}`);
    }
    return viewer ? shownTo(viewer, asset) : asset;
  }

  /**
   * The asset as `viewer` may see it (`shownTo`).
   *
   * @throws NotFoundException 404 for a tag not in the register (any case matches)
   */
  async getByTag(viewer: StaffPrincipal, tag: string): Promise<Asset> {
    const asset = await this.assets.viewByTag(tag, this.viewClock());
    if (!asset) {
      throw new NotFoundException(`No asset with tag ${quotedInput(tag)}`);
    }
    return shownTo(viewer, asset);
  }

  /**
   * Changes an asset's details, and its status between `available`, `in_repair` and `retired`
   * (a lost asset that is found becomes `available`; its device stays locked until ICT unlocks
   * it). Neither the status nor the serial number changes while the asset is on loan or on a
   * trip: the loan or trip took out the device the serial names, and its check-in must find that
   * device again (a trip's overlay comes off it). The write is conditional on the status read,
   * in one statement, so a check-out at the same moment makes it a 409 rather than slipping in.
   *
   * @throws NotFoundException 404 for an unknown id
   * @throws ConflictException 409 for a tag (`asset_tag_taken`) or serial number
   *   (`serial_number_taken`) already used (the serial in any
   *   capitals, naming the asset that has it; the asset's own serial in other capitals is a
   *   change of spelling, kept as typed), a status or serial number change of an asset on loan or on a trip ("check
   *   it in first"), a status change of an asset lost while on loan whose loan is still open
   *   (its check-in at the desk makes it available), or a change that raced another
   */
  async update(actor: StaffPrincipal, id: string, input: UpdateAssetDto): Promise<Asset> {
    try {
      return await this.tx.run(async (tx) => {
        const asset = await this.assets.findById(id, tx);
        if (!asset) {
          throw new NotFoundException(`No asset ${id}`);
        }
        const changes: Partial<AssetEntity> = {};
        const changed: string[] = [];
        const set = <K extends keyof AssetEntity>(key: K, value: AssetEntity[K] | undefined) => {
          if (value !== undefined && value !== asset[key]) {
            changes[key] = value;
            changed.push(key);
          }
        };
        set('assetTag', input.assetTag);
        if (changes.assetTag !== undefined) {
          changes.tagKey = tagKeyOf(changes.assetTag);
        }
        set('kind', input.kind);
        set('serialNumber', input.serialNumber);
        if (changes.serialNumber !== undefined) {
          changes.serialKey = serialKeyOrNull(changes.serialNumber);
        }
        set('model', input.model);
        set('condition', input.condition);
        set('notes', input.notes);
        set('status', input.status);
        if (
          (changes.status !== undefined || changes.serialNumber !== undefined) &&
          !PATCHABLE_FROM.includes(asset.status)
        ) {
          throw checkInFirst(asset);
        }
        if (changes.status !== undefined && asset.status === 'lost') {
          await this.refuseOpenLoan(tx, asset);
        }
        if (changes.serialNumber) {
          await this.refuseTakenSerial(tx, changes.serialNumber, id);
        }
        if (changed.length === 0) {
          return (await this.assets.viewById(id, this.viewClock(), tx)) as Asset;
        }
        changes.updatedAt = this.clock.now();
        // Only while the status is still the one read (one of PATCHABLE_FROM if the status or
        // serial changes): a loan or trip that took the asset since makes this write nothing.
        if (!(await this.assets.updateWhereStatus(tx, id, [asset.status], changes))) {
          throw new ConflictException(
            `Asset ${asset.assetTag} changed at the same moment; read it again`,
          );
        }
        const after = { ...asset, ...changes };
        const device =
          changes.serialNumber !== undefined || changes.assetTag !== undefined
            ? await this.matchDevice(tx, actor, after)
            : null;
        await this.audit.record(tx, {
          actor,
          action: 'asset.updated',
          target: assetTarget(after),
          detail: {
            changed,
            status: after.status,
            ...(changes.assetTag !== undefined ? { previousAssetTag: asset.assetTag } : {}),
            ...(changes.status !== undefined ? { previousStatus: asset.status } : {}),
            ...(device ? { deviceId: device.id } : {}),
          },
        });
        return (await this.assets.viewById(id, this.viewClock(), tx)) as Asset;
      });
    } catch (error) {
      if (isUniqueViolation(error, SERIAL_KEY_COLUMN) && input.serialNumber) {
        throw await this.serialConflict(input.serialNumber);
      }
      if (isUniqueViolation(error)) {
        throw registerRefused(
          'asset_tag_taken',
          `Asset tag ${input.assetTag ?? ''} is already used`,
        );
      }
      throw error;
    }
  }

  /**
   * The CSV import (issue 13). Rows are checked by parseAssetCsv (which also refuses a tag or
   * serial number repeated in the file), then tags and serial numbers already in the hub are
   * refused, each on its row and field, a serial naming the asset that has it; every good row
   * goes in one transaction, bad rows change nothing. With `dryRun` nothing is written and
   * nothing audited (it changes nothing). A tag or serial number added by someone else between
   * the check and the write makes the whole import a 409 (nothing written).
   *
   * @returns `{created, errors, dryRun}`; `errors` sorted by line
   * @throws ConflictException 409 when a tag or serial number was added meanwhile
   */
  async importCsv(actor: StaffPrincipal, text: string, dryRun: boolean): Promise<ImportReport> {
    const parsed = parseAssetCsv(text);
    const errors = [...parsed.errors];
    const run = async (tx: Tx | undefined) => {
      const existing = await this.assets.findByTags(
        parsed.rows.map((row) => row.assetTag),
        tx,
      );
      const serialHolders = await this.assets.findBySerials(
        parsed.rows.flatMap((row) => (row.serialNumber ? [row.serialNumber] : [])),
        tx,
      );
      const good = parsed.rows.filter((row) => {
        let ok = true;
        if (existing.has(tagKeyOf(row.assetTag))) {
          errors.push({
            row: row.row,
            field: 'assetTag',
            message: `${row.assetTag} is already in the hub`,
          });
          ok = false;
        }
        const holder = row.serialNumber
          ? serialHolders.get(serialKeyOf(row.serialNumber))
          : undefined;
        if (row.serialNumber && holder) {
          errors.push({
            row: row.row,
            field: 'serialNumber',
            message: `${row.serialNumber} is already on asset ${holder.assetTag}`,
          });
          ok = false;
        }
        return ok;
      });
      return good;
    };
    let created = 0;
    if (dryRun) {
      created = (await run(undefined)).length;
    } else {
      try {
        created = await this.tx.run(async (tx) => {
          const good = await run(tx);
          if (good.length === 0) {
            return 0;
          }
          const now = this.clock.now();
          const rows: UnkeyedAsset[] = good.map((row) => ({
            id: randomUUID(),
            assetTag: row.assetTag,
            tagKey: tagKeyOf(row.assetTag),
            kind: row.kind,
            serialNumber: row.serialNumber,
            serialKey: serialKeyOrNull(row.serialNumber),
            model: row.model,
            condition: row.condition,
            notes: row.notes,
            status: 'available',
            createdAt: now,
            updatedAt: now,
          }));
          await this.assets.insertMany(tx, rows);
          const devices = await this.assets.devicesBySerial(
            rows.flatMap((row) => (row.serialNumber ? [row.serialNumber] : [])),
            tx,
          );
          for (const row of rows) {
            const device = row.serialKey ? devices.get(row.serialKey) : undefined;
            if (device) {
              await this.giveDeviceTag(tx, actor, row, device);
            }
          }
          await this.audit.record(tx, {
            actor,
            action: 'assets.imported',
            target: null,
            detail: {
              created: rows.length,
              refusedRows: new Set(errors.map((e) => e.row)).size,
              assetTags: rows.slice(0, 50).map((row) => row.assetTag),
            },
          });
          return rows.length;
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConflictException(
            'An asset tag or serial number in the file was added by someone else meanwhile; nothing was imported. Try again',
          );
        }
        throw error;
      }
    }
    errors.sort((a, b) => a.row - b.row);
    return { created, errors, dryRun };
  }

  /** The asset's label as SVG text. @throws NotFoundException 404 for an unknown id */
  async label(id: string): Promise<{ assetTag: string; svg: string }> {
    const asset = await this.get(id);
    const svg = await assetLabelSvg({
      assetTag: asset.assetTag,
      caption: asset.model ?? asset.kind,
      schoolName: this.config.schoolName,
    });
    return { assetTag: asset.assetTag, svg };
  }

  /**
   * Reports an asset lost (issue 13): its status becomes `lost` (from any status but lost or
   * retired; an open loan stays open, the borrower still answers for it), a trip it is out on
   * shows it lost, and, if it is enrolled, its device gets `device.lock` with reason `lost` and a
   * message to bring it to the school office. The lock is issued by the hub on the reporter's
   * behalf, so a trip leader's report locks it too; as a `lost` lock it outranks any class or
   * admin lock and stays until ICT unlocks it. Audited as `asset.lost` with who reported it.
   * All of it is one transaction (`markLostIn`): a hub killed part-way leaves the asset as it
   * was, never lost with its device unlocked (decisions.md, "A walk that tried to break
   * restarts, backups and retention").
   *
   * @throws NotFoundException 404 for an unknown asset
   * @throws ConflictException 409 when it is already lost or retired, or (with `tripId`) it is
   *   not out on that trip
   */
  async markLost(
    actor: StaffPrincipal,
    id: string,
    context: { note?: string; tripId?: string } = {},
  ): Promise<LostOutcome> {
    if (context.tripId === undefined && this.lostOnTrip) {
      // Out on a trip: reported as the trip's own lost report is, so the trip's overlay comes off
      // its device in the same transaction. Reported here (the office's route), the lost tablet
      // kept the trip's overlay (the camera allowed) until the trip closed. A check-in between
      // this read and that transaction makes it a 409 "not out on this trip": report it again.
      const tripId = (await this.assets.viewById(id, this.viewClock()))?.currentTripId;
      if (tripId) {
        return this.lostOnTrip(actor, id, tripId, context.note);
      }
    }
    const lost = await this.tx.run((tx) => this.markLostIn(tx, actor, id, context));
    this.announceLost(lost);
    return this.lostOutcome(lost);
  }

  /**
   * Set by the trips module (which imports this one, so this one cannot call it): reports lost
   * an asset out on trip `tripId` with the trip's overlay taken off its device, as
   * POST /api/trips/:id/lost does, answering as `markLost`.
   */
  reportLostOnTripWith(reporter: LostOnTripReporter): void {
    this.lostOnTrip = reporter;
  }

  /**
   * What `markLost` does, in the caller's transaction `tx` (a trip's lost report takes its
   * overlay off in the same one). Call `announceLost` once `tx` commits, then `lostOutcome`.
   * A revoked device gets no lock and is reported as not locked.
   *
   * @throws as `markLost`
   */
  async markLostIn(
    tx: Tx,
    actor: StaffPrincipal,
    id: string,
    context: { note?: string; tripId?: string } = {},
  ): Promise<LostInTransaction> {
    const now = this.clock.now();
    const found = await this.assets.findById(id, tx);
    if (!found) {
      throw new NotFoundException(`No asset ${id}`);
    }
    const from: AssetStatus[] = ['available', 'on_loan', 'on_trip', 'in_repair'];
    if (!(await this.assets.updateWhereStatus(tx, id, from, { status: 'lost', updatedAt: now }))) {
      throw new ConflictException(`Asset ${found.assetTag} is already ${found.status}`);
    }
    const trip = await this.assets.markTripKitLost(tx, id, actor.id, now);
    if (context.tripId !== undefined && trip !== context.tripId) {
      // A trip's lost report is for a device out on that trip: one checked in meanwhile is not.
      throw new ConflictException(`Asset ${found.assetTag} is not out on this trip`);
    }
    const devices = found.serialNumber
      ? await this.assets.devicesBySerial([found.serialNumber], tx)
      : new Map<string, MatchedDevice>();
    const matched = found.serialKey ? (devices.get(found.serialKey) ?? null) : null;
    await this.audit.record(tx, {
      actor,
      action: 'asset.lost',
      target: assetTarget(found),
      detail: {
        assetTag: found.assetTag,
        previousStatus: found.status,
        tripId: trip ?? context.tripId ?? null,
        deviceId: matched?.id ?? null,
        ...(context.note ? { note: context.note } : {}),
      },
    });
    const issued = matched
      ? await this.commands.issueIn(
          tx,
          { kind: 'system' },
          [matched.id],
          {
            type: 'device.lock',
            payload: { reason: 'lost', message: LOST_LOCK_MESSAGE },
            expiresAt: null,
          },
          null,
        )
      : null;
    return { assetId: found.id, tripId: trip, issued };
  }

  /** Wakes delivery of a committed `markLostIn`'s lock, if it queued one. */
  announceLost(lost: LostInTransaction): void {
    if (lost.issued) {
      this.commands.announceIssued(lost.issued);
    }
  }

  /** A committed `markLostIn` as the API answers it: the asset now, its trip, the device locked. */
  async lostOutcome(lost: LostInTransaction): Promise<LostOutcome> {
    const lockedDeviceId = lost.issued?.commands[0]?.deviceId ?? null;
    if (lost.issued && !lockedDeviceId) {
      this.logger.warn(`The device of lost asset ${lost.assetId} was not locked (not active)`);
    }
    return { asset: await this.get(lost.assetId), tripId: lost.tripId, lockedDeviceId };
  }

  /**
   * Refuses to move a lost asset's status while the loan it was lost on is still open: only its
   * check-in closes the loan (and stops its reminders), and it sets the status itself. Made
   * available by PATCH, the asset went back on the shelf with the loan still open: the desk
   * offered it for check-out (refused as "checked out at the same moment") and never its check-in.
   * Read, then written conditionally on the status read: a lost asset gets no new loan, so only
   * that loan's check-in can come between, which makes this refusal stale, never the write wrong.
   *
   * @throws ConflictException 409 naming the borrower and where to check it in
   */
  private async refuseOpenLoan(tx: Tx, asset: AssetEntity): Promise<void> {
    const loan = (await this.assets.viewById(asset.id, this.viewClock(), tx))?.currentLoan;
    if (loan) {
      throw new ConflictException(
        `Asset ${asset.assetTag} was reported lost while on loan to ${loan.borrowerName}, and ` +
          'that loan is still open: check it in at the office desk, which makes it available ' +
          '(or sends it to repair)',
      );
    }
  }

  /**
   * Refuses a serial number another asset than `selfId` has in any capitals (one serial, one
   * asset: it names the device an asset is matched with). Read in the caller's transaction for the clear message; the
   * unique index decides when another writer gets in between.
   *
   * @throws ConflictException 409 `serial_number_taken` naming the asset that has the serial number
   */
  private async refuseTakenSerial(
    tx: Tx,
    serialNumber: string | null,
    selfId: string,
  ): Promise<void> {
    if (!serialNumber) {
      return;
    }
    const holder = (await this.assets.findBySerials([serialNumber], tx)).get(
      serialKeyOf(serialNumber),
    );
    if (holder && holder.id !== selfId) {
      throw registerRefused('serial_number_taken', serialTakenBy(serialNumber, holder));
    }
  }

  /** The 409 for a serial number whose unique key another writer won, naming the winner. */
  private async serialConflict(serialNumber: string): Promise<ConflictException> {
    const holder =
      (await this.assets.findBySerials([serialNumber])).get(serialKeyOf(serialNumber)) ?? null;
    return registerRefused('serial_number_taken', serialTakenBy(serialNumber, holder));
  }

  /**
   * Gives the active device with the asset's serial number (in any capitals) the asset's tag, if
   * there is one.
   */
  private async matchDevice(
    tx: Tx,
    actor: AuditActor,
    asset: UnkeyedAsset,
  ): Promise<MatchedDevice | null> {
    if (!asset.serialKey) {
      return null;
    }
    const device = (await this.assets.devicesBySerial([asset.serialKey], tx)).get(asset.serialKey);
    if (!device) {
      return null;
    }
    await this.giveDeviceTag(tx, actor, asset, device);
    return device;
  }

  private async giveDeviceTag(
    tx: Tx,
    actor: AuditActor,
    asset: UnkeyedAsset,
    device: MatchedDevice,
  ): Promise<void> {
    if (device.assetTag === asset.assetTag) {
      return;
    }
    // A device given this tag by hand loses it to the device the register names (audited, so
    // ICT sees which tablet lost its tag and why).
    for (const other of await this.assets.takeDeviceTagFromOthers(tx, asset.assetTag, device.id)) {
      await this.audit.record(tx, {
        actor,
        action: 'device.updated',
        target: deviceTarget({ ...other, assetTag: null }),
        detail: {
          changed: ['assetTag'],
          previous: { assetTag: other.assetTag },
          reason: `asset ${asset.assetTag} of the register names the device with serial ${device.serialNumber}`,
        },
      });
    }
    await this.assets.setDeviceTag(tx, device.id, asset.assetTag);
    await this.audit.record(tx, {
      actor,
      action: 'asset.device_matched',
      target: deviceTarget({ ...device, assetTag: asset.assetTag }),
      detail: {
        assetId: asset.id,
        assetTag: asset.assetTag,
        serialNumber: device.serialNumber,
        previousAssetTag: device.assetTag,
      },
    });
  }

  /** On `device.enrolled`: the asset with the device's serial number (in any capitals) names it. */
  private async matchEnrolledDevice(deviceId: string): Promise<void> {
    const device = await this.assets.deviceById(deviceId);
    if (!device || device.status !== 'active') {
      return;
    }
    const asset = await this.assets.findBySerial(device.serialNumber);
    if (!asset || asset.assetTag === device.assetTag) {
      return;
    }
    await this.tx.run((tx) => this.giveDeviceTag(tx, { kind: 'system' }, asset, device));
  }
}
