// An asset of the school's register (issue 13): a laptop, tablet or other thing with an asset tag.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AssetKind, AssetStatus } from '@app/hub-api';
import { timeColumn } from '../database/iso-date.transformer';

@Entity('assets')
export class AssetEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** As entered (and printed on the label). */
  @Column({ name: 'asset_tag', type: 'varchar', length: 64 })
  assetTag: string;

  /** The tag in lower case: unique, and what a scan is looked up by. */
  @Column({ name: 'tag_key', type: 'varchar', length: 64, unique: true })
  tagKey: string;

  @Column({ type: 'varchar', length: 16 })
  kind: AssetKind;

  /** Matched with an enrolled device's serial number, either way round. */
  @Column({ name: 'serial_number', type: 'varchar', length: 128, nullable: true })
  serialNumber: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  model: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  condition: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  notes: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: AssetStatus;

  @Column({ ...timeColumn(), name: 'created_at' })
  createdAt: Date;

  @Column({ ...timeColumn(), name: 'updated_at' })
  updatedAt: Date;
}
