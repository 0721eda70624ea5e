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
  Options,
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
import { ApiBearerAuth, ApiHeader, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
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

/** The tus 1.0.0 version header every tus request but OPTIONS carries. */
const TUS_RESUMABLE = ApiHeader({ name: 'Tus-Resumable', required: true, description: '1.0.0' });
/** The upload's id, from the Location the creation answered. */
const UPLOAD_ID = ApiParam({
  name: 'id',
  description: "The upload's id (from the creation's Location)",
});

/**
 * The tus 1.0.0 endpoint (protocol section 5); every request carries a device proof. The bodies
 * and answers are tus's own (headers, no JSON), served by @tus/server.
 */
@ApiTags('device')
@Controller('photos/uploads')
export class PhotoUploadsController {
  constructor(private readonly ingest: PhotoIngestService) {}

  @Options()
  @DeviceProof()
  @ApiResponse({ status: 204, description: '' })
  @ApiRoute({
    summary: "tus 1.0.0's discovery: the version, extensions and largest photo the hub takes",
    ok: 'Tus-Version: 1.0.0, Tus-Extension (creation, termination...), Tus-Max-Size in bytes',
  })
  discover(@Req() req: Request, @Res() res: Response, @CurrentDevice() device: DevicePrincipal) {
    return this.ingest.handleTus(req, res, device.id);
  }

  @Post()
  @DeviceProof()
  @TUS_RESUMABLE
  @ApiHeader({ name: 'Upload-Length', required: true, description: "The photo's size in bytes" })
  @ApiHeader({
    name: 'Upload-Metadata',
    required: true,
    description:
      "tus metadata: sha256 (lowercase hex of the file as taken), contentType, takenAt (RFC 3339), tripId (optional; the photo is filed under it only if the device was out with that trip at takenAt, else by the device's own trips: the receipt's tripId says which)",
  })
  @ApiRoute({
    summary: 'tus creation: start a photo upload (Upload-Length, Upload-Metadata)',
    ok: "Created: the upload's URL in Location",
    errors: {
      400: 'Upload-Metadata is missing or malformed, Upload-Length is missing, or tripId names no trip the hub knows',
      413: 'Upload-Length is over HUB_PHOTO_MAX_MB',
      415: 'contentType is not image/jpeg, image/png or image/heic',
    },
  })
  create(@Req() req: Request, @Res() res: Response, @CurrentDevice() device: DevicePrincipal) {
    return this.ingest.handleTus(req, res, device.id);
  }

  @Head(':id')
  @DeviceProof()
  @TUS_RESUMABLE
  @UPLOAD_ID
  @ApiRoute({
    summary: 'tus: the offset to resume from',
    ok: 'Upload-Offset: the bytes the hub has (and Upload-Length)',
  })
  offset(@Req() req: Request, @Res() res: Response, @CurrentDevice() device: DevicePrincipal) {
    return this.ingest.handleTus(req, res, device.id);
  }

  @Patch(':id')
  @DeviceProof()
  @TUS_RESUMABLE
  @UPLOAD_ID
  @ApiHeader({ name: 'Upload-Offset', required: true, description: 'Where these bytes start' })
  @ApiResponse({ status: 204, description: '' })
  @ApiRoute({
    summary: 'tus: send bytes from the offset; the last PATCH completes the photo',
    ok: 'Taken: the new Upload-Offset. After the last bytes the photo is checked and staged; its receipt follows once it is stored',
    errors: {
      409: 'Upload-Offset is not the offset the hub has',
      413: 'The bytes go past Upload-Length',
      415: 'Content-Type is not application/offset+octet-stream, or (on the last PATCH) the content is not the declared kind of image: nothing is kept',
      460: "The protocol's own status (section 5), on the last PATCH: the file does not match its sha256, and nothing is kept",
    },
  })
  send(@Req() req: Request, @Res() res: Response, @CurrentDevice() device: DevicePrincipal) {
    return this.ingest.handleTus(req, res, device.id);
  }

  @Delete(':id')
  @DeviceProof()
  @TUS_RESUMABLE
  @UPLOAD_ID
  @ApiResponse({ status: 204, description: '' })
  @ApiRoute({
    summary: 'tus termination: abandon an upload',
    ok: 'Abandoned: its bytes are deleted',
  })
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
