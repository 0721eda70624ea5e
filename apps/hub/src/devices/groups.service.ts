// Device groups (a class set of iPads, the loan laptops, a trip kit) and their members.
import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { deviceLabel, groupTarget } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { HubEvents } from '../common/hub-events';
import type { StaffPrincipal } from '../common/roles';
import { TransactionRunner } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { DeviceConnections } from './device-connections';
import { DeviceGroupEntity } from './device.entities';
import { DevicesRepository } from './devices.repository';
import { CreateGroupDto, GroupDto, UpdateGroupDto } from './dto/device.dto';
import { nameKeyOf, nameSortKeyOf } from '@app/hub-api';

/** The 409 for a group name taken (in any case or spacing), naming the group that has it. */
export function groupNameTaken(name: string): ConflictException {
  return new ConflictException(`A group named "${name}" already exists`);
}

export function toGroupDto(group: DeviceGroupEntity, members: number): GroupDto {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    members,
    createdAt: group.createdAt.toISOString(),
    updatedAt: group.updatedAt.toISOString(),
  };
}

@Injectable()
export class GroupsService {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly connections: DeviceConnections,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: HubEvents,
  ) {}

  /**
   * A unique violation on a group's name key is a taken name: 409 naming the group that has it
   * (as it is written, which may differ from `name` in case or spacing), not 500. The unique
   * index decides, so two requests at once give one group and one 409 (issue 8 item 3).
   */
  private async rethrowNameClash(error: unknown, name: string): Promise<never> {
    if (isUniqueViolation(error, 'name')) {
      const holder = await this.devices.findGroupByName(name);
      throw groupNameTaken(holder?.name ?? name);
    }
    throw error;
  }

  /**
   * Creates a group named as typed (trimmed). Names are told apart as a school reads them
   * (`nameKeyOf`: "Year 5", "year 5" and "Year  5" are one name).
   *
   * @throws ConflictException 409 `A group named "Year 5" already exists` when another group has
   *   the name, even one created by a request at the same moment
   */
  async create(actor: StaffPrincipal, input: CreateGroupDto): Promise<GroupDto> {
    const name = input.name.trim();
    const now = this.clock.now();
    const group: DeviceGroupEntity = {
      id: randomUUID(),
      name,
      nameKey: nameKeyOf(name),
      nameSortKey: nameSortKeyOf(name),
      description: input.description?.trim() ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await this.tx
      .run(async (tx) => {
        await this.devices.insertGroup(tx, group);
        await this.audit.record(tx, {
          actor,
          action: 'group.created',
          target: groupTarget(group),
          detail: { name },
        });
      })
      .catch((error: unknown) => this.rethrowNameClash(error, name));
    return toGroupDto(group, 0);
  }

  async list(): Promise<GroupDto[]> {
    return (await this.devices.listGroupsWithCounts()).map(({ group, members }) =>
      toGroupDto(group, members),
    );
  }

  async mustFind(id: string): Promise<DeviceGroupEntity> {
    const group = await this.devices.findGroup(id);
    if (!group) {
      throw new NotFoundException(`No group ${id}`);
    }
    return group;
  }

  async get(id: string) {
    const group = await this.mustFind(id);
    const memberIds = await this.devices.memberIds(id, false);
    return { ...toGroupDto(group, memberIds.length), deviceIds: memberIds };
  }

  /**
   * Renames or re-describes a group, writing only the fields given that differ from what the
   * group has: two edits at once of different fields both stand (issue 8 item 3), and an edit
   * that changes nothing (a save with nothing edited, a PATCH of `{}`) writes nothing and
   * audits nothing.
   *
   * @returns the group as it is now, with its number of active members
   * @throws NotFoundException 404 for no such group
   * @throws ConflictException 409 for a name another group has (in any case or spacing)
   */
  async update(actor: StaffPrincipal, id: string, input: UpdateGroupDto): Promise<GroupDto> {
    const changes: Partial<Pick<DeviceGroupEntity, 'name' | 'description' | 'updatedAt'>> = {};
    const group = await this.tx
      .run(async (tx) => {
        const current = await this.devices.findGroupIn(tx, id);
        if (!current) {
          throw new NotFoundException(`No group ${id}`);
        }
        if (input.name !== undefined && input.name.trim() !== current.name) {
          changes.name = input.name.trim();
        }
        // No description and an empty one read the same.
        if (
          input.description !== undefined &&
          input.description.trim() !== (current.description ?? '')
        ) {
          changes.description = input.description.trim();
        }
        if (Object.keys(changes).length === 0) {
          return current;
        }
        changes.updatedAt = this.clock.now();
        if (!(await this.devices.updateGroup(tx, id, changes))) {
          throw new NotFoundException(`No group ${id}`);
        }
        const updated = (await this.devices.findGroupIn(tx, id)) as DeviceGroupEntity;
        await this.audit.record(tx, {
          actor,
          action: 'group.updated',
          target: groupTarget(updated),
          detail: {
            changed: Object.keys(changes).filter((key) => key !== 'updatedAt'),
            ...(changes.name !== undefined ? { name: changes.name } : {}),
          },
        });
        return updated;
      })
      .catch((error: unknown) => this.rethrowNameClash(error, changes.name ?? ''));
    return toGroupDto(group, (await this.devices.memberIds(id, false)).length);
  }

  async addMembers(actor: StaffPrincipal, id: string, deviceIds: string[]) {
    const group = await this.mustFind(id);
    const found = new Set((await this.devices.findByIds(deviceIds)).map((device) => device.id));
    const unknown = deviceIds.filter((deviceId) => !found.has(deviceId));
    if (unknown.length > 0) {
      throw new BadRequestException(
        `deviceIds: no such devices: ${unknown.slice(0, 10).join(', ')}`,
      );
    }
    // Only the devices that were not members yet are added and audited: adding one twice, or
    // two people adding it at once, changes nothing the second time and writes no second entry.
    const added = await this.tx.run(async (tx) => {
      const taken = await this.devices.addMembers(tx, id, deviceIds, this.clock.now());
      if (taken.length > 0) {
        await this.audit.record(tx, {
          actor,
          action: 'group.members_added',
          target: groupTarget(group),
          detail: { count: taken.length },
        });
      }
      return taken;
    });
    if (added.length > 0) {
      await this.connections.joinGroup(added, id, true);
      this.events.emit('group.members.changed', { groupId: id, deviceIds: added });
    }
    return this.get(id);
  }

  async removeMember(actor: StaffPrincipal, id: string, deviceId: string): Promise<void> {
    const group = await this.mustFind(id);
    const device = (await this.devices.namesOf([deviceId])).get(deviceId);
    await this.tx.run(async (tx) => {
      if (!(await this.devices.removeMember(tx, id, deviceId))) {
        throw new NotFoundException(`Device ${deviceId} is not in this group`);
      }
      await this.audit.record(tx, {
        actor,
        action: 'group.member_removed',
        target: groupTarget(group),
        detail: { deviceId, ...(device ? { device: deviceLabel(device) } : {}) },
      });
    });
    await this.connections.joinGroup([deviceId], id, false);
    this.events.emit('group.members.changed', { groupId: id, deviceIds: [deviceId] });
  }

  /** The active devices in a group, for commands and policies. */
  activeMemberIds(id: string): Promise<string[]> {
    return this.devices.memberIds(id, true);
  }
}
