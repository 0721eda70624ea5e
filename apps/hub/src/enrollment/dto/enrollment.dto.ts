// Shapes of protocol section 1: creating tokens and enrolling a device.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PLATFORMS, Platform } from '@app/devices';
import { TOKEN_MAX_USES, TOKEN_TTL_MINUTES } from '@app/hub-api';
import { IsOmittable, IsPlainText } from '../../common/input-rules';
import { eachMustBeUuid } from '../../common/validation';

export class CreateEnrollmentTokenDto {
  @ApiPropertyOptional({ type: [String], description: 'Groups the enrolled devices join' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('4', { each: true, message: eachMustBeUuid('4') })
  groupIds?: string[];

  // The console checks the same range before sending (libs/hub-api number-rules).
  @ApiPropertyOptional({ default: 1, minimum: TOKEN_MAX_USES.min, maximum: TOKEN_MAX_USES.max })
  @IsOmittable()
  @IsInt()
  @Min(TOKEN_MAX_USES.min)
  @Max(TOKEN_MAX_USES.max)
  maxUses?: number;

  @ApiPropertyOptional({
    default: 60,
    description: 'Minutes until the token expires (at most 30 days)',
  })
  @IsOmittable()
  @IsInt()
  @Min(TOKEN_TTL_MINUTES.min)
  @Max(TOKEN_TTL_MINUTES.max)
  ttlMinutes?: number;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsPlainText({ max: 128 })
  label?: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'A re-enrolment token: may re-enrol a serial number whose device is enrolled and not revoked ' +
      '(a wiped or replaced device). Any other token gets 409 for such a serial.',
  })
  @IsOmittable()
  @IsBoolean()
  reenrol?: boolean;
}

export class EnrollDeviceInfoDto {
  @ApiProperty()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
    message: 'device.serialNumber must be 1 to 128 letters, digits, dots, dashes or underscores',
  })
  serialNumber: string;

  @ApiProperty({ enum: PLATFORMS })
  @IsIn(PLATFORMS)
  platform: Platform;

  @ApiPropertyOptional()
  @IsOptional()
  @IsPlainText({ max: 128 })
  model?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsPlainText({ max: 64 })
  osVersion?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsPlainText({ max: 128 })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: 'device.assetTag must be 1 to 64 letters, digits, dots, dashes or underscores',
  })
  assetTag?: string;
}

export class EnrollDto {
  // Optional here: a missing token is refused by the service with the same 401 as an unknown,
  // expired or used-up one (protocol section 1), not as a 400 that tells them apart.
  @ApiProperty()
  @IsOptional()
  @IsString()
  @MaxLength(256)
  token?: string;

  @ApiProperty({ description: 'PKCS#10 request (PEM), common name = serial number' })
  @IsString()
  @MinLength(1, { message: 'csr must not be empty' })
  @MaxLength(16384)
  csr: string;

  @ApiProperty({ type: EnrollDeviceInfoDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => EnrollDeviceInfoDto)
  device: EnrollDeviceInfoDto;
}
