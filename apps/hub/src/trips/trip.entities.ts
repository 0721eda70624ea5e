// Trips (issue 13): a named kit of assets taken out by its leaders, device by device accounted
// for. The tables are made by migration 1764780000000-AddAssetsLoansAndTrips.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TripKitStatus, TripStatus } from '@app/hub-api';
import { isoDate, timeColumn } from '../database/iso-date.transformer';

/** One trip. `status` moves planned → out (the kit checked out) → closed, each step conditional. */
@Entity('trips')
export class TripEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  /** 1 to 24 of a-z, 0-9 and -: part of stored photo names, so never a person's name. */
  @Column({ name: 'short_name', type: 'varchar', length: 24 })
  shortName: string;

  @Column({ ...timeColumn(), name: 'starts_at' })
  startsAt: Date;

  @Column({ ...timeColumn(), name: 'ends_at' })
  endsAt: Date;

  @Column({ type: 'varchar', length: 16 })
  status: TripStatus;

  /** PartialPolicySettings as JSON: what the kit's enrolled devices get while out. */
  @Column({ type: 'text' })
  overlay: string;

  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true })
  createdBy: string | null;

  @Column({ ...timeColumn(), name: 'created_at' })
  createdAt: Date;

  @Column({ ...timeColumn({ nullable: true }), name: 'checked_out_at' })
  checkedOutAt: Date | null;

  @Column({ ...timeColumn({ nullable: true }), name: 'closed_at' })
  closedAt: Date | null;
}

/** A leader of a trip: a staff account that sees it and acts on it. */
@Entity('trip_leaders')
export class TripLeaderEntity {
  @PrimaryColumn({ name: 'trip_id', type: 'varchar', length: 36 })
  tripId: string;

  @PrimaryColumn({ name: 'staff_id', type: 'varchar', length: 36 })
  staffId: string;
}

/** One asset of a trip's kit: ready → out → back or lost. */
@Entity('trip_kit')
export class TripKitEntity {
  @PrimaryColumn({ name: 'trip_id', type: 'varchar', length: 36 })
  tripId: string;

  @PrimaryColumn({ name: 'asset_id', type: 'varchar', length: 36 })
  assetId: string;

  @Column({ type: 'varchar', length: 16 })
  status: TripKitStatus;

  @Column({ ...timeColumn({ nullable: true }), name: 'changed_at' })
  changedAt: Date | null;

  /** The staff account that made the last change (check-out, check-in, lost report). */
  @Column({ name: 'changed_by', type: 'varchar', length: 36, nullable: true })
  changedBy: string | null;
}

/**
 * One time a kit device was out with its trip (migration 1764890000000-AddTripKitPeriods): from
 * `outAt`, when it went out with the trip (the trip's check-out, or its addition to a kit already
 * out), to `backAt`, when it came back (checked in, taken out of the kit, or reported lost), null
 * while it is still out. A device taken out of the kit and added again has two. Photos are filed
 * under a trip by these (PhotosRepository.tripOfDeviceAt).
 */
@Entity('trip_kit_periods')
export class TripKitPeriodEntity {
  @PrimaryColumn({ name: 'trip_id', type: 'varchar', length: 36 })
  tripId: string;

  @PrimaryColumn({ name: 'asset_id', type: 'varchar', length: 36 })
  assetId: string;

  @PrimaryColumn({ name: 'out_at', type: 'varchar', length: 30, transformer: isoDate })
  outAt: Date;

  @Column({ ...timeColumn({ nullable: true }), name: 'back_at' })
  backAt: Date | null;
}

export const TRIP_ENTITIES = [TripEntity, TripLeaderEntity, TripKitEntity, TripKitPeriodEntity];
