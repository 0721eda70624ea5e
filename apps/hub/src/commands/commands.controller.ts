// Issuing commands to a device or a group, and reading a device's queue.
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { CommandsService } from './commands.service';
import { CommandListQueryDto, IssueCommandDto } from './dto/command.dto';
import { ApiRoute } from '../api-docs/openapi';
import { IdInPath } from '../common/validation';

@ApiTags('commands')
@ApiBearerAuth()
@Controller()
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  /**
   * Teachers may lock (reason class), unlock, keep in one app, message and sync photos, and only
   * on the tablets of the classes they teach; everything else, and every other device, is ICT's.
   */
  @Post('devices/:id/commands')
  @Roles('ict', 'teacher')
  @ApiRoute({
    summary: 'Send a command to one device',
    description:
      'Queued and delivered when the device is connected, in order. Teachers may lock (reason class), unlock, keep in one app, message and sync photos, and only on the tablets of the classes they teach; everything else is ICT’s.',
    ok: 'The queued command',
    errors: {
      403: 'Not a command your roles may send; a teacher’s device that is not a tablet of their classes; a stronger party owns the lock it would lift or replace; or the AUP is not accepted',
      409: 'The device is revoked',
    },
  })
  issueToDevice(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: IssueCommandDto,
  ) {
    return this.commands.issueToDevice(actor, id, body);
  }

  /** The same commands as to one device; a teacher's group must hold only their classes' tablets. */
  @Post('groups/:id/commands')
  @Roles('ict', 'teacher')
  @ApiRoute({
    summary: 'Send a command to every device in a group',
    description:
      'One command per device, queued in one transaction. A teacher may send to a group only when every device in it is a tablet of a class they teach.',
    ok: 'How many commands were queued, and their ids',
    errors: {
      403: 'Not a command your roles may send; a teacher’s group holding a device that is not a tablet of their classes; or the AUP is not accepted',
    },
  })
  issueToGroup(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: IssueCommandDto,
  ) {
    return this.commands.issueToGroup(actor, id, body);
  }

  /** ICT and safeguarding read any device's commands; a teacher their classes' tablets'. */
  @Get('devices/:id/commands')
  @Roles('ict', 'teacher', 'safeguarding')
  @ApiRoute({
    summary: "Read a device's commands, newest first, a page at a time",
    description:
      'ICT and safeguarding read any device’s commands; a teacher only those of the tablets of the classes they teach.',
    ok: 'A page of commands with their status and answers',
    errors: {
      403: 'A teacher’s device that is not a tablet of their classes; or the AUP is not accepted',
    },
  })
  list(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Query() query: CommandListQueryDto,
  ) {
    return this.commands.listForDevice(actor, id, query.status, query.page, query.pageSize);
  }
}
