// Staff accounts (ICT), a person's own password and AUP acceptance (anyone signed in, before
// accepting too: these are what the AUP gate leaves open, issue 9).
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
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
import { ApiRoute } from '../api-docs/openapi';
import { IdInPath } from '../common/validation';

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
  @ApiRoute({
    summary: 'Create a staff account',
    ok: 'The new account',
    errors: {
      409:
        'The username is already taken (`code` `username_taken`), or, without a code, your own ' +
        'account was disabled or lost the ict role meanwhile',
    },
  })
  create(
    @CurrentStaff() actor: StaffPrincipal,
    @Body() body: CreateStaffDto,
  ): Promise<StaffAccountDto> {
    return this.staff.create(actor, body);
  }

  @Get()
  @Roles('ict')
  @ApiRoute({
    summary: 'List staff accounts, a page at a time',
    ok: 'A page of accounts',
  })
  list(@Query() query: StaffListQueryDto) {
    return this.staff.list(query.page, query.pageSize, query.includeDisabled === 'true');
  }

  @Patch('me/password')
  @AnyStaff({ aup: 'exempt' })
  @HttpCode(204)
  @ApiRoute({
    summary: 'Change your own password (other sign-ins end)',
    ok: 'Changed',
    errors: {
      401: 'Not signed in, or the current password is wrong',
      409: 'The account was disabled or its password changed meanwhile',
    },
  })
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
  @AnyStaff({ aup: 'exempt' })
  @ApiRoute({
    summary: 'Accept the current acceptable use policy',
    ok: 'The acceptance: the version and when',
    errors: {
      409: 'That is not the current version',
    },
  })
  acceptAup(@CurrentStaff() actor: StaffPrincipal, @Body() body: AcceptAupDto) {
    return this.aup.accept(actor, body.version);
  }

  @Get(':id')
  @Roles('ict')
  @ApiRoute({
    summary: 'Read a staff account',
    ok: 'The account',
  })
  get(@Param('id', new IdInPath()) id: string): Promise<StaffAccountDto> {
    return this.staff.get(id);
  }

  @Patch(':id')
  @Roles('ict')
  @ApiRoute({
    summary: 'Change a staff account: name, roles, disabled, password reset',
    ok: 'The account as changed',
    errors: {
      409:
        'You cannot disable yourself or remove your own ict role, or someone changed the account ' +
        '(or yours) at the same moment, or the account changed after the `updatedAt` given ' +
        '(`code` `changed_meanwhile`): nothing was saved',
    },
  })
  update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
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
  @AnyStaff({ aup: 'exempt' })
  @ApiRoute({
    summary: 'Read the current acceptable use policy and whether you have accepted it',
    ok: 'The text, its version (hash) and when you accepted it, if you have',
    errors: {
      409: 'No acceptable use policy has been published',
    },
  })
  current(@CurrentStaff() actor: StaffPrincipal) {
    return this.aup.current(actor.id);
  }

  @Put()
  @Roles('ict')
  @ApiRoute({
    summary:
      'Publish a new acceptable use policy: everyone must accept it again. Publishing the current text again changes nothing',
    ok: 'The version now current',
  })
  publish(@CurrentStaff() actor: StaffPrincipal, @Body() body: PublishAupDto) {
    return this.aup.publish(actor, body.text);
  }

  @Get('acceptances')
  @Roles('ict', 'safeguarding')
  @ApiRoute({
    summary: 'Who accepted which acceptable use policy version, and when',
    ok: 'The acceptances',
  })
  acceptances() {
    return this.aup.acceptances();
  }
}
