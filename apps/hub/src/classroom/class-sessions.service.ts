// A lesson in progress (issue 12): start, act on the class's tablets (lock, one app, message,
// camera for a while), mark tablets absent, and end, by the teacher or by the clock, undoing
// everything the session did on every tablet (also those offline then, through desired state).
//
// Ordering: every action and the end take the class's next number (`seq`) in the transaction
// that queues their commands, holding the class's row until it commits (a PostgreSQL row lock;
// SQLite runs one transaction at a time). So two teachers acting at once commit in the order of
// their numbers, and the one with the highest number is what every tablet ends with; nothing can
// act on a session after its end committed (the action sees no running session: 409).
//
// Locks: a class acts as the party `class` whoever presses (ICT included), so its locks are class
// locks (desired-state owner `class`), it never lifts or replaces an ICT or lost lock (those
// tablets are listed in `skipped`), and its end unlocks only class locks. A class lock still
// queued for a tablet is retired by the end's unlock in the same transaction (a newer lock or
// unlock retires older unsent ones, and delivery marks a command sent only while it is still
// open), so it is never delivered after the end.
import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  CommandType,
  MESSAGE_FROM_MAX_LENGTH,
  toPlainText,
  validateCommandPayload,
} from '@app/devices';
import type { ClassActionAccepted, ClassSession, ClassSessionView, ClassTile } from '@app/hub-api';
import type { PolicySettings } from '@app/policy';
import { deviceLabel } from '../audit/audit-labels';
import { AuditActor, AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import type { StaffPrincipal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { CommandRequest, CommandsService, IssueOutcome } from '../commands/commands.service';
import { ScheduledWorkLease } from '../database/scheduled-work-lease';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { DevicesRepository } from '../devices/devices.repository';
import { PolicyOverlaysService } from '../policies/policy-overlays.service';
import { ClassTilesService } from './class-tiles.service';
import { ClassesRepository, ClassRecord } from './classes.repository';
import { classTarget, ClassesService, lessonEnd, toClassSessionDto } from './classes.service';
import type { ClassEntity, ClassSessionEntity } from './classroom.entities';
import { ClassActionDto, SetAbsentDto, StartSessionDto } from './dto/class.dto';

/** A session with no timetabled lesson in progress lasts this long unless told otherwise. */
export const DEFAULT_SESSION_MINUTES = 60;
/** How often the lease holder ends sessions whose end time has passed. */
export const SESSION_SWEEP_MS = 1000;
/** The longest a session may be asked to last. */
const MAX_SESSION_HOURS = 12;

/** The fields of a class action body that belong to each action. */
const ACTION_FIELDS: Record<string, readonly string[]> = {
  lock: ['message'],
  unlock: [],
  'app.lock': ['appId'],
  'app.unlock': [],
  message: ['text'],
  'camera.allow': ['minutes'],
  'camera.revoke': [],
};
const OPTIONAL_FIELDS = ['message', 'appId', 'text', 'minutes'] as const;

/** Whether the policy `settings` lets a device be kept in `appId` (issue 12, app.lock). */
export function appAllowed(settings: PolicySettings, appId: string): boolean {
  switch (settings.apps.mode) {
    case 'allowlist':
      return settings.apps.allowed.includes(appId);
    case 'blocklist':
      return !settings.apps.blocked.includes(appId);
    default:
      return true;
  }
}

/** Who ended a session, in the audit entry. */
type EndedBy = { kind: 'staff'; actor: StaffPrincipal } | { kind: 'clock' } | { kind: 'start-up' };

@Injectable()
export class ClassSessionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClassSessionsService.name);
  private stopSweeps: (() => void) | null = null;
  private sweeping: Promise<void> | null = null;
  /** When this hub started: a session due before it ended while the hub was down. */
  private bootedAt = 0;

  constructor(
    private readonly classes: ClassesRepository,
    private readonly classesService: ClassesService,
    private readonly commands: CommandsService,
    private readonly overlays: PolicyOverlaysService,
    private readonly tiles: ClassTilesService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly lease: ScheduledWorkLease,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly devices: DevicesRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.bootedAt = this.clock.nowMs();
    // At start (a hub that was down at the end time ends the session now) and at a takeover,
    // then every second while this hub holds the lease.
    this.stopSweeps = this.lease.runWhileHeld(SESSION_SWEEP_MS, () => void this.sweepNow());
  }

  onApplicationShutdown(): void {
    this.stopSweeps?.();
    this.stopSweeps = null;
  }

  /**
   * Starts a session: `endsAt` given (must be in the future, at most 12 h away), else the end of
   * the timetabled lesson in progress (HUB_TIME_ZONE), else 60 minutes from now.
   *
   * @throws ConflictException (409) a session is already running
   */
  async start(actor: StaffPrincipal, classId: string, input: StartSessionDto) {
    const record = await this.classesService.mustAccess(actor, classId);
    const now = this.clock.now();
    let endsAt: Date;
    if (input.endsAt !== undefined) {
      endsAt = new Date(input.endsAt);
      if (endsAt <= now) {
        throw new BadRequestException('endsAt must be in the future');
      }
      if (endsAt.getTime() - now.getTime() > MAX_SESSION_HOURS * 3_600_000) {
        throw new BadRequestException(`endsAt must be within ${MAX_SESSION_HOURS} hours`);
      }
    } else {
      const timetable = JSON.parse(record.entity.timetable) as Parameters<typeof lessonEnd>[0];
      endsAt =
        lessonEnd(timetable, now, this.config.timeZone) ??
        new Date(now.getTime() + DEFAULT_SESSION_MINUTES * 60_000);
    }
    const session: ClassSessionEntity = {
      id: randomUUID(),
      classId,
      startedBy: actor.id,
      startedAt: now,
      endsAt,
      endedAt: null,
      endedBy: null,
    };
    let seq = 0;
    await this.tx
      .run(async (tx) => {
        const locked = await this.classes.lockClass(tx, classId);
        if (!locked) {
          throw new NotFoundException(`No class ${classId}`);
        }
        if (await this.classes.runningSession(classId, tx)) {
          throw new ConflictException('This class already has a session running');
        }
        seq = locked.actionSeq;
        await this.classes.insertSession(tx, session);
        await this.audit.record(tx, {
          actor,
          action: 'class.session_started',
          target: classTarget(record.entity),
          detail: { classId, sessionId: session.id, seq, endsAt: endsAt.toISOString() },
        });
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) {
          throw new ConflictException('This class already has a session running');
        }
        throw error;
      });
    const dto = toClassSessionDto(session, seq);
    await this.tiles.sessionChanged(record.entity, dto, new Set());
    return dto;
  }

  /** The running session (null when none) and the class's tiles. */
  async view(actor: StaffPrincipal, classId: string): Promise<ClassSessionView> {
    const record = await this.classesService.mustAccess(actor, classId);
    return this.viewOf(record);
  }

  private async viewOf(record: ClassRecord): Promise<ClassSessionView> {
    const session = await this.classes.runningSession(record.entity.id);
    const absent = session ? await this.classes.absentDeviceIds(session.id) : new Set<string>();
    const fresh = (await this.classes.find(record.entity.id)) ?? record;
    return {
      session: session ? toClassSessionDto(session, fresh.entity.actionSeq) : null,
      tiles: await this.tiles.tilesOf(record.entity, absent),
    };
  }

  /** For the live view: the session and tiles, and follows the class until `unwatch`. */
  async watch(
    actor: StaffPrincipal,
    classId: string,
  ): Promise<
    | { ok: true; session: ClassSession | null; tiles: ClassTile[] }
    | { ok: false; error: 'forbidden' | 'not_found' }
  > {
    const access = await this.classesService.access(actor, classId);
    if (access !== 'ok') {
      return { ok: false, error: access };
    }
    const record = (await this.classes.find(classId)) as ClassRecord;
    const session = await this.classes.runningSession(classId);
    const absent = session ? await this.classes.absentDeviceIds(session.id) : new Set<string>();
    const tiles = await this.tiles.follow(record.entity, absent);
    return {
      ok: true,
      session: session ? toClassSessionDto(session, record.entity.actionSeq) : null,
      tiles,
    };
  }

  unwatch(classId: string): void {
    this.tiles.unfollow(classId);
  }

  /**
   * Marks tablets absent (or present again) in the running session: actions without
   * `deviceIds` leave absent tablets out. 409 with no session; 400 for a tablet not in the class.
   */
  async setAbsent(
    actor: StaffPrincipal,
    classId: string,
    input: SetAbsentDto,
  ): Promise<ClassSessionView> {
    const record = await this.classesService.mustAccess(actor, classId);
    const classDevices = new Set(await this.classes.deviceIdsOf(record.entity));
    const stranger = input.deviceIds.find((id) => !classDevices.has(id));
    if (stranger) {
      throw new BadRequestException(`deviceIds: device ${stranger} is not a tablet of this class`);
    }
    const deviceIds = [...new Set(input.deviceIds)];
    const session = await this.tx.run(async (tx) => {
      const seq = await this.classes.nextSeq(tx, classId);
      const running = await this.classes.runningSession(classId, tx);
      if (!running || seq === null) {
        throw new ConflictException('This class has no session running');
      }
      await this.classes.setAbsent(tx, running.id, deviceIds, input.absent);
      // The tablets by name, as they are called now: the log is read after they are renamed.
      const names = await this.devices.namesOf(deviceIds, tx);
      await this.audit.record(tx, {
        actor,
        action: 'class.absence_marked',
        target: classTarget(record.entity),
        detail: {
          classId,
          sessionId: running.id,
          seq,
          absent: input.absent,
          devices: deviceIds.length,
          deviceIds,
          tablets: deviceIds.flatMap((id) => {
            const device = names.get(id);
            return device ? [deviceLabel(device)] : [];
          }),
        },
      });
      return running;
    });
    const absent = await this.classes.absentDeviceIds(session.id);
    await this.tiles.sessionChanged(record.entity, null, absent);
    return this.viewOf(record);
  }

  /**
   * Acts on the class's tablets (`deviceIds`, default every tablet not marked absent). 409 with
   * no session running; 400 for a field of another action, a tablet not in the class, or an app
   * the tablets' policy does not allow.
   */
  async act(
    actor: StaffPrincipal,
    classId: string,
    input: ClassActionDto,
  ): Promise<ClassActionAccepted> {
    // The class and its tablets in one read on the database's queue, not six (issue 12: a
    // hundred classes locking at the start of a lesson queue their reads one after another).
    const { record, classDevices } = await this.tx.run(async (tx) => {
      const found = await this.classesService.mustAccess(actor, classId, tx);
      return { record: found, classDevices: await this.classes.deviceIdsOf(found.entity, tx) };
    });
    const allowed = ACTION_FIELDS[input.action];
    for (const field of OPTIONAL_FIELDS) {
      if (input[field] !== undefined && !allowed.includes(field)) {
        throw new BadRequestException(`${field} is not a field of ${input.action}`);
      }
    }
    if (input.action === 'app.lock' && input.appId === undefined) {
      throw new BadRequestException('appId is required for app.lock');
    }
    if (input.action === 'message' && input.text === undefined) {
      throw new BadRequestException('text is required for message');
    }
    if (input.action === 'camera.allow' && input.minutes === undefined) {
      throw new BadRequestException('minutes is required for camera.allow');
    }
    if (input.deviceIds) {
      const members = new Set(classDevices);
      const stranger = input.deviceIds.find((id) => !members.has(id));
      if (stranger) {
        throw new BadRequestException(
          `deviceIds: device ${stranger} is not a tablet of this class`,
        );
      }
    }
    const targetsOf = async (tx: Tx, session: ClassSessionEntity) => {
      if (input.deviceIds) {
        return [...new Set(input.deviceIds)];
      }
      const absent = await this.classes.absentDeviceIds(session.id, tx);
      return classDevices.filter((id) => !absent.has(id));
    };
    if (input.action === 'camera.allow' || input.action === 'camera.revoke') {
      return this.cameraAction(actor, record, input, targetsOf);
    }
    const request = this.commandFor(actor, input);
    if (input.action === 'app.lock') {
      await this.checkApp(input.deviceIds ?? classDevices, input.appId as string);
    }
    const done = await this.tx.run(async (tx) => {
      const { seq, session } = await this.takeSeq(tx, classId);
      const targets = await targetsOf(tx, session);
      const issued = await this.commands.issueIn(tx, actor, targets, request, null);
      await this.recordAction(tx, actor, record.entity, session, seq, input, issued, targets);
      return { seq, issued };
    });
    this.commands.announceIssued(done.issued);
    return {
      deviceIds: done.issued.commands.map((command) => command.deviceId),
      seq: done.seq,
      skipped: done.issued.refused.map(({ deviceId, owner }) => ({ deviceId, owner })),
    };
  }

  /** Ends the running session now, as a teacher or ICT: 404 when none is running. */
  async endByStaff(actor: StaffPrincipal, classId: string): Promise<ClassSession> {
    const record = await this.classesService.mustAccess(actor, classId);
    const session = await this.classes.runningSession(classId);
    if (!session) {
      throw new NotFoundException('This class has no session running');
    }
    const ended = await this.end(record.entity, session, { kind: 'staff', actor });
    if (!ended) {
      throw new NotFoundException('This class has no session running');
    }
    return ended;
  }

  /** Ends the sessions whose end time has passed (the lease holder, every second and at start). */
  sweepNow(): Promise<void> {
    this.sweeping ??= this.sweepDue()
      .catch((error: unknown) =>
        this.logger.error(`Ending class sessions failed: ${String(error)}`),
      )
      .finally(() => {
        this.sweeping = null;
      });
    return this.sweeping;
  }

  private async sweepDue(): Promise<void> {
    // A session whose end time passed before this hub started ended while no hub ran (issue 12:
    // it is ended when the hub starts), audited as `start-up`; the others by the clock.
    const due = await this.classes.due(this.clock.now(), 100);
    for (const session of due) {
      const record = await this.classes.find(session.classId);
      if (record) {
        const whileDown = session.endsAt.getTime() < this.bootedAt;
        await this.end(record.entity, session, { kind: whileDown ? 'start-up' : 'clock' });
      }
    }
  }

  /**
   * Ends a session and undoes what it did, in one transaction with the policy overlay's removal:
   * each tablet whose lock or single app the class owns gets an unlock (retiring any class lock
   * still queued), the camera allowance goes (the policy decides again). Null when someone else
   * ended it first.
   */
  private async end(
    entity: ClassEntity,
    session: ClassSessionEntity,
    by: EndedBy,
  ): Promise<ClassSession | null> {
    const actor: AuditActor = by.kind === 'staff' ? by.actor : { kind: 'system' };
    const now = this.clock.now();
    let outcome: { seq: number; issued: IssueOutcome[] } | null = null;
    await this.overlays
      .removeOverlay(
        { source: { kind: 'class_session', id: session.id }, actor },
        {
          within: async (tx) => {
            const seq = await this.classes.nextSeq(tx, entity.id);
            if (
              seq === null ||
              !(await this.classes.endSession(
                tx,
                session.id,
                now,
                by.kind === 'staff' ? by.actor.id : null,
              ))
            ) {
              throw new SessionAlreadyEnded();
            }
            const deviceIds = await this.classes.deviceIdsOf(entity, tx);
            const rows = await this.classes.tileRows(deviceIds);
            const issued: IssueOutcome[] = [];
            const classLocked = rows.filter((r) => r.desiredLockOwner === 'class').map((r) => r.id);
            const classApp = rows.filter((r) => r.desiredAppLockOwner === 'class').map((r) => r.id);
            const party = { party: 'class' as const, expiresAt: null };
            issued.push(
              await this.commands.issueIn(
                tx,
                actor,
                classLocked,
                { type: 'device.unlock', payload: {}, ...party },
                null,
              ),
              await this.commands.issueIn(
                tx,
                actor,
                classApp,
                { type: 'app.unlock', payload: {}, ...party },
                null,
              ),
            );
            await this.audit.record(tx, {
              actor,
              action: 'class.session_ended',
              target: classTarget(entity),
              detail: {
                classId: entity.id,
                sessionId: session.id,
                seq,
                by: by.kind === 'staff' ? 'staff' : by.kind,
                endsAt: session.endsAt.toISOString(),
                unlocked: classLocked.length,
                leftSingleApp: classApp.length,
              },
            });
            outcome = { seq, issued };
          },
        },
      )
      .catch((error: unknown) => {
        if (!(error instanceof SessionAlreadyEnded)) {
          throw error;
        }
      });
    const done = outcome as { seq: number; issued: IssueOutcome[] } | null;
    if (!done) {
      return null;
    }
    done.issued.forEach((issued) => this.commands.announceIssued(issued));
    const dto = toClassSessionDto(
      { ...session, endedAt: now, endedBy: by.kind === 'staff' ? by.actor.id : null },
      done.seq,
    );
    await this.tiles.sessionChanged(entity, dto, new Set());
    return dto;
  }

  /** The class's next number and its running session, inside `tx`; 409 when none runs. */
  private async takeSeq(
    tx: Tx,
    classId: string,
  ): Promise<{ seq: number; session: ClassSessionEntity }> {
    const seq = await this.classes.nextSeq(tx, classId);
    const session = await this.classes.runningSession(classId, tx);
    if (seq === null || !session) {
      throw new ConflictException('This class has no session running');
    }
    return { seq, session };
  }

  private async cameraAction(
    actor: StaffPrincipal,
    record: ClassRecord,
    input: ClassActionDto,
    targetsOf: (tx: Tx, session: ClassSessionEntity) => Promise<string[]>,
  ): Promise<ClassActionAccepted> {
    // The targets are needed before the overlay's transaction; they are read again inside it
    // and must not have changed (an absence marked in between is a 409 to try again).
    const running = await this.classes.runningSession(record.entity.id);
    if (!running) {
      throw new ConflictException('This class has no session running');
    }
    const targets = await targetsOf(this.tx.reader, running);
    let seq = 0;
    const within = async (tx: Tx) => {
      const taken = await this.takeSeq(tx, record.entity.id);
      if (taken.session.id !== running.id) {
        throw new ConflictException('The session changed meanwhile; try again');
      }
      seq = taken.seq;
      await this.recordAction(tx, actor, record.entity, running, seq, input, null, targets);
    };
    const source = { kind: 'class_session' as const, id: running.id };
    if (input.action === 'camera.allow') {
      const expiresAt = new Date(
        Math.min(this.clock.nowMs() + (input.minutes as number) * 60_000, running.endsAt.getTime()),
      );
      await this.overlays.applyOverlay(
        {
          source,
          deviceIds: targets,
          settings: { camera: { allowed: true } },
          expiresAt: expiresAt > this.clock.now() ? expiresAt : new Date(this.clock.nowMs() + 1000),
          actor,
          label: `${record.entity.name}: camera allowed by the class`,
        },
        { within },
      );
    } else {
      await this.overlays.removeOverlay({ source, deviceIds: targets, actor }, { within });
    }
    this.tiles.touch(targets);
    return { deviceIds: targets, seq, skipped: [] };
  }

  private commandFor(actor: StaffPrincipal, input: ClassActionDto): CommandRequest {
    let type: CommandType;
    let payload: Record<string, unknown>;
    switch (input.action) {
      case 'lock':
        type = 'device.lock';
        payload = { reason: 'class', ...(input.message ? { message: input.message } : {}) };
        break;
      case 'unlock':
        type = 'device.unlock';
        payload = {};
        break;
      case 'app.lock':
        type = 'app.lock';
        payload = { appId: input.appId };
        break;
      case 'app.unlock':
        type = 'app.unlock';
        payload = {};
        break;
      default:
        type = 'message.show';
        payload = {
          text: input.text,
          from: toPlainText(actor.displayName, MESSAGE_FROM_MAX_LENGTH),
        };
    }
    const checked = validateCommandPayload(type, payload);
    if (!checked.ok) {
      throw new BadRequestException(checked.errors.join('; '));
    }
    return { type, payload, expiresAt: null, party: 'class' };
  }

  /** 400 unless every tablet's policy lets it be kept in `appId`. */
  private async checkApp(deviceIds: readonly string[], appId: string): Promise<void> {
    const settings = await this.overlays.resolvedSettings(deviceIds);
    const refusing = [...settings.values()].filter((s) => !appAllowed(s, appId));
    if (refusing.length > 0) {
      throw new BadRequestException(
        `appId: ${appId} is not an app the policy of ${refusing.length} tablet(s) allows`,
      );
    }
  }

  private async recordAction(
    tx: Tx,
    actor: StaffPrincipal,
    entity: ClassEntity,
    session: ClassSessionEntity,
    seq: number,
    input: ClassActionDto,
    issued: IssueOutcome | null,
    targets: readonly string[],
  ): Promise<void> {
    await this.audit.record(tx, {
      actor,
      action: 'class.action',
      target: classTarget(entity),
      detail: {
        classId: entity.id,
        sessionId: session.id,
        seq,
        action: input.action,
        devices: issued ? issued.commands.length : targets.length,
        skipped: issued && issued.refused.length > 0 ? issued.refused.length : undefined,
        message: input.message,
        appId: input.appId,
        text: input.text,
        minutes: input.minutes,
      },
    });
  }
}

/** Thrown inside an end's transaction when the session was already ended: rolls it back. */
class SessionAlreadyEnded extends Error {}
