// The loans' and reminders' SQL (issue 13). Lists join the asset's tag and the people's names in
// one query; the overdue list and an asset's history are served by their indexes
// (returned_at, due_at) and (asset_id, issued_at).
import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { Loan, LoanStatus, ReminderStep, StaffRole } from '@app/hub-api';
import { escapeLike, nameKeyContaining, orderByName } from '../database/name-search';
import { forUpdate } from '../database/row-lock';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { LoanEntity, LoanReminderEntity } from './loan.entities';

/**
 * A loan with the names it is shown with, as the list's SQL answers it: the API's Loan without
 * what the service works out (`status`, `daysOverdue`), and booleans as SQLite gives them (0, 1).
 */
export type LoanRow = Omit<
  Loan,
  'status' | 'daysOverdue' | 'aupAcceptedAtDesk' | 'toRepair' | 'borrowerDisabled'
> & {
  aupAcceptedAtDesk: boolean | number;
  toRepair: boolean | number;
  borrowerDisabled: boolean | number;
};

export interface LoanFilter {
  status?: LoanStatus;
  borrowerId?: string;
  assetId?: string;
}

/** A reminder with the names it is shown with. */
export interface ReminderRow {
  id: string;
  loanId: string;
  borrowerId: string;
  borrowerName: string;
  assetTag: string;
  step: ReminderStep;
  week: number;
  dueAt: string;
  sentAt: string;
  message: string;
  emailed: boolean | number;
}

/** An open loan the reminder job looks at, with where to email its borrower. */
export interface ReminderCandidate {
  id: string;
  assetTag: string;
  kind: string;
  borrowerId: string;
  borrowerName: string;
  /** The borrower's username, so the audit log names them as `Name (username)`. */
  borrowerUsername: string;
  borrowerEmail: string | null;
  issuedAt: string;
  dueAt: string;
}

/** A staff account a loan may go to (GET /api/loans/borrowers). */
export interface BorrowerRow {
  id: string;
  displayName: string;
  username: string;
  acceptanceId: string | null;
}

@Injectable()
export class LoansRepository {
  constructor(private readonly tx: TransactionRunner) {}

  private manager(tx?: Tx): EntityManager {
    return tx ?? this.tx.reader;
  }

  private loanQuery(manager: EntityManager): SelectQueryBuilder<LoanEntity> {
    return manager
      .createQueryBuilder(LoanEntity, 'l')
      .innerJoin('assets', 'a', 'a.id = l.asset_id')
      .innerJoin('staff_accounts', 'b', 'b.id = l.borrower_id')
      .leftJoin('staff_accounts', 'i', 'i.id = l.issued_by')
      .select('l.id', 'id')
      .addSelect('l.asset_id', 'assetId')
      .addSelect('a.asset_tag', 'assetTag')
      .addSelect('l.borrower_id', 'borrowerId')
      .addSelect('b.display_name', 'borrowerName')
      .addSelect('b.disabled', 'borrowerDisabled')
      .addSelect('l.issued_by', 'issuedBy')
      .addSelect('i.display_name', 'issuedByName')
      .addSelect('l.issued_at', 'issuedAt')
      .addSelect('l.due_at', 'dueAt')
      .addSelect('l.condition_out', 'conditionOut')
      .addSelect('l.aup_accepted_at_desk', 'aupAcceptedAtDesk')
      .addSelect('l.returned_at', 'returnedAt')
      .addSelect('l.returned_by', 'returnedBy')
      .addSelect('l.condition_in', 'conditionIn')
      .addSelect('l.damage_notes', 'damageNotes')
      .addSelect('l.to_repair', 'toRepair');
  }

  async viewById(id: string, tx?: Tx): Promise<LoanRow | null> {
    return (
      (await this.loanQuery(this.manager(tx)).where('l.id = :id', { id }).getRawOne<LoanRow>()) ??
      null
    );
  }

  /**
   * A page of loans. `open` is an open loan not yet due, `overdue` one past its due time (most
   * overdue first), `returned` a returned one; others newest first.
   */
  async viewPage(
    filter: LoanFilter,
    now: Date,
    offset: number,
    limit: number,
  ): Promise<[LoanRow[], number]> {
    const query = this.loanQuery(this.manager());
    const count = this.manager().createQueryBuilder(LoanEntity, 'l');
    const at = now.toISOString();
    for (const q of [query, count] as SelectQueryBuilder<LoanEntity>[]) {
      if (filter.status === 'open') {
        q.andWhere('l.returned_at IS NULL AND l.due_at >= :at', { at });
      } else if (filter.status === 'overdue') {
        q.andWhere('l.returned_at IS NULL AND l.due_at < :at', { at });
      } else if (filter.status === 'returned') {
        q.andWhere('l.returned_at IS NOT NULL');
      }
      if (filter.borrowerId) {
        q.andWhere('l.borrower_id = :borrowerId', { borrowerId: filter.borrowerId });
      }
      if (filter.assetId) {
        q.andWhere('l.asset_id = :assetId', { assetId: filter.assetId });
      }
    }
    if (filter.status === 'overdue') {
      query.orderBy('l.due_at', 'ASC').addOrderBy('l.id', 'ASC');
    } else {
      query.orderBy('l.issued_at', 'DESC').addOrderBy('l.id', 'DESC');
    }
    const rows = await query.offset(offset).limit(limit).getRawMany<LoanRow>();
    return [rows, await count.getCount()];
  }

  async insert(tx: Tx, loan: LoanEntity): Promise<void> {
    await tx.insert(LoanEntity, loan);
  }

  /** The loan, its row locked until the transaction ends on PostgreSQL. */
  findForUpdate(tx: Tx, id: string): Promise<LoanEntity | null> {
    return forUpdate(tx.createQueryBuilder(LoanEntity, 'l').where('l.id = :id', { id })).getOne();
  }

  /** Marks an open loan returned; false when it was already returned (one statement). */
  async markReturned(
    tx: Tx,
    id: string,
    changes: Pick<
      LoanEntity,
      'returnedAt' | 'returnedBy' | 'conditionIn' | 'damageNotes' | 'toRepair'
    >,
  ): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(LoanEntity)
      .set(changes)
      .where('id = :id AND returned_at IS NULL', { id })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /**
   * Open loans due before `horizon`, with their borrowers' email: the reminder job's work. A loan
   * whose borrower's account is disabled is left out: they have left the school, so no reminder
   * is recorded or emailed to them; the overdue list marks the loan (`borrowerDisabled`) for the
   * office instead (decisions.md, "No reminders to a borrower who has left").
   */
  reminderCandidates(horizon: Date): Promise<ReminderCandidate[]> {
    return this.manager()
      .createQueryBuilder(LoanEntity, 'l')
      .innerJoin('assets', 'a', 'a.id = l.asset_id')
      .innerJoin('staff_accounts', 'b', 'b.id = l.borrower_id')
      .select('l.id', 'id')
      .addSelect('a.asset_tag', 'assetTag')
      .addSelect('a.kind', 'kind')
      .addSelect('l.borrower_id', 'borrowerId')
      .addSelect('b.display_name', 'borrowerName')
      .addSelect('b.username', 'borrowerUsername')
      .addSelect('b.email', 'borrowerEmail')
      .addSelect('l.issued_at', 'issuedAt')
      .addSelect('l.due_at', 'dueAt')
      .where('l.returned_at IS NULL AND l.due_at < :horizon', { horizon: horizon.toISOString() })
      .andWhere('b.disabled = :disabled', { disabled: false })
      .orderBy('l.due_at', 'ASC')
      .getRawMany<ReminderCandidate>();
  }

  /** The reminder steps already sent for these loans, as `loanId step week` keys. */
  async sentSteps(loanIds: readonly string[]): Promise<Set<string>> {
    const sent = new Set<string>();
    for (let i = 0; i < loanIds.length; i += 500) {
      const rows = await this.manager()
        .createQueryBuilder(LoanReminderEntity, 'r')
        .select(['r.loanId', 'r.step', 'r.week'])
        .where('r.loan_id IN (:...ids)', { ids: loanIds.slice(i, i + 500) })
        .getMany();
      for (const row of rows) {
        sent.add(`${row.loanId} ${row.step} ${row.week}`);
      }
    }
    return sent;
  }

  /** Whether the loan is still open, its row locked on PostgreSQL. */
  async isOpenForUpdate(tx: Tx, loanId: string): Promise<boolean> {
    const loan = await this.findForUpdate(tx, loanId);
    return loan !== null && loan.returnedAt === null;
  }

  /**
   * Records a reminder unless that step of that loan was already recorded (the unique key
   * decides, without aborting the transaction on either database).
   *
   * @returns whether this call recorded it
   */
  async insertReminderIfAbsent(tx: Tx, reminder: LoanReminderEntity): Promise<boolean> {
    await tx
      .createQueryBuilder()
      .insert()
      .into(LoanReminderEntity)
      .values(reminder)
      .orIgnore()
      .execute();
    const onRecord = await tx.findOneBy(LoanReminderEntity, {
      loanId: reminder.loanId,
      step: reminder.step,
      week: reminder.week,
    });
    return onRecord?.id === reminder.id;
  }

  async markEmailed(id: string): Promise<void> {
    await this.tx.run((tx) => tx.update(LoanReminderEntity, { id }, { emailed: true }));
  }

  /** A page of reminders, newest first, for one borrower or everyone. */
  async remindersPage(
    filter: { borrowerId?: string; loanId?: string },
    offset: number,
    limit: number,
  ): Promise<[ReminderRow[], number]> {
    const query = this.manager()
      .createQueryBuilder(LoanReminderEntity, 'r')
      .innerJoin(LoanEntity, 'l', 'l.id = r.loan_id')
      .innerJoin('assets', 'a', 'a.id = l.asset_id')
      .innerJoin('staff_accounts', 'b', 'b.id = r.borrower_id')
      .select('r.id', 'id')
      .addSelect('r.loan_id', 'loanId')
      .addSelect('r.borrower_id', 'borrowerId')
      .addSelect('b.display_name', 'borrowerName')
      .addSelect('a.asset_tag', 'assetTag')
      .addSelect('r.step', 'step')
      .addSelect('r.week', 'week')
      .addSelect('l.due_at', 'dueAt')
      .addSelect('r.sent_at', 'sentAt')
      .addSelect('r.message', 'message')
      .addSelect('r.emailed', 'emailed');
    const count = this.manager().createQueryBuilder(LoanReminderEntity, 'r');
    for (const q of [query, count] as SelectQueryBuilder<LoanReminderEntity>[]) {
      if (filter.borrowerId) {
        q.andWhere('r.borrower_id = :borrowerId', { borrowerId: filter.borrowerId });
      }
      if (filter.loanId) {
        q.andWhere('r.loan_id = :loanId', { loanId: filter.loanId });
      }
    }
    const rows = await query
      .orderBy('r.sent_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .offset(offset)
      .limit(limit)
      .getRawMany<ReminderRow>();
    return [rows, await count.getCount()];
  }

  /**
   * Enabled staff accounts whose display name or username holds `filter.search` (compared by
   * `nameKeyOf`, so in any capitals of any alphabet) and, given `filter.roles`, that hold one of
   * those roles, with their acceptance of `aupHash`.
   */
  async borrowersPage(
    filter: { search?: string; roles?: readonly StaffRole[] },
    aupHash: string | null,
    offset: number,
    limit: number,
  ): Promise<[BorrowerRow[], number]> {
    const query = this.manager()
      .createQueryBuilder()
      .from('staff_accounts', 's')
      .leftJoin('aup_acceptances', 'x', 'x.staff_id = s.id AND x.aup_hash = :aupHash', {
        aupHash: aupHash ?? '',
      })
      .select('s.id', 'id')
      .addSelect('s.display_name', 'displayName')
      .addSelect('s.username', 'username')
      .addSelect('x.id', 'acceptanceId')
      .where('s.disabled = :disabled', { disabled: false });
    const { search, roles } = filter;
    if (roles) {
      // `roles` is a comma-separated list (TypeORM's simple-array): a role is matched whole,
      // between commas, so "ict" never matches inside another role's name.
      query.andWhere(
        new Brackets((where) => {
          roles.forEach((role, index) =>
            where.orWhere(`(',' || s.roles || ',') LIKE :role${index} ESCAPE '\\'`, {
              [`role${index}`]: `%,${escapeLike(role)},%`,
            }),
          );
        }),
      );
    }
    if (search) {
      // The display name by its key (any alphabet's capitals, alike on both databases); usernames
      // are ASCII in lower case, which LOWER() folds everywhere.
      const like = nameKeyContaining(search);
      query.andWhere(
        new Brackets((where) => {
          where
            .where("s.name_key LIKE :like ESCAPE '\\'", { like })
            .orWhere("LOWER(s.username) LIKE :like ESCAPE '\\'", { like });
        }),
      );
    }
    const total = await query.clone().select('COUNT(*)', 'n').getRawOne<{ n: string | number }>();
    // By name as a person reads it, alike on both databases (`orderByName`; `LOWER()` folded
    // only A-Z on SQLite, so "Émile" came after "Zoë" there).
    const rows = await orderByName(query, 's')
      .offset(offset)
      .limit(limit)
      .getRawMany<BorrowerRow>();
    return [rows, Number(total?.n ?? 0)];
  }
}
