// Request shapes for trips (issue 13); the responses are @app/hub-api's Trip and TripSummary.
import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsUUID,
  Matches,
} from 'class-validator';
import {
  TRIP_KIT_MAX,
  TRIP_SHORT_NAME_PATTERN,
  TRIP_SHORT_NAME_RULE,
  TRIP_STATUSES,
} from '@app/hub-api';
import type { TripStatus } from '@app/hub-api';
import { IsLaterThan, IsOmittable, IsPlainText, IsRfc3339 } from '../../common/input-rules';
import { PageQueryDto } from '../../common/page-query.dto';
import { eachMustBe, eachMustBeUuid } from '../../common/validation';
import { ASSET_TAG_PATTERN, ASSET_TAG_RULE } from '../../assets/dto/asset.dto';

/** The most leaders one trip may have. */
export const TRIP_LEADERS_MAX = 20;

export class CreateTripDto {
  @ApiProperty({ description: 'What the trip is called, e.g. "Year 4 to the Science Museum"' })
  @IsPlainText({ max: 128 })
  name: string;

  @ApiProperty({
    description: `${TRIP_SHORT_NAME_RULE}; part of stored photo names, so never a person's name`,
  })
  @Matches(TRIP_SHORT_NAME_PATTERN, { message: `shortName must be ${TRIP_SHORT_NAME_RULE}` })
  shortName: string;

  @ApiProperty({ description: 'RFC 3339' })
  @IsRfc3339()
  startsAt: string;

  @ApiProperty({ description: 'RFC 3339, after startsAt' })
  @IsRfc3339()
  @IsLaterThan('startsAt')
  endsAt: string;

  @ApiProperty({ type: [String], description: 'Staff ids of its leaders (trip leaders or ICT)' })
  @IsArray()
  @ArrayMinSize(1, { message: 'leaderIds must name at least one leader' })
  @ArrayMaxSize(TRIP_LEADERS_MAX)
  @ArrayUnique({ message: 'leaderIds must not name anyone twice' })
  @IsUUID('all', {
    each: true,
    message: eachMustBeUuid('all', 'a staff account id (a UUID)'),
  })
  leaderIds: string[];

  @ApiProperty({ type: [String], description: 'The kit: asset tags, each once' })
  @IsArray()
  @ArrayMinSize(1, { message: 'assetTags must name at least one asset' })
  @ArrayMaxSize(TRIP_KIT_MAX)
  @Matches(ASSET_TAG_PATTERN, {
    each: true,
    message: eachMustBe(
      ASSET_TAG_RULE,
      (tag) => typeof tag === 'string' && ASSET_TAG_PATTERN.test(tag),
    ),
  })
  assetTags: string[];

  @ApiPropertyOptional({
    description:
      'Partial policy settings the kit’s enrolled devices get while out (default: camera allowed)',
    type: 'object',
    additionalProperties: true,
  })
  @IsOmittable()
  @IsObject()
  overlay?: Record<string, Record<string, unknown>>;
}

/** POST /api/trips/:id/check-in, /lost and /kit: one device, by scan. */
export class TripAssetDto {
  @ApiProperty({ description: 'What the scan gave (any case)' })
  @Matches(ASSET_TAG_PATTERN, { message: `assetTag must be ${ASSET_TAG_RULE}` })
  assetTag: string;
}

/**
 * The pipe for an asset tag in the address (DELETE /api/trips/:id/kit/:assetTag): the tag as
 * given (any case), or 400 naming the rule, as the body's `assetTag` is checked.
 *
 * @throws BadRequestException 400 when the tag is not ASSET_TAG_RULE
 */
export class AssetTagInPath implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!ASSET_TAG_PATTERN.test(value)) {
      throw new BadRequestException(`assetTag must be ${ASSET_TAG_RULE}`);
    }
    return value;
  }
}

export class TripListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TRIP_STATUSES })
  @IsOptional()
  @IsIn(TRIP_STATUSES)
  status?: TripStatus;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'true: only trips you lead (ICT sees all otherwise)',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  mine?: 'true' | 'false';
}

export type { Trip as TripDto, TripSummary as TripSummaryDto } from '@app/hub-api';
