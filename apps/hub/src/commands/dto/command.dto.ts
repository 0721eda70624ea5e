// Issuing commands and reading the queue.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsObject, IsOptional } from 'class-validator';
import { COMMAND_TYPES } from '@app/devices';
import { COMMAND_STATUSES, CommandStatus } from '../command.entity';
import { PageQueryDto } from '../../common/page-query.dto';

export class IssueCommandDto {
  @ApiProperty({ enum: COMMAND_TYPES })
  @IsIn(COMMAND_TYPES, { message: `type must be one of ${COMMAND_TYPES.join(', ')}` })
  type: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {} })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'ISO 8601 time after which the command is never delivered' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class CommandListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: COMMAND_STATUSES })
  @IsOptional()
  @IsIn(COMMAND_STATUSES)
  status?: CommandStatus;
}

export interface CommandDto {
  id: string;
  deviceId: string;
  type: string;
  payload: Record<string, unknown>;
  status: CommandStatus;
  issuedAt: string;
  expiresAt: string | null;
  sentAt: string | null;
  answeredAt: string | null;
  attempts: number;
  detail: string | null;
  issuedBy: { type: string; id: string | null };
  groupId: string | null;
}
