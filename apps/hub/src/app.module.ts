// The hub: one module per capability.
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ApiDocsModule } from './api-docs/api-docs.module';
import { AssetsModule } from './assets/assets.module';
import { AuditModule } from './audit/audit.module';
import { ClassroomModule } from './classroom/classroom.module';
import { CommandsModule } from './commands/commands.module';
import { CommonModule } from './common/common.module';
import { HubConfigModule } from './config/config.module';
import { HUB_CONFIG, HubConfig } from './config/hub-config';
import { DatabaseModule } from './database/database.module';
import { DevicesModule } from './devices/devices.module';
import { EnrollmentModule } from './enrollment/enrollment.module';
import { HealthModule } from './health/health.module';
import { LiveModule } from './live/live.module';
import { loggerParams } from './logging';
import { LoansModule } from './loans/loans.module';
import { PhotosModule } from './photos/photos.module';
import { PoliciesModule } from './policies/policies.module';
import { SchoolModule } from './school/school.module';
import { StaffModule } from './staff/staff.module';
import { TripsModule } from './trips/trips.module';

@Module({
  imports: [
    HubConfigModule,
    LoggerModule.forRootAsync({
      inject: [HUB_CONFIG],
      useFactory: (config: HubConfig) => loggerParams(config),
    }),
    DatabaseModule,
    CommonModule,
    AuditModule,
    StaffModule,
    DevicesModule,
    EnrollmentModule,
    CommandsModule,
    PoliciesModule,
    ClassroomModule,
    AssetsModule,
    LoansModule,
    TripsModule,
    HealthModule,
    LiveModule,
    SchoolModule,
    PhotosModule,
    ApiDocsModule,
  ],
})
export class AppModule {}
