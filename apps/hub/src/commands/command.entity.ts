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
export const FINAL_STATUSES: readonly CommandStatus[] = ['acknowledged', 'error', 'expired'];
/** Statuses of a command still to be delivered or answered. */
export const OPEN_STATUSES: readonly CommandStatus[] = COMMAND_STATUSES.filter(
  (status) => !FINAL_STATUSES.includes(status),
);

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
}

/** What delivering a command needs of its row. */
export type DeliverableCommand = Pick<
  CommandEntity,
  'seq' | 'id' | 'deviceId' | 'type' | 'payload' | 'issuedAt' | 'expiresAt'
>;
