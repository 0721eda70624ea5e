// Policy profiles: the school's rules as data, resolved per device, pushed and proved applied.
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommandsModule } from '../commands/commands.module';
import { DevicesModule } from '../devices/devices.module';
import { EnrollmentModule } from '../enrollment/enrollment.module';
import { ComplianceProgress } from './compliance-progress';
import { ComplianceService } from './compliance.service';
import { PoliciesController } from './policies.controller';
import { PoliciesRepository } from './policies.repository';
import { PoliciesService } from './policies.service';
import { PolicyRolloutService } from './policy-rollout.service';
import { POLICY_ENTITIES } from './policy.entities';
import { PolicyOverlayEntity } from './policy-overlay.entity';
import { PolicyOverlaysRepository } from './policy-overlays.repository';
import { PolicyOverlaysService } from './policy-overlays.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([...POLICY_ENTITIES, PolicyOverlayEntity]),
    DevicesModule,
    CommandsModule,
    EnrollmentModule,
  ],
  controllers: [PoliciesController],
  providers: [
    PoliciesRepository,
    PolicyRolloutService,
    PoliciesService,
    ComplianceService,
    ComplianceProgress,
    PolicyOverlaysRepository,
    PolicyOverlaysService,
  ],
  exports: [PolicyOverlaysService],
})
export class PoliciesModule {}
