// Live events for signed-in staff: the /staff Socket.IO namespace. It listens to the in-process
// bus and asks the staff module who is signing in; nothing imports this module back.
import { Module } from '@nestjs/common';
import { ClassroomModule } from '../classroom/classroom.module';
import { StaffModule } from '../staff/staff.module';
import { StaffGateway } from './staff.gateway';

@Module({
  imports: [StaffModule, ClassroomModule],
  providers: [StaffGateway],
})
export class LiveModule {}
