// Loans at the office desk (issue 13): check-out to a member of staff and check-in. The AUP rule
// ("staff accept the AUP before they use school equipment") gates a check-out; a clerk may record
// the borrower's acceptance in person, in the loan's own transaction. The same asset is never out
// twice: the check-out reads the asset with a row lock (PostgreSQL; SQLite's transactions run one
// at a time), moves it available → on_loan in one conditional statement, and the partial unique
// index on open loans refuses a second open loan whatever happens above it.
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type {
  Borrower,
  CheckOutNotFound,
  CheckOutRefusal,
  Loan,
  Page,
  Reminder,
} from '@app/hub-api';
import { assetTarget } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import { AssetsRepository } from '../assets/assets.repository';
import { Clock } from '../common/clock';
import { codedConflict, codedNotFound } from '../common/coded-refusal';
import { refuseTooFarAhead } from '../common/input-rules';
import { hasAnyRole, LOAN_DESK_ROLES, StaffPrincipal, TRIP_LEADER_ROLES } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { TransactionRunner } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { AupService } from '../staff/aup.service';
import { StaffRepository } from '../staff/staff.repository';
import type { CreateLoanDto, ReturnLoanDto } from './dto/loan.dto';
import { daysOverdue } from './loan-calendar';
import type { LoanEntity } from './loan.entities';
import { LoanFilter, LoanRow, LoansRepository, ReminderRow } from './loans.repository';

/**
 * A check-out's 409: its plain-words `message` and its `code`, one of CHECK_OUT_REFUSALS (the
 * published codes only: the console decides by them).
 */
function checkOutRefused(code: CheckOutRefusal, message: string): ConflictException {
  return codedConflict(code, message);
}

/**
 * A check-out's 404: what was not found in plain words, and which one in its `code`, one of
 * CHECK_OUT_NOT_FOUND (the console says the asset's at the asset, the borrower's at the borrower).
 */
function checkOutNotFound(code: CheckOutNotFound, message: string): NotFoundException {
  return codedNotFound(code, message);
}

/** A loan as the API shows it; `status` and `daysOverdue` follow from the hub clock. */
export function toLoanDto(row: LoanRow, now: Date, timeZone: string): Loan {
  const dueAt = new Date(row.dueAt);
  const returned = row.returnedAt !== null;
  const overdue = !returned && dueAt.getTime() < now.getTime();
  return {
    id: row.id,
    assetId: row.assetId,
    assetTag: row.assetTag,
    borrowerId: row.borrowerId,
    borrowerName: row.borrowerName,
    borrowerDisabled: Boolean(row.borrowerDisabled),
    issuedBy: row.issuedBy,
    issuedByName: row.issuedByName ?? '',
    issuedAt: row.issuedAt,
    dueAt: row.dueAt,
    status: returned ? 'returned' : overdue ? 'overdue' : 'open',
    daysOverdue: overdue ? daysOverdue(dueAt, now, timeZone) : 0,
    conditionOut: row.conditionOut,
    aupAcceptedAtDesk: Boolean(row.aupAcceptedAtDesk),
    returnedAt: row.returnedAt,
    returnedBy: row.returnedBy,
    conditionIn: row.conditionIn,
    damageNotes: row.damageNotes,
    toRepair: Boolean(row.toRepair),
  };
}

/** A reminder as the API shows it. */
export function toReminderDto(row: ReminderRow): Reminder {
  return {
    id: row.id,
    loanId: row.loanId,
    assetTag: row.assetTag,
    borrowerId: row.borrowerId,
    borrowerName: row.borrowerName,
    step: row.step,
    week: Number(row.week),
    dueAt: row.dueAt,
    sentAt: row.sentAt,
    message: row.message,
    emailed: Boolean(row.emailed),
  };
}

@Injectable()
export class LoansService {
  constructor(
    private readonly loans: LoansRepository,
    private readonly assets: AssetsRepository,
    private readonly staff: StaffRepository,
    private readonly aup: AupService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /**
   * Checks an asset out to a member of staff (issue 13, POST /api/loans).
   *
   * @returns the open loan
   * @throws BadRequestException 400 for a due date not in the future, or more than a year ahead
   * @throws NotFoundException 404 with `code` (CHECK_OUT_NOT_FOUND): `asset_not_found` for an
   *   unknown tag, `borrower_not_found` for an unknown borrower
   * @throws ConflictException 409 with `code` (CHECK_OUT_REFUSALS): `asset_not_available` for an
   *   asset that is not available (also when another clerk checked it out at the same moment),
   *   `borrower_disabled` for a disabled borrower, `aup_not_accepted` for a borrower who has not
   *   accepted the current AUP (unless `aupAcceptedAtDesk`), `device_locked_lost` for an asset
   *   found after a lost report whose device ICT has not unlocked yet
   */
  async checkOut(actor: StaffPrincipal, input: CreateLoanDto): Promise<Loan> {
    const now = this.clock.now();
    const dueAt = new Date(input.dueAt);
    if (dueAt.getTime() <= now.getTime()) {
      throw new BadRequestException('dueAt is in the past: a loan is due back in the future');
    }
    refuseTooFarAhead('dueAt', dueAt, now, this.config.timeZone);
    const loanId = randomUUID();
    try {
      await this.tx.run(async (tx) => {
        const asset = await this.assets.findByTagForUpdate(tx, input.assetTag);
        if (!asset) {
          throw checkOutNotFound('asset_not_found', `No asset with tag ${input.assetTag}`);
        }
        // Locked until the loan is written (PostgreSQL): ICT disabling the borrower at the same
        // moment (StaffService.update locks the account too) comes wholly before, and is refused
        // below, or after, and finds the loan on the overdue list marked as theirs.
        const [borrower] = await this.staff.lockAccounts(tx, [input.borrowerId]);
        if (!borrower) {
          throw checkOutNotFound('borrower_not_found', `No staff account ${input.borrowerId}`);
        }
        if (asset.status !== 'available') {
          throw checkOutRefused(
            'asset_not_available',
            `Asset ${asset.assetTag} is not available: it is ${asset.status.replace('_', ' ')}`,
          );
        }
        const locked = await this.assets.deviceLockedAsLost(asset, tx);
        if (locked) {
          // Found and made available, but its lost lock stays until ICT lifts it (decisions.md):
          // lent now, it would reach the borrower saying it is lost.
          throw checkOutRefused(
            'device_locked_lost',
            `Asset ${asset.assetTag} is still locked as lost on its device` +
              `${locked.name ? ` (${locked.name})` : ''}: ask ICT to unlock the device ` +
              'before it is lent',
          );
        }
        if (borrower.disabled) {
          throw checkOutRefused(
            'borrower_disabled',
            `${borrower.displayName}'s account is disabled: loans go to current staff only`,
          );
        }
        const gate = await this.aup.loanGate(tx, borrower.id);
        let acceptedAtDesk = false;
        if (gate && !gate.accepted) {
          if (input.aupAcceptedAtDesk !== true) {
            throw checkOutRefused(
              'aup_not_accepted',
              `${borrower.displayName} has not accepted the current acceptable use policy ` +
                `(version ${gate.version.slice(0, 12)}): staff accept it before they use school ` +
                'equipment. Show it to them at the desk and check out with aupAcceptedAtDesk: true',
            );
          }
          await this.aup.acceptAtDesk(tx, actor, borrower, gate.version);
          acceptedAtDesk = true;
        }
        if (
          !(await this.assets.updateWhereStatus(tx, asset.id, ['available'], {
            status: 'on_loan',
            updatedAt: now,
          }))
        ) {
          throw checkOutRefused(
            'asset_not_available',
            `Asset ${asset.assetTag} was checked out at the same moment`,
          );
        }
        const loan: LoanEntity = {
          id: loanId,
          assetId: asset.id,
          borrowerId: borrower.id,
          issuedBy: actor.id,
          issuedAt: now,
          dueAt,
          conditionOut: input.conditionOut ?? null,
          aupAcceptedAtDesk: acceptedAtDesk,
          returnedAt: null,
          returnedBy: null,
          conditionIn: null,
          damageNotes: null,
          toRepair: false,
        };
        await this.loans.insert(tx, loan);
        await this.audit.record(tx, {
          actor,
          action: 'loan.checked_out',
          target: assetTarget(asset),
          detail: {
            loanId,
            assetTag: asset.assetTag,
            borrowerId: borrower.id,
            borrower: `${borrower.displayName} (${borrower.username})`,
            dueAt: dueAt.toISOString(),
            conditionOut: loan.conditionOut,
            aupAcceptedAtDesk: acceptedAtDesk,
          },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw checkOutRefused(
          'asset_not_available',
          `Asset ${input.assetTag} was checked out at the same moment`,
        );
      }
      throw error;
    }
    return this.get(loanId);
  }

  /**
   * Checks a loan's asset back in (POST /api/loans/:id/return): the asset becomes `available`,
   * or `in_repair` with `toRepair`; its condition is what the clerk saw. An asset reported lost
   * while on loan is found by its return and takes the same status.
   *
   * @throws NotFoundException 404 for an unknown loan
   * @throws ConflictException 409 for a loan already returned (also by another clerk at once)
   */
  async checkIn(actor: StaffPrincipal, id: string, input: ReturnLoanDto): Promise<Loan> {
    const now = this.clock.now();
    await this.tx.run(async (tx) => {
      const loan = await this.loans.findForUpdate(tx, id);
      if (!loan) {
        throw new NotFoundException(`No loan ${id}`);
      }
      const returned = await this.loans.markReturned(tx, id, {
        returnedAt: now,
        returnedBy: actor.id,
        conditionIn: input.condition,
        damageNotes: input.damageNotes ?? null,
        toRepair: input.toRepair === true,
      });
      if (!returned) {
        throw new ConflictException('This loan has already been returned');
      }
      const asset = await this.assets.findById(loan.assetId, tx);
      // Named as they are now, so the entry still reads right after they leave (issue 9).
      const borrower = await this.staff.findByIdIn(tx, loan.borrowerId);
      const status = input.toRepair === true ? 'in_repair' : 'available';
      await this.assets.updateWhereStatus(tx, loan.assetId, ['on_loan', 'lost'], {
        status,
        condition: input.condition,
        updatedAt: now,
      });
      await this.audit.record(tx, {
        actor,
        action: 'loan.returned',
        target: asset ? assetTarget(asset) : null,
        detail: {
          loanId: id,
          assetTag: asset?.assetTag ?? null,
          borrowerId: loan.borrowerId,
          borrower: borrower ? `${borrower.displayName} (${borrower.username})` : null,
          condition: input.condition,
          damageNotes: input.damageNotes ?? null,
          assetStatus: status,
          overdue: loan.dueAt.getTime() < now.getTime(),
        },
      });
    });
    return this.get(id);
  }

  /** @throws NotFoundException 404 for an unknown loan */
  async get(id: string): Promise<Loan> {
    const row = await this.loans.viewById(id);
    if (!row) {
      throw new NotFoundException(`No loan ${id}`);
    }
    return toLoanDto(row, this.clock.now(), this.config.timeZone);
  }

  /** GET /api/loans, GET /api/staff/me/loans and an asset's history: a page of loans. */
  async list(filter: LoanFilter, page: number, pageSize: number): Promise<Page<Loan>> {
    const now = this.clock.now();
    const [rows, total] = await this.loans.viewPage(filter, now, (page - 1) * pageSize, pageSize);
    return {
      items: rows.map((row) => toLoanDto(row, now, this.config.timeZone)),
      total,
      page,
      pageSize,
    };
  }

  /** GET /api/assets/:id/loans. @throws NotFoundException 404 for an unknown asset */
  async assetHistory(assetId: string, page: number, pageSize: number): Promise<Page<Loan>> {
    if (!(await this.assets.findById(assetId))) {
      throw new NotFoundException(`No asset ${assetId}`);
    }
    return this.list({ assetId }, page, pageSize);
  }

  /**
   * GET /api/reminders: office staff and ICT see all (or one borrower's), anyone else only their
   * own whatever they ask for.
   */
  async reminders(
    actor: StaffPrincipal,
    filter: { borrowerId?: string; loanId?: string },
    page: number,
    pageSize: number,
  ): Promise<Page<Reminder>> {
    const borrowerId = hasAnyRole(actor, LOAN_DESK_ROLES) ? filter.borrowerId : actor.id;
    const [rows, total] = await this.loans.remindersPage(
      { borrowerId, loanId: filter.loanId },
      (page - 1) * pageSize,
      pageSize,
    );
    return { items: rows.map(toReminderDto), total, page, pageSize };
  }

  /**
   * GET /api/loans/borrowers: enabled staff by name. Each role gets what its screen needs:
   * - office and ICT (LOAN_DESK_ROLES, the desk): everyone enabled, or with `canLead` only those
   *   a trip may name as a leader, each with `disabled` and `aupAccepted` (a check-out is refused
   *   with 409 `aup_not_accepted` unless the desk records the acceptance, so the desk shows the
   *   AUP first);
   * - a trip leader (the new-trip form's "Add another leader"): only those a trip may name as a
   *   leader (TRIP_LEADER_ROLES, the rule TripsService.create checks), each as id, display name
   *   and username; whether someone accepted the AUP is not theirs to read.
   *
   * @throws ForbiddenException 403 for a caller without a desk role who does not ask with
   *   `canLead` (a trip leader searches only for a trip's leaders)
   */
  async borrowers(
    actor: StaffPrincipal,
    filter: { search?: string; canLead?: boolean },
    page: number,
    pageSize: number,
  ): Promise<Page<Borrower>> {
    const desk = hasAnyRole(actor, LOAN_DESK_ROLES);
    if (!desk && !filter.canLead) {
      throw new ForbiddenException(
        'A trip leader searches only for staff who may lead a trip: ask with canLead=true',
      );
    }
    const current = desk && this.config.requireAup ? await this.staff.currentAup() : null;
    const [rows, total] = await this.loans.borrowersPage(
      { search: filter.search, roles: filter.canLead ? TRIP_LEADER_ROLES : undefined },
      current?.hash ?? null,
      (page - 1) * pageSize,
      pageSize,
    );
    return {
      items: rows.map((row) => {
        const person = { id: row.id, displayName: row.displayName, username: row.username };
        return desk
          ? {
              ...person,
              disabled: false,
              aupAccepted: current === null || row.acceptanceId !== null,
            }
          : person;
      }),
      total,
      page,
      pageSize,
    };
  }
}
