// One fact the database keeps about the hub that uses it (issue 10), by name: `ca_fingerprint`
// is the SHA-256 fingerprint of the CA that signs this database's devices.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timeColumn } from '../database/iso-date.transformer';

/** The name of the row that holds the CA's fingerprint. */
export const CA_FINGERPRINT = 'ca_fingerprint';

@Entity('hub_identity')
export class HubIdentityEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'text' })
  value: string;

  @Column({ ...timeColumn(), name: 'recorded_at' })
  recordedAt: Date;
}
