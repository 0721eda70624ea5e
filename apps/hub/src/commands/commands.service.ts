// Issuing commands: checks who may send what, writes one row per device in one transaction
// with its audit entries and the devices' new desired state, then wakes the delivery.
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { v7 as timeOrderedUuid } from 'uuid';
import {
  CommandType,
  MESSAGE_FROM_MAX_LENGTH,
  toPlainText,
  validateCommandPayload,
} from '@app/devices';
import { AuditTarget, DeviceNames, deviceTarget } from '../audit/audit-labels';
import { AuditActor, AuditRecord, AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { HubEvents } from '../common/hub-events';
import { hasAnyRole, StaffPrincipal } from '../common/roles';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { DeviceCommandsReader, DevicesService } from '../devices/devices.service';
import { GroupsService } from '../devices/groups.service';
import {
  CommandEntity,
  CommandStatus,
  HUB_ONLY_COMMANDS,
  LockOwner,
  mayOverride,
  SUPERSEDES,
} from './command.entity';
import { CommandsRepository } from './commands.repository';
import {
  DesiredEntry,
  DesiredKind,
  DesiredLocks,
  DesiredStateRepository,
} from './desired-state.repository';
import { CommandDto, IssueCommandDto } from './dto/command.dto';
import {
  TEACHER_COMMAND_REFUSAL,
  TEACHER_COMMANDS_READ_REFUSAL,
  TEACHER_GROUP_REFUSAL,
  TeacherTablets,
} from './teacher-tablets';

/**
 * Roles that read any device's commands: ICT, and safeguarding, who reads every command in the
 * audit log anyway. Anyone else with the route's role (a teacher) reads their classes' tablets'.
 */
const READ_ANY_COMMANDS_ROLES = ['ict', 'safeguarding'] as const;

/** What a teacher may do to a class's devices; everything else is ICT's. */
const TEACHER_COMMANDS: readonly CommandType[] = [
  'device.lock',
  'device.unlock',
  'app.lock',
  'app.unlock',
  'message.show',
  'photos.sync',
];

/** Which desired state each lock-type command sets (the others set none). */
const DESIRED_KIND: Partial<Record<string, DesiredKind>> = {
  'device.lock': 'lock',
  'device.unlock': 'lock',
  'app.lock': 'appLock',
  'app.unlock': 'appLock',
};

/** Payload keys whose values are secrets (a Wi-Fi network's password in `policy.apply`). */
const SECRET_KEY = /^(password|passphrase|psk|secret|token)$/i;
/** What staff see instead of a secret. */
export const REDACTED = '[redacted]';

/**
 * How long a `message.show` sent without `expiresAt` waits for its device, in ms: 24 hours. Not
 * yet sent by then, it becomes `expired` like any command past its expiry (protocol section 3).
 */
export const MESSAGE_EXPIRY_MS = 24 * 60 * 60_000;

/**
 * A copy of a command payload fit to show staff of any role: every value under a secret key
 * (`password` and the like, at any depth) is replaced by `[redacted]`; the rest, such as a
 * `policy.apply`'s `policyVersion`, is kept. Issue 8 item 14: a teacher, who may not read a
 * policy, could read the staff Wi-Fi password in the commands sent to a device. ICT reads
 * passwords from the policy itself.
 */
export function redactPayload(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(redactPayload);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
      key,
      SECRET_KEY.test(key) && inner !== undefined && inner !== null
        ? REDACTED
        : redactPayload(inner),
    ]),
  );
}

/** A command as staff see it: the payload with its secrets redacted (issue 8 item 14). */
export function toCommandDto(command: CommandEntity): CommandDto {
  return {
    id: command.id,
    deviceId: command.deviceId,
    type: command.type,
    payload: redactPayload(JSON.parse(command.payload)) as Record<string, unknown>,
    status: command.status,
    issuedAt: command.issuedAt.toISOString(),
    expiresAt: command.expiresAt?.toISOString() ?? null,
    sentAt: command.sentAt?.toISOString() ?? null,
    answeredAt: command.answeredAt?.toISOString() ?? null,
    attempts: command.attempts,
    detail: command.detail,
    issuedBy: { type: command.issuedByType, id: command.issuedById },
    groupId: command.groupId,
  };
}

export interface CommandRequest {
  type: CommandType;
  payload: Record<string, unknown>;
  expiresAt: Date | null;
  /**
   * A command the hub queues to put back the desired state a device reported lost: it leaves
   * the desired state, its owner and the command that set it as they are.
   */
  restore?: boolean;
  /**
   * The party acting, when not the sender's own (issue 12): a class session acts as `class`
   * whoever presses the button, ICT included, so its locks are class locks that its end lifts,
   * and it never lifts or replaces an ICT or lost lock.
   */
  party?: LockOwner;
}

/** A device a lock-type command was not queued for: a stronger party owns its lock. */
export interface RefusedDevice {
  deviceId: string;
  owner: LockOwner;
}

/** What issuing a command to some devices did. */
export interface IssueOutcome {
  commands: CommandDto[];
  /** Devices left out because a stronger party owns their lock (issue 8 item 6). */
  refused: RefusedDevice[];
  /** Devices left out because they are revoked (or gone). */
  inactive: string[];
}

/**
 * How strong a party is when it lifts or replaces a lock (issue 8 item 6): ICT may lift or
 * replace any lock, lost ones included; anyone else (a teacher) only a class lock.
 */
export function partyOf(actor: AuditActor): LockOwner {
  return actor.kind !== 'staff' || hasAnyRole(actor as StaffPrincipal, ['ict']) ? 'lost' : 'class';
}

/**
 * The owner of the lock a command sets (issue 8 item 6): `lost` for a lock with reason `lost`
 * (only ICT may send it), `admin` for any other lock or single app that ICT (or the hub) sets,
 * `class` for a teacher's. Null for an unlock.
 */
export function ownerOf(actor: AuditActor, request: CommandRequest): LockOwner | null {
  if (request.type === 'device.lock' && request.payload.reason === 'lost') {
    return 'lost';
  }
  if (request.type !== 'device.lock' && request.type !== 'app.lock') {
    return null;
  }
  return (request.party ?? partyOf(actor)) === 'lost' ? 'admin' : 'class';
}

const OWNER_WORDS: Record<LockOwner, string> = {
  lost: 'ICT as lost',
  admin: 'ICT',
  class: 'a teacher',
};

/** Why a party may not lift or replace a lock (the 403's message). */
function refusalMessage(kind: DesiredKind, owner: LockOwner, deviceIds: readonly string[]): string {
  const what =
    kind === 'lock' ? `locked by ${OWNER_WORDS[owner]}` : `kept in an app by ${OWNER_WORDS[owner]}`;
  const lockName = kind === 'lock' ? 'lock' : 'single-app lock';
  const devices = deviceIds.length === 1 ? 'This device is' : `Devices ${deviceIds.join(', ')} are`;
  return `${devices} ${what}; only ICT may lift or replace that ${lockName}`;
}

/**
 * Which of `deviceIds` a command may go to (issue 8 item 6): revoked or unknown devices are
 * `gone`; for a lock-type command that is not a restore, devices whose lock a stronger party
 * than the actor's owns are `left` with that owner; the rest are `allowed`.
 * @param current the devices' rows as `DesiredStateRepository.readForUpdate` read them
 */
function decide(
  actor: AuditActor,
  deviceIds: readonly string[],
  request: CommandRequest,
  current: ReadonlyMap<string, DesiredLocks>,
): { allowed: string[]; left: RefusedDevice[]; gone: string[] } {
  const kind = DESIRED_KIND[request.type];
  const party = request.party ?? partyOf(actor);
  const allowed: string[] = [];
  const left: RefusedDevice[] = [];
  const gone: string[] = [];
  for (const deviceId of deviceIds) {
    const device = current.get(deviceId);
    if (!device || device.status !== 'active') {
      gone.push(deviceId);
      continue;
    }
    const owner =
      kind === 'lock'
        ? device.desiredLockOwner
        : kind === 'appLock'
          ? device.desiredAppLockOwner
          : null;
    if (kind && !request.restore && !mayOverride(party, owner)) {
      left.push({ deviceId, owner: owner as LockOwner });
      continue;
    }
    allowed.push(deviceId);
  }
  return { allowed, left, gone };
}

/**
 * The desired state a command sets (issue 8 items 6 and 7): a lock's payload, an app lock's app,
 * null for an unlock, with its owner. Null for a command of no such kind, and for a restore.
 */
function desiredOf(
  actor: AuditActor,
  request: CommandRequest,
): { kind: DesiredKind; value: string | null; owner: LockOwner | null } | null {
  const kind = DESIRED_KIND[request.type];
  if (!kind || request.restore) {
    return null;
  }
  const value =
    request.type === 'device.lock'
      ? JSON.stringify(request.payload)
      : request.type === 'app.lock'
        ? String(request.payload.appId)
        : null;
  return { kind, value, owner: ownerOf(actor, request) };
}

/**
 * The audit entries of queued commands: one `command.issued` per row and one
 * `command.superseded` per older command it retired, each naming its device as `devices` has
 * it now (issue 9), with the payload as staff may read it. None for a command type only the hub
 * sends (`policy.apply`): the change that made them has its own entry.
 */
function auditRecordsOf(
  actor: AuditActor,
  rows: ReadonlyArray<Omit<CommandEntity, 'seq'>>,
  request: CommandRequest,
  devices: ReadonlyMap<string, DeviceNames>,
  superseded: ReadonlyArray<{ id: string; deviceId: string; type: string }>,
  groupName?: string,
): AuditRecord[] {
  if (HUB_ONLY_COMMANDS.includes(request.type)) {
    return [];
  }
  const byDevice = new Map(rows.map((row) => [row.deviceId, row.id]));
  const targets = new Map<string, AuditTarget>();
  const targetOf = (deviceId: string): AuditTarget => {
    let target = targets.get(deviceId);
    if (!target) {
      const names = devices.get(deviceId);
      target = names ? deviceTarget(names) : { type: 'device', id: deviceId, label: null };
      targets.set(deviceId, target);
    }
    return target;
  };
  // What the command said (a lock's message, a message's text), as staff may read it.
  const payload = redactPayload(request.payload) as Record<string, unknown>;
  return [
    ...superseded.map((old) => ({
      actor,
      action: 'command.superseded',
      target: targetOf(old.deviceId),
      detail: { commandId: old.id, type: old.type, by: byDevice.get(old.deviceId) },
    })),
    ...rows.map((row) => ({
      actor,
      action: 'command.issued',
      target: targetOf(row.deviceId),
      detail: {
        commandId: row.id,
        type: row.type,
        payload,
        groupId: row.groupId ?? undefined,
        groupName,
        expiresAt: row.expiresAt?.toISOString(),
      },
    })),
  ];
}

@Injectable()
export class CommandsService extends DeviceCommandsReader {
  constructor(
    private readonly commands: CommandsRepository,
    private readonly desired: DesiredStateRepository,
    private readonly devices: DevicesService,
    private readonly groups: GroupsService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly events: HubEvents,
    private readonly clock: Clock,
    private readonly moduleRef: ModuleRef,
  ) {
    super();
  }

  /**
   * Refuses a staff command that reaches a device beyond the sender's remit: someone without the
   * ICT role (a teacher) may command only tablets of the classes they teach, the classroom's rule
   * (issue 12: "a teacher acts only on their own classes (403 otherwise); ICT acts on any"), and a
   * group only when every device it would reach is such a tablet. ICT, a teacher who is also ICT
   * included, reaches every device. Run inside the transaction that queues the command: what it
   * read holds until that commits (`TeacherTablets.taughtBy`).
   *
   * @param group the group the devices are the active members of, for the refusal's words
   * @throws ForbiddenException 403 "Teachers can send commands only to the tablets of their own
   *   classes" (for a group, adding that it holds devices that are not)
   */
  private async mustReach(
    tx: Tx,
    actor: StaffPrincipal,
    deviceIds: readonly string[],
    group: { id: string } | null,
  ): Promise<void> {
    if (hasAnyRole(actor, ['ict'])) {
      return;
    }
    const theirs = await this.teacherTablets().taughtBy(actor.id, deviceIds, tx);
    if (deviceIds.some((deviceId) => !theirs.has(deviceId))) {
      throw new ForbiddenException(group ? TEACHER_GROUP_REFUSAL : TEACHER_COMMAND_REFUSAL);
    }
  }

  /** The classroom's answer to whose tablets devices are (provided by the classroom module). */
  private teacherTablets(): TeacherTablets {
    return this.moduleRef.get(TeacherTablets, { strict: false });
  }

  /** Validates a staff member's command: its type, payload, expiry and their right to send it. */
  checkStaffCommand(actor: StaffPrincipal, input: IssueCommandDto): CommandRequest {
    const type = input.type as CommandType;
    if (HUB_ONLY_COMMANDS.includes(type)) {
      throw new BadRequestException(
        `type ${type} is sent by the hub when policies change; edit the policy instead`,
      );
    }
    const payload: Record<string, unknown> = { ...(input.payload ?? {}) };
    if (type === 'message.show') {
      // The sender is whoever is signed in, not what the request claims.
      // Cut whole characters: half an emoji would be refused below as a lone surrogate.
      payload.from = toPlainText(actor.displayName, MESSAGE_FROM_MAX_LENGTH);
    }
    const checked = validateCommandPayload(type, payload);
    if (!checked.ok) {
      throw new BadRequestException(checked.errors.join('; '));
    }
    if (!hasAnyRole(actor, ['ict'])) {
      const lockReason =
        type === 'device.lock' ? (payload as { reason?: string }).reason : undefined;
      if (
        !TEACHER_COMMANDS.includes(type) ||
        (lockReason !== undefined && lockReason !== 'class')
      ) {
        throw new ForbiddenException(
          `Only ICT may send ${type}${lockReason ? ` with reason ${lockReason}` : ''}`,
        );
      }
    }
    let expiresAt: Date | null = null;
    if (input.expiresAt) {
      expiresAt = new Date(input.expiresAt);
      if (expiresAt <= this.clock.now()) {
        throw new BadRequestException('expiresAt must be in the future');
      }
    }
    return { type, payload, expiresAt };
  }

  /**
   * Queues a staff command for one device. 404 for an unknown device, 409 for a revoked one,
   * 403 when a stronger party owns the lock it would lift or replace (issue 8 item 6), and 403
   * for a teacher (not ICT) when it is not a tablet of a class they teach (`mustReach`).
   */
  async issueToDevice(
    actor: StaffPrincipal,
    deviceId: string,
    input: IssueCommandDto,
  ): Promise<CommandDto> {
    const request = this.checkStaffCommand(actor, input);
    await this.devices.mustFind(deviceId);
    // The reach is checked and the command queued in one transaction (see `mustReach`).
    const outcome = await this.tx.run(async (tx) => {
      await this.mustReach(tx, actor, [deviceId], null);
      return this.issueIn(tx, actor, [deviceId], request, null, { allOrNothing: true });
    });
    this.announceIssued(outcome);
    return outcome.commands[0];
  }

  /**
   * Queues a staff command for every active member of a group. Members whose lock a stronger
   * party owns are skipped and listed in `skipped` with the owner (issue 8 item 6, see
   * docs/decisions.md): their lock stays, which is what a class lock or unlock wants of them.
   * A teacher (not ICT) may command a group only when every active member is a tablet of a class
   * they teach (`mustReach`); otherwise 403 and nothing is queued.
   * @returns the group's id, how many commands were queued, their ids and devices, the skipped
   * @throws NotFoundException 404 for no such group; ForbiddenException 403 as above, or for a
   *   command the sender's roles may not send
   */
  async issueToGroup(actor: StaffPrincipal, groupId: string, input: IssueCommandDto) {
    const request = this.checkStaffCommand(actor, input);
    const group = await this.groups.mustFind(groupId);
    const deviceIds = await this.groups.activeMemberIds(groupId);
    // The reach is checked and the commands queued in one transaction, for exactly the devices
    // checked: a device that joins the group meanwhile is neither checked nor commanded.
    const outcome = await this.tx.run(async (tx) => {
      await this.mustReach(tx, actor, deviceIds, group);
      return this.issueIn(tx, actor, deviceIds, request, group);
    });
    this.announceIssued(outcome);
    return {
      groupId,
      count: outcome.commands.length,
      commands: outcome.commands.map((c) => ({ id: c.id, deviceId: c.deviceId })),
      skipped: outcome.refused.map(({ deviceId, owner }) => ({
        deviceId,
        lockOwner: owner,
        reason: refusalMessage(DESIRED_KIND[request.type] ?? 'lock', owner, [deviceId]),
      })),
    };
  }

  /**
   * Queues the same command for many devices: one transaction, bulk inserts. Inside it the
   * devices' rows are read (and locked) to leave out revoked ones and, for a lock-type command,
   * those whose lock a stronger party owns (issue 8 item 6): decided and written in one unit,
   * so nothing changes between the check and the write. With `allOrNothing` (one device asked
   * for by name), a left-out device is an error instead: 403 for a stronger lock, 409 revoked.
   * The same read gives the devices' names for the audit entries: no query per device.
   */
  async issue(
    actor: AuditActor,
    deviceIds: readonly string[],
    request: CommandRequest,
    group: { id: string; name: string } | null,
    options: { allOrNothing?: boolean } = {},
  ): Promise<IssueOutcome> {
    if (deviceIds.length === 0) {
      return { commands: [], refused: [], inactive: [] };
    }
    const issued = await this.tx.run((tx) =>
      this.issueIn(tx, actor, deviceIds, request, group, options),
    );
    this.announceIssued(issued);
    return issued;
  }

  /**
   * What `issue` does inside its transaction, in the caller's `tx` (issue 12: a class action
   * takes its sequence number and queues its commands in one transaction, so the order the
   * actions commit in is the order of their numbers). Call `announceIssued` once `tx` commits.
   */
  async issueIn(
    tx: Tx,
    actor: AuditActor,
    deviceIds: readonly string[],
    request: CommandRequest,
    group: { id: string; name: string } | null,
    options: { allOrNothing?: boolean } = {},
  ): Promise<IssueOutcome> {
    if (deviceIds.length === 0) {
      return { commands: [], refused: [], inactive: [] };
    }
    const kind = DESIRED_KIND[request.type];
    const current = await this.desired.readForUpdate(tx, deviceIds);
    const { allowed, left, gone } = decide(actor, deviceIds, request, current);
    if (options.allOrNothing && gone.length > 0) {
      throw new ConflictException('This device is revoked; re-enrol it first');
    }
    if (options.allOrNothing && left.length > 0) {
      throw new ForbiddenException(
        refusalMessage(
          kind ?? 'lock',
          left[0].owner,
          left.map((r) => r.deviceId),
        ),
      );
    }
    const rows = this.buildRows(actor, allowed, request, group?.id ?? null);
    await this.queue(tx, actor, rows, request, current, group?.name);
    return {
      commands: rows.map((row) => toCommandDto({ ...row, seq: 0 })),
      refused: left,
      inactive: gone,
    };
  }

  /**
   * `issueIn` for many requests at once, in the caller's `tx` (issue 12: the actions of a
   * hundred classes at the start of a lesson): one read of all their devices' rows, one retire
   * and one insert per command type, one desired-state write per request. The requests' devices
   * must not overlap (a device's commands keep their order only within one request). The audit
   * entries are returned per request, not written, so each is written in its own caller's context.
   * @throws Error when two requests share a device (a caller's mistake)
   */
  async issueManyIn(
    tx: Tx,
    items: ReadonlyArray<{
      actor: AuditActor;
      deviceIds: readonly string[];
      request: CommandRequest;
    }>,
  ): Promise<Array<{ outcome: IssueOutcome; audit: AuditRecord[] }>> {
    const all = items.flatMap((item) => item.deviceIds);
    if (new Set(all).size !== all.length) {
      throw new Error('issueManyIn: two requests share a device');
    }
    const current = all.length > 0 ? await this.desired.readForUpdate(tx, all) : new Map();
    const decided = items.map((item) => {
      const { allowed, left, gone } = decide(item.actor, item.deviceIds, item.request, current);
      return { item, left, gone, rows: this.buildRows(item.actor, allowed, item.request, null) };
    });
    const superseded = await this.write(
      tx,
      decided.map(({ item, rows }) => ({ actor: item.actor, rows, request: item.request })),
    );
    const out: Array<{ outcome: IssueOutcome; audit: AuditRecord[] }> = [];
    for (const { item, left, gone, rows } of decided) {
      const replaced = rows.flatMap((row) => superseded.get(row.deviceId) ?? []);
      out.push({
        outcome: {
          commands: rows.map((row) => toCommandDto({ ...row, seq: 0 })),
          refused: left,
          inactive: gone,
        },
        audit: auditRecordsOf(item.actor, rows, item.request, current, replaced),
      });
    }
    return out;
  }

  /** Tells staff and delivery about commands `issueIn` queued, once its transaction committed. */
  announceIssued(outcome: IssueOutcome): void {
    if (outcome.commands.length === 0) {
      return;
    }
    // Announced before delivery is woken, so staff see `pending` before `sent`.
    for (const command of outcome.commands) {
      this.events.emit('command.updated', {
        commandId: command.id,
        deviceId: command.deviceId,
        type: command.type,
        status: command.status,
      });
    }
    this.events.emit('commands.queued', {
      deviceIds: outcome.commands.map((command) => command.deviceId),
    });
  }

  buildRows(
    actor: AuditActor,
    deviceIds: readonly string[],
    request: CommandRequest,
    groupId: string | null,
  ): Omit<CommandEntity, 'seq'>[] {
    const now = this.clock.now();
    const payload = JSON.stringify(request.payload);
    // A message that names no expiry lapses after a day rather than waiting for ever for a device
    // that stays away (and then showing "tablets away now" weeks late).
    const expiresAt =
      request.expiresAt ??
      (request.type === 'message.show' ? new Date(now.getTime() + MESSAGE_EXPIRY_MS) : null);
    // Time-ordered ids (UUID version 7) land at the end of the id index, where random ones
    // touched most of its pages on every fan-out.
    return deviceIds.map((deviceId) => ({
      id: timeOrderedUuid(),
      deviceId,
      type: request.type,
      payload,
      status: 'pending' as CommandStatus,
      issuedAt: now,
      expiresAt,
      sentAt: null,
      answeredAt: null,
      nextAttemptAt: null,
      attempts: 0,
      detail: null,
      issuedByType: actor.kind === 'staff' ? 'staff' : 'system',
      issuedById: actor.kind === 'staff' ? actor.id : null,
      groupId,
    }));
  }

  /**
   * Inserts rows, their audit entries and the desired state they imply, inside `tx`. A lock or
   * unlock first retires the open, unsent locks and unlocks of the same devices, and likewise
   * for single-app locks (issue 8 item 8), so a `not_now` retried later cannot overtake it. The
   * desired state records its owner and the command that set it (items 6 and 7); a restore
   * (`request.restore`) leaves it as it is.
   *
   * @param devices the rows' devices' names, as the caller read them with the devices' rows:
   *   the audit entries name each device as it is now (issue 9). A command type the hub alone
   *   sends (`policy.apply`) is not audited per device and needs none.
   * @param groupName the group's name, for a command sent to a group
   */
  async queue(
    tx: Tx,
    actor: AuditActor,
    rows: Omit<CommandEntity, 'seq'>[],
    request: CommandRequest,
    devices: ReadonlyMap<string, DeviceNames>,
    groupName?: string,
  ): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    const superseded = await this.write(tx, [{ actor, rows, request }]);
    await this.audit.record(
      tx,
      ...auditRecordsOf(actor, rows, request, devices, [...superseded.values()].flat(), groupName),
    );
  }

  /**
   * Writes queued commands inside `tx`: first retires the open, unsent commands each one
   * replaces (SUPERSEDES; one statement per command type, whatever the number of requests), then
   * inserts every row, then sets the desired state they imply (one statement per kind).
   * @returns the commands retired, by device
   */
  private async write(
    tx: Tx,
    requests: ReadonlyArray<{
      actor: AuditActor;
      rows: ReadonlyArray<Omit<CommandEntity, 'seq'>>;
      request: CommandRequest;
    }>,
  ): Promise<Map<string, Array<{ id: string; deviceId: string; type: string }>>> {
    const superseded = new Map<string, Array<{ id: string; deviceId: string; type: string }>>();
    for (const type of new Set(requests.map((r) => r.request.type))) {
      const replaces = SUPERSEDES[type];
      const deviceIds = requests
        .filter((r) => r.request.type === type)
        .flatMap((r) => r.rows.map((row) => row.deviceId));
      if (!replaces || deviceIds.length === 0) {
        continue;
      }
      const now = this.clock.now();
      const detail = `replaced by a newer ${type}`;
      for (const old of await this.commands.supersedeOpen(tx, deviceIds, replaces, now, detail)) {
        superseded.set(old.deviceId, [...(superseded.get(old.deviceId) ?? []), old]);
      }
    }
    await this.commands.insertMany(
      tx,
      requests.flatMap((r) => r.rows),
    );
    const desiredByKind = new Map<DesiredKind, DesiredEntry[]>();
    for (const { actor, rows, request } of requests) {
      const desired = desiredOf(actor, request);
      if (desired) {
        const entries = desiredByKind.get(desired.kind) ?? [];
        desiredByKind.set(desired.kind, entries);
        for (const row of rows) {
          entries.push({ deviceId: row.deviceId, commandId: row.id, ...desired });
        }
      }
    }
    for (const [kind, entries] of desiredByKind) {
      await this.desired.setEach(tx, kind, entries);
    }
    return superseded;
  }

  /** Retires still-undelivered commands of a type for these devices (a newer one replaces them). */
  async supersede(
    tx: Tx,
    deviceIds: readonly string[],
    type: CommandType,
    detail: string,
  ): Promise<void> {
    await this.commands.supersedeOpen(tx, deviceIds, [type], this.clock.now(), detail);
  }

  /**
   * Cancels a device's open commands inside `tx` (status `cancelled`, one `command.cancelled`
   * audit entry each) because its enrolment ended: revoked (issue 8 item 21) or re-enrolled.
   * Its desired state is kept, to be re-asserted if it enrols again. Returns the cancelled ids.
   */
  async cancelOpenFor(
    tx: Tx,
    actor: AuditActor,
    device: AuditTarget,
    reason: 'revoked' | 'reenrolled',
  ): Promise<string[]> {
    const cancelled = await this.commands.cancelOpenForDevice(tx, device.id, this.clock.now());
    await this.audit.record(
      tx,
      ...cancelled.map((commandId) => ({
        actor,
        action: 'command.cancelled',
        target: device,
        detail: { commandId, reason },
      })),
    );
    return cancelled;
  }

  countByStatus(): Promise<Record<string, number>> {
    return this.commands.countByStatus();
  }

  countOpen(deviceId: string, types: readonly CommandType[]): Promise<number> {
    return this.commands.countOpenOfTypes(deviceId, types);
  }

  /**
   * A page of a device's commands, newest first, with their payloads' secrets redacted. ICT and
   * safeguarding (who reads every command in the audit log) read any device's; anyone else the
   * route lets in (a teacher) only a tablet of a class they teach, the same reach as their
   * commands: a colleague's loan laptop's messages and locks are not theirs to read.
   * @throws NotFoundException 404 for no such device
   * @throws ForbiddenException 403 "Teachers can see the commands only of the tablets of their own
   *   classes"
   */
  async listForDevice(
    actor: StaffPrincipal,
    deviceId: string,
    status: CommandStatus | undefined,
    page: number,
    pageSize: number,
  ) {
    await this.devices.mustFind(deviceId);
    if (!(await this.mayReadCommandsOf(actor, deviceId))) {
      throw new ForbiddenException(TEACHER_COMMANDS_READ_REFUSAL);
    }
    const [rows, total] = await this.commands.findPageForDevice(
      deviceId,
      status,
      (page - 1) * pageSize,
      pageSize,
    );
    return { items: rows.map(toCommandDto), total, page, pageSize };
  }

  /**
   * A device's open commands for its detail (`GET /api/devices/:id`): all of them for a reader
   * who may read its commands (`mayReadCommandsOf`), none for anyone else (the office, a trip
   * leader, a teacher reading a device that is not one of their tablets).
   */
  async pendingFor(deviceId: string, reader: StaffPrincipal): Promise<CommandDto[]> {
    if (!(await this.mayReadCommandsOf(reader, deviceId))) {
      return [];
    }
    return (await this.commands.openForDevice(deviceId)).map(toCommandDto);
  }

  /**
   * Whether `reader` may read a device's commands: ICT and safeguarding any device's; a teacher
   * only a tablet of a class they teach, the same reach as their commands; nobody else.
   */
  private async mayReadCommandsOf(reader: StaffPrincipal, deviceId: string): Promise<boolean> {
    if (hasAnyRole(reader, READ_ANY_COMMANDS_ROLES)) {
      return true;
    }
    if (!hasAnyRole(reader, ['teacher'])) {
      return false;
    }
    return (await this.teacherTablets().taughtBy(reader.id, [deviceId])).has(deviceId);
  }
}
