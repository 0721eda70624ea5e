// The page of a list every listing route takes: `page` from 1, `pageSize` up to a limit.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The last page any list serves: far past any real list, far below unsafe offsets. */
export const MAX_PAGE = 1_000_000;

/** A page query whose `pageSize` defaults to `defaultSize` and may go up to `maxSize`. */
export function PageQuery(defaultSize: number, maxSize: number) {
  class PageQueryOf {
    // Bounded so the offset it makes stays a safe integer the database can take (issue 8).
    @ApiPropertyOptional({ type: Number, default: 1, maximum: MAX_PAGE })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(MAX_PAGE)
    page = 1;

    @ApiPropertyOptional({ type: Number, default: defaultSize, maximum: maxSize })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(maxSize)
    pageSize = defaultSize;
  }
  return PageQueryOf;
}

/** The usual page: 50 by default, at most 500. */
export class PageQueryDto extends PageQuery(50, 500) {}
