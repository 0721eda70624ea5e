// Enrolled devices, groups, device proofs and the /device gateway.
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeviceAuthenticator } from '../common/access';
import { DeviceConnections } from './device-connections';
import { DeviceGateway } from './device.gateway';
import { DEVICE_ENTITIES } from './device.entities';
import { DeviceProofService } from './device-proof.service';
import { DevicesController, GroupsController } from './devices.controller';
import { DeviceSelfController } from './device-self.controller';
import { DevicesRepository } from './devices.repository';
import { DevicesService } from './devices.service';
import { GroupsService } from './groups.service';
import { HubPeers } from './hub-peers';
import { NonceStore } from './nonce-store';
import { PresenceWriter } from './presence.writer';

@Module({
  imports: [TypeOrmModule.forFeature(DEVICE_ENTITIES)],
  controllers: [DevicesController, GroupsController, DeviceSelfController],
  providers: [
    DevicesRepository,
    DeviceConnections,
    NonceStore,
    DeviceProofService,
    { provide: DeviceAuthenticator, useExisting: DeviceProofService },
    PresenceWriter,
    HubPeers,
    DevicesService,
    GroupsService,
    DeviceGateway,
  ],
  exports: [
    DevicesService,
    GroupsService,
    DevicesRepository,
    DeviceConnections,
    DeviceAuthenticator,
  ],
})
export class DevicesModule {}
