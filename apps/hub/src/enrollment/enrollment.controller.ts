// Enrolment tokens (ICT) and the enrolment endpoint devices call with a token.
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, Public, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { CreateEnrollmentTokenDto, EnrollDto } from './dto/enrollment.dto';
import { EnrollmentService } from './enrollment.service';
import { ApiRoute } from '../api-docs/openapi';
import { IdInPath } from '../common/validation';

@ApiTags('enrollment')
@Controller()
export class EnrollmentController {
  constructor(private readonly enrollment: EnrollmentService) {}

  @Post('enrollment-tokens')
  @Roles('ict')
  @ApiBearerAuth()
  @ApiRoute({
    summary: 'Create an enrolment token for devices to enrol with',
    ok: 'The token (shown only this once), its expiry and how many devices may use it',
  })
  createToken(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateEnrollmentTokenDto) {
    return this.enrollment.createToken(actor, body);
  }

  @Get('enrollment-tokens')
  @Roles('ict')
  @ApiBearerAuth()
  @ApiRoute({
    summary: 'List enrolment tokens (never the tokens themselves)',
    ok: 'The tokens, with their uses and expiry',
  })
  listTokens() {
    return this.enrollment.listTokens();
  }

  @Delete('enrollment-tokens/:id')
  @Roles('ict')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiRoute({
    summary: 'Revoke an enrolment token so that no more devices enrol with it',
    ok: 'Revoked',
    errors: {
      404: 'No enrolment token has this id',
    },
  })
  async revokeToken(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
  ): Promise<void> {
    await this.enrollment.revokeToken(actor, id);
  }

  /** Public: the enrolment token in the body is the credential. */
  @Post('enroll')
  @Public()
  @ApiRoute({
    summary: "Enrol a device: the hub's CA signs its certificate request",
    description: 'Protocol section 1. The token in the body is the credential.',
    ok: "The device id, its certificate and the hub's CA certificate (PEM)",
    errors: {
      400: 'The body does not validate, or the certificate request does not verify',
      401: 'The token is missing, unknown, expired or used up (the same answer for all four)',
      409: "The serial's device is enrolled and not revoked and the token was not made for re-enrolment, another enrolment of the same serial won, or another active device has the asset tag (in any case)",
    },
  })
  enroll(@Body() body: EnrollDto) {
    return this.enrollment.enroll(body);
  }
}
