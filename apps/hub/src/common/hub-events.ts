// In-process events between modules that must not import each other: the device link tells
// the command queue that a device came or went or reported its state; the queue tells the
// link that commands are waiting. One typed emitter, so a handler's failure is logged, not lost.
import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { DeviceState } from '@app/devices';

/** What the state handlers need of a device, read once per report and shared. */
export interface DeviceSnapshot {
  status: string;
  desiredLock: string | null;
  desiredAppLock: string | null;
  desiredPolicyVersion: string | null;
  policyStatus: string | null;
}

export interface HubEventMap {
  'device.connected': { deviceId: string };
  'device.disconnected': { deviceId: string };
  'device.state': { deviceId: string; state: DeviceState; device: DeviceSnapshot };
  'device.revoked': { deviceId: string };
  'commands.queued': { deviceIds: readonly string[] };
  'command.answered': {
    deviceId: string;
    commandId: string;
    type: string;
    payload: string;
    status: 'acknowledged' | 'error' | 'not_now';
    detail: string | null;
    /** Protocol 1.1: settings an acknowledged `policy.apply` could not enforce; null when none sent. */
    unenforced: string[] | null;
  };
  'device.enrolled': { deviceId: string };
  'group.members.changed': { groupId: string; deviceIds: readonly string[] };
  /** A command's status changed (queued by staff, sent, expired); answers are `command.answered`. */
  'command.updated': { commandId: string; deviceId: string; type: string; status: string };
  /** A text became the current AUP version (new, or an older one again): `version` is its hash. */
  'aup.published': { version: string };
  /** An account changed or a sign-in of it ended (signed out, disabled, roles, password). */
  'staff.changed': { staffId: string };
}

@Injectable()
export class HubEvents {
  private readonly logger = new Logger(HubEvents.name);
  private readonly emitter = new EventEmitter().setMaxListeners(50);

  emit<K extends keyof HubEventMap>(event: K, payload: HubEventMap[K]): void {
    this.emitter.emit(event, payload);
  }

  on<K extends keyof HubEventMap>(
    event: K,
    handler: (payload: HubEventMap[K]) => void | Promise<void>,
  ): void {
    this.emitter.on(event, (payload: HubEventMap[K]) => {
      try {
        const result = handler(payload);
        if (result instanceof Promise) {
          result.catch((error: unknown) =>
            this.logger.error(`${event} handler failed: ${String(error)}`),
          );
        }
      } catch (error) {
        this.logger.error(`${event} handler failed: ${String(error)}`);
      }
    });
  }
}
