// Request and response shapes for assets (issue 13). The response shapes are @app/hub-api's, so
// the console reads the same definitions.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, ValidateIf } from 'class-validator';
import { ASSET_KINDS, ASSET_STATUSES } from '@app/hub-api';
import type { AssetKind, AssetStatus } from '@app/hub-api';
import { IsOmittable, IsPlainText } from '../../common/input-rules';
import { PageQueryDto } from '../../common/page-query.dto';

/**
 * An asset tag: the device rule (1 to 64 letters, digits, dots, dashes or underscores, starting
 * with a letter or digit), since a matched device takes the tag and it names stored photos
 * (protocol section 5). Unique regardless of case.
 */
export const ASSET_TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const ASSET_TAG_RULE = '1 to 64 letters, digits, dots, dashes or underscores';

export class CreateAssetDto {
  @ApiProperty({ description: ASSET_TAG_RULE })
  @Matches(ASSET_TAG_PATTERN, { message: `assetTag must be ${ASSET_TAG_RULE}` })
  assetTag: string;

  @ApiProperty({ enum: ASSET_KINDS })
  @IsIn(ASSET_KINDS, { message: `kind must be one of ${ASSET_KINDS.join(', ')}` })
  kind: AssetKind;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsPlainText({ max: 128 })
  serialNumber?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsPlainText({ max: 128 })
  model?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsPlainText({ max: 200 })
  condition?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsPlainText({ max: 1000, multiline: true })
  notes?: string;
}

/** Null clears a field; left out keeps it. */
export class UpdateAssetDto {
  @ApiPropertyOptional({ description: ASSET_TAG_RULE })
  @IsOmittable()
  @Matches(ASSET_TAG_PATTERN, { message: `assetTag must be ${ASSET_TAG_RULE}` })
  assetTag?: string;

  @ApiPropertyOptional({ enum: ASSET_KINDS })
  @IsOmittable()
  @IsIn(ASSET_KINDS, { message: `kind must be one of ${ASSET_KINDS.join(', ')}` })
  kind?: AssetKind;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOmittable()
  @ValidateIf((_o: unknown, value: unknown) => value !== null)
  @IsPlainText({ max: 128 })
  serialNumber?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOmittable()
  @ValidateIf((_o: unknown, value: unknown) => value !== null)
  @IsPlainText({ max: 128 })
  model?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOmittable()
  @ValidateIf((_o: unknown, value: unknown) => value !== null)
  @IsPlainText({ max: 200 })
  condition?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOmittable()
  @ValidateIf((_o: unknown, value: unknown) => value !== null)
  @IsPlainText({ max: 1000, multiline: true })
  notes?: string | null;

  @ApiPropertyOptional({
    enum: ['available', 'in_repair', 'retired'],
    description:
      'Loans and trips set the other statuses; a lost asset that is found is made available',
  })
  @IsOmittable()
  @IsIn(['available', 'in_repair', 'retired'])
  status?: 'available' | 'in_repair' | 'retired';
}

export class AssetListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ASSET_STATUSES })
  @IsOptional()
  @IsIn(ASSET_STATUSES)
  status?: AssetStatus;

  @ApiPropertyOptional({ enum: ASSET_KINDS })
  @IsOptional()
  @IsIn(ASSET_KINDS)
  kind?: AssetKind;

  @ApiPropertyOptional({ description: 'Part of the asset tag, serial number or model' })
  @IsOptional()
  @IsPlainText({ max: 128 })
  search?: string;
}

export class AssetImportQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only report; change nothing' })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
}

export class MarkLostDto {
  @ApiPropertyOptional({ description: 'What is known of how it was lost' })
  @IsOmittable()
  @IsPlainText({ max: 500, multiline: true })
  note?: string;
}

export type {
  Asset as AssetDto,
  ImportReport as ImportReportDto,
  ImportRowError as ImportRowErrorDto,
} from '@app/hub-api';
