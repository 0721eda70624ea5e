// Filters for reading the audit log, checked here as every query is (a window's end after its
// start too), so the controller only maps them.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { IsLaterThan, IsPlainText, IsRfc3339 } from '../../common/input-rules';
import { PageQuery, PageQueryDto } from '../../common/page-query.dto';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Who acted: a staff id, username or device id (exactly, any capitals), or part of a ' +
      'member of staff’s display name or username (any capitals, `%` and `_` as letters): ' +
      'entries by every member of staff it names, as GET /api/audit/people lists them',
    example: 'patel',
  })
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

/** The Person filter's type-ahead: 20 names by default, at most 100. */
export class AuditPeopleQueryDto extends PageQuery(20, 100) {
  @ApiPropertyOptional({
    description:
      'Part of a display name or username (any capitals), or a staff id; left out: everyone ' +
      'the log names as having acted',
    example: 'patel',
  })
  @IsOptional()
  @IsPlainText({ max: 128 })
  search?: string;
}
