// What a device or an iPad needs to trust the hub's certificate authority: the CA certificate
// itself, and an Apple configuration profile that installs it.
import { Inject, Injectable } from '@nestjs/common';
import { compileTrustProfile, signMobileconfig } from '@app/policy';
import { Clock } from '../common/clock';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { CertificateAuthority } from './certificate-authority';

export interface CaProfile {
  fileName: string;
  /** DER CMS SignedData holding the profile's XML plist. */
  body: Buffer;
}

@Injectable()
export class TrustProfileService {
  /** The CA does not change while the hub runs: the profile is made once and kept. */
  private profile: Promise<CaProfile> | null = null;

  constructor(
    private readonly ca: CertificateAuthority,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** The hub's CA certificate as PEM (public: it is what devices must trust). */
  caCertificatePem(): string {
    return this.ca.certificatePem;
  }

  /**
   * A `com.apple.security.root` profile for the hub's CA, with the school's name as its
   * organisation, signed by the hub's profile-signing certificate (which the CA issued, so the
   * iPad shows it verified once the CA is trusted). Made on first call and kept; a failure is
   * not kept, so the next call tries again.
   */
  caProfile(): Promise<CaProfile> {
    this.profile ??= this.makeProfile().catch((error: unknown) => {
      this.profile = null;
      throw error;
    });
    return this.profile;
  }

  private async makeProfile(): Promise<CaProfile> {
    const fingerprint = this.ca.certificateFingerprint.replace(/:/g, '').toLowerCase();
    const xml = compileTrustProfile({
      caCertificatePem: this.ca.certificatePem,
      identifier: `org.devicehub.ca.${fingerprint.slice(0, 16)}`,
      displayName: `${this.config.schoolName} device hub certificate`,
      organization: this.config.schoolName,
      description:
        "Lets this iPad trust the school's device hub. After installing it, turn on full trust " +
        'in Settings > General > About > Certificate Trust Settings.',
    });
    return {
      fileName: 'classroom-hub-ca.mobileconfig',
      body: await signMobileconfig(xml, await this.ca.profileSigner(), () => this.clock.now()),
    };
  }
}
