// The hub's certificate authority for whoever must trust it: GET /api/ca.pem for agents and
// browsers, GET /api/ca.mobileconfig for iPads. Both public: a CA certificate is not a secret,
// and a device asks for it before it has any credential.
import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/access';
import { TrustProfileService } from './trust-profile.service';

@ApiTags('enrollment')
@Controller()
export class CaController {
  constructor(private readonly trust: TrustProfileService) {}

  @Get('ca.pem')
  @Public()
  @Header('Content-Type', 'application/x-pem-file')
  @Header('Content-Disposition', 'inline; filename="classroom-hub-ca.pem"')
  @ApiOperation({
    summary: "The hub's CA certificate (PEM)",
    description:
      'Public. Devices check its SHA-256 fingerprint (printed at start, and in GET /api/school) ' +
      'before trusting it.',
  })
  @ApiProduces('application/x-pem-file')
  @ApiOkResponse({ description: 'The CA certificate as PEM.' })
  caCertificate(): string {
    return this.trust.caCertificatePem();
  }

  @Get('ca.mobileconfig')
  @Public()
  @ApiOperation({
    summary: "An Apple profile that makes an iPad trust the hub's CA",
    description:
      'Public. A signed configuration profile with one com.apple.security.root payload; its ' +
      'organisation is HUB_SCHOOL_NAME.',
  })
  @ApiProduces('application/x-apple-aspen-config')
  @ApiOkResponse({ description: 'The signed profile (DER CMS).' })
  async caProfile(@Res() response: Response): Promise<void> {
    const profile = await this.trust.caProfile();
    response.setHeader('Content-Type', 'application/x-apple-aspen-config');
    response.setHeader('Content-Disposition', `attachment; filename="${profile.fileName}"`);
    response.send(profile.body);
  }
}
