// Live events for signed-in staff: the /staff Socket.IO namespace. It listens to the in-process
// bus and asks the staff module who is signing in; nothing imports this module back.
import { Module } from '@nestjs/common';
import { StaffModule } from '../staff/staff.module';
import { StaffGateway } from './staff.gateway';

@Module({
  imports: [StaffModule],
  providers: [StaffGateway],
})
export class LiveModule {}
