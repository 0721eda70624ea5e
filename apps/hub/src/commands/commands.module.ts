// The durable command queue: issue, deliver, answer, expire, and desired-state restore.
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeviceCommandsReader } from '../devices/devices.service';
import { DevicesModule } from '../devices/devices.module';
import { CommandDeliveryService } from './command-delivery.service';
import { CommandRetentionService } from './command-retention.service';
import { CommandEntity } from './command.entity';
import { CommandsController } from './commands.controller';
import { CommandsRepository } from './commands.repository';
import { CommandsService } from './commands.service';
import { DesiredStateRepository } from './desired-state.repository';
import { DesiredStateService } from './desired-state.service';

@Module({
  imports: [TypeOrmModule.forFeature([CommandEntity]), DevicesModule],
  controllers: [CommandsController],
  providers: [
    CommandsRepository,
    DesiredStateRepository,
    CommandsService,
    { provide: DeviceCommandsReader, useExisting: CommandsService },
    CommandDeliveryService,
    DesiredStateService,
    CommandRetentionService,
  ],
  exports: [CommandsService, CommandsRepository, CommandDeliveryService],
})
export class CommandsModule {}
