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
} from 'class-validator';
import { PLATFORMS } from '@app/devices';
import { PageQueryDto } from '../../common/page-query.dto';
import { IsPlainText } from '../../common/input-rules';

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
  @IsOptional()
  @IsPlainText({ max: 128 })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsPlainText({ max: 64 })
  assetTag?: string;
}

export class CreateGroupDto {
  @ApiProperty()
  @IsPlainText({ max: 128 })
  name: string;

  @ApiPropertyOptional({ description: 'May be several lines; an empty string clears it' })
  @IsOptional()
  @IsPlainText({ max: 500, multiline: true, allowEmpty: true })
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
  /** Who owns the lock: `class` (a teacher), `admin` (ICT) or `lost` (ICT); issue 8 item 6. */
  lockOwner: 'class' | 'admin' | 'lost' | null;
  /** Who owns the single-app lock: `class` or `admin`. */
  appLockOwner: 'class' | 'admin' | 'lost' | null;
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
