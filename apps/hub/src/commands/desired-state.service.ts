// Keeps what staff asked for in force: when a device reports a lock or single-app state that
// differs from its desired state, the hub queues the command that restores it, so a lock
// survives a reconnection, a reboot or a pulled cable.
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { DeviceState } from '@app/devices';
import type { DeviceSnapshot } from '../common/hub-events';
import { HubEvents } from '../common/hub-events';
import { CommandsRepository } from './commands.repository';
import { CommandsService } from './commands.service';

@Injectable()
export class DesiredStateService implements OnModuleInit {
  constructor(
    private readonly commands: CommandsRepository,
    private readonly issuer: CommandsService,
    private readonly events: HubEvents,
  ) {}

  onModuleInit(): void {
    this.events.on('device.state', ({ deviceId, state, device }) =>
      this.reconcile(deviceId, state, device),
    );
  }

  async reconcile(deviceId: string, state: DeviceState, device: DeviceSnapshot): Promise<void> {
    if (device.status !== 'active') {
      return;
    }
    const system = { kind: 'system' as const };
    const wantLocked = device.desiredLock !== null;
    if (
      wantLocked !== state.locked &&
      (await this.commands.countOpenOfTypes(deviceId, ['device.lock', 'device.unlock'])) === 0
    ) {
      await this.issuer.issue(
        system,
        [deviceId],
        wantLocked
          ? {
              type: 'device.lock',
              payload: JSON.parse(device.desiredLock as string) as Record<string, unknown>,
              expiresAt: null,
            }
          : { type: 'device.unlock', payload: {}, expiresAt: null },
        null,
      );
    }
    const wantApp = device.desiredAppLock;
    if (
      (wantApp ?? null) !== (state.appLock ?? null) &&
      (await this.commands.countOpenOfTypes(deviceId, ['app.lock', 'app.unlock'])) === 0
    ) {
      await this.issuer.issue(
        system,
        [deviceId],
        wantApp
          ? { type: 'app.lock', payload: { appId: wantApp }, expiresAt: null }
          : { type: 'app.unlock', payload: {}, expiresAt: null },
        null,
      );
    }
  }
}
