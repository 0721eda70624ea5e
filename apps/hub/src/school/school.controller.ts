// Who this hub belongs to, for the console's header and sign-in page and for whoever enrols a
// device: the school's name, its time zone and the fingerprint of the hub's CA.
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/access';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { CertificateAuthority } from '../enrollment/certificate-authority';

export class SchoolDto {
  @ApiProperty({ example: "St Example's Primary", description: 'HUB_SCHOOL_NAME' })
  name!: string;

  @ApiProperty({ example: 'Europe/London', description: 'HUB_TIME_ZONE (IANA)' })
  timeZone!: string;

  @ApiProperty({
    example: 'AB:CD:…',
    description:
      "SHA-256 fingerprint of the hub's CA certificate (GET /api/ca.pem), for " +
      '`device-agent enroll --ca-fingerprint`',
  })
  caFingerprint!: string;
}

@ApiTags('school')
@Controller('school')
export class SchoolController {
  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly ca: CertificateAuthority,
  ) {}

  /** Public: the console shows it before anyone signs in; none of it is a secret. */
  @Get()
  @Public()
  @ApiOperation({ summary: "The school's name, time zone and the hub CA's fingerprint" })
  @ApiOkResponse({
    type: SchoolDto,
    description: "The school's name, time zone and CA fingerprint",
  })
  school(): SchoolDto {
    return {
      name: this.config.schoolName,
      timeZone: this.config.timeZone,
      caFingerprint: this.ca.certificateFingerprint,
    };
  }
}
