// The /device Socket.IO namespace (protocol section 3): the proof is checked in the connection
// middleware, each socket joins its device and group rooms, and `state` reports are validated
// and handed to the devices service. One call deep; the rules live in the services.
//
// Device events are taken from the socket itself rather than through @SubscribeMessage: Nest's
// message pipeline (an RxJS chain with pipes, guards and interceptors for every message) cost
// more than handling the report when thousands of devices answer a policy change at once. The
// device proved who it is when it connected; nothing else guards these events.
import { Logger } from '@nestjs/common';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  WebSocketGateway,
} from '@nestjs/websockets';
import {
  DEVICE_NAMESPACE,
  StateAck,
  UNAUTHORIZED_MESSAGE,
  validateDeviceState,
} from '@app/devices';
import { DeviceProofService } from './device-proof.service';
import { DeviceNamespace, DeviceSocket } from './device-connections';
import { DevicesService } from './devices.service';
import { HubPeers } from './hub-peers';

@WebSocketGateway({
  namespace: DEVICE_NAMESPACE,
  transports: ['websocket'],
  maxHttpBufferSize: 256 * 1024,
  pingInterval: 25_000,
  pingTimeout: 20_000,
})
export class DeviceGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(DeviceGateway.name);

  constructor(
    private readonly proofs: DeviceProofService,
    private readonly devices: DevicesService,
    private readonly peers: HubPeers,
  ) {}

  afterInit(namespace: DeviceNamespace): void {
    this.devices.attachNamespace(namespace);
    this.peers.attach(namespace);
    namespace.use((socket, next) => {
      const proof: unknown = (socket.handshake.auth as { proof?: unknown } | undefined)?.proof;
      if (typeof proof !== 'string') {
        next(new Error(UNAUTHORIZED_MESSAGE));
        return;
      }
      this.proofs
        .authenticateProof(proof)
        .then((device) => {
          if (!device) {
            next(new Error(UNAUTHORIZED_MESSAGE));
            return;
          }
          socket.data.deviceId = device.id;
          next();
        })
        .catch((error: unknown) => {
          this.logger.error(`Proof check failed: ${String(error)}`);
          next(new Error(UNAUTHORIZED_MESSAGE));
        });
    });
  }

  async handleConnection(socket: DeviceSocket): Promise<void> {
    // Listening starts before anything is awaited: a device reports its state as soon as it is in.
    // The acknowledgement is the last argument, wherever it falls: a `state` sent with no body, or
    // with more than its one body, is still answered with its error (protocol section 3).
    // When each report came is taken as its packet is read (`onAny` runs then; Socket.IO hands
    // the event to `state` a tick later), as a command's answer is (device-connections.ts): the
    // two marks are in the order the device sent them.
    const reportMarks: number[] = [];
    socket.on('state', (...args: unknown[]) => {
      const receivedMark = reportMarks.shift() ?? performance.now();
      const ack = args[args.length - 1];
      const body = typeof ack === 'function' ? args.slice(0, -1) : args;
      answer(
        ack,
        body.length === 1
          ? this.handleState(socket, body[0], receivedMark)
          : { ok: false, error: 'state must be sent as one object' },
      );
    });
    socket.onAny((event: string, ...args: unknown[]) => {
      if (event === 'state') {
        reportMarks.push(performance.now());
      } else {
        answer(args[args.length - 1], { ok: false, error: `${event} is not a device event` });
      }
    });
    try {
      await this.devices.deviceConnected(socket);
    } catch (error) {
      // Nest does not catch what handleConnection throws, and an unhandled rejection ends the
      // hub. A device the hub could not take online (a database read failed) is dropped rather
      // than left connected and never sent a command: it connects again, and its commands wait
      // for it (protocol section 3).
      this.logger.error(`Could not take a device online: ${String(error)}`);
      socket.disconnect(true);
    }
  }

  handleDisconnect(socket: DeviceSocket): void {
    this.devices.deviceDisconnected(socket);
  }

  /**
   * Takes one `state` report (protocol section 3): validated against the published shape, then
   * handed to the devices service without waiting for it.
   *
   * @param body the event's one argument, as the device sent it
   * @param receivedMark when its packet was read (`performance.now()`, ms)
   * @returns `{ ok: true }`, or `{ ok: false, error }` naming each field at fault (nothing kept)
   */
  handleState(socket: DeviceSocket, body: unknown, receivedMark: number): StateAck {
    const result = validateDeviceState(body);
    if (!result.ok) {
      return { ok: false, error: result.errors.join('; ') };
    }
    this.devices
      .stateReported(socket.data.deviceId, result.payload, receivedMark)
      .catch((error: unknown) => {
        this.logger.error(`Could not take a state report: ${String(error)}`);
      });
    return { ok: true };
  }
}

/** Acknowledges an event, when the device asked for an acknowledgement. */
function answer(ack: unknown, result: StateAck): void {
  if (typeof ack === 'function') {
    (ack as (result: StateAck) => void)(result);
  }
}
