// What the photo routes take (issue 14). Their answers are the @app/hub-api shapes (Photo,
// PhotoPage, PhotoDay, PhotoStoreState, DevicePhotoCounts, PhotoReceipt), made in one place each.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { PageQuery } from '../../common/page-query.dto';
import { eachMustBeUuid } from '../../common/validation';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** GET /api/photos: by trip, by day, by device; 60 a page by default, at most 200. */
export class PhotoListQueryDto extends PageQuery(60, 200) {
  @ApiPropertyOptional({ description: 'Only this trip (a trip leader must name one of theirs)' })
  @IsOptional()
  @IsUUID('all', { message: 'tripId must be a UUID' })
  tripId?: string;

  @ApiPropertyOptional({ description: 'Only this day, YYYY-MM-DD in the school time zone' })
  @IsOptional()
  @Matches(DAY, { message: 'day must be YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'day must be a day of the calendar (YYYY-MM-DD)' })
  day?: string;

  @ApiPropertyOptional({ description: 'Only this device' })
  @IsOptional()
  @IsUUID('all', { message: 'deviceId must be a UUID' })
  deviceId?: string;
}

/** GET /api/photos/days. */
export class PhotoDaysQueryDto {
  @ApiPropertyOptional({ description: 'Only this trip (a trip leader must name one of theirs)' })
  @IsOptional()
  @IsUUID('all', { message: 'tripId must be a UUID' })
  tripId?: string;
}

/** GET /api/photos/devices: a trip's devices, or devices by id (repeat `deviceId`). */
export class DevicePhotoCountsQueryDto {
  @ApiPropertyOptional({ description: "A trip: its kit's devices and any that sent photos for it" })
  @IsOptional()
  @IsUUID('all', { message: 'tripId must be a UUID' })
  tripId?: string;

  @ApiPropertyOptional({ type: [String], description: 'Devices by id (up to 500)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true, message: eachMustBeUuid() })
  deviceId?: string[];
}
