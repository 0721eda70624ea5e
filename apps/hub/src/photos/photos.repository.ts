// All database access for photos (issue 14), and the few reads of the trips tables (issue 13)
// that photos need: a trip's short name, its leaders and its kit's devices, read here over those
// tables rather than through the trips module, which photos must not depend on.
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { chunks } from '../database/chunks';
import { getManyPlain } from '../database/plain-rows';
import type { Tx } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { PhotoEntity } from './photo.entity';

/** What a staff browse asks for. */
export interface PhotoFilter {
  tripId?: string;
  day?: string;
  deviceId?: string;
}

/** Per device, photos stored and waiting. */
export interface DevicePhotoRow {
  deviceId: string;
  stored: number;
  waiting: number;
}

@Injectable()
export class PhotosRepository {
  constructor(
    @InjectRepository(PhotoEntity) private readonly photos: Repository<PhotoEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  findBySha(sha256: string): Promise<PhotoEntity | null> {
    return this.photos.findOneBy({ sha256 });
  }

  /** The photos of these SHA-256s that have a row, by SHA-256 (one query per chunk of ids). */
  async findByShas(sha256s: readonly string[]): Promise<Map<string, PhotoEntity>> {
    const found = new Map<string, PhotoEntity>();
    for (const part of chunks([...new Set(sha256s)])) {
      for (const row of await this.photos.findBy({ sha256: In(part) })) {
        found.set(row.sha256, row);
      }
    }
    return found;
  }

  /**
   * Inserts a received photo.
   *
   * @returns false when a row with its SHA-256 is already there (a duplicate from any device,
   *   or the same photo arriving twice at once): the caller keeps the one copy
   */
  async insertReceived(row: PhotoEntity): Promise<boolean> {
    try {
      await this.photos.insert(row);
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) {
        return false;
      }
      throw error;
    }
  }

  /**
   * Marks a staged photo stored (its receipt), only if it is still staged.
   *
   * @returns whether this call stored it (false: another pass already had)
   */
  async markStored(
    tx: Tx,
    sha256: string,
    changes: { storedSha256: string; sizeBytes: number; storedAt: Date; storedName: string },
  ): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(PhotoEntity)
      .set({
        status: 'stored',
        storedSha256: changes.storedSha256,
        sizeBytes: changes.sizeBytes,
        storedAt: changes.storedAt,
        storedName: changes.storedName,
      })
      .where('sha256 = :sha256 AND status = :staged', { sha256, staged: 'staged' })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Staged photos, oldest received first. */
  async staged(limit: number): Promise<PhotoEntity[]> {
    return getManyPlain(
      this.photos
        .createQueryBuilder('p')
        .where('p.status = :staged', { staged: 'staged' })
        .orderBy('p.received_at', 'ASC')
        .limit(limit),
    );
  }

  /** How many photos are staged and stored. */
  async counts(): Promise<{ staged: number; stored: number }> {
    const rows = await this.photos
      .createQueryBuilder('p')
      .select('p.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('p.status')
      .getRawMany<{ status: string; count: string | number }>();
    const count = (status: string) => Number(rows.find((r) => r.status === status)?.count ?? 0);
    return { staged: count('staged'), stored: count('stored') };
  }

  /** A page of photos, newest taken first (then by SHA-256, so pages never overlap). */
  async findPage(
    filter: PhotoFilter,
    offset: number,
    limit: number,
  ): Promise<[PhotoEntity[], number]> {
    const query = this.photos.createQueryBuilder('p');
    this.applyFilter(query, filter);
    const total = await query.clone().getCount();
    const items = await getManyPlain(
      query.orderBy('p.taken_at', 'DESC').addOrderBy('p.sha256', 'ASC').offset(offset).limit(limit),
    );
    return [items, total];
  }

  /** Days with photos and how many, newest first. */
  async days(filter: PhotoFilter): Promise<{ day: string; count: number }[]> {
    const query = this.photos
      .createQueryBuilder('p')
      .select('p.day', 'day')
      .addSelect('COUNT(*)', 'count');
    this.applyFilter(query, filter);
    const rows = await query
      .groupBy('p.day')
      .orderBy('p.day', 'DESC')
      .getRawMany<{ day: string; count: string | number }>();
    return rows.map((r) => ({ day: r.day, count: Number(r.count) }));
  }

  /** Per device of `deviceIds` (and, with `tripId`, only that trip's photos): stored and waiting. */
  async countsByDevice(deviceIds: readonly string[], tripId?: string): Promise<DevicePhotoRow[]> {
    if (deviceIds.length === 0) {
      return [];
    }
    const query = this.photos
      .createQueryBuilder('p')
      .select('p.device_id', 'deviceId')
      .addSelect('p.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where('p.device_id IN (:...deviceIds)', { deviceIds });
    if (tripId !== undefined) {
      query.andWhere('p.trip_id = :tripId', { tripId });
    }
    const rows = await query
      .groupBy('p.device_id')
      .addGroupBy('p.status')
      .getRawMany<{ deviceId: string; status: string; count: string | number }>();
    return deviceIds.map((deviceId) => {
      const of = (status: string) =>
        Number(rows.find((r) => r.deviceId === deviceId && r.status === status)?.count ?? 0);
      return { deviceId, stored: of('stored'), waiting: of('staged') };
    });
  }

  /** Devices that sent photos for a trip. */
  async deviceIdsWithPhotos(tripId: string): Promise<string[]> {
    const rows = await this.photos
      .createQueryBuilder('p')
      .select('DISTINCT p.device_id', 'deviceId')
      .where('p.trip_id = :tripId', { tripId })
      .getRawMany<{ deviceId: string }>();
    return rows.map((r) => r.deviceId);
  }

  /**
   * Deletes receipts (photo rows) stored before `cutoff`: the retention of HUB_AUDIT_RETENTION_DAYS
   * (issue 14). The stored files are the school's and stay.
   */
  async deleteStoredBefore(tx: Tx, cutoff: Date): Promise<string[]> {
    const where = 'status = :stored AND stored_at < :cutoff';
    const values = { stored: 'stored', cutoff: cutoff.toISOString() };
    const gone = await tx
      .createQueryBuilder()
      .select('sha256', 'sha256')
      .from(PhotoEntity, 'p')
      .where(where, values)
      .getRawMany<{ sha256: string }>();
    if (gone.length > 0) {
      await tx.createQueryBuilder().delete().from(PhotoEntity).where(where, values).execute();
    }
    return gone.map((row) => row.sha256);
  }

  /** A trip's short name, or undefined when the hub knows no such trip (issue 13's `trips`). */
  async tripShortName(tripId: string): Promise<string | undefined> {
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('t.short_name', 'shortName')
      .from('trips', 't')
      .where('t.id = :tripId', { tripId })
      .getRawMany<{ shortName: string }>();
    return rows[0]?.shortName;
  }

  /**
   * A trip's name (what the audit log calls a trip, tripTarget), or undefined when the hub knows
   * no such trip.
   */
  async tripName(tripId: string): Promise<string | undefined> {
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('t.name', 'name')
      .from('trips', 't')
      .where('t.id = :tripId', { tripId })
      .getRawMany<{ name: string }>();
    return rows[0]?.name;
  }

  /** Whether `staffId` leads trip `tripId` (issue 13's `trip_leaders`). */
  async isTripLeader(tripId: string, staffId: string): Promise<boolean> {
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('l.trip_id', 'tripId')
      .from('trip_leaders', 'l')
      .where('l.trip_id = :tripId AND l.staff_id = :staffId', { tripId, staffId })
      .getRawMany();
    return rows.length > 0;
  }

  /**
   * The trip a device was out with when a photo was taken: a trip one of whose kit periods
   * (`trip_kit_periods`, migration 1764890000000) for the device's asset (matched by serial
   * number, as `tripKitDeviceIds`) holds `takenAt`: from the moment that device went out with the
   * trip (the trip's check-out, or its addition to a kit already out) to the moment it came back
   * (checked in, taken out of the kit, or reported lost), or still open while it is out. Not the
   * trip's own check-out: a device added at 14:00 to a trip out since 09:00 was in a lesson at
   * 10:00. Of several periods that hold it, `namedTripId`'s (the trip the upload named) if it is
   * one of them, else the one that began last; a named trip the device was not out with then is
   * never the answer (docs/decisions.md, "A photo's named trip is taken only while its device was
   * out with it"). Times are compared as the ISO 8601 UTC text they are stored as.
   *
   * @param namedTripId the upload's `tripId` (lower case), or null when it named none
   * @returns the trip's id, short name and name, or undefined when the device was with no trip
   *   then
   */
  async tripOfDeviceAt(
    deviceId: string,
    takenAt: Date,
    namedTripId: string | null = null,
  ): Promise<{ id: string; shortName: string; name: string } | undefined> {
    const at = takenAt.toISOString();
    // An asset is out with one trip at a time: one row, or two where one period ends as the next
    // begins.
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('t.id', 'id')
      .addSelect('t.short_name', 'shortName')
      .addSelect('t.name', 'name')
      .from('trip_kit_periods', 'k')
      .innerJoin('trips', 't', 't.id = k.trip_id')
      .innerJoin('assets', 'a', 'a.id = k.asset_id')
      .innerJoin('devices', 'd', 'd.serial_key = a.serial_key')
      .where('d.id = :deviceId', { deviceId })
      .andWhere('k.out_at <= :at AND (k.back_at IS NULL OR k.back_at >= :at)', { at })
      .orderBy('k.out_at', 'DESC')
      .getRawMany<{ id: string; shortName: string; name: string }>();
    return rows.find((row) => row.id === namedTripId) ?? rows[0];
  }

  /** The enrolled devices of a trip's kit: its assets matched to devices by serial key. */
  async tripKitDeviceIds(tripId: string): Promise<string[]> {
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('d.id', 'deviceId')
      .from('trip_kit', 'k')
      .innerJoin('assets', 'a', 'a.id = k.asset_id')
      .innerJoin('devices', 'd', 'd.serial_key = a.serial_key')
      .where('k.trip_id = :tripId', { tripId })
      .getRawMany<{ deviceId: string }>();
    return rows.map((r) => r.deviceId);
  }

  private applyFilter(
    query: ReturnType<Repository<PhotoEntity>['createQueryBuilder']>,
    filter: PhotoFilter,
  ): void {
    query.where('1 = 1');
    if (filter.tripId !== undefined) {
      query.andWhere('p.trip_id = :tripId', { tripId: filter.tripId });
    }
    if (filter.day !== undefined) {
      query.andWhere('p.day = :day', { day: filter.day });
    }
    if (filter.deviceId !== undefined) {
      query.andWhere('p.device_id = :deviceId', { deviceId: filter.deviceId });
    }
  }
}
