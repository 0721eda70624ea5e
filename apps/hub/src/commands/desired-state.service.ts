// Keeps what staff asked for in force: when a device reports a lock or single-app state that
// differs from its desired state, the hub queues the command that restores it, so a lock
// survives a reconnection, a reboot or a pulled cable.
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { DeviceState } from '@app/devices';
import type { DeviceSnapshot } from '../common/hub-events';
import { HubEvents } from '../common/hub-events';
import { Clock } from '../common/clock';
import { Tx, TransactionRunner } from '../database/transaction-runner';
import { CommandDeliveryService } from './command-delivery.service';
import { CommandsRepository } from './commands.repository';
import { CommandRequest, CommandsService } from './commands.service';
import { DesiredStateRepository } from './desired-state.repository';

const SYSTEM = { kind: 'system' as const };
const LOCK_TYPES = ['device.lock', 'device.unlock'];
const APP_LOCK_TYPES = ['app.lock', 'app.unlock'];

/**
 * How long a device that answered a lock (or single-app) command with `error` is left before the
 * desired state is restored again, in ms. A device that cannot lock reports its state on every
 * change (battery, network): without this each report queued one more restore that failed the
 * same way, without end.
 */
export const RESTORE_AFTER_ERROR_MS = 10 * 60_000;

@Injectable()
export class DesiredStateService implements OnModuleInit {
  constructor(
    private readonly commands: CommandsRepository,
    private readonly desired: DesiredStateRepository,
    private readonly issuer: CommandsService,
    private readonly tx: TransactionRunner,
    private readonly events: HubEvents,
    private readonly delivery: CommandDeliveryService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.events.on('device.state', ({ deviceId, state, device, receivedMark }) =>
      this.reconcile(deviceId, state, device, receivedMark),
    );
  }

  /**
   * Queues the commands that put back a device's desired lock and single app, where its report
   * differs and no lock (or single-app) command is already open for it. The desired state, the
   * open commands and the insert are read and written in one transaction, with the device's
   * row locked: two reports at once queue one restore, not two (issue 8 item 3). The snapshot
   * only saves the transaction when nothing differs. A report that came before the device
   * answered a command of the kind (`receivedMark`, CommandDeliveryService.answeredSince) shows
   * the device before it acted: that kind is left to the report the device sends after it.
   *
   * @param receivedMark when the report arrived here (`device.state`'s `receivedMark`)
   */
  async reconcile(
    deviceId: string,
    state: DeviceState,
    device: DeviceSnapshot,
    receivedMark: number,
  ): Promise<void> {
    if (
      device.status !== 'active' ||
      ((device.desiredLock !== null) === state.locked &&
        (device.desiredAppLock ?? null) === (state.appLock ?? null))
    ) {
      return;
    }
    // A report judged before the answer just ahead of it is written would see that command
    // still open and restore nothing: a lock answered and then undone on the device at once
    // would stay undone (issue 10, PostgreSQL).
    await this.delivery.answersWritten(deviceId);
    const queued = await this.tx.run(async (tx) => {
      const current = (await this.desired.readForUpdate(tx, [deviceId])).get(deviceId);
      if (!current || current.status !== 'active') {
        return false;
      }
      const restores: CommandRequest[] = [];
      const wantLocked = current.desiredLock !== null;
      // Asked after the open commands are read: an answer written before that read had come
      // before it, and is known here.
      if (
        wantLocked !== state.locked &&
        (await this.mayRestore(tx, deviceId, LOCK_TYPES)) &&
        !this.delivery.answeredSince(deviceId, LOCK_TYPES, receivedMark)
      ) {
        restores.push(
          wantLocked
            ? {
                type: 'device.lock',
                payload: JSON.parse(current.desiredLock as string) as Record<string, unknown>,
                expiresAt: null,
                restore: true,
              }
            : { type: 'device.unlock', payload: {}, expiresAt: null, restore: true },
        );
      }
      const wantApp = current.desiredAppLock;
      if (
        (wantApp ?? null) !== (state.appLock ?? null) &&
        (await this.mayRestore(tx, deviceId, APP_LOCK_TYPES)) &&
        !this.delivery.answeredSince(deviceId, APP_LOCK_TYPES, receivedMark)
      ) {
        restores.push(
          wantApp
            ? { type: 'app.lock', payload: { appId: wantApp }, expiresAt: null, restore: true }
            : { type: 'app.unlock', payload: {}, expiresAt: null, restore: true },
        );
      }
      const names = new Map([[deviceId, current]]);
      for (const request of restores) {
        await this.issuer.queue(
          tx,
          SYSTEM,
          this.issuer.buildRows(SYSTEM, [deviceId], request, null),
          request,
          names,
        );
      }
      return restores.length > 0;
    });
    if (queued) {
      this.events.emit('commands.queued', { deviceIds: [deviceId] });
    }
  }

  /**
   * Whether a restore of these types may be queued for the device: none of them is open, and the
   * newest was not answered `error` less than RESTORE_AFTER_ERROR_MS ago (at most one failing
   * restore per device and kind in that time, however often the device reports).
   */
  private async mayRestore(tx: Tx, deviceId: string, types: readonly string[]): Promise<boolean> {
    if ((await this.commands.countOpenOfTypes(deviceId, types, tx)) > 0) {
      return false;
    }
    const failedAt = await this.commands.newestErrorAnswerOfTypes(deviceId, types, tx);
    return failedAt === null || this.clock.nowMs() - failedAt.getTime() >= RESTORE_AFTER_ERROR_MS;
  }
}
