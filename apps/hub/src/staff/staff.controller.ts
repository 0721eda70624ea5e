// Staff accounts (ICT), a person's own password and AUP acceptance (anyone signed in).
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AnyStaff, CurrentStaff, RequestWithPrincipal, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { AupService } from './aup.service';
import { bearerToken } from './auth.controller';
import {
  AcceptAupDto,
  ChangeOwnPasswordDto,
  CreateStaffDto,
  PublishAupDto,
  StaffAccountDto,
  StaffListQueryDto,
  UpdateStaffDto,
} from './dto/staff.dto';
import { StaffService } from './staff.service';

@ApiTags('staff')
@ApiBearerAuth()
@Controller('staff')
export class StaffController {
  constructor(
    private readonly staff: StaffService,
    private readonly aup: AupService,
  ) {}

  @Post()
  @Roles('ict')
  create(
    @CurrentStaff() actor: StaffPrincipal,
    @Body() body: CreateStaffDto,
  ): Promise<StaffAccountDto> {
    return this.staff.create(actor, body);
  }

  @Get()
  @Roles('ict')
  list(@Query() query: StaffListQueryDto) {
    return this.staff.list(query.page, query.pageSize, query.includeDisabled === 'true');
  }

  @Patch('me/password')
  @AnyStaff()
  @HttpCode(204)
  async changeOwnPassword(
    @CurrentStaff() actor: StaffPrincipal,
    @Body() body: ChangeOwnPasswordDto,
    @Req() request: RequestWithPrincipal,
  ): Promise<void> {
    await this.staff.changeOwnPassword(
      actor,
      body.currentPassword,
      body.newPassword,
      bearerToken(request),
    );
  }

  @Post('me/aup-acceptance')
  @AnyStaff()
  acceptAup(@CurrentStaff() actor: StaffPrincipal, @Body() body: AcceptAupDto) {
    return this.aup.accept(actor, body.version);
  }

  @Get(':id')
  @Roles('ict')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<StaffAccountDto> {
    return this.staff.get(id);
  }

  @Patch(':id')
  @Roles('ict')
  update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateStaffDto,
  ): Promise<StaffAccountDto> {
    return this.staff.update(actor, id, body);
  }
}

@ApiTags('aup')
@ApiBearerAuth()
@Controller('aup')
export class AupController {
  constructor(private readonly aup: AupService) {}

  @Get()
  @AnyStaff()
  current(@CurrentStaff() actor: StaffPrincipal) {
    return this.aup.current(actor.id);
  }

  @Put()
  @Roles('ict')
  publish(@CurrentStaff() actor: StaffPrincipal, @Body() body: PublishAupDto) {
    return this.aup.publish(actor, body.text);
  }

  @Get('acceptances')
  @Roles('ict', 'safeguarding')
  acceptances() {
    return this.aup.acceptances();
  }
}
