// In-process events between modules that must not import each other: the device link tells
// the command queue that a device came or went or reported its state; the queue tells the
// link that commands are waiting. One typed emitter, so a handler's failure is logged, not lost.
import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { ComplianceProgressEvent, DeviceState } from '@app/devices';

/** What the state handlers need of a device, read once per report and shared. */
export interface DeviceSnapshot {
  status: string;
  desiredLock: string | null;
  desiredAppLock: string | null;
  desiredPolicyVersion: string | null;
  policyStatus: string | null;
  /** Whether `failed` is the hub's judgement that the device's policies conflict. */
  policyConflict: boolean;
}

export interface HubEventMap {
  'device.connected': { deviceId: string };
  'device.disconnected': { deviceId: string };
  /**
   * A device's state report, when it arrived (`receivedAt`): emitted after a read of the device,
   * a device's reports in the order they arrived. `receivedMark` is when its packet was read,
   * on this process's monotonic clock (`performance.now()`, ms), to order the report against
   * the device's command answers that arrived here (`CommandDeliveryService.answeredSince`).
   */
  'device.state': {
    deviceId: string;
    state: DeviceState;
    device: DeviceSnapshot;
    receivedAt: Date;
    receivedMark: number;
  };
  'device.revoked': { deviceId: string };
  /**
   * In a cluster (issue 10): devices whose presence this hub wrote with no socket of theirs
   * coming or going here (PresenceWriter), after the write's commit. `online: false`: it marked
   * them offline for a hub silent for HUB_CLUSTER_DEAD_AFTER_MS (a crash), `lastSeenAt` what
   * each row now says (ISO 8601, that hub's last heartbeat; null if never seen). `online: true`:
   * this hub, taken for dead after a stall, recorded the devices it still holds online again.
   * Not a cluster event: only the hub that wrote the rows hears it, and it sends their class
   * tiles and /staff presence once, to the consoles of every hub (through the Redis adapter).
   */
  'devices.presence.marked': {
    online: boolean;
    devices: readonly { deviceId: string; lastSeenAt: string | null }[];
  };
  'commands.queued': { deviceIds: readonly string[] };
  /** In a cluster: these devices have just connected to hub `hubId`; other hubs drop theirs. */
  /**
   * Devices that connected to hub `hubId`; `connectedAt[i]` is when device `deviceIds[i]`'s
   * socket there made its handshake (ms since the epoch). Of two connections of one device on
   * two hubs, the later one stays (ties: the greater hub id) and the other hub drops its own.
   */
  'devices.claimed': {
    hubId: string;
    deviceIds: readonly string[];
    connectedAt: readonly number[];
  };
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
  /**
   * A class's tablets changed: ICT changed its named tablets or its group (`classId`), or a
   * group's members changed (`groupId`: every class over that group). Every hub of a cluster
   * follows its own watchers' classes, so each reads the class's tablets again (issue 12).
   */
  'class.tablets.changed': { classId: string } | { groupId: string };
  /**
   * A class's session started or ended, or its absences changed: `absent` is the running
   * session's absent tablets (none once it ended). Every hub that follows the class marks them on
   * its tiles, so the hub holding a tablet sends the same tile as the hub that took the request.
   */
  'class.session.changed': { classId: string; absent: readonly string[] };
  /**
   * In a cluster: every class that the consoles connected to hub `hubId` watch now (the whole
   * list), sent when it changes and on each heartbeat. Each hub follows those classes too, and
   * sends the tiles of the tablets connected to it (issue 12, with issue 10).
   */
  'classes.watched': { hubId: string; classIds: readonly string[] };
  /**
   * In a cluster: class tiles changed by something only the emitting hub heard of (a command
   * expired there, a class's camera allowance, a tablet gone offline from it). The hub a tablet
   * is connected to sends its tile; the emitting hub has sent those of tablets on no hub.
   */
  'class.tiles.touched': { deviceIds: readonly string[] };
  /** A command's status changed (queued by staff, sent, expired); answers are `command.answered`. */
  'command.updated': { commandId: string; deviceId: string; type: string; status: string };
  /** A text became the current AUP version (new, or an older one again): `version` is its hash. */
  'aup.published': { version: string };
  /** A class's teachers changed: consoles watching it are checked again (issue 12). */
  'class.teachers.changed': { classId: string };
  /** An account changed or a sign-in of it ended (signed out, disabled, roles, password). */
  'staff.changed': { staffId: string };
  /**
   * Policy overlays on these devices expired and were removed (a class's camera allowance, a
   * trip's): the class tiles that show them are read again (issue 12).
   */
  'overlays.expired': { deviceIds: readonly string[] };
  /**
   * These devices went out on a trip or came back from one (a trip's check-out, check-in, kit
   * added or taken out while out, lost report), after the step's commit: the class tiles that
   * show `onTrip` are read again (issue 12), also where the step laid or removed no settings.
   */
  'trip.devices.changed': { deviceIds: readonly string[] };
  /** Devices' compliance status changed (a push queued, a device answered): counts to send. */
  'compliance.changed': { deviceIds: readonly string[] };
  /** Coalesced compliance counts for the /staff namespace (policies/compliance-progress.ts). */
  'compliance.progress': ComplianceProgressEvent;
}

/**
 * The events that every hub of a cluster must hear wherever they happen (issue 10): commands
 * queued for a device another hub holds, a device that moved hub, a revocation (each hub caches
 * proof keys), what ends staff sockets on every hub, and a class's tablets changing or going out
 * on a trip (each hub follows the classes its own consoles watch). The rest happen on the hub
 * that holds the device or the request, and stay there.
 */
export const CLUSTER_EVENTS = [
  'commands.queued',
  'overlays.expired',
  'trip.devices.changed',
  'devices.claimed',
  'device.revoked',
  'staff.changed',
  'aup.published',
  'class.teachers.changed',
  'class.tablets.changed',
  'class.session.changed',
  'classes.watched',
  'class.tiles.touched',
] as const satisfies readonly (keyof HubEventMap)[];
export type ClusterEvent = (typeof CLUSTER_EVENTS)[number];

/**
 * Where a handled event was emitted: `here` (this hub; for a cluster event, the other hubs hear
 * it too) or `peer` (a cluster event another hub emitted).
 */
export type EventOrigin = 'here' | 'peer';

/** Sends a cluster event to the other hubs (devices/hub-peers.ts). */
export type PeerSender = <K extends ClusterEvent>(event: K, payload: HubEventMap[K]) => void;

@Injectable()
export class HubEvents {
  private readonly logger = new Logger(HubEvents.name);
  private readonly emitter = new EventEmitter().setMaxListeners(50);
  private peers: PeerSender | null = null;

  /** Handles the event here and, for a CLUSTER_EVENTS event in a cluster, on every other hub. */
  emit<K extends keyof HubEventMap>(event: K, payload: HubEventMap[K]): void {
    this.emitter.emit(event, payload, 'here');
    if (this.peers && isClusterEvent(event)) {
      this.peers(event, payload as HubEventMap[typeof event]);
    }
  }

  /** In a cluster: how CLUSTER_EVENTS reach the other hubs. */
  attachPeers(send: PeerSender): void {
    this.peers = send;
  }

  /** A cluster event another hub emitted: handled here only, never sent on again. */
  emitFromPeer<K extends ClusterEvent>(event: K, payload: HubEventMap[K]): void {
    this.emitter.emit(event, payload, 'peer');
  }

  /** Calls `handler` with each `event`'s payload and where it was emitted (EventOrigin). */
  on<K extends keyof HubEventMap>(
    event: K,
    handler: (payload: HubEventMap[K], origin: EventOrigin) => void | Promise<void>,
  ): void {
    this.emitter.on(event, (payload: HubEventMap[K], origin: EventOrigin) => {
      try {
        const result = handler(payload, origin);
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

function isClusterEvent(event: keyof HubEventMap): event is ClusterEvent {
  return (CLUSTER_EVENTS as readonly string[]).includes(event);
}
