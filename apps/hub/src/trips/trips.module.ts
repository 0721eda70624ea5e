// Trips (issue 13): kits of devices taken out by trip leaders, with the trip's policy overlay.
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule } from '../assets/assets.module';
import { DevicesModule } from '../devices/devices.module';
import { PoliciesModule } from '../policies/policies.module';
import { StaffModule } from '../staff/staff.module';
import { TRIP_ENTITIES } from './trip.entities';
import { TripsController } from './trips.controller';
import { TripsRepository } from './trips.repository';
import { TripsService } from './trips.service';

@Module({
  imports: [
    TypeOrmModule.forFeature(TRIP_ENTITIES),
    AssetsModule,
    DevicesModule,
    PoliciesModule,
    StaffModule,
  ],
  controllers: [TripsController],
  providers: [TripsRepository, TripsService],
  exports: [TripsService],
})
export class TripsModule {}
