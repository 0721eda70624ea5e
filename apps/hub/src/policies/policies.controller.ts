// Policies, their assignments and history (ICT); each device's resolved policy and signed
// Apple profile; compliance.
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentStaff, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { ComplianceService } from './compliance.service';
import { ComplianceDevicesPageDto, ComplianceSummaryDto } from './dto/compliance.dto';
import {
  AssignPolicyDto,
  ComplianceQueryDto,
  CreatePolicyDto,
  RollbackPolicyDto,
  UpdatePolicyDto,
} from './dto/policy.dto';
import { PoliciesService } from './policies.service';
import { ApiRoute } from '../api-docs/openapi';
import { IdInPath } from '../common/validation';

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
  @ApiRoute({
    summary: 'Create a policy profile',
    ok: 'The new policy',
    errors: {
      409:
        'A policy with that name already exists (names are compared ignoring capitals and extra ' +
        'spaces): `code` `name_taken`',
    },
  })
  create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreatePolicyDto) {
    return this.policies.create(actor, body);
  }

  @Get('policies')
  @Roles('ict')
  @ApiRoute({
    summary: 'List policy profiles',
    ok: 'Every policy with its current revision',
  })
  list() {
    return this.policies.list();
  }

  @Get('policies/:id')
  @Roles('ict')
  @ApiRoute({
    summary: 'Read a policy profile',
    ok: 'The policy',
  })
  get(@Param('id', new IdInPath()) id: string) {
    return this.policies.get(id);
  }

  @Patch('policies/:id')
  @Roles('ict')
  @ApiRoute({
    summary: 'Change a policy profile (this makes a new revision)',
    ok: 'The policy as changed',
    errors: {
      409:
        'Another policy has that name (`code` `name_taken`), or the policy has a newer revision ' +
        'than `revision`, or someone changed it at the same moment (`code` `changed_meanwhile`): ' +
        'nothing was saved',
    },
  })
  update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: UpdatePolicyDto,
  ) {
    return this.policies.update(actor, id, body);
  }

  @Get('policies/:id/revisions')
  @Roles('ict')
  @ApiRoute({
    summary: "List a policy's revisions, newest first",
    ok: 'The revisions',
  })
  revisions(@Param('id', new IdInPath()) id: string) {
    return this.policies.revisions(id);
  }

  @Post('policies/:id/rollback')
  @Roles('ict')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Go back to an earlier revision (as a new revision)',
    ok: 'The policy as rolled back',
    errors: {
      404: 'No such policy, or it has no such revision',
      409:
        "Another policy has taken the revision's name since (`code` `name_taken`), or someone " +
        'changed this one at the same moment (`code` `changed_meanwhile`)',
    },
  })
  rollback(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: RollbackPolicyDto,
  ) {
    return this.policies.rollback(actor, id, body.revision);
  }

  @Post('policies/:id/assignments')
  @Roles('ict')
  @ApiRoute({
    summary: 'Assign a policy to the whole school, a group or a device',
    ok: 'The assignment',
    errors: {
      404: 'No such policy, group or device',
      409: 'The policy is already assigned there',
    },
  })
  assign(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: AssignPolicyDto,
  ) {
    return this.policies.assign(actor, id, body);
  }

  @Delete('policies/:id/assignments/:assignmentId')
  @Roles('ict')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Remove an assignment of a policy',
    ok: 'Removed',
    errors: {
      404: 'The policy has no such assignment',
    },
  })
  async unassign(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Param('assignmentId', new IdInPath()) assignmentId: string,
  ): Promise<void> {
    await this.policies.unassign(actor, id, assignmentId);
  }

  @Get('policies/:id/profile.mobileconfig')
  @Roles('ict')
  @ApiProduces('application/x-apple-aspen-config')
  @ApiRoute({
    summary: 'Download a policy as a signed Apple configuration profile',
    ok: 'The signed .mobileconfig',
  })
  async policyProfile(
    @Param('id', new IdInPath()) id: string,
    @Res() response: Response,
  ): Promise<void> {
    sendProfile(response, await this.policies.policyMobileconfig(id));
  }

  @Get('devices/:id/policy')
  @Roles('ict')
  @ApiRoute({
    summary: "Read a device's resolved policy and where each setting comes from",
    ok: 'The resolved settings, their version and their sources',
  })
  devicePolicy(@Param('id', new IdInPath()) id: string) {
    return this.policies.devicePolicy(id);
  }

  @Get('devices/:id/profile.mobileconfig')
  @Roles('ict')
  @ApiProduces('application/x-apple-aspen-config')
  @ApiRoute({
    summary: "Download a device's resolved policy as a signed Apple configuration profile",
    ok: 'The signed .mobileconfig',
  })
  async deviceProfile(
    @Param('id', new IdInPath()) id: string,
    @Res() response: Response,
  ): Promise<void> {
    sendProfile(response, await this.policies.deviceMobileconfig(id));
  }

  @Get('compliance')
  @Roles('ict')
  @ApiOkResponse({ type: ComplianceSummaryDto })
  @ApiRoute({
    summary: 'How many devices run their policy: applied, partial, pending or failed',
    ok: 'The counts, by status',
  })
  complianceSummary(): Promise<ComplianceSummaryDto> {
    return this.compliance.summary();
  }

  @Get('compliance/devices')
  @Roles('ict')
  @ApiOkResponse({ type: ComplianceDevicesPageDto })
  @ApiRoute({
    summary: 'List devices by compliance status, a page at a time',
    ok: 'A page of devices with their status and any settings not enforced',
  })
  complianceDevices(@Query() query: ComplianceQueryDto): Promise<ComplianceDevicesPageDto> {
    return this.compliance.devicesWith(query.status, query.policyId, query.page, query.pageSize);
  }
}
