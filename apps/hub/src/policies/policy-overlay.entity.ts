// A policy overlay on one device (issue 12): settings a source (a class session's camera
// allowance, a trip's kit) lays over the device's resolved policy, as the narrowest layer
// (libs/policy scope `overlay`), until the source removes it or `expiresAt` passes.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timeColumn } from '../database/iso-date.transformer';

/** What lays overlays: a running class session, or a trip. */
export type OverlaySourceKind = 'class_session' | 'trip';

@Entity('policy_overlays')
export class PolicyOverlayEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'source_kind', type: 'varchar', length: 32 })
  sourceKind: OverlaySourceKind;

  @Column({ name: 'source_id', type: 'varchar', length: 36 })
  sourceId: string;

  @Column({ name: 'device_id', type: 'varchar', length: 36 })
  deviceId: string;

  /** Shown where a setting's origin is (GET /api/devices/:id/policy `decidedBy`). */
  @Column({ type: 'varchar', length: 200 })
  label: string;

  /** PartialPolicySettings as JSON. */
  @Column({ type: 'text' })
  settings: string;

  @Column({ ...timeColumn({ nullable: true }), name: 'expires_at' })
  expiresAt: Date | null;

  @Column({ ...timeColumn(), name: 'applied_at' })
  appliedAt: Date;

  @Column({ name: 'applied_by_type', type: 'varchar', length: 16 })
  appliedByType: 'staff' | 'system';

  @Column({ name: 'applied_by_id', type: 'varchar', length: 36, nullable: true })
  appliedById: string | null;
}
