// The audit log's reader, for the safeguarding lead and ICT: a filtered page, or a CSV export,
// and the staff its Person filter can name (for the console's type-ahead).
// An export is a copy of the log taken away, so it writes its own entry (`audit.exported`);
// reading a page on screen does not (docs/decisions.md, 2026-12-03 sixth).
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { CurrentStaff, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import type { AuditFilter } from './audit.repository';
import { AuditEntryView, AuditService } from './audit.service';
import { AuditPageDto, AuditPeoplePageDto } from './dto/audit-entry.dto';
import { AuditPeopleQueryDto, AuditQueryDto } from './dto/audit-query.dto';
import { ApiRoute } from '../api-docs/openapi';

/**
 * The repository's filter for a query the ValidationPipe has checked (AuditQueryDto: each time
 * RFC 3339, `to` later than `from`): the times as Dates, the rest as given.
 */
function toFilter(query: AuditQueryDto): AuditFilter {
  return {
    actor: query.actor,
    action: query.action,
    targetType: query.targetType,
    targetId: query.targetId,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  };
}

/**
 * The export's columns (issue 9): `at` is the school's time (`HUB_TIME_ZONE`) with its offset,
 * `actorName` and `targetLabel` the names stored when the entry was written, `detail` readable
 * text. The JSON API keeps the UTC time and the structured detail.
 */
const CSV_COLUMNS = [
  'id',
  'at',
  'actorType',
  'actorId',
  'actor',
  'actorName',
  'action',
  'targetType',
  'targetId',
  'targetLabel',
  'detail',
  'correlationId',
];

function toCsvRow(entry: AuditEntryView) {
  return { ...entry, at: entry.atLocal, detail: entry.detailText };
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('safeguarding', 'ict')
  @ApiOkResponse({ type: AuditPageDto })
  @ApiRoute({
    summary: 'Read the audit log, filtered, a page at a time',
    ok: 'A page of entries, newest first, with the names they had at the time',
  })
  list(@Query() query: AuditQueryDto) {
    return this.audit.find(toFilter(query), query.page, query.pageSize);
  }

  @Get('people')
  @Roles('safeguarding', 'ict')
  @ApiOkResponse({ type: AuditPeoplePageDto })
  @ApiRoute({
    summary: 'Find the staff who acted in the log by part of their name or username',
    description:
      'The people the Person filter (`actor`) finds entries by, for the console to offer by ' +
      'name: staff accounts with at least one entry as the one who acted, with their id, ' +
      'username and display name now, and nothing else (the staff list, with roles and email, ' +
      'is for ICT only).',
    ok: 'A page of people, by display name',
  })
  people(@Query() query: AuditPeopleQueryDto) {
    return this.audit.people(query.search, query.page, query.pageSize);
  }

  @Get('export.csv')
  @Roles('safeguarding', 'ict')
  @ApiProduces('text/csv')
  @ApiRoute({
    summary: "Download the filtered audit log as CSV, times in the school's zone",
    description:
      'Each export writes one `audit.exported` entry before the first row is sent: who exported, ' +
      'the filters given and how many rows the file holds. It is never in its own file.',
    ok: 'The CSV file',
  })
  async exportCsv(
    @CurrentStaff() actor: StaffPrincipal,
    @Query() query: AuditQueryDto,
    @Res() response: Response,
  ): Promise<void> {
    // The first page is read and the export's own audit entry written before anything is sent,
    // so a fault there is still a proper status line and {statusCode, message}; a fault later can
    // only cut the download short (pipeline destroys the response, so the client sees an
    // incomplete body, never a hang).
    const entries = await this.audit.startExport(actor, toFilter(query));
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', 'attachment; filename="audit-log.csv"');
    const rows = Readable.from(
      (async function* () {
        for await (const entry of entries) {
          yield toCsvRow(entry);
        }
      })(),
    );
    try {
      await pipeline(
        rows,
        stringify({
          header: true,
          // A cell starting with = + - @ would run as a formula in a spreadsheet.
          escape_formulas: true,
          columns: CSV_COLUMNS,
        }),
        response,
      );
    } catch (error) {
      // The reader went away mid-download: nothing is wrong with the hub, so nothing to log.
      if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') {
        return;
      }
      throw error;
    }
  }
}
