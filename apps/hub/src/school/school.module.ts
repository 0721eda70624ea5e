// The school this hub belongs to, as the console and enrolling devices see it.
import { Module } from '@nestjs/common';
import { EnrollmentModule } from '../enrollment/enrollment.module';
import { SchoolController } from './school.controller';

@Module({
  imports: [EnrollmentModule],
  controllers: [SchoolController],
})
export class SchoolModule {}
