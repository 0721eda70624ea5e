// Trips (issue 13): trip leaders (their own trips) and ICT (all). Thin: who may call, what comes
// in, one service call; the per-trip check (a leader of another trip gets 403) is the service's.
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Page, Trip, TripSummary } from '@app/hub-api';
import { ApiRoute } from '../api-docs/openapi';
import { CurrentStaff, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { AssetTagInPath, CreateTripDto, TripAssetDto, TripListQueryDto } from './dto/trip.dto';
import { TripsService } from './trips.service';
import { IdInPath } from '../common/validation';

const NOT_YOURS = 'You do not lead this trip';

@ApiTags('trips')
@ApiBearerAuth()
@Controller('trips')
export class TripsController {
  constructor(private readonly trips: TripsService) {}

  @Post()
  @Roles('trip_leader', 'ict')
  @ApiRoute({
    summary: 'Add a trip: its name, short name, times, leaders and kit (named assets)',
    description:
      'overlay: partial policy settings the kit’s enrolled devices get while out (default camera allowed). A trip leader leads the trips they add.',
    ok: 'The trip, planned, with its kit ready to check out',
    errors: {
      400: 'A time, the short name, the overlay, a leader or an asset tag is not valid',
    },
  })
  create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateTripDto): Promise<Trip> {
    return this.trips.create(actor, body);
  }

  @Get()
  @Roles('trip_leader', 'ict', 'safeguarding')
  @ApiRoute({
    summary:
      'List trips: a trip leader’s own, every trip for ICT and safeguarding (mine=true: those you lead)',
    ok: 'A page of trips with their leaders and kit counts, newest start first',
  })
  list(
    @CurrentStaff() actor: StaffPrincipal,
    @Query() query: TripListQueryDto,
  ): Promise<Page<TripSummary>> {
    return this.trips.list(
      actor,
      { status: query.status, mine: query.mine === 'true' },
      query.page,
      query.pageSize,
    );
  }

  @Get(':id')
  @Roles('trip_leader', 'ict', 'safeguarding')
  @ApiRoute({
    summary: 'Read a trip and its kit: each device out, back or lost, last seen, photos waiting',
    ok: 'The trip',
    errors: { 403: NOT_YOURS, 404: 'No such trip' },
  })
  get(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
  ): Promise<Trip> {
    return this.trips.get(actor, id);
  }

  @Post(':id/check-out')
  @Roles('trip_leader', 'ict')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Check the whole kit out to the leaders; its devices get the trip’s overlay',
    description:
      'All or nothing: if any asset is not available, nothing is checked out and the 409 names each one.',
    ok: 'The trip, out',
    errors: {
      400: 'The trip’s overlay would make a device’s policies conflict',
      403: NOT_YOURS,
      404: 'No such trip',
      409:
        'Refused, with `code` beside the message: `asset_not_available` (an asset of the kit is ' +
        'not available, each named, or was taken at the same moment), `device_locked_lost` ' +
        '(an asset of the kit found after a lost report, its device still locked until ICT ' +
        'unlocks it, each named), `kit_already_out`, ' +
        '`trip_closed`, `trip_ended`, or `kit_changed` (the kit changed or a kit device ' +
        'enrolled meanwhile: check the kit out again)',
    },
  })
  checkOut(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
  ): Promise<Trip> {
    return this.trips.checkOut(actor, id);
  }

  @Post(':id/check-in')
  @Roles('trip_leader', 'ict')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Check one device back in by scan; its overlay is removed',
    ok: 'The trip as it is now',
    errors: {
      403: NOT_YOURS,
      404: 'No such trip, or the tag is not in its kit',
      409: 'The kit is not out, or the device is already back or lost',
    },
  })
  checkIn(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: TripAssetDto,
  ): Promise<Trip> {
    return this.trips.checkIn(actor, id, body.assetTag);
  }

  @Post(':id/lost')
  @Roles('trip_leader', 'ict')
  @HttpCode(200)
  @ApiRoute({
    summary:
      'Report a kit device lost: the asset is lost and its device locked until ICT unlocks it',
    ok: 'The trip as it is now',
    errors: {
      403: NOT_YOURS,
      404: 'No such trip, or the tag is not in its kit',
      409: 'The device is not out on this trip',
    },
  })
  lost(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: TripAssetDto,
  ): Promise<Trip> {
    return this.trips.lost(actor, id, body.assetTag);
  }

  @Post(':id/kit')
  @Roles('trip_leader', 'ict')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Add one asset to the kit by its tag; on a trip that is out it goes out at once',
    description:
      'A planned trip’s kit takes any asset in the register (the check-out decides what can go). ' +
      'On a trip that is out the asset must be available: it goes out to the leaders and its ' +
      'enrolled device gets the trip’s overlay in the same step.',
    ok: 'The trip as it is now',
    errors: {
      400: 'The tag is not valid, or the trip’s overlay would make the device’s policies conflict',
      403: NOT_YOURS,
      404: 'No such trip, or no asset has that tag',
      409:
        'Refused, with `code` beside the message: `already_in_kit`, `asset_not_available` (the ' +
        'trip is out and the asset is on loan, on another trip, in repair, lost or retired: ' +
        "named), `device_locked_lost` (the trip is out and the asset's device is still " +
        'locked as lost until ICT unlocks it), `trip_closed`, `trip_ended`, `kit_full`, or ' +
        '`kit_changed` (try again)',
    },
  })
  addToKit(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: TripAssetDto,
  ): Promise<Trip> {
    return this.trips.addToKit(actor, id, body.assetTag);
  }

  @Delete(':id/kit/:assetTag')
  @Roles('trip_leader', 'ict')
  @ApiRoute({
    summary: 'Take one asset out of the kit; one that is out is checked in as it leaves',
    description:
      'One that never went out leaves the kit. One that is out is checked in (available again, ' +
      'the trip’s overlay off its device) and stays in the kit as back, the trip’s record.',
    ok: 'The trip as it is now',
    errors: {
      400: 'The tag is not valid',
      403: NOT_YOURS,
      404: 'No such trip, or the tag is not in its kit',
      409:
        'Refused, with `code` beside the message: `trip_closed`, `last_in_kit` (a planned ' +
        'kit’s only asset: close the trip to call it off), or `kept_in_record` (back or lost)',
    },
  })
  removeFromKit(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Param('assetTag', new AssetTagInPath()) assetTag: string,
  ): Promise<Trip> {
    return this.trips.removeFromKit(actor, id, assetTag);
  }

  @Post(':id/close')
  @Roles('trip_leader', 'ict')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Close a trip once every device of its kit is back or lost',
    ok: 'The trip, closed',
    errors: {
      403: NOT_YOURS,
      404: 'No such trip',
      409: 'Devices are still out (named), or it is already closed',
    },
  })
  close(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
  ): Promise<Trip> {
    return this.trips.close(actor, id);
  }
}
