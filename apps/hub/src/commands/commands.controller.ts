// Issuing commands to a device or a group, and reading a device's queue.
import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { CommandsService } from './commands.service';
import { CommandListQueryDto, IssueCommandDto } from './dto/command.dto';

@ApiTags('commands')
@ApiBearerAuth()
@Controller()
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  /** Teachers may lock, unlock, keep in one app, message and sync; everything else is ICT's. */
  @Post('devices/:id/commands')
  @Roles('ict', 'teacher')
  issueToDevice(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: IssueCommandDto,
  ) {
    return this.commands.issueToDevice(actor, id, body);
  }

  @Post('groups/:id/commands')
  @Roles('ict', 'teacher')
  issueToGroup(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: IssueCommandDto,
  ) {
    return this.commands.issueToGroup(actor, id, body);
  }

  @Get('devices/:id/commands')
  @Roles('ict', 'teacher', 'safeguarding')
  list(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: CommandListQueryDto) {
    return this.commands.listForDevice(id, query.status, query.page, query.pageSize);
  }
}
