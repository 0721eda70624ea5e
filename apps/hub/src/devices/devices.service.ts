// Device records: who is enrolled, who is online, what each device reported and what staff
// want in force; revocation. The link's connect/disconnect/state events pass through here.
import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { DeviceState } from '@app/devices';
import { AuditTarget, deviceTarget } from '../audit/audit-labels';
import { AuditActor, AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { groupBy } from '../common/group-by';
import { DeviceSnapshot, HubEvents } from '../common/hub-events';
import { HubInstance } from '../common/hub-instance';
import { InOrderPerKey } from '../common/in-order';
import type { StaffPrincipal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { BatchLoader } from '../database/batch-loader';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import {
  DeviceConnections,
  DeviceNamespace,
  DeviceSocket,
  deviceRoom,
  groupRoom,
} from './device-connections';
import { assetTagTaken, isAssetTagClash } from './asset-tag-taken';
import { DeviceEntity } from './device.entities';
import { DeviceFilter, DevicesRepository } from './devices.repository';
import { DeviceDto, UpdateDeviceDto } from './dto/device.dto';
import type { DeviceComplianceDto } from './dto/device-compliance.dto';
import { PresenceWriter } from './presence.writer';

/** What the devices module asks of the command queue; provided by commands. */
export abstract class DeviceCommandsReader {
  /**
   * A device's open commands as `reader` may read them: every one for a reader who may read the
   * device's commands (GET /api/devices/:id/commands), none for anyone else.
   */
  abstract pendingFor(deviceId: string, reader: StaffPrincipal): Promise<unknown[]>;
  /**
   * Cancels a device's open commands inside `tx` and audits each (issue 8 item 21), naming the
   * device by `device` (its `deviceTarget`).
   */
  abstract cancelOpenFor(
    tx: Tx,
    actor: AuditActor,
    device: AuditTarget,
    reason: 'revoked' | 'reenrolled',
  ): Promise<string[]>;
}

export function toDeviceDto(device: DeviceEntity, online: boolean): DeviceDto {
  const lock = device.desiredLock
    ? (JSON.parse(device.desiredLock) as { message?: string; reason: string })
    : null;
  return {
    id: device.id,
    serialNumber: device.serialNumber,
    platform: device.platform,
    model: device.model,
    osVersion: device.osVersion,
    name: device.name,
    assetTag: device.assetTag,
    status: device.status,
    online,
    lastSeenAt: device.lastSeenAt?.toISOString() ?? null,
    enrolledAt: device.enrolledAt.toISOString(),
    revokedAt: device.revokedAt?.toISOString() ?? null,
    reportedState: device.reportedState
      ? (JSON.parse(device.reportedState) as Record<string, unknown>)
      : null,
    reportedAt: device.reportedAt?.toISOString() ?? null,
    desiredState: {
      locked: lock !== null,
      lock,
      appLock: device.desiredAppLock,
      lockOwner: lock !== null ? device.desiredLockOwner : null,
      appLockOwner: device.desiredAppLock !== null ? device.desiredAppLockOwner : null,
    },
    compliance: toDeviceComplianceDto(device),
  };
}

/**
 * A device's compliance as staff see it. `partial` comes with the settings the device said it
 * could not enforce (protocol 1.1); every other status has an empty list.
 */
export function toDeviceComplianceDto(
  device: Pick<
    DeviceEntity,
    | 'policyStatus'
    | 'desiredPolicyVersion'
    | 'policyUnenforced'
    | 'policyDetail'
    | 'policyChangedAt'
  >,
): DeviceComplianceDto {
  return {
    status: device.policyStatus ?? 'none',
    desiredVersion: device.desiredPolicyVersion,
    unenforced:
      device.policyStatus === 'partial' && device.policyUnenforced
        ? (JSON.parse(device.policyUnenforced) as string[])
        : [],
    detail: device.policyDetail,
    since: device.policyChangedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class DevicesService {
  private readonly logger = new Logger(DevicesService.name);
  // Device reads asked for in the same tick are answered by one query per kind.
  /** What the state handlers need of each reporting device. */
  private readonly reportsInOrder = new InOrderPerKey<string>();
  private readonly snapshotReads = new BatchLoader<string, DeviceSnapshot | null>(
    (ids) => this.devices.snapshots(ids),
    null,
  );
  /** Whole device rows (the proof check needs the certificate). */
  private readonly deviceReads = new BatchLoader<string, DeviceEntity | null>(async (ids) => {
    const devices = await this.devices.findByIds(ids);
    return new Map(devices.map((device) => [device.id, device]));
  }, null);
  /** The groups each connecting device is in. */
  private readonly groupReads = new BatchLoader<string, string[]>(async (ids) => {
    const byDevice = groupBy(await this.devices.memberships(ids), (row) => row.deviceId);
    return new Map([...byDevice].map(([deviceId, rows]) => [deviceId, rows.map((r) => r.groupId)]));
  }, []);

  constructor(
    private readonly devices: DevicesRepository,
    private readonly connections: DeviceConnections,
    private readonly presence: PresenceWriter,
    private readonly events: HubEvents,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly moduleRef: ModuleRef,
    private readonly instance: HubInstance,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  attachNamespace(namespace: DeviceNamespace): void {
    this.connections.attach(namespace);
  }

  async deviceConnected(socket: DeviceSocket): Promise<void> {
    const deviceId = socket.data.deviceId;
    const groupIds = await this.groupReads.load(deviceId);
    if (socket.disconnected) {
      return;
    }
    await socket.join([deviceRoom(deviceId), ...groupIds.map(groupRoom)]);
    if (!this.connections.add(deviceId, socket, this.instance.id)) {
      return; // a newer connection of the device is on another hub of the cluster
    }
    this.presence.record({ deviceId, online: true, lastSeenAt: this.clock.now() });
    if (this.config.cluster) {
      // Any older connection of the device to another hub is dropped there (hub-peers.ts).
      this.events.emit('devices.claimed', {
        hubId: this.instance.id,
        deviceIds: [deviceId],
        connectedAt: [socket.handshake.issued],
      });
    }
    this.events.emit('device.connected', { deviceId });
  }

  /**
   * Whether staff see the device online: connected here, or, in a cluster, recorded online by
   * the other hub that holds it (that hub's presence writes, swept when it dies).
   */
  shownOnline(device: Pick<DeviceEntity, 'id' | 'online' | 'hubId'>): boolean {
    return (
      this.connections.isConnected(device.id) ||
      (this.config.cluster !== null && device.online && device.hubId !== this.instance.id)
    );
  }

  deviceDisconnected(socket: DeviceSocket): void {
    const deviceId = socket.data.deviceId;
    if (deviceId && this.connections.remove(deviceId, socket)) {
      this.presence.record({ deviceId, online: false, lastSeenAt: this.clock.now() });
      this.events.emit('device.disconnected', { deviceId });
    }
  }

  /**
   * A device's state report as it arrives (protocol section 3). Its presence goes with the next
   * batch of presence writes; `device.state` follows once the device's row is read, a device's
   * reports in the order they came.
   *
   * @param receivedMark when the report's packet was read (`performance.now()`, ms): orders it
   *   against the device's command answers (`device.state`'s `receivedMark`)
   */
  async stateReported(deviceId: string, state: DeviceState, receivedMark: number): Promise<void> {
    const now = this.clock.now();
    this.presence.record({
      deviceId,
      online: true,
      lastSeenAt: now,
      reportedState: JSON.stringify(state),
      reportedAt: now,
    });
    // Reported in the order the device sent them, though their reads may finish in any order.
    await this.reportsInOrder.run(deviceId, this.snapshotReads.load(deviceId), (device) => {
      if (device) {
        this.events.emit('device.state', {
          deviceId,
          state,
          device,
          receivedAt: now,
          receivedMark,
        });
      }
    });
  }

  /** A device's row, read together with the others asked for in the same tick. */
  readSoon(deviceId: string): Promise<DeviceEntity | null> {
    return this.deviceReads.load(deviceId);
  }

  isConnected(deviceId: string): boolean {
    return this.connections.isConnected(deviceId);
  }

  async list(filter: DeviceFilter, page: number, pageSize: number) {
    await this.presence.flush();
    const [devices, total] = await this.devices.findPage(filter, (page - 1) * pageSize, pageSize);
    return {
      items: devices.map((device) => toDeviceDto(device, this.shownOnline(device))),
      total,
      page,
      pageSize,
    };
  }

  async mustFind(id: string): Promise<DeviceEntity> {
    const device = await this.devices.findById(id);
    if (!device) {
      throw new NotFoundException(`No device ${id}`);
    }
    return device;
  }

  /**
   * A device for `reader`: its record, state, groups and compliance, and its open commands when
   * `reader` may read that device's commands (ICT; a teacher for their classes' tablets), else an
   * empty list: the office or a teacher reading a colleague's laptop is not shown the messages
   * and locks waiting for it, which its commands route refuses them.
   * @throws NotFoundException 404 for no such device
   */
  async get(id: string, reader: StaffPrincipal) {
    await this.presence.flush();
    const device = await this.mustFind(id);
    const groupIds = await this.devices.groupIdsOf(id);
    const pendingCommands = await this.moduleRef
      .get(DeviceCommandsReader, { strict: false })
      .pendingFor(id, reader);
    return { ...toDeviceDto(device, this.shownOnline(device)), groupIds, pendingCommands };
  }

  /**
   * Renames a device or changes its asset tag, writing and auditing only the fields given that
   * differ from what the device has.
   *
   * @returns the device as it is now
   * @throws NotFoundException 404 for an unknown id
   * @throws ConflictException 409 `Asset tag "OAK-07" is already on …` when another active device
   *   has the tag in any case (`tagKeyOf`); the unique key on active devices' tags decides a race
   */
  async update(actor: StaffPrincipal, id: string, input: UpdateDeviceDto): Promise<DeviceDto> {
    // Read in the transaction that writes, its row locked: what the change is compared with, and
    // what the audit log says it was before, is the device as it is (a re-enrolment may have
    // renamed it a moment ago), not as it was before the transaction began.
    const { device, changes } = await this.tx.run(async (tx) => {
      const found = await this.devices.findForUpdate(tx, id);
      if (!found) {
        throw new NotFoundException(`No device ${id}`);
      }
      const changed: Partial<DeviceEntity> = {};
      if (input.name !== undefined && input.name.trim() !== found.name) {
        changed.name = input.name.trim();
      }
      if (input.assetTag !== undefined && input.assetTag.trim() !== found.assetTag) {
        changed.assetTag = input.assetTag.trim();
      }
      if (Object.keys(changed).length === 0) {
        // Nothing to write (an UPDATE with no columns is a database error, once a 500), nothing
        // to audit (a save with nothing edited is not a change): the device as it is.
        return { device: found, changes: changed };
      }
      if (changed.assetTag) {
        const holder = await this.devices.findActiveByTag(changed.assetTag, id);
        if (holder && found.status === 'active') {
          throw assetTagTaken(changed.assetTag, holder);
        }
      }
      await this.devices.updateDevice(tx, id, changed).catch(async (error: unknown) => {
        if (changed.assetTag && isAssetTagClash(error)) {
          throw assetTagTaken(
            changed.assetTag,
            await this.devices.findActiveByTag(changed.assetTag, id),
          );
        }
        throw error;
      });
      await this.audit.record(tx, {
        actor,
        action: 'device.updated',
        // Named as it is now; what it was called before is in the detail.
        target: deviceTarget({ ...found, ...changed }),
        detail: {
          changed: Object.keys(changed),
          previous: Object.fromEntries(
            (Object.keys(changed) as ('name' | 'assetTag')[]).map((key) => [key, found[key]]),
          ),
        },
      });
      return { device: found, changes: changed };
    });
    return toDeviceDto({ ...device, ...changes }, this.shownOnline(device));
  }

  /**
   * Revokes a device: its certificate is refused from now on, its open commands are cancelled
   * and a live connection is dropped.
   *
   * The device is read inside the transaction that revokes it, its row locked (`findForUpdate`),
   * so the certificate recorded as revoked, and the names the answer and the audit log give it,
   * are those it holds at that moment: a re-enrolment racing it either commits first (and its
   * new certificate is the one revoked) or waits and then finds the device revoked (409).
   *
   * @returns the device as revoked
   * @throws NotFoundException 404 for an unknown id
   * @throws ConflictException 409 when the device is already revoked
   */
  async revoke(actor: StaffPrincipal, id: string): Promise<DeviceDto> {
    const now = this.clock.now();
    const device = await this.tx.run(async (tx) => {
      const found = await this.devices.findForUpdate(tx, id);
      if (!found) {
        throw new NotFoundException(`No device ${id}`);
      }
      // Conditional as well: of two revocations at once, one wins and the other is told, rather
      // than both writing and auditing.
      if (found.status === 'revoked' || !(await this.devices.revokeDevice(tx, id, now))) {
        throw new ConflictException('This device is already revoked');
      }
      await this.devices.insertRevokedCertificate(tx, {
        serial: found.certificateSerial,
        deviceId: id,
        reason: 'revoked',
        revokedAt: now,
      });
      // Nothing queued for this enrolment may ever reach a device again (issue 8 item 21).
      const cancelled = await this.moduleRef
        .get(DeviceCommandsReader, { strict: false })
        .cancelOpenFor(tx, actor, deviceTarget(found), 'revoked');
      await this.audit.record(tx, {
        actor,
        action: 'device.revoked',
        target: deviceTarget(found),
        detail: {
          serialNumber: found.serialNumber,
          ...(cancelled.length > 0 ? { cancelledCommands: cancelled.length } : {}),
        },
      });
      return found;
    });
    this.connections.disconnect(id);
    this.events.emit('device.revoked', { deviceId: id });
    return toDeviceDto({ ...device, status: 'revoked', revokedAt: now }, false);
  }
}
