// Issuing commands and reading the queue.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional } from 'class-validator';
import { COMMAND_TYPES } from '@app/devices';
import { COMMAND_STATUSES, CommandStatus } from '../command.entity';
import { PageQueryDto } from '../../common/page-query.dto';
import { IsOmittable, IsRfc3339 } from '../../common/input-rules';

export class IssueCommandDto {
  @ApiProperty({ enum: COMMAND_TYPES })
  @IsIn(COMMAND_TYPES, { message: `type must be one of ${COMMAND_TYPES.join(', ')}` })
  type: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {} })
  @IsOmittable()
  @IsObject()
  payload?: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'RFC 3339 time with a zone (2027-01-31T08:00:00Z) after which it is never delivered. ' +
      'A message.show without one expires 24 hours after it is issued.',
  })
  @IsOmittable()
  @IsRfc3339()
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
