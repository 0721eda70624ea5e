// Policies, their assignments and history (ICT); each device's resolved policy and signed
// Apple profile; compliance.
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentStaff, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { ComplianceService } from './compliance.service';
import {
  AssignPolicyDto,
  ComplianceQueryDto,
  CreatePolicyDto,
  RollbackPolicyDto,
  UpdatePolicyDto,
} from './dto/policy.dto';
import { PoliciesService } from './policies.service';

function sendProfile(response: Response, profile: { fileName: string; body: Buffer }): void {
  response.setHeader('Content-Type', 'application/x-apple-aspen-config');
  response.setHeader('Content-Disposition', `attachment; filename="${profile.fileName}"`);
  response.send(profile.body);
}

@ApiTags('policies')
@ApiBearerAuth()
@Controller()
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesService,
    private readonly compliance: ComplianceService,
  ) {}

  @Post('policies')
  @Roles('ict')
  create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreatePolicyDto) {
    return this.policies.create(actor, body);
  }

  @Get('policies')
  @Roles('ict')
  list() {
    return this.policies.list();
  }

  @Get('policies/:id')
  @Roles('ict')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.policies.get(id);
  }

  @Patch('policies/:id')
  @Roles('ict')
  update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdatePolicyDto,
  ) {
    return this.policies.update(actor, id, body);
  }

  @Get('policies/:id/revisions')
  @Roles('ict')
  revisions(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.policies.revisions(id);
  }

  @Post('policies/:id/rollback')
  @Roles('ict')
  @HttpCode(200)
  rollback(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RollbackPolicyDto,
  ) {
    return this.policies.rollback(actor, id, body.revision);
  }

  @Post('policies/:id/assignments')
  @Roles('ict')
  assign(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AssignPolicyDto,
  ) {
    return this.policies.assign(actor, id, body);
  }

  @Delete('policies/:id/assignments/:assignmentId')
  @Roles('ict')
  @HttpCode(204)
  async unassign(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('assignmentId', new ParseUUIDPipe()) assignmentId: string,
  ): Promise<void> {
    await this.policies.unassign(actor, id, assignmentId);
  }

  @Get('policies/:id/profile.mobileconfig')
  @Roles('ict')
  @ApiProduces('application/x-apple-aspen-config')
  async policyProfile(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Res() response: Response,
  ): Promise<void> {
    sendProfile(response, await this.policies.policyMobileconfig(id));
  }

  @Get('devices/:id/policy')
  @Roles('ict')
  devicePolicy(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.policies.devicePolicy(id);
  }

  @Get('devices/:id/profile.mobileconfig')
  @Roles('ict')
  @ApiProduces('application/x-apple-aspen-config')
  async deviceProfile(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Res() response: Response,
  ): Promise<void> {
    sendProfile(response, await this.policies.deviceMobileconfig(id));
  }

  @Get('compliance')
  @Roles('ict')
  complianceSummary() {
    return this.compliance.summary();
  }

  @Get('compliance/devices')
  @Roles('ict')
  complianceDevices(@Query() query: ComplianceQueryDto) {
    return this.compliance.devicesWith(query.status, query.policyId, query.page, query.pageSize);
  }
}
