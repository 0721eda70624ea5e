// The asset register's routes (issue 13): ICT and the office keep it; trip leaders read it to
// name a trip's kit. Thin: who may call, what comes in, one service call.
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  PayloadTooLargeException,
  Patch,
  Post,
  Query,
  Req,
  Res,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Asset, ImportReport, Page } from '@app/hub-api';
import { ApiRoute } from '../api-docs/openapi';
import { CurrentStaff, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { IMPORT_MAX_BYTES } from './asset-import';
import { AssetsService } from './assets.service';
import {
  AssetImportQueryDto,
  AssetListQueryDto,
  CreateAssetDto,
  MarkLostDto,
  UpdateAssetDto,
} from './dto/asset.dto';
import { NotUtf8Error, utf8TextOf } from '../common/utf8-text';
import { IdInPath } from '../common/validation';

/**
 * Reads a `text/csv` body as UTF-8 text, at most IMPORT_MAX_BYTES.
 *
 * @throws UnsupportedMediaTypeException 415 for another content type
 * @throws PayloadTooLargeException 413 past the limit
 * @throws BadRequestException 400 for a file that is not UTF-8 (Excel's plain "CSV" is
 *   Windows-1252), naming its first such line: read as UTF-8 its letters would be stored as U+FFFD
 */
async function readCsvBody(request: Request): Promise<string> {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'text/csv') {
    throw new UnsupportedMediaTypeException('Send the file as text/csv');
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > IMPORT_MAX_BYTES) {
    throw new PayloadTooLargeException(`The file is larger than ${IMPORT_MAX_BYTES} bytes`);
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > IMPORT_MAX_BYTES) {
      throw new PayloadTooLargeException(`The file is larger than ${IMPORT_MAX_BYTES} bytes`);
    }
    parts.push(chunk);
  }
  try {
    return utf8TextOf(Buffer.concat(parts));
  } catch (error) {
    if (error instanceof NotUtf8Error) {
      throw new BadRequestException(
        `The file is not UTF-8 text (line ${error.line} is not), so its letters would be ` +
          'garbled: in Excel, save it as "CSV UTF-8 (Comma delimited)" and import it again',
      );
    }
    throw error;
  }
}

/** What the read routes say of `currentLoan`. */
const LOAN_SHOWN_TO =
  '`currentLoan` (who has it, until when, how overdue, whether their account is disabled) is ' +
  'given to office and ICT only, who read ' +
  'loans; for a trip leader it is null, as GET /api/loans is refused them.';

@ApiTags('assets')
@ApiBearerAuth()
@Controller('assets')
export class AssetsController {
  constructor(private readonly assets: AssetsService) {}

  @Post()
  @Roles('ict', 'office')
  @ApiRoute({
    summary: 'Add an asset to the register',
    ok: 'The new asset (status available), with its device if one with that serial number is enrolled',
    errors: {
      409:
        'Refused, with `code` beside the message: `asset_tag_taken` (another asset, or another ' +
        'active device, has the tag) or `serial_number_taken` (another asset has the serial ' +
        'number in any capitals; the message names it)',
    },
  })
  create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateAssetDto): Promise<Asset> {
    return this.assets.create(actor, body);
  }

  @Get()
  @Roles('ict', 'office', 'trip_leader')
  @ApiRoute({
    summary: 'List assets by status, kind or search, a page at a time',
    description: LOAN_SHOWN_TO,
    ok: 'A page of assets in tag order',
  })
  list(
    @CurrentStaff() viewer: StaffPrincipal,
    @Query() query: AssetListQueryDto,
  ): Promise<Page<Asset>> {
    return this.assets.list(
      viewer,
      { status: query.status, kind: query.kind, search: query.search },
      query.page,
      query.pageSize,
    );
  }

  @Post('import')
  @Roles('ict', 'office')
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @ApiRoute({
    summary: 'Import assets from CSV (header: assetTag,kind,serialNumber,model,condition,notes)',
    description:
      'Good rows go in one transaction; bad rows are reported by line (the header is line 1) and field and change nothing (a tag or serial number already in the hub or repeated in the file is a bad row). ?dryRun=true only reports.',
    ok: '{created, errors: [{row, field, message}], dryRun}',
    errors: {
      409: 'A tag or serial number in the file was added by someone else meanwhile; nothing was imported',
      400: 'The file is not UTF-8 text (the message names its first line that is not)',
      413: 'The file is larger than 2 MB',
      415: 'The body is not text/csv',
    },
  })
  async import(
    @CurrentStaff() actor: StaffPrincipal,
    @Query() query: AssetImportQueryDto,
    @Req() request: Request,
  ): Promise<ImportReport> {
    const text = await readCsvBody(request);
    return this.assets.importCsv(actor, text, query.dryRun === 'true');
  }

  @Get('by-tag/:tag')
  @Roles('ict', 'office', 'trip_leader')
  @ApiRoute({
    summary: 'Find an asset by its tag (what a scan gives), in any case',
    description: LOAN_SHOWN_TO,
    ok: 'The asset',
    errors: { 404: 'No asset has that tag' },
  })
  byTag(@CurrentStaff() viewer: StaffPrincipal, @Param('tag') tag: string): Promise<Asset> {
    return this.assets.getByTag(viewer, tag);
  }

  @Get(':id/label.svg')
  @Roles('ict', 'office')
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  @ApiRoute({
    summary: "The asset's printable label: QR code and Code 128 of its tag, as SVG (60 × 25 mm)",
    ok: 'An SVG document',
    errors: { 404: 'No such asset' },
  })
  async label(
    @Param('id', new IdInPath()) id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const { assetTag, svg } = await this.assets.label(id);
    response.setHeader('Content-Disposition', `inline; filename="label-${assetTag}.svg"`);
    return svg;
  }

  @Get(':id')
  @Roles('ict', 'office', 'trip_leader')
  @ApiRoute({
    summary: 'Read an asset',
    description: LOAN_SHOWN_TO,
    ok: 'The asset',
    errors: { 404: 'No such asset' },
  })
  get(
    @CurrentStaff() viewer: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
  ): Promise<Asset> {
    return this.assets.get(id, viewer);
  }

  @Patch(':id')
  @Roles('ict', 'office')
  @ApiRoute({
    summary: "Change an asset's details, or its status between available, in repair and retired",
    ok: 'The asset as changed',
    errors: {
      404: 'No such asset',
      409:
        'The tag is already used (`code` `asset_tag_taken`), the serial number is already used ' +
        '(`serial_number_taken`, naming the asset that has it), or, without a code, the asset ' +
        'is on loan or on a trip (its status and serial number wait for its check-in), was lost ' +
        'while on loan and that loan is still open (its status waits for its check-in at the ' +
        'desk), or changed at the same moment',
    },
  })
  update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: UpdateAssetDto,
  ): Promise<Asset> {
    return this.assets.update(actor, id, body);
  }

  @Post(':id/lost')
  @Roles('ict', 'office')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Report an asset lost: its device is locked (reason lost) until ICT unlocks it',
    ok: 'The asset, now lost, with whether its device was locked',
    errors: { 404: 'No such asset', 409: 'It is already lost or retired' },
  })
  async lost(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: MarkLostDto,
  ): Promise<Asset & { lockedDeviceId: string | null }> {
    const outcome = await this.assets.markLost(actor, id, { note: body.note });
    return { ...outcome.asset, lockedDeviceId: outcome.lockedDeviceId };
  }
}
