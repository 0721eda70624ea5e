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
    socket.on('state', (body: unknown, ack?: unknown) => {
      answer(ack, this.handleState(socket, body));
    });
    socket.onAny((event: string, ...args: unknown[]) => {
      if (event !== 'state') {
        answer(args[args.length - 1], { ok: false, error: `${event} is not a device event` });
      }
    });
    await this.devices.deviceConnected(socket);
  }

  handleDisconnect(socket: DeviceSocket): void {
    this.devices.deviceDisconnected(socket);
  }

  handleState(socket: DeviceSocket, body: unknown): StateAck {
    const result = validateDeviceState(body);
    if (!result.ok) {
      return { ok: false, error: result.errors.join('; ') };
    }
    this.devices.stateReported(socket.data.deviceId, result.payload).catch((error: unknown) => {
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
