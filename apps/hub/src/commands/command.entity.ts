// One command for one device in the durable queue, with its delivery state and answer.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { timeColumn } from '../database/iso-date.transformer';

export const COMMAND_STATUSES = [
  'pending',
  'sent',
  'acknowledged',
  'error',
  'not_now',
  'expired',
  // Retired without being answered: queued for an enrolment that has since been replaced.
  'cancelled',
] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];
/**
 * Commands only the hub issues (a policy change's fan-out). They are not written to the audit
 * log one device at a time: the change that caused them has its own entry (who edited which
 * policy, how many devices it reached), and each device's outcome is its compliance status and
 * its command history. A baseline change would otherwise put 10,000 lines in the log the
 * safeguarding lead reads.
 */
export const HUB_ONLY_COMMANDS: readonly string[] = ['policy.apply'];
/** Statuses after which a command is never delivered again. */
export const FINAL_STATUSES: readonly CommandStatus[] = [
  'acknowledged',
  'error',
  'expired',
  'cancelled',
];
/** Statuses of a command still to be delivered or answered. */
export const OPEN_STATUSES: readonly CommandStatus[] = COMMAND_STATUSES.filter(
  (status) => !FINAL_STATUSES.includes(status),
);

/**
 * Who owns a lock, weakest first (issue 8 item 6): `class` (a teacher's), `admin` (ICT's, any
 * reason but lost), `lost` (ICT's with reason `lost`). A party may lift or replace a lock only if
 * it is at least as strong as the lock's owner.
 */
export const LOCK_OWNERS = ['class', 'admin', 'lost'] as const;
export type LockOwner = (typeof LOCK_OWNERS)[number];

/** Whether `party` may lift or replace a lock owned by `owner` (null: there is no lock). */
export function mayOverride(party: LockOwner, owner: LockOwner | null): boolean {
  return owner === null || LOCK_OWNERS.indexOf(party) >= LOCK_OWNERS.indexOf(owner);
}

/**
 * Commands that replace the open ones of these types for the same device (issue 8 item 8): a
 * newer lock or unlock makes any waiting lock or unlock pointless, and delivering them after it
 * (a `not_now` retried later) would undo it. `policy.apply` replaces its own kind in the rollout.
 */
export const SUPERSEDES: Readonly<Record<string, readonly string[]>> = {
  'device.lock': ['device.lock', 'device.unlock'],
  'device.unlock': ['device.lock', 'device.unlock'],
  'app.lock': ['app.lock', 'app.unlock'],
  'app.unlock': ['app.lock', 'app.unlock'],
};

/**
 * The types of the newer commands that replace an older one of `type` for the same device: those
 * whose SUPERSEDES lists it, and for a policy a newer policy. A command answered `not_now` after
 * one of these was issued (it was on its way, so it could not be retired then) is retired on
 * that answer, rather than tried again after the newer one (issue 8 item 8).
 */
export function replacedBy(type: string): string[] {
  if (type === 'policy.apply') {
    return ['policy.apply'];
  }
  return Object.keys(SUPERSEDES).filter((newer) => SUPERSEDES[newer].includes(type));
}

@Entity('commands')
export class CommandEntity {
  /** Issue order: commands for one device are delivered by ascending seq. */
  @PrimaryGeneratedColumn({ name: 'seq' })
  seq: number;

  @Column({ type: 'varchar', length: 36, unique: true })
  id: string;

  @Column({ name: 'device_id', type: 'varchar', length: 36 })
  deviceId: string;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  /** The payload as JSON. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'varchar', length: 16 })
  status: CommandStatus;

  @Column({ ...timeColumn(), name: 'issued_at' })
  issuedAt: Date;

  @Column({ ...timeColumn({ nullable: true }), name: 'expires_at' })
  expiresAt: Date | null;

  @Column({ ...timeColumn({ nullable: true }), name: 'sent_at' })
  sentAt: Date | null;

  @Column({ ...timeColumn({ nullable: true }), name: 'answered_at' })
  answeredAt: Date | null;

  /** For a `not_now` answer: not before this time. */
  @Column({ ...timeColumn({ nullable: true }), name: 'next_attempt_at' })
  nextAttemptAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  detail: string | null;

  @Column({ name: 'issued_by_type', type: 'varchar', length: 16 })
  issuedByType: 'staff' | 'system';

  @Column({ name: 'issued_by_id', type: 'varchar', length: 36, nullable: true })
  issuedById: string | null;

  @Column({ name: 'group_id', type: 'varchar', length: 36, nullable: true })
  groupId: string | null;

  /**
   * The hub (HubInstance id) that sent this command and waits for its answer: no other hub sends
   * it until `claimedUntil` (issue 10). Null while nobody waits: pending, answered, or released.
   */
  @Column({ name: 'claimed_by', type: 'varchar', length: 100, nullable: true })
  claimedBy?: string | null;

  @Column({ ...timeColumn({ nullable: true }), name: 'claimed_until' })
  claimedUntil?: Date | null;
}

/** What delivering a command needs of its row. */
export type DeliverableCommand = Pick<
  CommandEntity,
  'seq' | 'id' | 'deviceId' | 'type' | 'payload' | 'issuedAt' | 'expiresAt'
>;
