// /api/classes (issue 12): classes (ICT sets them up), and a class's session: start, view, act,
// mark absent, end. Teachers act only on their own classes (403 otherwise); ICT on any.
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../api-docs/openapi';
import { CurrentStaff, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { ClassSessionsService } from './class-sessions.service';
import { ClassesService } from './classes.service';
import {
  ClassActionDto,
  CreateClassDto,
  SetAbsentDto,
  StartSessionDto,
  UpdateClassDto,
} from './dto/class.dto';
import { IdInPath } from '../common/validation';

const NOT_YOURS = 'A teacher who does not teach this class; or the AUP is not accepted';

@ApiTags('classes')
@ApiBearerAuth()
@Controller('classes')
export class ClassesController {
  constructor(
    private readonly classes: ClassesService,
    private readonly sessions: ClassSessionsService,
  ) {}

  @Post()
  @Roles('ict')
  @ApiRoute({
    summary: 'Create a class',
    description: 'Its tablets are a group, a list of devices, or both; the timetable is weekly.',
    ok: 'The class',
    errors: {
      400: 'A field is not valid, or names a staff account, group or device that does not exist',
      409: 'A class with that name already exists (names are compared ignoring capitals and extra spaces)',
    },
  })
  create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateClassDto) {
    return this.classes.create(actor, body);
  }

  @Get()
  @Roles('ict', 'teacher')
  @ApiRoute({
    summary: 'List classes: a teacher’s own, or all for ICT',
    ok: 'The classes, by name, each with its running session',
  })
  list(@CurrentStaff() actor: StaffPrincipal) {
    return this.classes.list(actor);
  }

  @Get(':id')
  @Roles('ict', 'teacher')
  @ApiRoute({
    summary: 'Read a class',
    ok: 'The class',
    errors: { 403: NOT_YOURS, 404: 'No such class' },
  })
  get(@CurrentStaff() actor: StaffPrincipal, @Param('id', new IdInPath()) id: string) {
    return this.classes.get(actor, id);
  }

  @Patch(':id')
  @Roles('ict')
  @ApiRoute({
    summary: 'Change a class',
    description: 'The fields given replace the class’s; `groupId: null` clears the group.',
    ok: 'The class',
    errors: {
      400: 'A field is not valid',
      404: 'No such class',
      409:
        'Another class has that name (names are compared ignoring capitals and extra spaces), ' +
        'or the class changed after the `updatedAt` given (`code` `changed_meanwhile`): nothing ' +
        'was saved',
    },
  })
  update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: UpdateClassDto,
  ) {
    return this.classes.update(actor, id, body);
  }

  @Post(':id/session')
  @Roles('ict', 'teacher')
  @ApiRoute({
    summary: 'Start a lesson (a class session)',
    description:
      'It ends at `endsAt`, else at the end of the timetabled lesson in progress (HUB_TIME_ZONE), else after 60 minutes.',
    ok: 'The session',
    errors: { 403: NOT_YOURS, 404: 'No such class', 409: 'A session is already running' },
  })
  start(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: StartSessionDto,
  ) {
    return this.sessions.start(actor, id, body);
  }

  @Get(':id/session')
  @Roles('ict', 'teacher')
  @ApiRoute({
    summary: 'The running session and the class’s tiles',
    ok: '`{session, tiles}`; `session` is null when none is running',
    errors: { 403: NOT_YOURS, 404: 'No such class' },
  })
  view(@CurrentStaff() actor: StaffPrincipal, @Param('id', new IdInPath()) id: string) {
    return this.sessions.view(actor, id);
  }

  @Post(':id/session/actions')
  @HttpCode(202)
  @Roles('ict', 'teacher')
  @ApiRoute({
    summary: 'Act on the class’s tablets',
    description:
      'lock, unlock, app.lock, app.unlock, message, camera.allow, camera.revoke; to `deviceIds` or every tablet not marked absent. The highest `seq` is in force. Tablets under an ICT or lost lock are left alone and listed in `skipped`.',
    ok: '`{deviceIds, seq, skipped}`',
    errors: {
      400: 'A field is not valid or belongs to another action, a tablet is not in the class, or the app is not one the policy allows',
      403: NOT_YOURS,
      404: 'No such class',
      409: 'No session is running',
    },
  })
  act(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: ClassActionDto,
  ) {
    return this.sessions.act(actor, id, body);
  }

  @Put(':id/session/absent')
  @Roles('ict', 'teacher')
  @ApiRoute({
    summary: 'Mark tablets absent, or present again',
    ok: 'The session and tiles',
    errors: {
      400: 'A tablet is not in the class',
      403: NOT_YOURS,
      404: 'No such class',
      409: 'No session is running',
    },
  })
  absent(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: SetAbsentDto,
  ) {
    return this.sessions.setAbsent(actor, id, body);
  }

  @Delete(':id/session')
  @Roles('ict', 'teacher')
  @ApiRoute({
    summary: 'End the lesson now',
    description:
      'Undoes what it did on every tablet: unlocked, single-app mode left, the camera as the policy says.',
    ok: 'The ended session',
    errors: { 403: NOT_YOURS, 404: 'No such class, or no session is running' },
  })
  end(@CurrentStaff() actor: StaffPrincipal, @Param('id', new IdInPath()) id: string) {
    return this.sessions.endByStaff(actor, id);
  }
}
