// The asset register's SQL (issue 13). An asset's device is not stored: it is the active device
// with the same serial number (by `serial_key`, so in any capitals), found by a join when the
// asset is read, so an asset made before or after its device enrols is matched either way. Its open loan and its trip are joined the
// same way, from the loans and trip kit tables.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, In, Repository, SelectQueryBuilder } from 'typeorm';
import type { Asset, AssetKind, AssetStatus } from '@app/hub-api';
import { bulkInsert } from '../database/bulk-insert';
import { chunks } from '../database/chunks';
import { inCodePointOrder } from '../database/dialect';
import { nameKeyContaining } from '../database/name-search';
import { daysOverdue } from '../common/days-overdue';
import { forUpdate } from '../database/row-lock';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import type { LockOwner } from '../commands/command.entity';
import { DeviceEntity } from '../devices/device.entities';
import { nameKeyOf, serialKeyOf, tagKeyOf } from '@app/hub-api';
import { AssetEntity } from './asset.entity';

/** The owner of a lost report's lock, which only ICT lifts. */
const LOST_LOCK_OWNER: LockOwner = 'lost';

/** Filters of the asset list (GET /api/assets). */
export interface AssetFilter {
  status?: AssetStatus;
  kind?: AssetKind;
  search?: string;
}

/** The device matched with an asset, with what names it in the audit log. */
export interface MatchedDevice {
  id: string;
  name: string | null;
  assetTag: string | null;
  serialNumber: string;
}

/**
 * An asset as its SQL answers it: the API's Asset with its open loan and its trip as the joined
 * columns, which toAssetDto gathers.
 */
type AssetRow = Omit<Asset, 'currentLoan' | 'currentTripId' | 'deviceLockedAsLost'> & {
  /** The device's desired lock owner (`desired_lock_owner`), null without a device or lock. */
  deviceLockOwner: string | null;
  loanId: string | null;
  loanBorrowerId: string | null;
  loanBorrowerName: string | null;
  /** The borrower's `disabled`, as the database gives a boolean (SQLite: 0 or 1). */
  loanBorrowerDisabled: boolean | number | null;
  loanDueAt: string | null;
  tripId: string | null;
};

/** The hub's clock and the school's zone, for what an asset's view counts from them. */
export interface AssetViewClock {
  now: Date;
  /** HUB_TIME_ZONE. */
  timeZone: string;
}

/**
 * An asset as the API shows it: the one mapping from the joined row (toAssetDto). Its open
 * loan's `daysOverdue` is counted at `clock.now` in `clock.timeZone` (common/days-overdue.ts).
 */
export function toAssetDto(row: AssetRow, clock: AssetViewClock): Asset {
  return {
    id: row.id,
    assetTag: row.assetTag,
    kind: row.kind,
    serialNumber: row.serialNumber,
    model: row.model,
    condition: row.condition,
    notes: row.notes,
    status: row.status,
    deviceId: row.deviceId,
    deviceLockedAsLost: row.deviceId !== null && row.deviceLockOwner === LOST_LOCK_OWNER,
    currentLoan:
      row.loanId && row.loanBorrowerId && row.loanDueAt
        ? {
            id: row.loanId,
            borrowerId: row.loanBorrowerId,
            borrowerName: row.loanBorrowerName ?? '',
            borrowerDisabled: Boolean(row.loanBorrowerDisabled),
            dueAt: row.loanDueAt,
            daysOverdue: daysOverdue(new Date(row.loanDueAt), clock.now, clock.timeZone),
          }
        : null,
    currentTripId: row.tripId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** An asset as the service makes it: AssetsRepository writes its search keys. */
export type UnkeyedAsset = Omit<AssetEntity, 'serialSearchKey' | 'modelKey'>;

/**
 * `changes` with `serialSearchKey` set from `serialNumber` and `modelKey` from `model` (by
 * `nameKeyOf`, null for none) when they are among them, so the keys the asset search compares
 * always follow what is written.
 */
function withSearchKeys<T extends Partial<AssetEntity>>(changes: T): T & Partial<AssetEntity> {
  const keyed: T & Partial<AssetEntity> = { ...changes };
  if (changes.serialNumber !== undefined) {
    keyed.serialSearchKey = changes.serialNumber === null ? null : nameKeyOf(changes.serialNumber);
  }
  if (changes.model !== undefined) {
    keyed.modelKey = changes.model === null ? null : nameKeyOf(changes.model);
  }
  return keyed;
}

@Injectable()
export class AssetsRepository {
  constructor(
    @InjectRepository(AssetEntity) private readonly assets: Repository<AssetEntity>,
    private readonly tx: TransactionRunner,
  ) {}

  private manager(tx?: Tx): EntityManager {
    return tx ?? this.tx.reader;
  }

  /** The asset with its device, open loan and trip joined (see the file's head). */
  private viewQuery(manager: EntityManager): SelectQueryBuilder<AssetEntity> {
    return manager
      .createQueryBuilder(AssetEntity, 'a')
      .leftJoin(DeviceEntity, 'd', "d.serial_key = a.serial_key AND d.status = 'active'")
      .leftJoin('loans', 'l', 'l.asset_id = a.id AND l.returned_at IS NULL')
      .leftJoin('staff_accounts', 's', 's.id = l.borrower_id')
      .leftJoin('trip_kit', 'k', "k.asset_id = a.id AND k.status = 'out'")
      .select('a.id', 'id')
      .addSelect('a.asset_tag', 'assetTag')
      .addSelect('a.kind', 'kind')
      .addSelect('a.serial_number', 'serialNumber')
      .addSelect('a.model', 'model')
      .addSelect('a.condition', 'condition')
      .addSelect('a.notes', 'notes')
      .addSelect('a.status', 'status')
      .addSelect('a.created_at', 'createdAt')
      .addSelect('a.updated_at', 'updatedAt')
      .addSelect('d.id', 'deviceId')
      .addSelect('d.desired_lock_owner', 'deviceLockOwner')
      .addSelect('l.id', 'loanId')
      .addSelect('l.borrower_id', 'loanBorrowerId')
      .addSelect('s.display_name', 'loanBorrowerName')
      .addSelect('s.disabled', 'loanBorrowerDisabled')
      .addSelect('l.due_at', 'loanDueAt')
      .addSelect('k.trip_id', 'tripId');
  }

  async viewById(id: string, clock: AssetViewClock, tx?: Tx): Promise<Asset | null> {
    const row = await this.viewQuery(this.manager(tx))
      .where('a.id = :id', { id })
      .getRawOne<AssetRow>();
    return row ? toAssetDto(row, clock) : null;
  }

  async viewByTag(tag: string, clock: AssetViewClock, tx?: Tx): Promise<Asset | null> {
    const row = await this.viewQuery(this.manager(tx))
      .where('a.tag_key = :key', { key: tagKeyOf(tag) })
      .getRawOne<AssetRow>();
    return row ? toAssetDto(row, clock) : null;
  }

  /**
   * Assets in tag order (`tag_key`, unique, by code point: alike on both databases), a page at a
   * time, with the total that match.
   */
  async viewPage(
    filter: AssetFilter,
    offset: number,
    limit: number,
    clock: AssetViewClock,
  ): Promise<[Asset[], number]> {
    const query = this.viewQuery(this.manager());
    const count = this.manager().createQueryBuilder(AssetEntity, 'a');
    for (const q of [query, count] as SelectQueryBuilder<AssetEntity>[]) {
      if (filter.status) {
        q.andWhere('a.status = :status', { status: filter.status });
      }
      if (filter.kind) {
        q.andWhere('a.kind = :kind', { kind: filter.kind });
      }
      if (filter.search) {
        // Serial numbers and models by their keys (any alphabet's capitals, alike on both
        // databases); tags are ASCII, kept in lower case in `tag_key`.
        const like = nameKeyContaining(filter.search);
        q.andWhere(
          new Brackets((where) => {
            where
              .where("a.tag_key LIKE :like ESCAPE '\\'", { like })
              .orWhere("a.serial_search_key LIKE :like ESCAPE '\\'", { like })
              .orWhere("a.model_key LIKE :like ESCAPE '\\'", { like });
          }),
        );
      }
    }
    const rows = await query
      .orderBy(inCodePointOrder(query.connection.driver, 'a.tag_key'), 'ASC')
      .offset(offset)
      .limit(limit)
      .getRawMany<AssetRow>();
    return [rows.map((row) => toAssetDto(row, clock)), await count.getCount()];
  }

  findById(id: string, tx?: Tx): Promise<AssetEntity | null> {
    return this.manager(tx).findOneBy(AssetEntity, { id });
  }

  /** The asset with this tag (any case), its row locked on PostgreSQL when read in `tx`. */
  async findByTagForUpdate(tx: Tx, tag: string): Promise<AssetEntity | null> {
    return forUpdate(
      tx.createQueryBuilder(AssetEntity, 'a').where('a.tag_key = :key', { key: tagKeyOf(tag) }),
    ).getOne();
  }

  /**
   * The active device matched with `asset` (by serial number in any capitals) if it still holds
   * a lost report's lock (desired lock owner `lost`), else null: what the desk may not lend.
   */
  async deviceLockedAsLost(asset: AssetEntity, tx?: Tx): Promise<MatchedDevice | null> {
    return (await this.devicesLockedAsLost([asset], tx)).get(asset.id) ?? null;
  }

  /**
   * Of `assets`, those whose matched active device (by serial number in any capitals) still holds
   * a lost report's lock (desired lock owner `lost`), keyed by asset id: what may not leave the
   * school (a trip's kit, as the desk's loans by deviceLockedAsLost). Assets without a serial
   * number or a matched device are absent. Read in `tx` after the assets' rows are locked.
   */
  async devicesLockedAsLost(
    assets: readonly AssetEntity[],
    tx?: Tx,
  ): Promise<Map<string, MatchedDevice>> {
    const found = new Map<string, MatchedDevice>();
    const keys = [...new Set(assets.map((a) => a.serialKey).filter((k): k is string => !!k))];
    const bySerial = new Map<string, MatchedDevice>();
    for (const part of chunks(keys)) {
      const devices = await this.manager(tx)
        .createQueryBuilder(DeviceEntity, 'd')
        .select(['d.id', 'd.name', 'd.assetTag', 'd.serialNumber', 'd.serialKey'])
        .where(
          "d.serial_key IN (:...keys) AND d.status = 'active' AND d.desired_lock_owner = :owner",
          { keys: part, owner: LOST_LOCK_OWNER },
        )
        .getMany();
      for (const device of devices) {
        if (device.serialKey) {
          bySerial.set(device.serialKey, {
            id: device.id,
            name: device.name,
            assetTag: device.assetTag,
            serialNumber: device.serialNumber,
          });
        }
      }
    }
    for (const asset of assets) {
      const device = asset.serialKey ? bySerial.get(asset.serialKey) : undefined;
      if (device) {
        found.set(asset.id, device);
      }
    }
    return found;
  }

  /** Assets with these tags (any case), keyed by tag key. */
  async findByTags(tags: readonly string[], tx?: Tx): Promise<Map<string, AssetEntity>> {
    const found = new Map<string, AssetEntity>();
    for (const part of chunks([...new Set(tags.map(tagKeyOf))])) {
      const rows = await this.manager(tx).findBy(AssetEntity, { tagKey: In(part) });
      for (const row of rows) {
        found.set(row.tagKey, row);
      }
    }
    return found;
  }

  /** Inserts an asset, its search keys (`serialSearchKey`, `modelKey`) made here. */
  async insert(tx: Tx, asset: UnkeyedAsset): Promise<void> {
    await tx.insert(AssetEntity, withSearchKeys(asset));
  }

  /** Inserts many assets, each one's search keys made here. */
  async insertMany(tx: Tx, assets: readonly UnkeyedAsset[]): Promise<void> {
    await bulkInsert(
      tx,
      AssetEntity,
      assets.map((asset) => withSearchKeys(asset) as AssetEntity),
    );
  }

  /**
   * Writes `changes` only while the asset's status is one of `from` (one conditional statement:
   * the engineering guide's Data rule); a new serial number or model writes its search key too.
   *
   * @returns whether the row changed
   */
  async updateWhereStatus(
    tx: Tx,
    id: string,
    from: readonly AssetStatus[],
    changes: Partial<AssetEntity>,
  ): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(AssetEntity)
      .set(withSearchKeys(changes))
      .where('id = :id AND status IN (:...from)', { id, from: [...from] })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /**
   * Moves every asset of `ids` from status `from` to `to` in one statement.
   *
   * @returns how many moved (fewer than `ids.length` when some were not in `from`)
   */
  async moveStatus(
    tx: Tx,
    ids: readonly string[],
    from: AssetStatus,
    to: AssetStatus,
    at: Date,
  ): Promise<number> {
    let moved = 0;
    for (const part of chunks(ids)) {
      const result = await tx
        .createQueryBuilder()
        .update(AssetEntity)
        .set({ status: to, updatedAt: at })
        .where('id IN (:...ids) AND status = :from', { ids: part, from })
        .execute();
      moved += result.affected ?? 0;
    }
    return moved;
  }

  /**
   * The active devices whose serial numbers are these in any capitals (by `serialKeyOf`, the
   * unique `devices.serial_key`), keyed by serial key.
   */
  async devicesBySerial(serials: readonly string[], tx?: Tx): Promise<Map<string, MatchedDevice>> {
    const found = new Map<string, MatchedDevice>();
    for (const part of chunks([...new Set(serials.map(serialKeyOf))])) {
      const rows = await this.manager(tx)
        .createQueryBuilder(DeviceEntity, 'd')
        .select(['d.id', 'd.name', 'd.assetTag', 'd.serialNumber', 'd.serialKey'])
        .where("d.serial_key IN (:...part) AND d.status = 'active'", { part })
        .getMany();
      for (const { serialKey, ...device } of rows) {
        found.set(serialKey as string, device);
      }
    }
    return found;
  }

  /** An enrolled device (any status) by id, with what names it. */
  deviceById(id: string): Promise<(MatchedDevice & { status: string }) | null> {
    return this.manager()
      .createQueryBuilder(DeviceEntity, 'd')
      .select(['d.id', 'd.name', 'd.assetTag', 'd.serialNumber', 'd.status'])
      .where('d.id = :id', { id })
      .getOne();
  }

  /**
   * Assets with these serial numbers in any capitals (by `serialKeyOf`, as the join with devices
   * compares them), keyed by serial key. The unique index UQ_assets_serial_key allows one asset
   * per key.
   */
  async findBySerials(serials: readonly string[], tx?: Tx): Promise<Map<string, AssetEntity>> {
    const found = new Map<string, AssetEntity>();
    for (const part of chunks([...new Set(serials.map(serialKeyOf))])) {
      const rows = await this.manager(tx).findBy(AssetEntity, { serialKey: In(part) });
      for (const row of rows) {
        found.set(row.serialKey as string, row);
      }
    }
    return found;
  }

  /** The asset whose serial number is `serial` in any capitals (by `serialKeyOf`), if any. */
  findBySerial(serial: string): Promise<AssetEntity | null> {
    return this.manager().findOneBy(AssetEntity, { serialKey: serialKeyOf(serial) });
  }

  /**
   * Gives the device the asset's tag (issue 13: the asset register names the device; stored photo
   * names use it). Only an active device with that serial number.
   */
  async setDeviceTag(tx: Tx, deviceId: string, tag: string): Promise<void> {
    await tx.update(DeviceEntity, { id: deviceId }, { assetTag: tag, tagKey: tagKeyOf(tag) });
  }

  /**
   * Takes `tag` (by `tagKeyOf`, so in any case) off every active device but `deviceId`, leaving
   * them with no tag: the register names the device with the asset's serial number, and one tag
   * names one active device (migration 1764840000000). Rows locked as they are read.
   *
   * @returns the devices it was taken from, as they were
   */
  async takeDeviceTagFromOthers(tx: Tx, tag: string, deviceId: string): Promise<MatchedDevice[]> {
    const others = await forUpdate(
      tx
        .createQueryBuilder(DeviceEntity, 'd')
        .where("d.tag_key = :key AND d.status = 'active' AND d.id <> :deviceId", {
          key: tagKeyOf(tag),
          deviceId,
        }),
    ).getMany();
    for (const other of others) {
      await tx.update(DeviceEntity, { id: other.id }, { assetTag: null, tagKey: null });
    }
    return others.map(({ id, name, assetTag, serialNumber }) => ({
      id,
      name,
      assetTag,
      serialNumber,
    }));
  }

  /**
   * Marks the asset's kit entry on a trip lost, if it is out on one, and ends its period out with
   * the trip; returns the trip's id.
   */
  async markTripKitLost(tx: Tx, assetId: string, by: string, at: Date): Promise<string | null> {
    const rows = (await tx
      .createQueryBuilder()
      .select('k.trip_id', 'tripId')
      .from('trip_kit', 'k')
      .where("k.asset_id = :assetId AND k.status = 'out'", { assetId })
      .getRawMany()) as { tripId: string }[];
    if (rows.length === 0) {
      return null;
    }
    const p = (index: number) => tx.connection.driver.createParameter(`p${index + 1}`, index);
    await tx.query(
      `UPDATE trip_kit SET status = 'lost', changed_at = ${p(0)}, changed_by = ${p(1)} ` +
        `WHERE asset_id = ${p(2)} AND status = 'out'`,
      [at.toISOString(), by, assetId],
    );
    // Lost on the trip: its time out with the trip ends here (TripKitPeriodEntity).
    await tx.query(
      `UPDATE trip_kit_periods SET back_at = ${p(0)} ` +
        `WHERE trip_id = ${p(1)} AND asset_id = ${p(2)} AND back_at IS NULL`,
      [at.toISOString(), rows[0].tripId, assetId],
    );
    return rows[0].tripId;
  }
}
