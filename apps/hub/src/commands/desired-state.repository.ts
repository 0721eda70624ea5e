// The desired lock and single app of each device, with their owners and the commands that set
// them. They live on the devices table, but the command queue alone writes them: issuing a lock
// or unlock, ending one whose command expired, restoring one a device reports lost.
import { Injectable } from '@nestjs/common';
import type { DeviceNames } from '../audit/audit-labels';
import { chunks } from '../database/chunks';
import { forUpdate } from '../database/row-lock';
import type { Tx } from '../database/transaction-runner';
import { DeviceEntity } from '../devices/device.entities';
import type { LockOwner } from './command.entity';

/**
 * A device's desired lock and single app, read to decide a command on them, and its names for
 * the audit entries of the commands queued (issue 9).
 */
export interface DesiredLocks extends DeviceNames {
  id: string;
  status: string;
  desiredLock: string | null;
  desiredLockOwner: LockOwner | null;
  desiredAppLock: string | null;
  desiredAppLockOwner: LockOwner | null;
}

/** Which of the two desired states a command sets. */
export type DesiredKind = 'lock' | 'appLock';

const COLUMNS: Record<DesiredKind, { value: string; owner: string; commandId: string }> = {
  lock: {
    value: 'desired_lock',
    owner: 'desired_lock_owner',
    commandId: 'desired_lock_command_id',
  },
  appLock: {
    value: 'desired_app_lock',
    owner: 'desired_app_lock_owner',
    commandId: 'desired_app_lock_command_id',
  },
};

/** What an ended desired state of each kind is set to. */
const ENDED: Record<DesiredKind, Partial<DeviceEntity>> = {
  lock: { desiredLock: null, desiredLockOwner: null, desiredLockCommandId: null },
  appLock: { desiredAppLock: null, desiredAppLockOwner: null, desiredAppLockCommandId: null },
};

/** One device's desired state of one kind, and the command that set it (`setEach`). */
export interface DesiredEntry {
  deviceId: string;
  commandId: string;
  value: string | null;
  owner: LockOwner | null;
}

@Injectable()
export class DesiredStateRepository {
  /**
   * Reads these devices' status, desired locks and names inside `tx`, locking their rows until it ends
   * (PostgreSQL; SQLite runs one transaction at a time): what is decided from them (who may
   * lift a lock, whether a restore is queued) stays true until the transaction commits.
   */
  async readForUpdate(tx: Tx, deviceIds: readonly string[]): Promise<Map<string, DesiredLocks>> {
    const found = new Map<string, DesiredLocks>();
    for (const part of chunks(deviceIds)) {
      const rows = await forUpdate(
        tx
          .createQueryBuilder(DeviceEntity, 'd')
          .select('d.id', 'id')
          .addSelect('d.status', 'status')
          .addSelect('d.desired_lock', 'desiredLock')
          .addSelect('d.desired_lock_owner', 'desiredLockOwner')
          .addSelect('d.desired_app_lock', 'desiredAppLock')
          .addSelect('d.desired_app_lock_owner', 'desiredAppLockOwner')
          .addSelect('d.name', 'name')
          .addSelect('d.asset_tag', 'assetTag')
          .addSelect('d.serial_number', 'serialNumber')
          .where('d.id IN (:...ids)', { ids: part }),
      ).getRawMany<DesiredLocks>();
      rows.forEach((row) => found.set(row.id, row));
    }
    return found;
  }

  /**
   * Sets one desired state of many devices: the same value and owner (null and null for an
   * unlock), and for each device the command that set it. See `setEach`.
   */
  set(
    tx: Tx,
    kind: DesiredKind,
    value: string | null,
    owner: LockOwner | null,
    commandIdByDevice: ReadonlyMap<string, string>,
  ): Promise<void> {
    return this.setEach(
      tx,
      kind,
      [...commandIdByDevice].map(([deviceId, commandId]) => ({
        deviceId,
        commandId,
        value,
        owner,
      })),
    );
  }

  /**
   * Sets one desired state of many devices, each with its own value, owner (null and null for an
   * unlock) and the command that set it (a hundred classes' locks at once, issue 12). One
   * statement per chunk, the rows joined as a VALUES list (as presence is written; SQLite and
   * PostgreSQL alike).
   */
  async setEach(tx: Tx, kind: DesiredKind, entries: readonly DesiredEntry[]): Promise<void> {
    const columns = COLUMNS[kind];
    const driver = tx.connection.driver;
    for (const part of chunks(entries, 100)) {
      const params: unknown[] = [];
      const slot = (param: unknown) => {
        params.push(param);
        return driver.createParameter(`p${params.length}`, params.length - 1);
      };
      const rows = part.map(
        (entry) =>
          `(${slot(entry.deviceId)}, ${slot(entry.commandId)}, ${slot(entry.value)}, ${slot(entry.owner)})`,
      );
      await tx.query(
        `UPDATE devices SET ${columns.value} = v.column3, ${columns.owner} = v.column4,
           ${columns.commandId} = v.column2
         FROM (VALUES ${rows.join(', ')}) AS v WHERE devices.id = v.column1`,
        params,
      );
    }
  }

  /**
   * Ends the desired states that these commands set, where no newer command has set them since
   * (issue 8 item 7: a lock whose command expired undelivered must not be restored for ever).
   * One conditional statement per kind and chunk: a newer command's state is left alone.
   */
  async endSetBy(tx: Tx, commands: readonly { id: string; deviceId: string }[]): Promise<void> {
    for (const part of chunks(commands)) {
      const deviceIds = [...new Set(part.map((c) => c.deviceId))];
      const commandIds = part.map((c) => c.id);
      for (const kind of Object.keys(COLUMNS) as DesiredKind[]) {
        await tx
          .createQueryBuilder()
          .update(DeviceEntity)
          .set(ENDED[kind])
          .where(`id IN (:...deviceIds) AND ${COLUMNS[kind].commandId} IN (:...commandIds)`, {
            deviceIds,
            commandIds,
          })
          .execute();
      }
    }
  }
}
