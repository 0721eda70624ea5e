// Devices and groups over HTTP. Reading is for every staff role that works with devices;
// changing them is ICT's.
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { DevicesService } from './devices.service';
import {
  CreateGroupDto,
  DeviceListQueryDto,
  GroupMembersDto,
  UpdateDeviceDto,
  UpdateGroupDto,
} from './dto/device.dto';
import { GroupsService } from './groups.service';
import { ApiRoute } from '../api-docs/openapi';
import { IdInPath } from '../common/validation';

@ApiTags('devices')
@ApiBearerAuth()
@Controller('devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @Roles('ict', 'teacher', 'office', 'trip_leader')
  @ApiRoute({
    summary: 'List devices, filtered, a page at a time',
    ok: 'A page of devices',
  })
  list(@Query() query: DeviceListQueryDto) {
    return this.devices.list(
      {
        groupId: query.groupId,
        platform: query.platform,
        online: query.online === undefined ? undefined : query.online === 'true',
        status: query.status,
        search: query.search?.trim() || undefined,
      },
      query.page,
      query.pageSize,
    );
  }

  /** Its open commands only for a reader who may read its commands (ICT; a teacher's tablets). */
  @Get(':id')
  @Roles('ict', 'teacher', 'office', 'trip_leader')
  @ApiRoute({
    summary: 'Read a device: its record, state, groups and compliance',
    description:
      'pendingCommands lists its open commands for a reader who may read its commands (ICT, or a teacher for the tablets of their classes), and is empty for anyone else.',
    ok: 'The device',
  })
  get(@CurrentStaff() reader: StaffPrincipal, @Param('id', new IdInPath()) id: string) {
    return this.devices.get(id, reader);
  }

  @Patch(':id')
  @Roles('ict')
  @ApiRoute({
    summary: "Change a device's name, asset tag or notes",
    ok: 'The device as changed',
    errors: {
      409: 'Another active device has that asset tag (in any case): `code` `asset_tag_taken`',
    },
  })
  update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: UpdateDeviceDto,
  ) {
    return this.devices.update(actor, id, body);
  }

  @Delete(':id')
  @Roles('ict')
  @ApiRoute({
    summary: 'Revoke a device: its certificate stops working and its queue is cancelled',
    ok: 'The device as revoked',
    errors: {
      409: 'The device is already revoked',
    },
  })
  revoke(@CurrentStaff() actor: StaffPrincipal, @Param('id', new IdInPath()) id: string) {
    return this.devices.revoke(actor, id);
  }
}

@ApiTags('groups')
@ApiBearerAuth()
@Controller('groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @Roles('ict')
  @ApiRoute({
    summary: 'Create a device group',
    ok: 'The new group',
    errors: {
      409: 'A group with that name already exists',
    },
  })
  create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateGroupDto) {
    return this.groups.create(actor, body);
  }

  @Get()
  @Roles('ict', 'teacher', 'office', 'trip_leader')
  @ApiRoute({
    summary: 'List device groups',
    ok: 'The groups',
  })
  list() {
    return this.groups.list();
  }

  @Get(':id')
  @Roles('ict', 'teacher', 'office', 'trip_leader')
  @ApiRoute({
    summary: 'Read a device group and its members',
    ok: 'The group',
  })
  get(@Param('id', new IdInPath()) id: string) {
    return this.groups.get(id);
  }

  @Patch(':id')
  @Roles('ict')
  @ApiRoute({
    summary: 'Rename a device group or change its description',
    ok: 'The group as changed',
    errors: {
      409: 'A group with that name already exists',
    },
  })
  update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: UpdateGroupDto,
  ) {
    return this.groups.update(actor, id, body);
  }

  @Post(':id/members')
  @Roles('ict')
  @ApiRoute({
    summary: 'Add devices to a group',
    ok: 'The group as changed',
    errors: {
      404: 'No such group, or a device id names no device',
    },
  })
  addMembers(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: GroupMembersDto,
  ) {
    return this.groups.addMembers(actor, id, body.deviceIds);
  }

  @Delete(':id/members/:deviceId')
  @Roles('ict')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Take a device out of a group',
    ok: 'Removed',
    errors: {
      404: 'No such group, or the device is not in it',
    },
  })
  async removeMember(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Param('deviceId', new IdInPath()) deviceId: string,
  ): Promise<void> {
    await this.groups.removeMember(actor, id, deviceId);
  }
}
