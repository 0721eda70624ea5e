// Classroom (issue 12): classes, their lessons, what a teacher does to a class's tablets, and the
// tiles of the live view (sent on /staff by the live module, which imports this one).
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommandsModule } from '../commands/commands.module';
import { TeacherTablets } from '../commands/teacher-tablets';
import { DevicesModule } from '../devices/devices.module';
import { PoliciesModule } from '../policies/policies.module';
import { StaffModule } from '../staff/staff.module';
import { ClassSessionsService } from './class-sessions.service';
import { ClassTilesService } from './class-tiles.service';
import { ClassesController } from './classes.controller';
import { ClassesRepository } from './classes.repository';
import { ClassesService } from './classes.service';
import { CLASSROOM_ENTITIES } from './classroom.entities';

@Module({
  imports: [
    TypeOrmModule.forFeature(CLASSROOM_ENTITIES),
    DevicesModule,
    CommandsModule,
    PoliciesModule,
    StaffModule,
  ],
  controllers: [ClassesController],
  providers: [
    ClassesRepository,
    ClassesService,
    // The command routes ask it whose tablets a device is (a teacher commands only their own).
    { provide: TeacherTablets, useExisting: ClassesService },
    ClassTilesService,
    ClassSessionsService,
  ],
  exports: [ClassSessionsService, ClassTilesService],
})
export class ClassroomModule {}
