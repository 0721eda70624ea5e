// The trips' SQL (issue 13): trips, their leaders and their kit. A kit entry's asset is joined
// with the register and with the active device of the same serial number (an asset's device is
// found when read, as the assets module does), so the kit shows each device's presence and the
// photos it reports waiting.
import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { TripKitCounts, TripKitStatus, TripStatus } from '@app/hub-api';
import { tagKeyOf } from '@app/hub-api';
import { AssetEntity } from '../assets/asset.entity';
import { bulkInsert } from '../database/bulk-insert';
import { chunks } from '../database/chunks';
import { inCodePointOrder } from '../database/dialect';
import { orderByName } from '../database/name-search';
import { forUpdate } from '../database/row-lock';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { TripEntity, TripKitEntity, TripLeaderEntity } from './trip.entities';

/** One kit entry with its asset and its device (if enrolled), as read for GET /api/trips/:id. */
export interface KitRow {
  assetId: string;
  assetTag: string;
  kind: string;
  model: string | null;
  assetStatus: string;
  status: TripKitStatus;
  deviceId: string | null;
  deviceOnline: boolean | number | null;
  deviceHubId: string | null;
  deviceLastSeenAt: string | null;
  deviceReportedState: string | null;
}

/** A leader as a trip shows them. */
export interface LeaderRow {
  tripId: string;
  id: string;
  displayName: string;
}

/** Filters of GET /api/trips. */
export interface TripFilter {
  status?: TripStatus;
  /** Only trips this staff account leads. */
  leaderId?: string;
}

/** A kit entry found by scan, with what its asset is. */
export interface KitEntry {
  assetId: string;
  assetTag: string;
  kind: string;
  status: TripKitStatus;
}

function emptyCounts(): TripKitCounts {
  return { ready: 0, out: 0, back: 0, lost: 0 };
}

@Injectable()
export class TripsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  private manager(tx?: Tx): EntityManager {
    return tx ?? this.tx.reader;
  }

  /** Writes a new trip, its leaders and its kit (every entry `ready`). */
  async insert(
    tx: Tx,
    trip: TripEntity,
    leaderIds: readonly string[],
    assetIds: readonly string[],
  ): Promise<void> {
    await tx.insert(TripEntity, trip);
    await bulkInsert(
      tx,
      TripLeaderEntity,
      leaderIds.map((staffId) => ({ tripId: trip.id, staffId })),
    );
    await bulkInsert(
      tx,
      TripKitEntity,
      assetIds.map((assetId) => ({
        tripId: trip.id,
        assetId,
        status: 'ready' as const,
        changedAt: null,
        changedBy: null,
      })),
    );
  }

  findById(id: string, tx?: Tx): Promise<TripEntity | null> {
    return this.manager(tx).findOneBy(TripEntity, { id });
  }

  /**
   * The trip, its row locked until `tx` ends on PostgreSQL: every trip step takes it first, so
   * two steps on one trip run one after the other (SQLite's transactions already do).
   */
  findForUpdate(tx: Tx, id: string): Promise<TripEntity | null> {
    return forUpdate(tx.createQueryBuilder(TripEntity, 't').where('t.id = :id', { id })).getOne();
  }

  /** Whether `staffId` leads trip `tripId`. */
  async isLeader(tripId: string, staffId: string, tx?: Tx): Promise<boolean> {
    return (await this.manager(tx).countBy(TripLeaderEntity, { tripId, staffId })) > 0;
  }

  /**
   * The leaders of these trips with their names, by trip id, in name order (`orderByName`: alike
   * on both databases).
   */
  async leadersOf(tripIds: readonly string[], tx?: Tx): Promise<Map<string, LeaderRow[]>> {
    const out = new Map<string, LeaderRow[]>(tripIds.map((id) => [id, []]));
    for (const part of chunks([...new Set(tripIds)])) {
      const query = this.manager(tx)
        .createQueryBuilder(TripLeaderEntity, 'l')
        .innerJoin('staff_accounts', 's', 's.id = l.staff_id')
        .select('l.trip_id', 'tripId')
        .addSelect('s.id', 'id')
        .addSelect('s.display_name', 'displayName')
        .where('l.trip_id IN (:...part)', { part });
      const rows = await orderByName(query, 's').getRawMany<LeaderRow>();
      for (const row of rows) {
        out.get(row.tripId)?.push(row);
      }
    }
    return out;
  }

  /** How many kit entries of each status these trips have, by trip id. */
  async kitCounts(tripIds: readonly string[], tx?: Tx): Promise<Map<string, TripKitCounts>> {
    const out = new Map<string, TripKitCounts>(tripIds.map((id) => [id, emptyCounts()]));
    for (const part of chunks([...new Set(tripIds)])) {
      const rows = await this.manager(tx)
        .createQueryBuilder(TripKitEntity, 'k')
        .select('k.trip_id', 'tripId')
        .addSelect('k.status', 'status')
        .addSelect('COUNT(*)', 'n')
        .where('k.trip_id IN (:...part)', { part })
        .groupBy('k.trip_id')
        .addGroupBy('k.status')
        .getRawMany<{ tripId: string; status: TripKitStatus; n: string | number }>();
      for (const row of rows) {
        const counts = out.get(row.tripId);
        if (counts) {
          counts[row.status] = Number(row.n);
        }
      }
    }
    return out;
  }

  /**
   * A trip's kit in tag order (`tag_key` by code point, alike on both databases), each entry with
   * its asset and its enrolled device (if any).
   */
  kitView(tripId: string, tx?: Tx): Promise<KitRow[]> {
    const manager = this.manager(tx);
    return manager
      .createQueryBuilder(TripKitEntity, 'k')
      .innerJoin(AssetEntity, 'a', 'a.id = k.asset_id')
      .leftJoin('devices', 'd', "d.serial_key = a.serial_key AND d.status = 'active'")
      .select('k.asset_id', 'assetId')
      .addSelect('a.asset_tag', 'assetTag')
      .addSelect('a.kind', 'kind')
      .addSelect('a.model', 'model')
      .addSelect('a.status', 'assetStatus')
      .addSelect('k.status', 'status')
      .addSelect('d.id', 'deviceId')
      .addSelect('d.online', 'deviceOnline')
      .addSelect('d.hub_id', 'deviceHubId')
      .addSelect('d.last_seen_at', 'deviceLastSeenAt')
      .addSelect('d.reported_state', 'deviceReportedState')
      .where('k.trip_id = :tripId', { tripId })
      .orderBy(inCodePointOrder(manager.connection.driver, 'a.tag_key'), 'ASC')
      .getRawMany<KitRow>();
  }

  /** A page of trips, latest start first, with the total that match. */
  async page(filter: TripFilter, offset: number, limit: number): Promise<[TripEntity[], number]> {
    const query = this.manager().createQueryBuilder(TripEntity, 't');
    if (filter.status) {
      query.andWhere('t.status = :status', { status: filter.status });
    }
    if (filter.leaderId) {
      query.andWhere(
        't.id IN (SELECT l.trip_id FROM trip_leaders l WHERE l.staff_id = :leaderId)',
        { leaderId: filter.leaderId },
      );
    }
    const total = await query.clone().getCount();
    const rows = await query
      .orderBy('t.starts_at', 'DESC')
      .addOrderBy('t.id', 'ASC')
      .offset(offset)
      .limit(limit)
      .getMany();
    return [rows, total];
  }

  /**
   * The assets of a trip's kit, their rows locked until `tx` ends on PostgreSQL, in id order (the
   * same order everywhere, so two check-outs that share assets cannot deadlock).
   */
  kitAssetsForUpdate(tx: Tx, tripId: string): Promise<AssetEntity[]> {
    return forUpdate(
      tx
        .createQueryBuilder(AssetEntity, 'a')
        .where('a.id IN (SELECT k.asset_id FROM trip_kit k WHERE k.trip_id = :tripId)', {
          tripId,
        })
        .orderBy('a.id', 'ASC'),
    ).getMany();
  }

  /** One asset, its row locked until `tx` ends on PostgreSQL (an asset joining a kit). */
  assetForUpdate(tx: Tx, assetId: string): Promise<AssetEntity | null> {
    return forUpdate(
      tx.createQueryBuilder(AssetEntity, 'a').where('a.id = :assetId', { assetId }),
    ).getOne();
  }

  /** The kit entry whose asset has this tag (any case), or null when it is not in the kit. */
  async kitEntryByTag(tx: Tx, tripId: string, tag: string): Promise<KitEntry | null> {
    const row = await tx
      .createQueryBuilder(TripKitEntity, 'k')
      .innerJoin(AssetEntity, 'a', 'a.id = k.asset_id')
      .select('k.asset_id', 'assetId')
      .addSelect('a.asset_tag', 'assetTag')
      .addSelect('a.kind', 'kind')
      .addSelect('k.status', 'status')
      .where('k.trip_id = :tripId AND a.tag_key = :key', { tripId, key: tagKeyOf(tag) })
      .getRawOne<KitEntry>();
    return row ?? null;
  }

  /**
   * Moves kit entries of a trip (all, or those of `assetIds`) from `from` to `to` in one
   * conditional statement per chunk; a move to or from `out` opens or closes the moved devices'
   * kit periods (recordKitPeriods) in the same transaction.
   *
   * @returns how many moved
   */
  async moveKit(
    tx: Tx,
    tripId: string,
    from: TripKitStatus,
    to: TripKitStatus,
    by: string,
    at: Date,
    assetIds?: readonly string[],
  ): Promise<number> {
    const update = (ids?: string[]) => {
      const query = tx
        .createQueryBuilder()
        .update(TripKitEntity)
        .set({ status: to, changedAt: at, changedBy: by })
        .where('trip_id = :tripId AND status = :from', { tripId, from });
      if (ids) {
        query.andWhere('asset_id IN (:...ids)', { ids });
      }
      return query.execute();
    };
    let moved = 0;
    if (!assetIds) {
      moved = (await update()).affected ?? 0;
    } else {
      for (const part of chunks(assetIds)) {
        moved += (await update(part)).affected ?? 0;
      }
    }
    if (moved > 0 && (from === 'out' || to === 'out')) {
      await this.recordKitPeriods(tx, tripId, at);
    }
    return moved;
  }

  /**
   * Brings a trip's kit periods (TripKitPeriodEntity) in line with its kit entries at `at`: a
   * period opens for each entry `out` without an open one, and the open period of each entry no
   * longer `out` (back or lost) closes. Called in the transaction of every change to or from
   * `out`, so a photo's trip is judged by the times each device really was out with it.
   */
  private async recordKitPeriods(tx: Tx, tripId: string, at: Date): Promise<void> {
    const p = (index: number) => tx.connection.driver.createParameter(`p${index + 1}`, index);
    const when = at.toISOString();
    await tx.query(
      `INSERT INTO trip_kit_periods (trip_id, asset_id, out_at, back_at)
       SELECT k.trip_id, k.asset_id, ${p(0)}, NULL FROM trip_kit k
       WHERE k.trip_id = ${p(1)} AND k.status = 'out' AND NOT EXISTS (
         SELECT 1 FROM trip_kit_periods o
         WHERE o.trip_id = k.trip_id AND o.asset_id = k.asset_id AND o.back_at IS NULL)`,
      [when, tripId],
    );
    await tx.query(
      `UPDATE trip_kit_periods SET back_at = ${p(0)}
       WHERE trip_id = ${p(1)} AND back_at IS NULL AND asset_id NOT IN (
         SELECT k.asset_id FROM trip_kit k WHERE k.trip_id = ${p(2)} AND k.status = 'out')`,
      [when, tripId, tripId],
    );
  }

  /**
   * Adds one asset to a trip's kit, `ready` (a planned trip) or `out` (a trip out, its kit period
   * opening at `at`) by `by`.
   */
  async insertKitEntry(
    tx: Tx,
    tripId: string,
    assetId: string,
    status: 'ready' | 'out',
    by: string,
    at: Date,
  ): Promise<void> {
    await tx.insert(TripKitEntity, { tripId, assetId, status, changedAt: at, changedBy: by });
    if (status === 'out') {
      await this.recordKitPeriods(tx, tripId, at);
    }
  }

  /**
   * Takes an asset out of a trip's kit while its entry is still `ready` (never went out), in one
   * conditional statement.
   *
   * @returns whether the entry was deleted
   */
  async deleteReadyKitEntry(tx: Tx, tripId: string, assetId: string): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .delete()
      .from(TripKitEntity)
      .where("trip_id = :tripId AND asset_id = :assetId AND status = 'ready'", {
        tripId,
        assetId,
      })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** How many assets a trip's kit has, whatever their state. */
  countWholeKit(tx: Tx, tripId: string): Promise<number> {
    return tx.countBy(TripKitEntity, { tripId });
  }

  /** How many of a trip's kit entries are in `status`. */
  countKit(tx: Tx, tripId: string, status: TripKitStatus): Promise<number> {
    return tx.countBy(TripKitEntity, { tripId, status });
  }

  /**
   * Writes `changes` only while the trip's status is one of `from` (one conditional statement).
   *
   * @returns whether the row changed
   */
  async updateWhereStatus(
    tx: Tx,
    id: string,
    from: readonly TripStatus[],
    changes: Partial<TripEntity>,
  ): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(TripEntity)
      .set(changes)
      .where('id = :id AND status IN (:...from)', { id, from: [...from] })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Assets with these tags (any case), keyed by tag key. */
  async assetsByTags(tags: readonly string[], tx?: Tx): Promise<Map<string, AssetEntity>> {
    const found = new Map<string, AssetEntity>();
    for (const part of chunks([...new Set(tags.map(tagKeyOf))])) {
      for (const row of await this.manager(tx).findBy(AssetEntity, { tagKey: In(part) })) {
        found.set(row.tagKey, row);
      }
    }
    return found;
  }

  /** The active devices of these assets (matched by serial key), by asset id. */
  async deviceIdsOfAssets(assetIds: readonly string[], tx?: Tx): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks([...new Set(assetIds)])) {
      const rows = await this.manager(tx)
        .createQueryBuilder(AssetEntity, 'a')
        .innerJoin('devices', 'd', "d.serial_key = a.serial_key AND d.status = 'active'")
        .select('a.id', 'assetId')
        .addSelect('d.id', 'deviceId')
        .where('a.id IN (:...part)', { part })
        .getRawMany<{ assetId: string; deviceId: string }>();
      for (const row of rows) {
        out.set(row.assetId, row.deviceId);
      }
    }
    return out;
  }
}
