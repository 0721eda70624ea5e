// What a device may ask about itself over HTTP with its proof: its record and the state staff
// want in force (an agent uses it to check its enrolment after a long time offline).
import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentDevice, DeviceProof } from '../common/access';
import type { DevicePrincipal } from '../common/roles';
import { DevicesService, toDeviceDto } from './devices.service';
import { ApiRoute } from '../api-docs/openapi';

@ApiTags('device')
@Controller('device')
export class DeviceSelfController {
  constructor(private readonly devices: DevicesService) {}

  @Get('self')
  @DeviceProof()
  @ApiRoute({
    summary: 'A device reads its own record and the state staff want in force',
    ok: 'Its id, serial number, status and desired state',
  })
  async self(@CurrentDevice() device: DevicePrincipal) {
    const found = await this.devices.mustFind(device.id);
    const record = toDeviceDto(found, this.devices.shownOnline(found));
    return {
      id: record.id,
      serialNumber: record.serialNumber,
      status: record.status,
      desiredState: record.desiredState,
    };
  }
}
