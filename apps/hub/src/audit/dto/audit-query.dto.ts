// Filters for reading the audit log, checked here as every query is (a window's end after its
// start too), so the controller only maps them.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { IsLaterThan, IsPlainText, IsRfc3339 } from '../../common/input-rules';
import { PageQueryDto } from '../../common/page-query.dto';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Staff id, username or device id' })
  @IsOptional()
  @IsPlainText({ max: 128 })
  actor?: string;

  @ApiPropertyOptional({
    description: 'An action such as "staff.created", or a prefix ending in "." such as "command."',
  })
  @IsOptional()
  @Matches(/^[a-z_.]{1,64}$/, { message: 'action must be lowercase letters, dots and underscores' })
  action?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[a-z_]{1,32}$/, { message: 'targetType must be lowercase letters and underscores' })
  targetType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsPlainText({ max: 64 })
  targetId?: string;

  @ApiPropertyOptional({
    description: 'RFC 3339 time with a zone (2027-01-31T08:00:00Z), inclusive',
  })
  @IsOptional()
  @IsRfc3339()
  from?: string;

  @ApiPropertyOptional({
    description: 'RFC 3339 time with a zone (2027-01-31T08:00:00Z), exclusive; later than from',
  })
  @IsOptional()
  @IsRfc3339()
  @IsLaterThan('from')
  to?: string;
}
