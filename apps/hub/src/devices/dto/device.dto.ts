// Request and response shapes for devices and groups.
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsUUID,
  Matches,
} from 'class-validator';
import { PLATFORMS } from '@app/devices';
import { PageQueryDto } from '../../common/page-query.dto';
import { IsOmittable, IsPlainText } from '../../common/input-rules';
import { eachMustBeUuid } from '../../common/validation';

export class DeviceListQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  groupId?: string;

  @ApiPropertyOptional({ enum: PLATFORMS })
  @IsOptional()
  @IsIn(PLATFORMS)
  platform?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  online?: 'true' | 'false';

  @ApiPropertyOptional({ enum: ['active', 'revoked'] })
  @IsOptional()
  @IsIn(['active', 'revoked'])
  status?: 'active' | 'revoked';

  @ApiPropertyOptional({ description: 'Part of the name, serial number or asset tag' })
  @IsOptional()
  @IsPlainText({ max: 128 })
  search?: string;
}

export class UpdateDeviceDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @IsPlainText({ max: 128 })
  name?: string;

  @ApiPropertyOptional({ description: 'The same form as at enrolment' })
  @IsOmittable()
  // The same rule as at enrolment: the tag names the device's photos on the network store
  // (protocol section 5), so a slash or "..", allowed here before, must never reach it.
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: 'assetTag must be 1 to 64 letters, digits, dots, dashes or underscores',
  })
  assetTag?: string;
}

export class CreateGroupDto {
  @ApiProperty()
  @IsPlainText({ max: 128 })
  name: string;

  @ApiPropertyOptional({ description: 'May be several lines; an empty string clears it' })
  @IsOmittable()
  @IsPlainText({ max: 500, multiline: true, allowEmpty: true })
  description?: string;
}

// null is checked, not skipped, as IsOmittable does (PartialType's default lets it through).
export class UpdateGroupDto extends PartialType(CreateGroupDto, { skipNullProperties: false }) {}

export class GroupMembersDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  @ArrayUnique()
  @IsUUID('4', { each: true, message: eachMustBeUuid('4') })
  deviceIds: string[];
}

/** What the console reads too: one definition, in libs/hub-api (issue 11). */
export type {
  DeviceDesiredState as DesiredStateDto,
  Device as DeviceDto,
} from '@app/hub-api/responses';

export interface GroupDto {
  id: string;
  name: string;
  description: string | null;
  members: number;
  createdAt: string;
  updatedAt: string;
}
