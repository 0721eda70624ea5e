// The devices connected to this hub right now, and the one typed way to send them events.
import { Injectable } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import type {
  CommandAnswer,
  CommandEnvelope,
  DeviceToHubEvents,
  HubToDeviceEvents,
} from '@app/devices';

export type DeviceSocket = Socket<
  DeviceToHubEvents,
  HubToDeviceEvents,
  Record<string, never>,
  { deviceId: string }
>;
export type DeviceNamespace = Namespace<
  DeviceToHubEvents,
  HubToDeviceEvents,
  Record<string, never>,
  { deviceId: string }
>;

/**
 * How a command sent to a device ended. `receivedMark` is when its answer's packet was read
 * here, on this process's monotonic clock (`performance.now()`, ms; Socket.IO calls the
 * acknowledgement as it reads the packet), as `device.state`'s `receivedMark` is taken for a
 * report: it orders the answer against the same device's state reports on this hub.
 */
export type SendOutcome =
  | { outcome: 'answered'; answer: unknown; receivedMark: number }
  | { outcome: 'timeout' }
  | { outcome: 'gone' };

export const deviceRoom = (deviceId: string) => `device:${deviceId}`;

/** How long a connection another hub reported is remembered for `add`, ms. */
const CLAIM_MEMORY_MS = 60_000;

/**
 * Whether our connection (made at `ours`, ms, on hub `ownHubId`) is the older of two: the one
 * to drop. Ties go to the greater hub id, so both hubs judge a pair the same way.
 */
function isOlder(ours: number, ownHubId: string, theirs: number, otherHubId: string): boolean {
  return ours < theirs || (ours === theirs && ownHubId < otherHubId);
}
export const groupRoom = (groupId: string) => `group:${groupId}`;

@Injectable()
export class DeviceConnections {
  private readonly sockets = new Map<string, DeviceSocket>();
  private namespace: DeviceNamespace | null = null;
  /**
   * The newest connection another hub of the cluster reported for each device (its hub, its
   * handshake time, and when heard, ms), kept a minute: a connection of ours that completes
   * after hearing of a newer one elsewhere is dropped as it is added (see `add`).
   */
  private readonly elsewhere = new Map<
    string,
    { hubId: string; connectedAt: number; heardAt: number }
  >();
  private lastForget = 0;

  attach(namespace: DeviceNamespace): void {
    this.namespace = namespace;
  }

  /**
   * Registers a device's socket; a second connection from the same device replaces the first.
   * In a cluster (issue 10) a socket older than a connection another hub reported for the device
   * in the last minute is not registered but dropped: that report may come while this socket is
   * still being set up, before `dropMoved` could find it, and both connections would otherwise
   * stay open.
   *
   * @param ownHubId this hub's id (cluster), for the tie between equal handshake times
   * @returns false when the socket was dropped instead
   */
  add(deviceId: string, socket: DeviceSocket, ownHubId = ''): boolean {
    const other = this.elsewhere.get(deviceId);
    if (other && Date.now() - other.heardAt < CLAIM_MEMORY_MS) {
      if (isOlder(socket.handshake.issued, ownHubId, other.connectedAt, other.hubId)) {
        socket.disconnect(true);
        return false;
      }
    }
    const previous = this.sockets.get(deviceId);
    this.sockets.set(deviceId, socket);
    if (previous && previous.id !== socket.id) {
      previous.disconnect(true);
    }
    return true;
  }

  /** Forgets a socket if it is still the device's current one; true when it was. */
  remove(deviceId: string, socket: DeviceSocket): boolean {
    if (this.sockets.get(deviceId)?.id !== socket.id) {
      return false;
    }
    this.sockets.delete(deviceId);
    return true;
  }

  get(deviceId: string): DeviceSocket | undefined {
    return this.sockets.get(deviceId);
  }

  isConnected(deviceId: string): boolean {
    return this.sockets.has(deviceId);
  }

  get count(): number {
    return this.sockets.size;
  }

  /** The devices connected to this hub now. */
  connectedIds(): string[] {
    return [...this.sockets.keys()];
  }

  /**
   * Drops this hub's connections of devices that have connected to hub `otherHubId` of the
   * cluster since (issue 10), forgotten first: their disconnect is not taken for the device
   * going offline, which it has not. `connectedAt[i]` is the other connection's handshake time
   * (ms). Only the older of the two connections is dropped, ties going to the greater hub id:
   * both hubs judge the same pair the same way, so when a device connects to two hubs at once
   * exactly one connection stays, never none.
   */
  dropMoved(
    otherHubId: string,
    deviceIds: readonly string[],
    connectedAt: readonly number[],
    ownHubId: string,
  ): void {
    const now = Date.now();
    this.forgetOldReports(now);
    deviceIds.forEach((deviceId, i) => {
      const socket = this.sockets.get(deviceId);
      const theirs = connectedAt[i] ?? Number.MAX_SAFE_INTEGER;
      const known = this.elsewhere.get(deviceId);
      if (!known || !isOlder(theirs, otherHubId, known.connectedAt, known.hubId)) {
        this.elsewhere.set(deviceId, { hubId: otherHubId, connectedAt: theirs, heardAt: now });
      }
      const ours = socket?.handshake.issued ?? 0;
      if (socket && isOlder(ours, ownHubId, theirs, otherHubId)) {
        this.sockets.delete(deviceId);
        socket.disconnect(true);
      }
    });
  }

  /** Forgets reports of other hubs' connections older than a minute (at most every 10 s). */
  private forgetOldReports(now: number): void {
    if (now - this.lastForget < 10_000) {
      return;
    }
    this.lastForget = now;
    for (const [deviceId, report] of this.elsewhere) {
      if (now - report.heardAt >= CLAIM_MEMORY_MS) {
        this.elsewhere.delete(deviceId);
      }
    }
  }

  /** Drops every connection of a device at once (revocation). */
  disconnect(deviceId: string): void {
    this.namespace?.in(deviceRoom(deviceId)).disconnectSockets(true);
    this.sockets.get(deviceId)?.disconnect(true);
  }

  async joinGroup(deviceIds: readonly string[], groupId: string, join: boolean): Promise<void> {
    for (const deviceId of deviceIds) {
      const socket = this.sockets.get(deviceId);
      if (socket) {
        await (join ? socket.join(groupRoom(groupId)) : socket.leave(groupRoom(groupId)));
      }
    }
  }

  /**
   * Sends one command and waits for the device's answer, the timeout, or the socket closing,
   * whichever comes first.
   */
  sendCommand(
    socket: DeviceSocket,
    command: CommandEnvelope,
    timeoutMs: number,
  ): Promise<SendOutcome> {
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      // Our own timer rather than socket.timeout(): socket.io keeps that one armed after a
      // disconnect, holding a 30 s timer per dropped device.
      const timer = setTimeout(
        () => settle({ outcome: socket.connected ? 'timeout' : 'gone' }),
        timeoutMs,
      );
      const onDisconnect = () => settle({ outcome: 'gone' });
      function settle(outcome: SendOutcome): void {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          socket.off('disconnect', onDisconnect);
          resolve(outcome);
        }
      }
      if (socket.disconnected) {
        settle({ outcome: 'gone' });
        return;
      }
      socket.once('disconnect', onDisconnect);
      socket.emit('command', command, (answer: CommandAnswer) =>
        settle({ outcome: 'answered', answer, receivedMark: performance.now() }),
      );
    });
  }
}
