// Loans at the office desk, a person's own loans, an asset's loan history and reminders
// (issue 13). Thin: who may call, what comes in, one service call.
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Borrower, Loan, Page, Reminder } from '@app/hub-api';
import { ApiRoute } from '../api-docs/openapi';
import { AnyStaff, CurrentStaff, Roles } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import {
  BorrowerQueryDto,
  CreateLoanDto,
  LoanListQueryDto,
  MyLoansQueryDto,
  ReminderListQueryDto,
  ReturnLoanDto,
} from './dto/loan.dto';
import { LoansService } from './loans.service';
import { PageQueryDto } from '../common/page-query.dto';
import { IdInPath } from '../common/validation';

@ApiTags('loans')
@ApiBearerAuth()
@Controller()
export class LoansController {
  constructor(private readonly loans: LoansService) {}

  @Post('loans')
  @Roles('office', 'ict')
  @ApiRoute({
    summary: 'Check an asset out to a member of staff',
    description:
      'With aupAcceptedAtDesk: true, a borrower who has not accepted the current AUP accepts it in person, recorded in the same transaction with the clerk as witness.',
    ok: 'The open loan',
    errors: {
      400: 'The due date is not in the future',
      404:
        'Not found, with `code` beside the message: `asset_not_found` (no asset with that tag) or ' +
        '`borrower_not_found` (no such staff account)',
      409:
        'Refused, with `code` beside the message: `asset_not_available` (on loan, on a trip, in ' +
        'repair, lost, retired, or checked out by another desk at the same moment), ' +
        '`borrower_disabled`, `aup_not_accepted` (the borrower has not accepted the current ' +
        'AUP: check out again with aupAcceptedAtDesk once they accept it in person), or ' +
        '`device_locked_lost` (found after a lost report, its device still locked until ICT ' +
        'unlocks it)',
    },
  })
  checkOut(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateLoanDto): Promise<Loan> {
    return this.loans.checkOut(actor, body);
  }

  @Get('loans')
  @Roles('office', 'ict')
  @ApiRoute({
    summary: 'List loans: open, overdue (with days overdue) or returned, by borrower or asset',
    description:
      "Each loan says whether its borrower's account is disabled (`borrowerDisabled`: they have " +
      'left the school); no reminder goes to such a borrower, so the office chases the loan.',
    ok: 'A page of loans',
  })
  list(@Query() query: LoanListQueryDto): Promise<Page<Loan>> {
    return this.loans.list(
      { status: query.status, borrowerId: query.borrowerId, assetId: query.assetId },
      query.page,
      query.pageSize,
    );
  }

  @Get('loans/borrowers')
  @Roles('office', 'ict', 'trip_leader')
  @ApiRoute({
    summary: 'Find staff to lend to, or to lead a trip, by name',
    description:
      'Office and ICT: enabled staff (with canLead=true, only those who may lead a trip), each ' +
      'with `disabled` and `aupAccepted` (whether they accepted the current AUP, which a ' +
      'check-out needs). A trip leader: only with canLead=true, and each person as id, ' +
      '`displayName` and `username` alone.',
    ok: 'A page of enabled staff accounts, by name',
    errors: { 403: 'A trip leader who does not ask with canLead=true' },
  })
  borrowers(
    @CurrentStaff() actor: StaffPrincipal,
    @Query() query: BorrowerQueryDto,
  ): Promise<Page<Borrower>> {
    return this.loans.borrowers(
      actor,
      { search: query.search, canLead: query.canLead === 'true' },
      query.page,
      query.pageSize,
    );
  }

  @Get('loans/:id')
  @Roles('office', 'ict')
  @ApiRoute({ summary: 'Read a loan', ok: 'The loan', errors: { 404: 'No such loan' } })
  get(@Param('id', new IdInPath()) id: string): Promise<Loan> {
    return this.loans.get(id);
  }

  @Post('loans/:id/return')
  @Roles('office', 'ict')
  @HttpCode(200)
  @ApiRoute({
    summary: "Check a loan's asset back in: available, or in repair",
    ok: 'The returned loan',
    errors: { 404: 'No such loan', 409: 'The loan was already returned' },
  })
  checkIn(
    @CurrentStaff() actor: StaffPrincipal,
    @Param('id', new IdInPath()) id: string,
    @Body() body: ReturnLoanDto,
  ): Promise<Loan> {
    return this.loans.checkIn(actor, id, body);
  }

  @Get('staff/me/loans')
  @AnyStaff()
  @ApiRoute({ summary: 'Your own loans', ok: 'A page of your loans, newest first' })
  mine(
    @CurrentStaff() actor: StaffPrincipal,
    @Query() query: MyLoansQueryDto,
  ): Promise<Page<Loan>> {
    return this.loans.list(
      { borrowerId: actor.id, status: query.status },
      query.page,
      query.pageSize,
    );
  }

  @Get('assets/:id/loans')
  @Roles('office', 'ict')
  @ApiRoute({
    summary: "An asset's loan history, newest first",
    ok: 'A page of loans',
    errors: { 404: 'No such asset' },
  })
  assetHistory(
    @Param('id', new IdInPath()) id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<Loan>> {
    return this.loans.assetHistory(id, query.page, query.pageSize);
  }

  @Get('reminders')
  @AnyStaff()
  @ApiRoute({
    summary: 'Loan reminders sent: your own, or everyone’s for office staff and ICT',
    ok: 'A page of reminders, newest first',
  })
  reminders(
    @CurrentStaff() actor: StaffPrincipal,
    @Query() query: ReminderListQueryDto,
  ): Promise<Page<Reminder>> {
    return this.loans.reminders(
      actor,
      { borrowerId: query.borrowerId, loanId: query.loanId },
      query.page,
      query.pageSize,
    );
  }
}
