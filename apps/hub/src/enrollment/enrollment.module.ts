// Enrolment tokens, certificate requests and the hub's certificate authority.
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommandsModule } from '../commands/commands.module';
import { DevicesModule } from '../devices/devices.module';
import { CertificateAuthority } from './certificate-authority';
import { EnrollmentTokenEntity } from './enrollment-token.entity';
import { EnrollmentController } from './enrollment.controller';
import { EnrollmentRepository } from './enrollment.repository';
import { EnrollmentService } from './enrollment.service';

@Module({
  imports: [TypeOrmModule.forFeature([EnrollmentTokenEntity]), DevicesModule, CommandsModule],
  controllers: [EnrollmentController],
  providers: [CertificateAuthority, EnrollmentRepository, EnrollmentService],
  exports: [CertificateAuthority],
})
export class EnrollmentModule {}
