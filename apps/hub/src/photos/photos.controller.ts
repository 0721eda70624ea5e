// The photo routes (issue 14): the tus upload endpoint and receipts for devices (protocol
// section 5), and browsing for ICT, safeguarding and a trip's own leaders. Thin: who is asking,
// what they asked, one service call.
import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  Head,
  Header,
  Injectable,
  Param,
  Patch,
  PipeTransform,
  Post,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
  StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Request, Response } from 'express';
import { ApiRoute } from '../api-docs/openapi';
import { CurrentDevice, CurrentStaff, DeviceProof, Roles } from '../common/access';
import type { DevicePrincipal, StaffPrincipal } from '../common/roles';
import { DevicePhotoCountsQueryDto, PhotoDaysQueryDto, PhotoListQueryDto } from './dto/photo.dto';
import { PhotoIngestService } from './photo-ingest.service';
import { PhotosService } from './photos.service';

/** A `:sha256` path parameter: 64 lowercase hex digits, or 400. */
@Injectable()
export class Sha256Pipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[0-9a-f]{64}$/.test(value)) {
      throw new BadRequestException('sha256 must be 64 lowercase hex digits');
    }
    return value;
  }
}

/** The tus 1.0.0 endpoint (protocol section 5); every request carries a device proof. */
@ApiTags('device')
@Controller('photos/uploads')
export class PhotoUploadsController {
  constructor(private readonly ingest: PhotoIngestService) {}

  @Post()
  @DeviceProof()
  @ApiRoute({
    summary: 'tus creation: start a photo upload (Upload-Length, Upload-Metadata)',
    ok: '201 with Location',
    errors: { 415: 'contentType is not image/jpeg, image/png or image/heic' },
  })
  create(@Req() req: Request, @Res() res: Response, @CurrentDevice() device: DevicePrincipal) {
    return this.ingest.handleTus(req, res, device.id);
  }

  @Head(':id')
  @DeviceProof()
  @ApiRoute({ summary: 'tus: the offset to resume from', ok: '200 with Upload-Offset' })
  offset(@Req() req: Request, @Res() res: Response, @CurrentDevice() device: DevicePrincipal) {
    return this.ingest.handleTus(req, res, device.id);
  }

  @Patch(':id')
  @DeviceProof()
  @ApiRoute({
    summary: 'tus: send bytes from the offset; the last PATCH completes the photo',
    ok: '204 with Upload-Offset',
    errors: {
      409: 'Upload-Offset is not the offset the hub has',
      415: 'The content is not the declared kind of image (nothing kept)',
    },
    description:
      'The final PATCH answers 460 when the file does not match its sha256 (nothing is kept).',
  })
  send(@Req() req: Request, @Res() res: Response, @CurrentDevice() device: DevicePrincipal) {
    return this.ingest.handleTus(req, res, device.id);
  }

  @Delete(':id')
  @DeviceProof()
  @ApiRoute({ summary: 'tus termination: abandon an upload', ok: '204' })
  abandon(@Req() req: Request, @Res() res: Response, @CurrentDevice() device: DevicePrincipal) {
    return this.ingest.handleTus(req, res, device.id);
  }
}

@ApiTags('device')
@Controller('photos/receipts')
export class PhotoReceiptsController {
  constructor(private readonly photos: PhotosService) {}

  @Get(':sha256')
  @DeviceProof()
  @ApiRoute({
    summary: "A photo's receipt: once it is safely in the store, the device may delete its copy",
    ok: '{ sha256, storedAt, storedSha256, tripId? }',
  })
  receipt(@Param('sha256', Sha256Pipe) sha256: string) {
    return this.photos.receipt(sha256);
  }
}

@ApiTags('photos')
@ApiBearerAuth()
@Controller('photos')
export class PhotosController {
  constructor(private readonly photos: PhotosService) {}

  @Get()
  @Roles('ict', 'safeguarding', 'trip_leader')
  @ApiRoute({
    summary: 'Photos by trip, day or device, newest taken first (a trip leader: their trips)',
    ok: 'A page of photos',
  })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() query: PhotoListQueryDto) {
    return this.photos.list(
      staff,
      { tripId: query.tripId, day: query.day, deviceId: query.deviceId },
      query.page,
      query.pageSize,
    );
  }

  @Get('days')
  @Roles('ict', 'safeguarding', 'trip_leader')
  @ApiRoute({ summary: 'Days with photos and how many, newest first', ok: 'The days' })
  days(@CurrentStaff() staff: StaffPrincipal, @Query() query: PhotoDaysQueryDto) {
    return this.photos.days(staff, query.tripId);
  }

  @Get('store')
  @Roles('ict', 'safeguarding', 'trip_leader')
  @ApiRoute({
    summary: "The store's state: available, or unavailable with how many photos wait",
    ok: 'The store state',
  })
  store() {
    return this.photos.storeState();
  }

  @Get('devices')
  @Roles('ict', 'safeguarding', 'trip_leader')
  @ApiRoute({
    summary: 'Per device: photos waiting on it, waiting at the hub, and stored',
    ok: 'The counts per device',
  })
  devices(@CurrentStaff() staff: StaffPrincipal, @Query() query: DevicePhotoCountsQueryDto) {
    return this.photos.deviceCounts(staff, { tripId: query.tripId, deviceIds: query.deviceId });
  }

  @Get(':sha256/thumbnail')
  @Roles('ict', 'safeguarding', 'trip_leader')
  @Header('Cache-Control', 'private, max-age=86400')
  @ApiRoute({ summary: "A photo's thumbnail (JPEG, 320 px)", ok: 'image/jpeg' })
  async thumbnail(
    @CurrentStaff() staff: StaffPrincipal,
    @Param('sha256', Sha256Pipe) sha256: string,
  ): Promise<StreamableFile> {
    return fileAnswer(await this.photos.thumbnail(staff, sha256), 'image/jpeg');
  }

  @Get(':sha256/picture')
  @Roles('ict', 'safeguarding', 'trip_leader')
  @Header('Cache-Control', 'private, max-age=86400')
  @ApiRoute({ summary: 'The full picture as stored (location removed)', ok: 'The image' })
  async picture(
    @CurrentStaff() staff: StaffPrincipal,
    @Param('sha256', Sha256Pipe) sha256: string,
  ): Promise<StreamableFile> {
    const { file, type } = await this.photos.picture(staff, sha256);
    return fileAnswer(file, type);
  }
}

/** A file as the answer, or 503 when it cannot be read now (the store unmounted). */
async function fileAnswer(file: string, type: string): Promise<StreamableFile> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) {
    throw new ServiceUnavailableException('The photo store cannot be read now');
  }
  return new StreamableFile(createReadStream(file), { type, length: info.size });
}
