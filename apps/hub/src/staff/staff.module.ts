// Staff accounts, roles, sign-in and AUP acceptance.
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AupGate, StaffAuthenticator } from '../common/access';
import { AupService } from './aup.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AupController, StaffController } from './staff.controller';
import { STAFF_ENTITIES } from './staff.entities';
import { StaffRepository } from './staff.repository';
import { StaffCleanupService } from './staff-cleanup.service';
import { StaffService } from './staff.service';

@Module({
  imports: [TypeOrmModule.forFeature(STAFF_ENTITIES)],
  controllers: [AuthController, StaffController, AupController],
  providers: [
    StaffRepository,
    AuthService,
    StaffService,
    AupService,
    StaffCleanupService,
    { provide: StaffAuthenticator, useExisting: AuthService },
    { provide: AupGate, useExisting: AupService },
  ],
  exports: [StaffAuthenticator, AupGate, AupService, StaffService, StaffRepository],
})
export class StaffModule {}
