// Photo sync (issue 14): tus uploads from devices, location removal, the school's store,
// receipts, thumbnails and staff browsing.
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DevicesModule } from '../devices/devices.module';
import { LocationStripper } from './location-stripper';
import { PhotoEntity } from './photo.entity';
import { PhotoIngestService } from './photo-ingest.service';
import {
  PhotoReceiptsController,
  PhotosController,
  PhotoUploadsController,
} from './photos.controller';
import { PhotosRepository } from './photos.repository';
import { PhotosService } from './photos.service';

@Module({
  imports: [TypeOrmModule.forFeature([PhotoEntity]), DevicesModule],
  controllers: [PhotoUploadsController, PhotoReceiptsController, PhotosController],
  providers: [PhotosRepository, LocationStripper, PhotoIngestService, PhotosService],
  exports: [PhotoIngestService],
})
export class PhotosModule {}
