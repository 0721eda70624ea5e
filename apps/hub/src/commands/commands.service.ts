// Issuing commands: checks who may send what, writes one row per device in one transaction
// with its audit entries and the devices' new desired state, then wakes the delivery.
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
} from '@nestjs/common';
import { v7 as timeOrderedUuid } from 'uuid';
import { CommandType, validateCommandPayload } from '@app/devices';
import { AuditActor, AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { HubEvents } from '../common/hub-events';
import { hasAnyRole, StaffPrincipal } from '../common/roles';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { DeviceCommandsReader, DevicesService } from '../devices/devices.service';
import { DevicesRepository } from '../devices/devices.repository';
import { GroupsService } from '../devices/groups.service';
import { CommandEntity, CommandStatus, HUB_ONLY_COMMANDS } from './command.entity';
import { CommandsRepository } from './commands.repository';
import { CommandDto, IssueCommandDto } from './dto/command.dto';

/** What a teacher may do to a class's devices; everything else is ICT's. */
const TEACHER_COMMANDS: readonly CommandType[] = [
  'device.lock',
  'device.unlock',
  'app.lock',
  'app.unlock',
  'message.show',
  'photos.sync',
];

export function toCommandDto(command: CommandEntity): CommandDto {
  return {
    id: command.id,
    deviceId: command.deviceId,
    type: command.type,
    payload: JSON.parse(command.payload) as Record<string, unknown>,
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
}

@Injectable()
export class CommandsService extends DeviceCommandsReader {
  constructor(
    private readonly commands: CommandsRepository,
    private readonly devices: DevicesService,
    private readonly devicesRepository: DevicesRepository,
    private readonly groups: GroupsService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly events: HubEvents,
    private readonly clock: Clock,
  ) {
    super();
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
      payload.from = actor.displayName.slice(0, 100);
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

  async issueToDevice(
    actor: StaffPrincipal,
    deviceId: string,
    input: IssueCommandDto,
  ): Promise<CommandDto> {
    const request = this.checkStaffCommand(actor, input);
    const device = await this.devices.mustFind(deviceId);
    if (device.status !== 'active') {
      throw new ConflictException('This device is revoked; re-enrol it first');
    }
    const [command] = await this.issue(actor, [deviceId], request, null);
    return command;
  }

  async issueToGroup(actor: StaffPrincipal, groupId: string, input: IssueCommandDto) {
    const request = this.checkStaffCommand(actor, input);
    await this.groups.mustFind(groupId);
    const deviceIds = await this.groups.activeMemberIds(groupId);
    const commands = await this.issue(actor, deviceIds, request, groupId);
    return {
      groupId,
      count: commands.length,
      commands: commands.map((c) => ({ id: c.id, deviceId: c.deviceId })),
    };
  }

  /** Queues the same command for many devices: one transaction, bulk inserts. */
  async issue(
    actor: StaffPrincipal | { kind: 'system' },
    deviceIds: readonly string[],
    request: CommandRequest,
    groupId: string | null,
  ): Promise<CommandDto[]> {
    if (deviceIds.length === 0) {
      return [];
    }
    const rows = this.buildRows(actor, deviceIds, request, groupId);
    await this.tx.run(async (tx) => {
      await this.queue(tx, actor, rows, request);
    });
    this.events.emit('commands.queued', { deviceIds });
    return rows.map((row) => toCommandDto({ ...row, seq: 0 }));
  }

  buildRows(
    actor: AuditActor,
    deviceIds: readonly string[],
    request: CommandRequest,
    groupId: string | null,
  ): Omit<CommandEntity, 'seq'>[] {
    const now = this.clock.now();
    const payload = JSON.stringify(request.payload);
    // Time-ordered ids (UUID version 7) land at the end of the id index, where random ones
    // touched most of its pages on every fan-out.
    return deviceIds.map((deviceId) => ({
      id: timeOrderedUuid(),
      deviceId,
      type: request.type,
      payload,
      status: 'pending' as CommandStatus,
      issuedAt: now,
      expiresAt: request.expiresAt,
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

  /** Inserts rows, their audit entries and the desired state they imply, inside `tx`. */
  async queue(
    tx: Tx,
    actor: AuditActor,
    rows: Omit<CommandEntity, 'seq'>[],
    request: CommandRequest,
  ): Promise<void> {
    await this.commands.insertMany(tx, rows);
    const deviceIds = rows.map((row) => row.deviceId);
    switch (request.type) {
      case 'device.lock':
        await this.devicesRepository.setDesired(tx, deviceIds, {
          desiredLock: JSON.stringify(request.payload),
        });
        break;
      case 'device.unlock':
        await this.devicesRepository.setDesired(tx, deviceIds, { desiredLock: null });
        break;
      case 'app.lock':
        await this.devicesRepository.setDesired(tx, deviceIds, {
          desiredAppLock: String(request.payload.appId),
        });
        break;
      case 'app.unlock':
        await this.devicesRepository.setDesired(tx, deviceIds, { desiredAppLock: null });
        break;
      default:
        break;
    }
    if (HUB_ONLY_COMMANDS.includes(request.type)) {
      return; // the change that made them has its own audit entry
    }
    await this.audit.record(
      tx,
      ...rows.map((row) => ({
        actor,
        action: 'command.issued',
        targetType: 'device',
        targetId: row.deviceId,
        detail: {
          commandId: row.id,
          type: row.type,
          groupId: row.groupId ?? undefined,
          expiresAt: row.expiresAt?.toISOString(),
        },
      })),
    );
  }

  /** Retires still-undelivered commands of a type for these devices (a newer one replaces them). */
  supersede(
    tx: Tx,
    deviceIds: readonly string[],
    type: CommandType,
    detail: string,
  ): Promise<void> {
    return this.commands.supersedeOpen(tx, deviceIds, type, this.clock.now(), detail);
  }

  countByStatus(): Promise<Record<string, number>> {
    return this.commands.countByStatus();
  }

  countOpen(deviceId: string, types: readonly CommandType[]): Promise<number> {
    return this.commands.countOpenOfTypes(deviceId, types);
  }

  async listForDevice(
    deviceId: string,
    status: CommandStatus | undefined,
    page: number,
    pageSize: number,
  ) {
    await this.devices.mustFind(deviceId);
    const [rows, total] = await this.commands.findPageForDevice(
      deviceId,
      status,
      (page - 1) * pageSize,
      pageSize,
    );
    return { items: rows.map(toCommandDto), total, page, pageSize };
  }

  async pendingFor(deviceId: string): Promise<CommandDto[]> {
    return (await this.commands.openForDevice(deviceId)).map(toCommandDto);
  }
}
