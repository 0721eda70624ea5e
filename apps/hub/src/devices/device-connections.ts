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

export type SendOutcome =
  { outcome: 'answered'; answer: unknown } | { outcome: 'timeout' } | { outcome: 'gone' };

export const deviceRoom = (deviceId: string) => `device:${deviceId}`;
export const groupRoom = (groupId: string) => `group:${groupId}`;

@Injectable()
export class DeviceConnections {
  private readonly sockets = new Map<string, DeviceSocket>();
  private namespace: DeviceNamespace | null = null;

  attach(namespace: DeviceNamespace): void {
    this.namespace = namespace;
  }

  /** Registers a device's socket; a second connection from the same device replaces the first. */
  add(deviceId: string, socket: DeviceSocket): void {
    const previous = this.sockets.get(deviceId);
    this.sockets.set(deviceId, socket);
    if (previous && previous.id !== socket.id) {
      previous.disconnect(true);
    }
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
    deviceIds.forEach((deviceId, i) => {
      const socket = this.sockets.get(deviceId);
      const theirs = connectedAt[i] ?? Number.MAX_SAFE_INTEGER;
      const ours = socket?.handshake.issued ?? 0;
      if (socket && (ours < theirs || (ours === theirs && ownHubId < otherHubId))) {
        this.sockets.delete(deviceId);
        socket.disconnect(true);
      }
    });
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
        settle({ outcome: 'answered', answer }),
      );
    });
  }
}
