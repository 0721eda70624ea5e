// Enrolled devices, their groups, revoked certificates and the proof nonces already used.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timeColumn } from '../database/iso-date.transformer';

export type DeviceStatus = 'active' | 'revoked';

@Entity('devices')
export class DeviceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** As the device reported it when it first enrolled. */
  @Column({ name: 'serial_number', type: 'varchar', length: 128, unique: true })
  serialNumber: string;

  /**
   * The serial number by `serialKeyOf` (in capitals): unique (UQ_devices_serial_key, migration
   * 1764860000000), so "c02xk1" and "C02XK1" are one device, and what the asset register matches
   * it by. Null only for a device whose serial another, older device had in other capitals when
   * that migration ran: it then matches no asset. Written by DevicesRepository on insert.
   */
  @Column({ name: 'serial_key', type: 'varchar', length: 128, nullable: true })
  serialKey: string | null;

  @Column({ type: 'varchar', length: 16 })
  platform: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  model: string | null;

  @Column({ name: 'os_version', type: 'varchar', length: 64, nullable: true })
  osVersion: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  name: string | null;

  /**
   * The name by `nameKeyOf` (NFKC, spaces folded, capitals of any alphabet folded), null with no
   * name: what GET /api/devices?search= compares, so "zoë" finds "ZOË-iPad" on SQLite as on
   * PostgreSQL (migration 1764900000000). Not unique. Written by DevicesRepository with every
   * write of `name`.
   */
  @Column({ name: 'name_key', type: 'varchar', length: 255, nullable: true })
  nameKey: string | null;

  /**
   * The name by `nameSortKeyOf`: what the device and compliance lists are ordered by, compared by
   * code point, so they read alike on SQLite and PostgreSQL ("Émile" among the Es; migration
   * 1764920000000). Not unique. Written by DevicesRepository with every write of `name`, null with
   * no name (listed first).
   */
  @Column({ name: 'name_sort_key', type: 'varchar', length: 800, nullable: true })
  nameSortKey: string | null;

  /** As given (by staff, the asset register or the device at enrolment). */
  @Column({ name: 'asset_tag', type: 'varchar', length: 64, nullable: true })
  assetTag: string | null;

  /**
   * The tag by `tagKeyOf` (trimmed, lower case), null with no tag: unique among active devices
   * (migration 1764840000000), as the asset register's `tag_key` is among assets. Written by
   * DevicesRepository with every write of `assetTag`.
   */
  @Column({ name: 'tag_key', type: 'varchar', length: 128, nullable: true })
  tagKey: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: DeviceStatus;

  @Column({ name: 'certificate_pem', type: 'text' })
  certificatePem: string;

  @Column({ name: 'certificate_serial', type: 'varchar', length: 64 })
  certificateSerial: string;

  @Column({ ...timeColumn(), name: 'enrolled_at' })
  enrolledAt: Date;

  @Column({ ...timeColumn({ nullable: true }), name: 'revoked_at' })
  revokedAt: Date | null;

  @Column({ type: 'boolean', default: false })
  online: boolean;

  @Column({ ...timeColumn({ nullable: true }), name: 'last_seen_at' })
  lastSeenAt: Date | null;

  /**
   * In a cluster (HUB_REDIS), the hub process that holds or last held the device's connection
   * (`hubs.id`); null on a hub on its own.
   */
  @Column({ name: 'hub_id', type: 'varchar', length: 36, nullable: true })
  hubId: string | null;

  /** The last `state` the device reported, as JSON. */
  @Column({ name: 'reported_state', type: 'text', nullable: true })
  reportedState: string | null;

  @Column({ ...timeColumn({ nullable: true }), name: 'reported_at' })
  reportedAt: Date | null;

  /** The lock staff want in force (`device.lock` payload as JSON), or null for unlocked. */
  @Column({ name: 'desired_lock', type: 'text', nullable: true })
  desiredLock: string | null;

  /** The app staff want the device kept in, or null. */
  @Column({ name: 'desired_app_lock', type: 'varchar', length: 255, nullable: true })
  desiredAppLock: string | null;

  /**
   * Who owns the desired lock and single app (`class` < `admin` < `lost`, issue 8 item 6), and
   * which command set each: the lock ends if that command expires undelivered (item 7). Kept by
   * the command queue (commands/desired-state.repository.ts).
   */
  @Column({ name: 'desired_lock_owner', type: 'varchar', length: 16, nullable: true })
  desiredLockOwner: 'class' | 'admin' | 'lost' | null;

  @Column({ name: 'desired_lock_command_id', type: 'varchar', length: 36, nullable: true })
  desiredLockCommandId: string | null;

  @Column({ name: 'desired_app_lock_owner', type: 'varchar', length: 16, nullable: true })
  desiredAppLockOwner: 'class' | 'admin' | 'lost' | null;

  @Column({ name: 'desired_app_lock_command_id', type: 'varchar', length: 36, nullable: true })
  desiredAppLockCommandId: string | null;

  /** The policy version the device should run (its resolved settings' hash). */
  @Column({ name: 'desired_policy_version', type: 'varchar', length: 64, nullable: true })
  desiredPolicyVersion: string | null;

  /**
   * Compliance with the desired policy: pending, applied (everything enforced), partial (applied,
   * with settings the device could not enforce, in `policyUnenforced`) or failed.
   */
  @Column({ name: 'policy_status', type: 'varchar', length: 16, nullable: true })
  policyStatus: 'pending' | 'applied' | 'partial' | 'failed' | null;

  /** The setting paths the device said it could not enforce (protocol 1.1), as JSON; or null. */
  @Column({ name: 'policy_unenforced', type: 'text', nullable: true })
  policyUnenforced: string | null;

  @Column({ name: 'policy_detail', type: 'varchar', length: 500, nullable: true })
  policyDetail: string | null;

  /**
   * Whether `failed` is the hub's judgement that the device's policies conflict (`policyDetail`
   * says how), not the device's answer: it stands until the hub plans the device again.
   */
  @Column({ name: 'policy_conflict', type: 'boolean', default: false })
  policyConflict: boolean;

  @Column({ ...timeColumn({ nullable: true }), name: 'policy_changed_at' })
  policyChangedAt: Date | null;

  @Column({ ...timeColumn(), name: 'created_at' })
  createdAt: Date;
}

@Entity('revoked_certificates')
export class RevokedCertificateEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  serial: string;

  @Column({ name: 'device_id', type: 'varchar', length: 36 })
  deviceId: string;

  @Column({ type: 'varchar', length: 32 })
  reason: 'reenrolled' | 'revoked';

  @Column({ ...timeColumn(), name: 'revoked_at' })
  revokedAt: Date;
}

@Entity('device_groups')
export class DeviceGroupEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** As typed (trimmed). */
  @Column({ type: 'varchar', length: 128, unique: true })
  name: string;

  /** The name by `nameKeyOf`: unique, so "Year 5" and "year  5" are one group (1764840000000). */
  @Column({ name: 'name_key', type: 'varchar', length: 255 })
  nameKey: string;

  /**
   * The name by `nameSortKeyOf`: what groups are listed by, compared by code point, so they
   * read alike on SQLite and PostgreSQL ("Émile" among the Es; migration 1764920000000). Not
   * unique. Written by DevicesRepository with every write of `name`.
   */
  @Column({ name: 'name_sort_key', type: 'varchar', length: 800, nullable: true })
  nameSortKey: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ ...timeColumn(), name: 'created_at' })
  createdAt: Date;

  @Column({ ...timeColumn(), name: 'updated_at' })
  updatedAt: Date;
}

@Entity('device_group_members')
export class DeviceGroupMemberEntity {
  @PrimaryColumn({ name: 'group_id', type: 'varchar', length: 36 })
  groupId: string;

  @PrimaryColumn({ name: 'device_id', type: 'varchar', length: 36 })
  deviceId: string;

  @Column({ ...timeColumn(), name: 'added_at' })
  addedAt: Date;
}

@Entity('device_nonces')
export class DeviceNonceEntity {
  @PrimaryColumn({ name: 'device_id', type: 'varchar', length: 36 })
  deviceId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  nonce: string;

  @Column({ ...timeColumn(), name: 'expires_at' })
  expiresAt: Date;
}

/**
 * A running hub process of a cluster (issue 10), with the time it last said it was alive. A hub
 * silent for HUB_CLUSTER_DEAD_AFTER_MS is dead: another marks its devices offline and drops it.
 */
@Entity('hubs')
export class HubEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ ...timeColumn(), name: 'started_at' })
  startedAt: Date;

  @Column({ ...timeColumn(), name: 'heartbeat_at' })
  heartbeatAt: Date;
}

export const DEVICE_ENTITIES = [
  HubEntity,
  DeviceEntity,
  RevokedCertificateEntity,
  DeviceGroupEntity,
  DeviceGroupMemberEntity,
  DeviceNonceEntity,
];
