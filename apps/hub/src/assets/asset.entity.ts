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

  /** As typed (trimmed); matched with an enrolled device's serial number by `serialKey`. */
  @Column({ name: 'serial_number', type: 'varchar', length: 128, nullable: true })
  serialNumber: string | null;

  /**
   * The serial number by `serialKeyOf` (ASCII letters in capitals), null with none: unique
   * (UQ_assets_serial_key, migration 1764860000000) and what the asset is matched with its
   * device by (`devices.serial_key`). Written with every write of `serialNumber`.
   */
  @Column({ name: 'serial_key', type: 'varchar', length: 128, nullable: true })
  serialKey: string | null;

  /**
   * The serial number by `nameKeyOf` (NFKC, spaces folded, capitals of any alphabet folded), null
   * with none: what GET /api/assets?search= compares, alike on SQLite and PostgreSQL (migration
   * 1764910000000). Not unique (`serialKey` is). Written by AssetsRepository with every write of
   * `serialNumber`.
   */
  @Column({ name: 'serial_search_key', type: 'varchar', length: 255, nullable: true })
  serialSearchKey: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  model: string | null;

  /**
   * The model by `nameKeyOf`, null with none: what GET /api/assets?search= compares, so "zoë"
   * finds a model "ZOË's Chromebook" on SQLite as on PostgreSQL (migration 1764910000000). Written
   * by AssetsRepository with every write of `model`.
   */
  @Column({ name: 'model_key', type: 'varchar', length: 255, nullable: true })
  modelKey: string | null;

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
