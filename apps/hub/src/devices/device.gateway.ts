// The /device Socket.IO namespace (protocol section 3): the proof is checked in the connection
// middleware, each socket joins its device and group rooms, and `state` reports are validated
// and handed to the devices service. One call deep; the rules live in the services.
import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { DEVICE_NAMESPACE, UNAUTHORIZED_MESSAGE, validateDeviceState } from '@app/devices';
import { DeviceProofService } from './device-proof.service';
import { DeviceNamespace, DeviceSocket } from './device-connections';
import { DevicesService } from './devices.service';

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
  ) {}

  afterInit(namespace: DeviceNamespace): void {
    this.devices.attachNamespace(namespace);
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
    await this.devices.deviceConnected(socket);
  }

  handleDisconnect(socket: DeviceSocket): void {
    this.devices.deviceDisconnected(socket);
  }

  @SubscribeMessage('state')
  handleState(@ConnectedSocket() socket: DeviceSocket, @MessageBody() body: unknown) {
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
