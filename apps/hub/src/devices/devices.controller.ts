// Devices and groups over HTTP. Reading is for every staff role that works with devices;
// changing them is ICT's.
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
} from '@nestjs/common';
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

@ApiTags('devices')
@ApiBearerAuth()
@Controller('devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @Roles('ict', 'teacher', 'office', 'trip_leader')
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

  @Get(':id')
  @Roles('ict', 'teacher', 'office', 'trip_leader')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.devices.get(id);
  }

  @Patch(':id')
  @Roles('ict')
  update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateDeviceDto,
  ) {
    return this.devices.update(actor, id, body);
  }

  @Delete(':id')
  @Roles('ict')
  revoke(@CurrentStaff() actor: StaffPrincipal, @Param('id', new ParseUUIDPipe()) id: string) {
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
  create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateGroupDto) {
    return this.groups.create(actor, body);
  }

  @Get()
  @Roles('ict', 'teacher', 'office', 'trip_leader')
  list() {
    return this.groups.list();
  }

  @Get(':id')
  @Roles('ict', 'teacher', 'office', 'trip_leader')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.groups.get(id);
  }

  @Patch(':id')
  @Roles('ict')
  update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateGroupDto,
  ) {
    return this.groups.update(actor, id, body);
  }

  @Post(':id/members')
  @Roles('ict')
  addMembers(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: GroupMembersDto,
  ) {
    return this.groups.addMembers(actor, id, body.deviceIds);
  }

  @Delete(':id/members/:deviceId')
  @Roles('ict')
  @HttpCode(204)
  async removeMember(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('deviceId', new ParseUUIDPipe()) deviceId: string,
  ): Promise<void> {
    await this.groups.removeMember(actor, id, deviceId);
  }
}
