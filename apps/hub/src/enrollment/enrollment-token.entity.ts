// An enrolment token ICT hands to a device (or a batch of them); stored only as a hash.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timeColumn } from '../database/iso-date.transformer';

@Entity('enrollment_tokens')
export class EnrollmentTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true })
  tokenHash: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  label: string | null;

  @Column({ name: 'group_ids', type: 'simple-json' })
  groupIds: string[];

  @Column({ name: 'max_uses', type: 'integer' })
  maxUses: number;

  @Column({ type: 'integer', default: 0 })
  uses: number;

  /**
   * Made for re-enrolment: may re-enrol a serial whose device is enrolled and not revoked
   * (protocol 1.1 section 1). It enrols new devices too.
   */
  @Column({ type: 'boolean', default: false })
  reenrol: boolean;

  @Column({ ...timeColumn(), name: 'expires_at' })
  expiresAt: Date;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy: string;

  @Column({ ...timeColumn(), name: 'created_at' })
  createdAt: Date;

  @Column({ ...timeColumn({ nullable: true }), name: 'revoked_at' })
  revokedAt: Date | null;
}
