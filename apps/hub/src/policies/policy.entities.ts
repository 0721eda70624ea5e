// Policy profiles (partial settings with what they enforce), their revisions, and where each
// is assigned: the school baseline, a group, or one device.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timeColumn } from '../database/iso-date.transformer';

@Entity('policies')
export class PolicyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** As typed (trimmed). */
  @Column({ type: 'varchar', length: 128, unique: true })
  name: string;

  /** The name by `nameKeyOf`: unique, so "Year 5" and "year  5" are one policy (1764840000000). */
  @Column({ name: 'name_key', type: 'varchar', length: 255 })
  nameKey: string;

  /**
   * The name by `nameSortKeyOf`: what the policies and the compliance summary are ordered by,
   * compared by code point, so they read alike on SQLite and PostgreSQL ("Émile" among the Es;
   * migration 1764920000000). Not unique. Written by PoliciesRepository with every write of `name`.
   */
  @Column({ name: 'name_sort_key', type: 'varchar', length: 800, nullable: true })
  nameSortKey: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  /** PartialPolicySettings as JSON. */
  @Column({ type: 'text' })
  settings: string;

  /** SettingPath[] as JSON. */
  @Column({ type: 'text' })
  enforced: string;

  @Column({ type: 'integer' })
  revision: number;

  @Column({ ...timeColumn(), name: 'created_at' })
  createdAt: Date;

  @Column({ ...timeColumn(), name: 'updated_at' })
  updatedAt: Date;
}

@Entity('policy_revisions')
export class PolicyRevisionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'policy_id', type: 'varchar', length: 36 })
  policyId: string;

  @Column({ type: 'integer' })
  revision: number;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'text' })
  settings: string;

  @Column({ type: 'text' })
  enforced: string;

  /** The setting paths this revision changed, as JSON. */
  @Column({ type: 'text' })
  changed: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  note: string | null;

  @Column({ name: 'changed_by_type', type: 'varchar', length: 16 })
  changedByType: 'staff' | 'system';

  @Column({ name: 'changed_by_id', type: 'varchar', length: 36, nullable: true })
  changedById: string | null;

  @Column({ ...timeColumn(), name: 'changed_at' })
  changedAt: Date;
}

export type AssignmentScope = 'baseline' | 'group' | 'device';

@Entity('policy_assignments')
export class PolicyAssignmentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'policy_id', type: 'varchar', length: 36 })
  policyId: string;

  @Column({ type: 'varchar', length: 16 })
  scope: AssignmentScope;

  /** The group or device; null for the baseline. */
  @Column({ name: 'target_id', type: 'varchar', length: 36, nullable: true })
  targetId: string | null;

  /** Settles two assignments in the same scope that disagree: the higher wins. */
  @Column({ type: 'integer', default: 0 })
  priority: number;

  @Column({ ...timeColumn(), name: 'created_at' })
  createdAt: Date;
}

export const POLICY_ENTITIES = [PolicyEntity, PolicyRevisionEntity, PolicyAssignmentEntity];
