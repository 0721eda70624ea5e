// Request and response shapes for devices and groups.
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PLATFORMS } from '@app/devices';
import { PageQueryDto } from '../../common/page-query.dto';

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
  @IsString()
  @MaxLength(128)
  search?: string;
}

export class UpdateDeviceDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  assetTag?: string;
}

export class CreateGroupDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateGroupDto extends PartialType(CreateGroupDto) {}

export class GroupMembersDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  @ArrayUnique()
  @IsUUID('4', { each: true })
  deviceIds: string[];
}

export interface DesiredStateDto {
  locked: boolean;
  lock: { message?: string; reason: string } | null;
  appLock: string | null;
}

export interface DeviceDto {
  id: string;
  serialNumber: string;
  platform: string;
  model: string | null;
  osVersion: string | null;
  name: string | null;
  assetTag: string | null;
  status: string;
  online: boolean;
  lastSeenAt: string | null;
  enrolledAt: string;
  revokedAt: string | null;
  reportedState: Record<string, unknown> | null;
  reportedAt: string | null;
  desiredState: DesiredStateDto;
}

export interface GroupDto {
  id: string;
  name: string;
  description: string | null;
  members: number;
  createdAt: string;
  updatedAt: string;
}
