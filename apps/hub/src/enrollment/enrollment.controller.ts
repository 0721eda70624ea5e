// Enrolment tokens (ICT) and the enrolment endpoint devices call with a token.
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, Public, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { CreateEnrollmentTokenDto, EnrollDto } from './dto/enrollment.dto';
import { EnrollmentService } from './enrollment.service';

@ApiTags('enrollment')
@Controller()
export class EnrollmentController {
  constructor(private readonly enrollment: EnrollmentService) {}

  @Post('enrollment-tokens')
  @Roles('ict')
  @ApiBearerAuth()
  createToken(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateEnrollmentTokenDto) {
    return this.enrollment.createToken(actor, body);
  }

  @Get('enrollment-tokens')
  @Roles('ict')
  @ApiBearerAuth()
  listTokens() {
    return this.enrollment.listTokens();
  }

  @Delete('enrollment-tokens/:id')
  @Roles('ict')
  @HttpCode(204)
  @ApiBearerAuth()
  async revokeToken(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<void> {
    await this.enrollment.revokeToken(actor, id);
  }

  /** Public: the enrolment token in the body is the credential. */
  @Post('enroll')
  @Public()
  enroll(@Body() body: EnrollDto) {
    return this.enrollment.enroll(body);
  }
}
