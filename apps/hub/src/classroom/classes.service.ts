// Classes as ICT sets them up (issue 12): name, teachers, tablets (a group, named devices, or
// both) and a weekly timetable; and who may see or act on a class: its own teachers, and ICT.
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  CLASS_REFUSALS,
  nameKeyOf,
  nameSortKeyOf,
  type ClassDto,
  type ClassSession,
  type TimetableSlot,
} from '@app/hub-api';
import { AuditService } from '../audit/audit.service';
import type { AuditTarget } from '../audit/audit-labels';
import { Clock } from '../common/clock';
import { changedMeanwhile, isUnchangedSince } from '../common/changed-meanwhile';
import { HubEvents } from '../common/hub-events';
import { localTime } from '../common/local-time';
import { hasAnyRole, StaffPrincipal, type StaffRole } from '../common/roles';
import { TeacherTablets } from '../commands/teacher-tablets';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { DevicesRepository } from '../devices/devices.repository';
import { StaffService } from '../staff/staff.service';
import { ClassRecord, ClassesRepository } from './classes.repository';
import { ClassEntity, ClassSessionEntity } from './classroom.entities';
import { CreateClassDto, TimetableSlotDto, UpdateClassDto } from './dto/class.dto';

/** A class in the audit log: `class`, its id, its name. */
export function classTarget(entity: Pick<ClassEntity, 'id' | 'name'>): AuditTarget {
  return { type: 'class', id: entity.id, label: entity.name };
}

/** A session as the API answers it (ClassSession of @app/hub-api). */
export function toClassSessionDto(session: ClassSessionEntity, seq: number): ClassSession {
  return {
    id: session.id,
    classId: session.classId,
    startedBy: session.startedBy,
    startedAt: session.startedAt.toISOString(),
    endsAt: session.endsAt.toISOString(),
    endedAt: session.endedAt?.toISOString() ?? null,
    endedBy: session.endedBy,
    seq,
  };
}

/** A class as the API answers it (ClassDto of @app/hub-api). */
export function toClassDto(record: ClassRecord, running: ClassSessionEntity | null): ClassDto {
  return {
    id: record.entity.id,
    name: record.entity.name,
    teacherIds: [...record.teacherIds].sort(),
    deviceIds: [...record.deviceIds].sort(),
    groupId: record.entity.groupId,
    timetable: JSON.parse(record.entity.timetable) as TimetableSlot[],
    session: running ? toClassSessionDto(running, record.entity.actionSeq) : null,
    createdAt: record.entity.createdAt.toISOString(),
    updatedAt: record.entity.updatedAt.toISOString(),
  };
}

/** Roles a class's teacher holds, one at least: ICT acts on every class anyway. */
export const CLASS_TEACHER_ROLES: readonly StaffRole[] = ['teacher', 'ict'];

/** Whether two lists of ids hold the same ids, in any order. */
const sameMembers = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((id) => b.includes(id));

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const WEEKDAY_NAMES = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
];

/**
 * Checks and sorts a timetable (weekday 1-7 from Monday, times "HH:MM"): each slot's start before
 * its end, and no two lessons of one day overlapping (one may start as another ends), since a
 * session's end is taken from the lesson in progress and two would leave it ambiguous.
 * @throws BadRequestException 400 naming the slot, or the day and the two lessons that overlap
 */
export function checkTimetable(slots: readonly TimetableSlotDto[]): TimetableSlot[] {
  slots.forEach((slot, index) => {
    if (minutesOf(slot.start) >= minutesOf(slot.end)) {
      throw new BadRequestException(`timetable[${index}]: start must be before end`);
    }
  });
  const sorted = slots
    .map(({ weekday, start, end }) => ({ weekday, start, end }))
    .sort((a, b) => a.weekday - b.weekday || minutesOf(a.start) - minutesOf(b.start));
  sorted.forEach((slot, index) => {
    const before = sorted[index - 1];
    if (before?.weekday === slot.weekday && minutesOf(slot.start) < minutesOf(before.end)) {
      throw new BadRequestException(
        `timetable: two lessons on ${WEEKDAY_NAMES[slot.weekday - 1]} overlap ` +
          `(${before.start}–${before.end} and ${slot.start}–${slot.end})`,
      );
    }
  });
  return sorted;
}

/**
 * When the lesson in progress at `now` ends, by the timetable in time zone `timeZone` (IANA), or
 * null when no lesson is in progress. Issue 12: a session's end defaults to it.
 */
export function lessonEnd(timetable: readonly TimetableSlot[], now: Date, timeZone: string) {
  const local = localTime(now, timeZone);
  const nowMinutes = local.hour * 60 + local.minute;
  const slot = timetable.find(
    (s) =>
      s.weekday === local.weekday &&
      minutesOf(s.start) <= nowMinutes &&
      nowMinutes < minutesOf(s.end),
  );
  if (!slot) {
    return null;
  }
  const msIntoMinute = local.second * 1000 + now.getMilliseconds();
  return new Date(now.getTime() + (minutesOf(slot.end) - nowMinutes) * 60_000 - msIntoMinute);
}

@Injectable()
export class ClassesService implements TeacherTablets {
  constructor(
    private readonly classes: ClassesRepository,
    private readonly devices: DevicesRepository,
    private readonly staff: StaffService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly events: HubEvents,
  ) {}

  /** A teacher's own classes; every class for ICT. */
  async list(actor: StaffPrincipal): Promise<ClassDto[]> {
    const records = await this.classes.list(hasAnyRole(actor, ['ict']) ? undefined : actor.id);
    const running = await this.classes.runningSessions(records.map((r) => r.entity.id));
    return records.map((record) => toClassDto(record, running.get(record.entity.id) ?? null));
  }

  /**
   * The class, if `actor` may see and act on it: ICT any, a teacher their own.
   *
   * @throws NotFoundException no such class
   * @throws ForbiddenException a teacher who does not teach it
   */
  async mustAccess(actor: StaffPrincipal, classId: string, tx?: Tx): Promise<ClassRecord> {
    return this.checkAccess(actor, classId, await this.classes.find(classId, tx));
  }

  /**
   * `mustAccess` on a class already read (null when there is none).
   * @throws NotFoundException no such class
   * @throws ForbiddenException a teacher who does not teach it
   */
  checkAccess(actor: StaffPrincipal, classId: string, record: ClassRecord | null): ClassRecord {
    if (!record) {
      throw new NotFoundException(CLASS_REFUSALS.not_found);
    }
    if (!hasAnyRole(actor, ['ict']) && !record.teacherIds.includes(actor.id)) {
      throw new ForbiddenException(CLASS_REFUSALS.forbidden);
    }
    return record;
  }

  /** Whether `actor` may see the class, for the live view: 'ok', 'forbidden' or 'not_found'. */
  async access(actor: StaffPrincipal, classId: string): Promise<'ok' | 'forbidden' | 'not_found'> {
    try {
      await this.mustAccess(actor, classId);
      return 'ok';
    } catch (error) {
      if (error instanceof ForbiddenException) {
        return 'forbidden';
      }
      if (error instanceof NotFoundException) {
        // A teacher is not told which class ids exist.
        return hasAnyRole(actor, ['ict']) ? 'not_found' : 'forbidden';
      }
      throw error;
    }
  }

  /**
   * Which of `deviceIds` are tablets of a class `staffId` teaches (its group's members or its
   * named devices), for the command routes (`TeacherTablets`): a teacher commands only their own
   * classes' tablets, as they act only on their own classes here. Inside `tx`, what it read holds
   * until `tx` ends (`ClassesRepository.tabletsTaughtBy`).
   */
  taughtBy(staffId: string, deviceIds: readonly string[], tx?: Tx): Promise<Set<string>> {
    return this.classes.tabletsTaughtBy(staffId, deviceIds, tx);
  }

  async get(actor: StaffPrincipal, classId: string): Promise<ClassDto> {
    const record = await this.mustAccess(actor, classId);
    return toClassDto(record, await this.classes.runningSession(classId));
  }

  /**
   * A unique violation on a class's name key is a taken name: 409 naming the class that has it
   * (as it is written), not 500. The unique index decides, so two requests at once give one class.
   */
  private async rethrowNameClash(error: unknown, name: string): Promise<never> {
    if (isUniqueViolation(error, 'name')) {
      const holder = await this.classes.findByName(name);
      throw new ConflictException(`A class named "${holder?.name ?? name}" already exists`);
    }
    throw error;
  }

  /**
   * Creates a class named as typed (trimmed), with its teachers, tablets and timetable. Class
   * names are told apart as a school reads them (`nameKeyOf`: "7B Maths" and "7b  maths" are one
   * class), since teachers pick their class by name.
   *
   * @throws BadRequestException 400 for a teacher, tablet, group or lesson that cannot be
   * @throws ConflictException 409 `A class named "7B Maths" already exists`
   */
  async create(actor: StaffPrincipal, input: CreateClassDto): Promise<ClassDto> {
    const timetable = checkTimetable(input.timetable ?? []);
    const teacherIds = await this.checkTeachers(input.teacherIds);
    const deviceIds = await this.checkDevices(input.deviceIds ?? []);
    await this.checkGroup(input.groupId ?? null);
    const now = this.clock.now();
    const record: ClassRecord = {
      entity: {
        id: randomUUID(),
        name: input.name,
        nameKey: nameKeyOf(input.name),
        nameSortKey: nameSortKeyOf(input.name),
        groupId: input.groupId ?? null,
        timetable: JSON.stringify(timetable),
        actionSeq: 0,
        createdAt: now,
        updatedAt: now,
      },
      teacherIds,
      deviceIds,
    };
    await this.tx
      .run(async (tx) => {
        await this.classes.insert(tx, record);
        await this.audit.record(tx, {
          actor,
          action: 'class.created',
          target: classTarget(record.entity),
          detail: {
            teachers: teacherIds.length,
            devices: deviceIds.length,
            groupId: record.entity.groupId ?? undefined,
            lessons: timetable.length,
          },
        });
      })
      .catch((error: unknown) => this.rethrowNameClash(error, input.name));
    return toClassDto(record, null);
  }

  /**
   * Changes a class's name, teachers, tablets, group or timetable: those given that differ from
   * the class's, compared inside the write's transaction with the class's row held, so the audit
   * entry's `changed` lists what this request changed. A save that changes nothing writes
   * nothing (no `class.updated` entry), as for groups, devices, staff and policies.
   *
   * @throws NotFoundException 404 / ForbiddenException 403 for a class the actor cannot reach
   * @throws ConflictException 409 `A class named "7B Maths" already exists` for a name another
   *   class has, in any case or spacing; 409 `changed_meanwhile` when `input.updatedAt` is given
   *   and is not the class's `updatedAt` (it changed since the change was made)
   */
  async update(actor: StaffPrincipal, classId: string, input: UpdateClassDto): Promise<ClassDto> {
    await this.mustAccess(actor, classId);
    const timetable = input.timetable ? checkTimetable(input.timetable) : undefined;
    const teacherIds = input.teacherIds ? await this.checkTeachers(input.teacherIds) : undefined;
    const deviceIds = input.deviceIds ? await this.checkDevices(input.deviceIds) : undefined;
    if (input.groupId !== undefined) {
      await this.checkGroup(input.groupId);
    }
    let teachersChanged = false;
    let tabletsChanged = false;
    await this.tx
      .run(async (tx) => {
        if (!(await this.classes.lockClass(tx, classId))) {
          throw new NotFoundException(CLASS_REFUSALS.not_found);
        }
        const current = (await this.classes.find(classId, tx)) as ClassRecord;
        // Read with the row held: a change made from an older read would put back, whole, the
        // teachers, tablets or timetable someone saved since (the form sends them all).
        if (!isUnchangedSince(input.updatedAt, current.entity.updatedAt)) {
          throw changedMeanwhile(`Class "${current.entity.name}"`);
        }
        const changes: Partial<ClassEntity> = {};
        const changed: string[] = [];
        if (input.name !== undefined && input.name !== current.entity.name) {
          changes.name = input.name;
          changed.push('name');
        }
        const teachers =
          teacherIds && !sameMembers(teacherIds, current.teacherIds) ? teacherIds : undefined;
        if (teachers) {
          changed.push('teacherIds');
        }
        const devices =
          deviceIds && !sameMembers(deviceIds, current.deviceIds) ? deviceIds : undefined;
        if (devices) {
          changed.push('deviceIds');
        }
        if (input.groupId !== undefined && input.groupId !== current.entity.groupId) {
          changes.groupId = input.groupId;
          changed.push('groupId');
        }
        if (timetable && JSON.stringify(timetable) !== current.entity.timetable) {
          changes.timetable = JSON.stringify(timetable);
          changed.push('timetable');
        }
        if (changed.length === 0) {
          return;
        }
        changes.updatedAt = this.clock.now();
        await this.classes.update(tx, classId, changes);
        await this.classes.setMembers(tx, classId, teachers, devices);
        await this.audit.record(tx, {
          actor,
          action: 'class.updated',
          target: classTarget({ id: classId, name: changes.name ?? current.entity.name }),
          detail: { changed },
        });
        teachersChanged = teachers !== undefined;
        tabletsChanged = devices !== undefined || changes.groupId !== undefined;
      })
      .catch((error: unknown) => this.rethrowNameClash(error, input.name ?? ''));
    if (teachersChanged) {
      // A teacher taken off the class stops hearing of its tablets now, on every hub.
      this.events.emit('class.teachers.changed', { classId });
    }
    if (tabletsChanged) {
      // A watching grid shows the class's tablets as they are now, not as when it was opened,
      // on whichever hub of a cluster its console is connected to.
      this.events.emit('class.tablets.changed', { classId });
    }
    return this.get(actor, classId);
  }

  /**
   * The teachers named for a class, each once: enabled staff accounts holding the teacher role
   * (or ICT), as a trip's leaders are (docs/decisions.md): anyone else named would be shown a class
   * they could never open.
   * @throws BadRequestException 400 naming `teacherIds` for an unknown, disabled or role-less account
   */
  private async checkTeachers(ids: readonly string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    for (const id of unique) {
      const account = await this.staff.get(id).catch((error: unknown) => {
        if (error instanceof NotFoundException) {
          throw new BadRequestException(`teacherIds: no staff account ${id}`);
        }
        throw error;
      });
      if (account.disabled) {
        throw new BadRequestException(`teacherIds: ${account.displayName}'s account is disabled`);
      }
      if (!CLASS_TEACHER_ROLES.some((role) => account.roles.includes(role))) {
        throw new BadRequestException(
          `teacherIds: ${account.displayName} is not a teacher (give them the teacher role first)`,
        );
      }
    }
    return unique;
  }

  private async checkDevices(ids: readonly string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    const found = new Set((await this.devices.findByIds(unique)).map((d) => d.id));
    const missing = unique.find((id) => !found.has(id));
    if (missing) {
      throw new BadRequestException(`deviceIds: no device ${missing}`);
    }
    return unique;
  }

  private async checkGroup(groupId: string | null): Promise<void> {
    if (groupId !== null && !(await this.devices.findGroup(groupId))) {
      throw new BadRequestException(`groupId: no group ${groupId}`);
    }
  }

  /** The school's time zone (HUB_TIME_ZONE), for lesson times. */
  get timeZone(): string {
    return this.config.timeZone;
  }
}
