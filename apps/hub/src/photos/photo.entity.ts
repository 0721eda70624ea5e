// A photo the hub received (issue 14, protocol section 5): one row per SHA-256 of the file as
// taken. The row with status `stored` is the photo's receipt.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PhotoContentType } from '@app/hub-api';
import { timeColumn } from '../database/iso-date.transformer';

/** `staged`: waiting in the hub's staging folder for the store; `stored`: in the store. */
export type PhotoRowStatus = 'staged' | 'stored';

@Entity('photos')
export class PhotoEntity {
  /** Lowercase hex SHA-256 of the file as the device took it. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  sha256: string;

  @Column({ type: 'varchar', length: 16 })
  status: PhotoRowStatus;

  @Column({ name: 'content_type', type: 'varchar', length: 16 })
  contentType: PhotoContentType;

  /** Bytes of the file as uploaded; of the stored file once stored. bigint: a string on PostgreSQL. */
  @Column({
    name: 'size_bytes',
    type: 'bigint',
    transformer: { to: (v: number) => v, from: Number },
  })
  sizeBytes: number;

  /** The protocol's name inside the store (`/` separators), fixed when the photo is received. */
  @Column({ name: 'stored_name', type: 'varchar', length: 255 })
  storedName: string;

  /** SHA-256 of the stored bytes (location removed); null until stored. */
  @Column({ name: 'stored_sha256', type: 'varchar', length: 64, nullable: true })
  storedSha256: string | null;

  @Column({ name: 'device_id', type: 'varchar', length: 36 })
  deviceId: string;

  /** The asset tag, or the serial where none, when received (as in the stored name). */
  @Column({ name: 'device_tag', type: 'varchar', length: 128 })
  deviceTag: string;

  @Column({ name: 'device_name', type: 'varchar', length: 128, nullable: true })
  deviceName: string | null;

  @Column({ name: 'trip_id', type: 'varchar', length: 64, nullable: true })
  tripId: string | null;

  @Column({ name: 'trip_short_name', type: 'varchar', length: 64, nullable: true })
  tripShortName: string | null;

  @Column({ ...timeColumn(), name: 'taken_at' })
  takenAt: Date;

  /** `yyyy-mm-dd` of `takenAt` in the hub's time zone. */
  @Column({ type: 'varchar', length: 10 })
  day: string;

  @Column({ ...timeColumn(), name: 'received_at' })
  receivedAt: Date;

  @Column({ ...timeColumn({ nullable: true }), name: 'stored_at' })
  storedAt: Date | null;
}
