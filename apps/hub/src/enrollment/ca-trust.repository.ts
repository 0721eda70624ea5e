// What the database says about the CA its devices trust (issue 10): the fingerprint recorded at
// the first start, and, for a database from a version that recorded none, a device certificate
// to check against the CA.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DeviceEntity } from '../devices/device.entities';
import { CA_FINGERPRINT, HubIdentityEntity } from './hub-identity.entity';

/** What the database holds that a CA must match. */
export interface DatabaseTrust {
  /** The CA fingerprint recorded by the first hub that started on it, or null. */
  recordedFingerprint: string | null;
  /** Devices ever enrolled (revoked ones too: their certificates came from the same CA). */
  deviceCount: number;
  /**
   * PEM certificates of the first and the latest enrolled device (at most two): enough to tell
   * another CA, without reading every device.
   */
  sampleCertificates: string[];
}

@Injectable()
export class CaTrustRepository {
  constructor(
    @InjectRepository(HubIdentityEntity)
    private readonly identity: Repository<HubIdentityEntity>,
    @InjectRepository(DeviceEntity)
    private readonly devices: Repository<DeviceEntity>,
  ) {}

  /** The recorded fingerprint, the number of devices and two of their certificates. */
  async read(): Promise<DatabaseTrust> {
    const recorded = await this.identity.findOneBy({ name: CA_FINGERPRINT });
    const deviceCount = await this.devices.count();
    const samples: string[] = [];
    if (deviceCount > 0) {
      for (const order of ['ASC', 'DESC'] as const) {
        const [device] = await this.devices.find({
          select: { id: true, certificatePem: true },
          order: { enrolledAt: order, id: order },
          take: 1,
        });
        if (device && !samples.includes(device.certificatePem)) {
          samples.push(device.certificatePem);
        }
      }
    }
    return {
      recordedFingerprint: recorded?.value ?? null,
      deviceCount,
      sampleCertificates: samples,
    };
  }

  /**
   * Records `fingerprint` as the CA of this database unless one is recorded already (two hubs
   * starting at once on a new database: the first insert wins), and returns the one recorded.
   */
  async recordFingerprint(fingerprint: string, at: Date): Promise<string> {
    await this.identity
      .createQueryBuilder()
      .insert()
      .into(HubIdentityEntity)
      .values({ name: CA_FINGERPRINT, value: fingerprint, recordedAt: at })
      .orIgnore()
      .execute();
    const recorded = await this.identity.findOneByOrFail({ name: CA_FINGERPRINT });
    return recorded.value;
  }
}
