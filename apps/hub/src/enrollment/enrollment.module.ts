// Enrolment tokens, certificate requests and the hub's certificate authority (and its
// publication: GET /api/ca.pem and /api/ca.mobileconfig).
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule } from '../assets/assets.module';
import { CommandsModule } from '../commands/commands.module';
import { DevicesModule } from '../devices/devices.module';
import { DeviceEntity } from '../devices/device.entities';
import { CaController } from './ca.controller';
import { CaTrustRepository } from './ca-trust.repository';
import { CertificateAuthority } from './certificate-authority';
import { EnrollmentTokenEntity } from './enrollment-token.entity';
import { EnrollmentController } from './enrollment.controller';
import { EnrollmentRepository } from './enrollment.repository';
import { EnrollmentService } from './enrollment.service';
import { HubIdentityEntity } from './hub-identity.entity';
import { TrustProfileService } from './trust-profile.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([EnrollmentTokenEntity, HubIdentityEntity, DeviceEntity]),
    DevicesModule,
    CommandsModule,
    AssetsModule,
  ],
  controllers: [EnrollmentController, CaController],
  providers: [
    CertificateAuthority,
    CaTrustRepository,
    EnrollmentRepository,
    EnrollmentService,
    TrustProfileService,
  ],
  exports: [CertificateAuthority],
})
export class EnrollmentModule {}
