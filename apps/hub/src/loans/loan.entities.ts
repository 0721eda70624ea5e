// Loans of assets to staff (issue 13) and the reminders sent about them.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ReminderStep } from '@app/hub-api';
import { timeColumn } from '../database/iso-date.transformer';

/** One loan. At most one open loan (returned_at null) per asset: a partial unique index. */
@Entity('loans')
export class LoanEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'asset_id', type: 'varchar', length: 36 })
  assetId: string;

  /** A staff account: loans go to staff only, never to a pupil (pupils have no account). */
  @Column({ name: 'borrower_id', type: 'varchar', length: 36 })
  borrowerId: string;

  @Column({ name: 'issued_by', type: 'varchar', length: 36 })
  issuedBy: string;

  @Column({ ...timeColumn(), name: 'issued_at' })
  issuedAt: Date;

  @Column({ ...timeColumn(), name: 'due_at' })
  dueAt: Date;

  @Column({ name: 'condition_out', type: 'varchar', length: 200, nullable: true })
  conditionOut: string | null;

  @Column({ name: 'aup_accepted_at_desk', type: 'boolean', default: false })
  aupAcceptedAtDesk: boolean;

  @Column({ ...timeColumn({ nullable: true }), name: 'returned_at' })
  returnedAt: Date | null;

  @Column({ name: 'returned_by', type: 'varchar', length: 36, nullable: true })
  returnedBy: string | null;

  @Column({ name: 'condition_in', type: 'varchar', length: 200, nullable: true })
  conditionIn: string | null;

  @Column({ name: 'damage_notes', type: 'varchar', length: 1000, nullable: true })
  damageNotes: string | null;

  @Column({ name: 'to_repair', type: 'boolean', default: false })
  toRepair: boolean;
}

/** A reminder sent; (loan, step, week) is unique, so each is sent once. */
@Entity('loan_reminders')
export class LoanReminderEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'loan_id', type: 'varchar', length: 36 })
  loanId: string;

  @Column({ name: 'borrower_id', type: 'varchar', length: 36 })
  borrowerId: string;

  @Column({ type: 'varchar', length: 16 })
  step: ReminderStep;

  @Column({ type: 'integer', default: 0 })
  week: number;

  @Column({ ...timeColumn(), name: 'sent_at' })
  sentAt: Date;

  @Column({ type: 'varchar', length: 500 })
  message: string;

  @Column({ type: 'boolean', default: false })
  emailed: boolean;
}

export const LOAN_ENTITIES = [LoanEntity, LoanReminderEntity];
