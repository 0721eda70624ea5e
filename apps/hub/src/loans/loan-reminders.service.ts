// Loan reminders (issue 13): two school days before the due date, on the due date, then once a
// week while overdue; each step once per loan, never repeated. The hub that holds the
// scheduled-work lease (database/scheduled-work-lease.ts) looks every HUB_REMINDER_CHECK_MS, and
// at once when it gains the lease (at start), so a hub restarted on the due date sends that day's
// reminder then, and only if it was not sent before the restart: the row (loan, step, week) is
// unique and written before any email, in the transaction that audits it. An email that fails is
// not tried again (at most once, never twice); the reminder still shows in the console. A
// borrower whose account is disabled (they have left) is sent none: the overdue list marks the
// loan for the office to chase (LoansRepository.reminderCandidates).
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { ScheduledWorkLease } from '../database/scheduled-work-lease';
import { TransactionRunner } from '../database/transaction-runner';
import { LoanMailer } from './loan-mailer';
import { daysOverdue, latestReminderDue, ReminderDue, spokenDate } from './loan-calendar';
import { ReminderCandidate, LoansRepository } from './loans.repository';

/** How far ahead of its due time a loan can have a reminder due: 2 school days and a weekend. */
const LOOKAHEAD_MS = 6 * 24 * 60 * 60 * 1000;

/**
 * The words of a reminder, as shown and emailed, sent at `now`. An overdue one counts its days as
 * the console's Overdue loans and the desk do (`daysOverdue`: calendar days in `timeZone`), so
 * the email and the screens give the borrower one number.
 */
export function reminderText(
  loan: Pick<ReminderCandidate, 'assetTag' | 'kind' | 'dueAt'>,
  due: ReminderDue,
  timeZone: string,
  now: Date,
): { subject: string; text: string } {
  const when = spokenDate(new Date(loan.dueAt), timeZone);
  const daysLate = daysOverdue(new Date(loan.dueAt), now, timeZone);
  const what = `the ${loan.kind} ${loan.assetTag}`;
  if (due.step === 'before_due') {
    return {
      subject: `Reminder: ${loan.assetTag} is due back on ${when}`,
      text: `Please return ${what} to the school office by ${when}.`,
    };
  }
  if (due.step === 'due') {
    return {
      subject: `${loan.assetTag} is due back today`,
      text: `${what.charAt(0).toUpperCase()}${what.slice(1)} is due back today (${when}). Please return it to the school office.`,
    };
  }
  return {
    subject: `${loan.assetTag} is overdue`,
    text: `${what.charAt(0).toUpperCase()}${what.slice(1)} was due back on ${when} and is ${daysLate} days overdue. Please return it to the school office.`,
  };
}

@Injectable()
export class LoanRemindersService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LoanRemindersService.name);
  private stopChecks: (() => void) | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly loans: LoansRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly lease: ScheduledWorkLease,
    private readonly mailer: LoanMailer,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.stopChecks = this.lease.runWhileHeld(
      this.config.reminders.checkMs,
      () => void this.sendDueSafely(),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopChecks?.();
    this.stopChecks = null;
    await this.running?.catch(() => undefined);
  }

  private async sendDueSafely(): Promise<void> {
    if (this.running) {
      return; // the run in progress covers this tick
    }
    try {
      await this.sendDue();
    } catch (error) {
      this.logger.error(`Loan reminders failed: ${String(error)}`);
    }
  }

  /**
   * Sends every reminder that has come due and was not sent: for each open loan, the latest step
   * reached by the hub clock (loan-calendar.ts). Runs take turns on this hub: a call made during
   * a run waits for it, then runs again.
   *
   * @returns how many reminders this call's run recorded
   */
  sendDue(): Promise<number> {
    const next = (this.running ?? Promise.resolve(0)).catch(() => 0).then(() => this.run());
    const tracked = next.finally(() => {
      if (this.running === tracked) {
        this.running = null;
      }
    });
    this.running = tracked;
    return tracked;
  }

  private async run(): Promise<number> {
    const now = this.clock.now();
    const timeZone = this.config.timeZone;
    const candidates = await this.loans.reminderCandidates(new Date(now.getTime() + LOOKAHEAD_MS));
    const due = candidates.flatMap((loan) => {
      const step = latestReminderDue(
        { issuedAt: new Date(loan.issuedAt), dueAt: new Date(loan.dueAt) },
        now,
        timeZone,
      );
      return step ? [{ loan, step }] : [];
    });
    if (due.length === 0) {
      return 0;
    }
    const sent = await this.loans.sentSteps(due.map(({ loan }) => loan.id));
    let recorded = 0;
    for (const { loan, step } of due) {
      if (sent.has(`${loan.id} ${step.step} ${step.week}`)) {
        continue;
      }
      const words = reminderText(loan, step, timeZone, now);
      const id = randomUUID();
      const wrote = await this.tx.run(async (tx) => {
        if (!(await this.loans.isOpenForUpdate(tx, loan.id))) {
          return false;
        }
        const inserted = await this.loans.insertReminderIfAbsent(tx, {
          id,
          loanId: loan.id,
          borrowerId: loan.borrowerId,
          step: step.step,
          week: step.week,
          sentAt: now,
          message: words.text.slice(0, 500),
          emailed: false,
        });
        if (inserted) {
          await this.audit.record(tx, {
            actor: { kind: 'system' },
            action: 'loan.reminder_sent',
            target: { type: 'loan', id: loan.id, label: `loan of asset tag ${loan.assetTag}` },
            detail: {
              loanId: loan.id,
              assetTag: loan.assetTag,
              borrowerId: loan.borrowerId,
              borrower: `${loan.borrowerName} (${loan.borrowerUsername})`,
              step: step.step,
              week: step.week,
              byEmail: this.mailer.enabled && loan.borrowerEmail !== null,
            },
          });
        }
        return inserted;
      });
      if (!wrote) {
        continue;
      }
      recorded += 1;
      if (
        loan.borrowerEmail &&
        (await this.mailer.send({ to: loan.borrowerEmail, ...words }, id))
      ) {
        await this.loans.markEmailed(id);
      }
    }
    return recorded;
  }
}
