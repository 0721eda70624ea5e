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
// locks (desired-state owner `class`), and its end unlocks only class locks. A tablet held by a
// stronger lock (its lock or single app owned by ICT or by a lost report) is left out of every
// class action, whatever its kind, and listed in `skipped` (issue 12: "a class lock is never
// delivered to a device under a stronger lock"). Every tablet a session locks, keeps in one app
// or lays the camera overlay on is recorded with the session, so the end undoes on it even if it
// left the class (or the class's group) meanwhile. A class lock still
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
import {
  CLASS_REFUSALS,
  type ClassActionAccepted,
  type ClassActionSkipped,
  type ClassSession,
  type ClassSessionView,
  type ClassTile,
} from '@app/hub-api';
import type { PolicySettings } from '@app/policy';
import { deviceLabel } from '../audit/audit-labels';
import { AuditActor, AuditRecord, AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { currentCorrelationId } from '../common/request-context';
import type { StaffPrincipal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { LOCK_OWNERS, type LockOwner, mayOverride } from '../commands/command.entity';
import {
  CommandRequest,
  CommandsService,
  IssueOutcome,
  RefusedDevice,
} from '../commands/commands.service';
import { ScheduledWorkLease } from '../database/scheduled-work-lease';
import { BatchRequest, Settled, TransactionRunner, Tx } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { DevicesRepository } from '../devices/devices.repository';
import { PolicyOverlaysService } from '../policies/policy-overlays.service';
import { ClassTilesService } from './class-tiles.service';
import { ClassesRepository, ClassRecord, HeldLocks } from './classes.repository';
import { classTarget, ClassesService, lessonEnd, toClassSessionDto } from './classes.service';
import type { ClassEntity, ClassSessionEntity } from './classroom.entities';
import { ClassActionDto, SetAbsentDto, StartSessionDto } from './dto/class.dto';

/** A class action waiting for its batch (`ClassSessionsService.actTogether`). */
interface ActionRequest {
  actor: StaffPrincipal;
  classId: string;
  input: ClassActionDto;
  request: CommandRequest;
  /** The class and its tablets, when already read and checked (an app lock). */
  checked: { record: ClassRecord; classDevices: string[] } | null;
}

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

/**
 * The tablets an action is for (issue 12): those it names (`deviceIds`, once each), else the
 * class's tablets not marked absent in the session.
 */
export function actionTargets(
  input: Pick<ClassActionDto, 'deviceIds'>,
  classDevices: readonly string[],
  absent: ReadonlySet<string>,
): string[] {
  return input.deviceIds
    ? [...new Set(input.deviceIds)]
    : classDevices.filter((id) => !absent.has(id));
}

/**
 * The owner of a lock stronger than the class's that holds a tablet (issue 12: "Locks have owners,
 * and the stronger one wins"; issue 8 item 6 for the order `class` < `admin` < `lost`): the
 * stronger of its desired lock's and its single app's owners, or null when neither is stronger
 * than `class` (no lock, or the class's own). A held tablet is left out of every class action.
 */
export function strongerHold(
  locks: Pick<HeldLocks, 'lockOwner' | 'appLockOwner'> | undefined,
): LockOwner | null {
  if (!locks) {
    return null;
  }
  const owners = [locks.lockOwner, locks.appLockOwner].filter(
    (owner): owner is LockOwner => owner !== null && !mayOverride('class', owner),
  );
  return owners.length === 0
    ? null
    : owners.reduce((a, b) => (LOCK_OWNERS.indexOf(a) >= LOCK_OWNERS.indexOf(b) ? a : b));
}

/**
 * Splits `targets` into the tablets a class action may reach and those held by a stronger lock
 * (`strongerHold`), in the order given. `locks` is the tablets' rows as
 * `ClassesRepository.heldLocksForUpdate` (or `tileRows`) read them; a tablet missing from it is
 * not held (the command queue leaves out unknown and revoked devices itself).
 */
export function splitHeld(
  targets: readonly string[],
  locks: ReadonlyMap<string, Pick<HeldLocks, 'lockOwner' | 'appLockOwner'>>,
): { reach: string[]; held: RefusedDevice[] } {
  const reach: string[] = [];
  const held: RefusedDevice[] = [];
  for (const deviceId of targets) {
    const owner = strongerHold(locks.get(deviceId));
    if (owner) {
      held.push({ deviceId, owner });
    } else {
      reach.push(deviceId);
    }
  }
  return { reach, held };
}

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
          throw new NotFoundException(CLASS_REFUSALS.not_found);
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

  /** Whether `actor` may watch the class now: 'ok', 'forbidden' (not their class) or 'not_found'. */
  access(actor: StaffPrincipal, classId: string): Promise<'ok' | 'forbidden' | 'not_found'> {
    return this.classesService.access(actor, classId);
  }

  /**
   * For the live view: the session and tiles, and follows the class until `unwatch` (called once
   * for each `{ok: true}`).
   * @param admitted called once the person may see the class and before anything is read (the
   *   gateway joins the class's room there, so no tile sent after the read is missed)
   * @returns `{ok: false}` with `forbidden` (not this teacher's class) or `not_found`
   */
  async watch(
    actor: StaffPrincipal,
    classId: string,
    admitted: () => void | Promise<void> = () => undefined,
  ): Promise<
    | { ok: true; session: ClassSession | null; tiles: ClassTile[] }
    | { ok: false; error: 'forbidden' | 'not_found' }
  > {
    const access = await this.classesService.access(actor, classId);
    if (access !== 'ok') {
      return { ok: false, error: access };
    }
    await admitted();
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
    const asked = [...new Set(input.deviceIds)];
    const session = await this.tx.run(async (tx) => {
      // The class's row is held before its session and absences are read (as `nextSeq` holds it
      // for an action), so two marks at once are compared one after the other.
      const locked = await this.classes.lockClass(tx, classId);
      const running = await this.classes.runningSession(classId, tx);
      if (!running || !locked) {
        throw new ConflictException('This class has no session running');
      }
      // Only the tablets whose mark changes: marking an absent tablet absent again (a second
      // tap, two teachers at once) or naming none writes nothing and takes no number.
      const absentNow = await this.classes.absentDeviceIds(running.id, tx);
      const deviceIds = asked.filter((id) => absentNow.has(id) !== input.absent);
      if (deviceIds.length === 0) {
        return running;
      }
      const seq = (await this.classes.nextSeq(tx, classId)) as number;
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
   * Acts on the class's tablets (`deviceIds`, default every tablet not marked absent). A tablet
   * held by a stronger lock than the class's (its lock or single app owned by ICT or a lost
   * report: `strongerHold`) is left out of every kind of action and listed in `skipped` with that
   * owner (issue 12: "a class lock is never delivered to a device under a stronger lock").
   * @returns the tablets the action was queued for, its number (`seq`) and the skipped tablets
   * @throws ConflictException (409) no session running, or (camera) a tablet came under a stronger
   *   lock while the overlay was planned
   * @throws BadRequestException (400) a field of another action, a tablet not in the class, or an
   *   app the policy of a tablet it would reach does not allow
   * @throws NotFoundException (404), ForbiddenException (403) as `ClassesService.mustAccess`
   */
  async act(
    actor: StaffPrincipal,
    classId: string,
    input: ClassActionDto,
  ): Promise<ClassActionAccepted> {
    // Before the command is built from them, so a missing field is named as the request names
    // it, not as the command's payload does ("payload.appId must be a string").
    checkActionShape(input);
    if (input.action === 'camera.allow' || input.action === 'camera.revoke') {
      const { record, classDevices } = await this.readAndCheck(actor, classId, input);
      return this.cameraAction(actor, record, input, this.targetsOf(input, classDevices));
    }
    const request = this.commandFor(actor, input);
    let checked: ActionRequest['checked'] = null;
    if (input.action === 'app.lock') {
      // The policy's apps are read outside the action's transaction (the overlays' resolver
      // reads on its own), so an app lock checks its class first and queues after.
      checked = await this.readAndCheck(actor, classId, input);
      // Only the tablets the app lock may reach: one held by a stronger lock is skipped, not a 400.
      const asked = input.deviceIds ?? checked.classDevices;
      await this.checkApp(
        splitHeld(asked, await this.heldLocksOf(asked)).reach,
        input.appId as string,
      );
    }
    // In one transaction with the other classes' actions waiting at the same moment, their
    // reads and writes shared (issue 12: a hundred classes locking at the start of a lesson).
    const done = await this.tx.runBatch(
      'class.action',
      { actor, classId, input, request, checked },
      (tx, requests) => this.actTogether(tx, requests),
    );
    this.commands.announceIssued(done.issued);
    return {
      deviceIds: done.issued.commands.map((command) => command.deviceId),
      seq: done.seq,
      skipped: [
        ...done.issued.refused.map(({ deviceId, owner }) => ({ deviceId, owner })),
        ...done.onTrip,
      ],
    };
  }

  /**
   * Reads the class as `actor` may see it and its tablets in one unit of work, and checks the
   * action's fields against them (for the actions that read before their transaction).
   * @throws NotFoundException, ForbiddenException, BadRequestException as `checkFields` says
   */
  private readAndCheck(
    actor: StaffPrincipal,
    classId: string,
    input: ClassActionDto,
  ): Promise<{ record: ClassRecord; classDevices: string[] }> {
    return this.tx.run(async (tx) => {
      const record = await this.classesService.mustAccess(actor, classId, tx);
      const devices = await this.classes.deviceIdsOf(record.entity, tx);
      return { record, classDevices: checkFields(input, devices) };
    });
  }

  /**
   * Class actions (not the camera's) asked for at the same moment, in one transaction: the
   * classes, their tablets, running sessions and absences read once for all; each action
   * checked (404, 403, 400, 409 with no session running) before anything is written; each class
   * then takes its next numbers in the order the actions were asked for, and the commands are
   * queued for many classes at once (`issueManyIn`), a tablet's actions in their order. Each
   * action's audit entries are written in its own request's context.
   */
  private async actTogether(
    tx: Tx,
    requests: Array<BatchRequest<ActionRequest>>,
  ): Promise<Array<Settled<{ seq: number; issued: IssueOutcome; onTrip: ClassActionSkipped[] }>>> {
    const answers: Array<
      Settled<{ seq: number; issued: IssueOutcome; onTrip: ClassActionSkipped[] }> | undefined
    > = [];
    const refuse = (index: number, error: unknown) => {
      answers[index] = { ok: false, error };
    };
    const unread = requests.filter((r) => !r.input.checked).map((r) => r.input.classId);
    const records = await this.classes.findMany([...new Set(unread)], tx);
    const devicesOf = await this.classes.deviceIdsOfMany(
      [...records.values()].map((record) => record.entity),
      tx,
    );
    const checked = requests.map(({ input }, index) => {
      try {
        if (input.checked) {
          return input.checked;
        }
        const record = this.classesService.checkAccess(
          input.actor,
          input.classId,
          records.get(input.classId) ?? null,
        );
        const classDevices = devicesOf.get(input.classId) ?? [];
        return { record, classDevices: checkFields(input.input, classDevices) };
      } catch (error) {
        refuse(index, error);
        return null;
      }
    });
    // Each class's numbers are taken before its session is read, holding its row (PostgreSQL)
    // until the commit, so an end that commits first is seen (see the head of this file). An
    // action then refused for want of a session leaves its number unused: numbers only order.
    const counts = new Map<string, number>();
    checked.forEach((found, index) => {
      if (found) {
        const classId = requests[index].input.classId;
        counts.set(classId, (counts.get(classId) ?? 0) + 1);
      }
    });
    const lastOf = await this.classes.nextSeqs(tx, counts);
    const nextOf = new Map<string, number>();
    for (const [classId, count] of counts) {
      const last = lastOf.get(classId);
      nextOf.set(classId, last === undefined ? Number.NaN : last - count + 1);
    }
    const sessions = await this.classes.runningSessions([...counts.keys()], tx);
    const absences = await this.classes.absentDeviceIdsMany(
      [...sessions.values()].map((session) => session.id),
      tx,
    );
    const ready: Array<{
      index: number;
      seq: number;
      session: ClassSessionEntity;
      record: ClassRecord;
      targets: string[];
      held: RefusedDevice[];
      onTrip: ClassActionSkipped[];
    }> = [];
    checked.forEach((found, index) => {
      if (!found) {
        return;
      }
      const { classId, input } = requests[index].input;
      const seq = nextOf.get(classId) as number;
      nextOf.set(classId, seq + 1);
      const session = sessions.get(classId);
      if (!session || Number.isNaN(seq)) {
        refuse(index, new ConflictException('This class has no session running'));
        return;
      }
      const targets = actionTargets(
        input,
        found.classDevices,
        absences.get(session.id) ?? new Set<string>(),
      );
      ready.push({ index, seq, session, record: found.record, targets, held: [], onTrip: [] });
    });
    // Tablets held by a stronger lock are left out, whatever the action (see the head of this
    // file); their rows stay locked until the commit, so no stronger lock lands in between.
    const locks = await this.classes.heldLocksForUpdate(
      tx,
      ready.flatMap((action) => action.targets),
    );
    // A tablet out on a trip belongs to the trip until it is back: left out and named. Read with
    // the assets' rows locked, so a check-out at the same moment is either seen or comes after.
    const trips = await this.classes.onTripForUpdate(
      tx,
      ready.flatMap((action) => action.targets),
    );
    for (const action of ready) {
      const { reach, held } = splitHeld(action.targets, locks);
      action.targets = reach.filter((id) => !trips.has(id));
      action.held = held;
      action.onTrip = onTripSkips(reach, trips);
    }
    // Rounds in order: an action joins the round unless it shares a tablet with one in it.
    const rounds: Array<typeof ready> = [];
    let taken = new Set<string>();
    for (const action of ready) {
      const round = rounds.at(-1);
      if (!round || action.targets.some((id) => taken.has(id))) {
        rounds.push([action]);
        taken = new Set(action.targets);
      } else {
        round.push(action);
        action.targets.forEach((id) => taken.add(id));
      }
    }
    const entries: AuditRecord[] = [];
    // What the session did to each tablet, for its end: the last lock (single app) per tablet.
    const actedOn = new Map<
      string,
      { sessionId: string; deviceId: string; commandId: string; kind: 'lock' | 'appLock' }
    >();
    for (const round of rounds) {
      const issued = await this.commands.issueManyIn(
        tx,
        round.map(({ index, targets }) => ({
          actor: requests[index].input.actor,
          deviceIds: targets,
          request: requests[index].input.request,
        })),
      );
      for (const [at, action] of round.entries()) {
        const { actor, input } = requests[action.index].input;
        const { audit } = issued[at];
        const outcome = {
          ...issued[at].outcome,
          refused: [...action.held, ...issued[at].outcome.refused],
        };
        const kind =
          input.action === 'lock' ? 'lock' : input.action === 'app.lock' ? 'appLock' : null;
        if (kind) {
          for (const command of outcome.commands) {
            actedOn.set(`${kind}:${action.session.id}:${command.deviceId}`, {
              sessionId: action.session.id,
              deviceId: command.deviceId,
              commandId: command.id,
              kind,
            });
          }
        }
        // Each entry carries its own request's correlation id, though written for all at once.
        const correlationId = await requests[action.index].within(async () =>
          currentCorrelationId(),
        );
        const record = this.actionRecord(
          actor,
          action.record.entity,
          action.session,
          action.seq,
          input,
          {
            devices: outcome.commands.length,
            skipped: outcome.refused.length + action.onTrip.length,
          },
        );
        entries.push(...[...audit, record].map((entry) => ({ ...entry, correlationId })));
        answers[action.index] = {
          ok: true,
          value: { seq: action.seq, issued: outcome, onTrip: action.onTrip },
        };
      }
    }
    for (const kind of ['lock', 'appLock'] as const) {
      await this.classes.recordActedOn(
        tx,
        [...actedOn.values()].filter((entry) => entry.kind === kind),
        kind,
      );
    }
    await this.audit.record(tx, ...entries);
    return requests.map(
      (_, index) =>
        answers[index] ?? { ok: false, error: new Error('The class action was not answered') },
    );
  }

  /** The tablets an action is for: those it names, else the class's tablets not marked absent. */
  private targetsOf(
    input: ClassActionDto,
    classDevices: readonly string[],
  ): (tx: Tx, session: ClassSessionEntity) => Promise<string[]> {
    return async (tx, session) =>
      actionTargets(
        input,
        classDevices,
        input.deviceIds ? new Set() : await this.classes.absentDeviceIds(session.id, tx),
      );
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
            const { classLocked, classApp } = await this.toUndo(tx, session);
            const issued: IssueOutcome[] = [];
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

  /**
   * The tablets an end unlocks and takes out of single-app mode (issue 12: the end undoes
   * everything the session did on every tablet it acted on), read inside the end's `tx` with
   * their rows locked. A tablet is undone only while the class owns its lock (app lock) and the
   * command its desired state follows is the session's own latest: whether it is still the
   * class's tablet or not. A lock another session put on it since (a second class over the same
   * trolley, whose lesson overlaps this one), or ICT's, stays: ending a lesson that never locked
   * a tablet must not unlock another lesson's.
   */
  private async toUndo(
    tx: Tx,
    session: ClassSessionEntity,
  ): Promise<{ classLocked: string[]; classApp: string[] }> {
    const acted = new Map(
      (await this.classes.actedOn(session.id, tx)).map((row) => [row.deviceId, row]),
    );
    const locks = await this.classes.heldLocksForUpdate(tx, [...acted.keys()]);
    const classLocked: string[] = [];
    const classApp: string[] = [];
    for (const row of locks.values()) {
      const mine = acted.get(row.id);
      if (
        row.lockOwner === 'class' &&
        !!mine?.lockCommandId &&
        mine.lockCommandId === row.lockCommandId
      ) {
        classLocked.push(row.id);
      }
      if (
        row.appLockOwner === 'class' &&
        !!mine?.appLockCommandId &&
        mine.appLockCommandId === row.appLockCommandId
      ) {
        classApp.push(row.id);
      }
    }
    return { classLocked, classApp };
  }

  /** The owners of these tablets' locks as they are now, outside any transaction. */
  private async heldLocksOf(
    deviceIds: readonly string[],
  ): Promise<Map<string, Pick<HeldLocks, 'lockOwner' | 'appLockOwner'>>> {
    return new Map(
      (await this.classes.tileRows(deviceIds)).map((row) => [
        row.id,
        { lockOwner: row.desiredLockOwner, appLockOwner: row.desiredAppLockOwner },
      ]),
    );
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
    const asked = await targetsOf(this.tx.reader, running);
    // A tablet held by a stronger lock neither gets the camera nor loses it through the class
    // (see the head of this file). Read here, as the overlay needs its devices before its
    // transaction, and checked again inside it with the rows locked.
    const { reach, held } = splitHeld(asked, await this.heldLocksOf(asked));
    const trips = await this.classes.onTripForUpdate(this.tx.reader, reach, false);
    const targets = reach.filter((id) => !trips.has(id));
    const onTrip = onTripSkips(reach, trips);
    let seq = 0;
    const within = async (tx: Tx) => {
      const taken = await this.takeSeq(tx, record.entity.id);
      if (taken.session.id !== running.id) {
        throw new ConflictException('The session changed meanwhile; try again');
      }
      if (splitHeld(targets, await this.classes.heldLocksForUpdate(tx, targets)).held.length) {
        throw new ConflictException('A tablet was locked by ICT meanwhile; try again');
      }
      if (!sameKeys(await this.classes.onTripForUpdate(tx, reach), trips)) {
        throw new ConflictException('A tablet went out on or came back from a trip; try again');
      }
      seq = taken.seq;
      if (input.action === 'camera.allow') {
        await this.classes.recordActedOn(
          tx,
          targets.map((deviceId) => ({ sessionId: running.id, deviceId })),
          null,
        );
      }
      await this.recordAction(tx, actor, record.entity, running, seq, input, null, targets, held);
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
    return {
      deviceIds: targets,
      seq,
      skipped: [...held.map(({ deviceId, owner }) => ({ deviceId, owner })), ...onTrip],
    };
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
      // The protocol names the command's fields `payload.appId`; the class action's request
      // has them at its top level (appId, text, message), so its 400 names them so.
      throw new BadRequestException(
        checked.errors.map((error) => error.replace(/^payload\./, '')).join('; '),
      );
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
    held: readonly RefusedDevice[] = [],
  ): Promise<void> {
    await this.audit.record(
      tx,
      this.actionRecord(actor, entity, session, seq, input, {
        devices: issued ? issued.commands.length : targets.length,
        skipped: issued ? issued.refused.length : held.length,
      }),
    );
  }

  /** A class action's audit entry, with the class id, the session id and its `seq` (issue 12). */
  private actionRecord(
    actor: StaffPrincipal,
    entity: ClassEntity,
    session: ClassSessionEntity,
    seq: number,
    input: ClassActionDto,
    counts: { devices: number; skipped: number },
  ): AuditRecord {
    return {
      actor,
      action: 'class.action',
      target: classTarget(entity),
      detail: {
        classId: entity.id,
        sessionId: session.id,
        seq,
        action: input.action,
        devices: counts.devices,
        skipped: counts.skipped > 0 ? counts.skipped : undefined,
        message: input.message,
        appId: input.appId,
        text: input.text,
        minutes: input.minutes,
      },
    };
  }
}

/** The tablets of `deviceIds` out on a trip (`trips`), as an action's skipped entries. */
function onTripSkips(
  deviceIds: readonly string[],
  trips: ReadonlyMap<string, { tripId: string; name: string }>,
): ClassActionSkipped[] {
  return deviceIds.flatMap((deviceId) => {
    const trip = trips.get(deviceId);
    return trip
      ? [{ deviceId, reason: 'on_trip' as const, tripId: trip.tripId, tripName: trip.name }]
      : [];
  });
}

/** Whether two maps have the same keys. */
function sameKeys(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  return a.size === b.size && [...a.keys()].every((key) => b.has(key));
}

/** Thrown inside an end's transaction when the session was already ended: rolls it back. */
class SessionAlreadyEnded extends Error {}

/**
 * Checks a class action's `deviceIds` against the class's tablets, and returns the tablets. 400
 * (issue 12) for a device in `deviceIds` that is not a tablet of the class. The action's own
 * fields were checked before, once (`checkActionShape`, at the start of `act`).
 */
function checkFields(input: ClassActionDto, classDevices: string[]): string[] {
  if (input.deviceIds) {
    const members = new Set(classDevices);
    const stranger = input.deviceIds.find((id) => !members.has(id));
    if (stranger) {
      throw new BadRequestException(`deviceIds: device ${stranger} is not a tablet of this class`);
    }
  }
  return classDevices;
}

/**
 * Checks a class action's own fields (issue 12), before anything is read or built from them:
 * 400 for a field that belongs to another action, or one the action needs and lacks, named as
 * the request names it ("appId is required for app.lock").
 *
 * @throws BadRequestException naming the field
 */
export function checkActionShape(input: ClassActionDto): void {
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
}
