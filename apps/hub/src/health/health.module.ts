// The health check and the operating figures.
import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { DevicesModule } from '../devices/devices.module';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

@Module({
  imports: [DevicesModule, CommandsModule],
  controllers: [HealthController, MetricsController],
})
export class HealthModule {}
