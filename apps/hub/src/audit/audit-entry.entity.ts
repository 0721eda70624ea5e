// One line of the append-only audit log: who did what to which thing, and when.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { timeColumn } from '../database/iso-date.transformer';

export type AuditActorType = 'staff' | 'device' | 'system' | 'shell';

@Entity('audit_entries')
export class AuditEntryEntity {
  @PrimaryGeneratedColumn({ name: 'seq' })
  seq: number;

  @Column({ ...timeColumn(), name: 'at' })
  at: Date;

  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType: AuditActorType;

  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true })
  actorId: string | null;

  /** The username of a member of staff, the OS user at the shell, `hub` for the hub itself. */
  @Column({ name: 'actor_label', type: 'varchar', length: 128, nullable: true })
  actorLabel: string | null;

  /**
   * Who acted, as named when the entry was written: a member of staff's display name, a
   * device's name and asset tag (issue 9). NULL on entries older than that.
   */
  @Column({ name: 'actor_name', type: 'varchar', length: 255, nullable: true })
  actorName: string | null;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'target_type', type: 'varchar', length: 32, nullable: true })
  targetType: string | null;

  @Column({ name: 'target_id', type: 'varchar', length: 64, nullable: true })
  targetId: string | null;

  /** What the target was called when the entry was written (issue 9); NULL on older entries. */
  @Column({ name: 'target_label', type: 'varchar', length: 255, nullable: true })
  targetLabel: string | null;

  @Column({ type: 'text', nullable: true })
  detail: string | null;

  @Column({ name: 'correlation_id', type: 'varchar', length: 64, nullable: true })
  correlationId: string | null;
}
