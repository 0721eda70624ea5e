// The asset register (issue 13): assets, their labels, CSV import, and lost reports.
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommandsModule } from '../commands/commands.module';
import { AssetEntity } from './asset.entity';
import { AssetsController } from './assets.controller';
import { AssetsRepository } from './assets.repository';
import { AssetsService } from './assets.service';

@Module({
  imports: [TypeOrmModule.forFeature([AssetEntity]), CommandsModule],
  controllers: [AssetsController],
  providers: [AssetsRepository, AssetsService],
  exports: [AssetsService, AssetsRepository],
})
export class AssetsModule {}
