// Staff accounts, their sign-in sessions, login throttling and AUP versions/acceptances.
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { StaffRole } from '../common/roles';
import { timeColumn } from '../database/iso-date.transformer';

@Entity('staff_accounts')
export class StaffAccountEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  username: string;

  @Column({ name: 'display_name', type: 'varchar', length: 128 })
  displayName: string;

  /**
   * The display name by `nameKeyOf` (NFKC, spaces folded, capitals of any alphabet folded): what
   * the loan desk's borrower search compares, so "ødegård" finds "Ingrid Ødegård" on SQLite as on
   * PostgreSQL (migration 1764900000000). Not unique. Written by StaffRepository with every write
   * of `displayName`; null only in a row written by other means, which the search then finds by
   * username alone.
   */
  @Column({ name: 'name_key', type: 'varchar', length: 255, nullable: true })
  nameKey: string | null;

  /**
   * The display name by `nameSortKeyOf`: what the loan desk's borrowers and a trip's leaders are
   * ordered by, compared by code point, so they read alike on SQLite and PostgreSQL ("Émile" among
   * the Es; migration 1764920000000). Not unique. Written by StaffRepository with every write of
   * `displayName`; null only in a row written by other means, listed first.
   */
  @Column({ name: 'name_sort_key', type: 'varchar', length: 800, nullable: true })
  nameSortKey: string | null;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'simple-array' })
  roles: StaffRole[];

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  /** Where loan reminders go (issue 13), or null for none. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  @Column({ ...timeColumn(), name: 'created_at' })
  createdAt: Date;

  @Column({ ...timeColumn(), name: 'updated_at' })
  updatedAt: Date;

  @Column({ ...timeColumn(), name: 'password_changed_at' })
  passwordChangedAt: Date;
}

@Entity('staff_sessions')
export class StaffSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true })
  tokenHash: string;

  @Column({ name: 'staff_id', type: 'varchar', length: 36 })
  staffId: string;

  @Column({ ...timeColumn(), name: 'created_at' })
  createdAt: Date;

  @Column({ ...timeColumn(), name: 'expires_at' })
  expiresAt: Date;

  @Column({ ...timeColumn({ nullable: true }), name: 'revoked_at' })
  revokedAt: Date | null;
}

@Entity('login_throttles')
export class LoginThrottleEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  username: string;

  @Column({ type: 'integer', default: 0 })
  failures: number;

  @Column({ ...timeColumn(), name: 'last_failure_at' })
  lastFailureAt: Date;

  @Column({ ...timeColumn({ nullable: true }), name: 'locked_until' })
  lockedUntil: Date | null;
}

@Entity('aup_versions')
export class AupVersionEntity {
  @PrimaryGeneratedColumn({ name: 'seq' })
  seq: number;

  @Column({ type: 'varchar', length: 64, unique: true })
  hash: string;

  @Column({ type: 'text' })
  text: string;

  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true })
  createdBy: string | null;

  @Column({ ...timeColumn(), name: 'created_at' })
  createdAt: Date;

  /** Order of publication: the highest is the current version (an older text can be again). */
  @Column({ name: 'published_seq', type: 'integer', nullable: true })
  publishedSeq: number | null;

  /** When this text last became the current version. */
  @Column({ ...timeColumn({ nullable: true }), name: 'published_at' })
  publishedAt: Date | null;
}

@Entity('aup_acceptances')
export class AupAcceptanceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'staff_id', type: 'varchar', length: 36 })
  staffId: string;

  @Column({ name: 'aup_hash', type: 'varchar', length: 64 })
  aupHash: string;

  @Column({ ...timeColumn(), name: 'accepted_at' })
  acceptedAt: Date;

  /** The office clerk who saw it accepted in person at the desk (issue 13), or null. */
  @Column({ name: 'witnessed_by', type: 'varchar', length: 36, nullable: true })
  witnessedBy: string | null;
}

export const STAFF_ENTITIES = [
  StaffAccountEntity,
  StaffSessionEntity,
  LoginThrottleEntity,
  AupVersionEntity,
  AupAcceptanceEntity,
];
