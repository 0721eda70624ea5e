// Loans at the office desk and their reminders (issue 13).
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule } from '../assets/assets.module';
import { StaffModule } from '../staff/staff.module';
import { LoanMailer } from './loan-mailer';
import { LoanRemindersService } from './loan-reminders.service';
import { LOAN_ENTITIES } from './loan.entities';
import { LoansController } from './loans.controller';
import { LoansRepository } from './loans.repository';
import { LoansService } from './loans.service';

@Module({
  imports: [TypeOrmModule.forFeature(LOAN_ENTITIES), AssetsModule, StaffModule],
  controllers: [LoansController],
  providers: [LoansRepository, LoansService, LoanMailer, LoanRemindersService],
  exports: [LoansService, LoanRemindersService],
})
export class LoansModule {}
