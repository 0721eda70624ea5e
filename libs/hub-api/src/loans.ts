// Loans and reminders (issue 13): laptops lent to staff at the office desk. The shapes of
// /api/loans, /api/staff/me/loans, /api/assets/:id/loans and /api/reminders.

/** `overdue` is an open loan past its due time; the stored status is `open` or `returned`. */
export const LOAN_STATUSES = ['open', 'overdue', 'returned'] as const;

/**
 * How far ahead, in days, a loan may be due or a trip may end: a year and a day. The longest a
 * school lends is a member of staff's laptop for a school year; a day further is a mistyped
 * year ("2126"), which would never be overdue or, for a trip, keep its kit's overlay for ever.
 */
export const MAX_DAYS_AHEAD = 366;
export type LoanStatus = (typeof LOAN_STATUSES)[number];

/** A loan: POST /api/loans (201), GET /api/loans (a Page of these), returns. */
export interface Loan {
  id: string;
  assetId: string;
  assetTag: string;
  borrowerId: string;
  /** The borrower's display name. */
  borrowerName: string;
  /**
   * True when the borrower's staff account is disabled now (they have left the school, and ICT
   * disabled it): no reminder goes to them, so the office chases the loan another way. Read
   * where loans are read: by office and ICT, and by the borrower of their own (who cannot sign in
   * once disabled).
   */
  borrowerDisabled: boolean;
  /** The staff id of the clerk who issued it. */
  issuedBy: string;
  issuedByName: string;
  /** ISO 8601, UTC. */
  issuedAt: string;
  dueAt: string;
  status: LoanStatus;
  /** Whole days past `dueAt` (at least 1 once overdue); 0 unless `status` is `overdue`. */
  daysOverdue: number;
  conditionOut: string | null;
  /** True when the borrower accepted the AUP at the desk for this loan, witnessed by `issuedBy`. */
  aupAcceptedAtDesk: boolean;
  /** Set when returned. */
  returnedAt: string | null;
  returnedBy: string | null;
  conditionIn: string | null;
  damageNotes: string | null;
  /** True when the return sent the asset to repair. */
  toRepair: boolean;
}

/**
 * The `code` of each 409 that POST /api/loans answers, beside its message in plain words: what a
 * client acts on, as the words may change.
 * - `asset_not_available`: the asset is on loan, on a trip, in repair, lost or retired, or another
 *   desk checked it out at the same moment (show the asset as it is now);
 * - `borrower_disabled`: the borrower's account is disabled (loans go to current staff only);
 * - `aup_not_accepted`: the borrower has not accepted the current AUP (show it; check out again
 *   with `aupAcceptedAtDesk: true` once they accept it in person);
 * - `device_locked_lost`: the asset is available (found after a lost report) but its device still
 *   holds the lost report's lock, which only ICT lifts: it would go out locked (Asset's
 *   `deviceLockedAsLost`).
 */
export const CHECK_OUT_REFUSALS = [
  'asset_not_available',
  'borrower_disabled',
  'aup_not_accepted',
  'device_locked_lost',
] as const;
export type CheckOutRefusal = (typeof CHECK_OUT_REFUSALS)[number];

/**
 * The `code` of each 404 that POST /api/loans answers, beside its message in plain words: which of
 * the two things the check-out names was not found, as the status alone does not say.
 * - `asset_not_found`: no asset has the `assetTag` (removed, or given another tag, since it was
 *   looked up: say it at the asset);
 * - `borrower_not_found`: no staff account has the `borrowerId` (say it at the borrower).
 * Beside CHECK_OUT_REFUSALS, not in it: those are 409s, and a client reads each code with its
 * status (the console's conflictCodeOf and refusalCodeOf).
 */
export const CHECK_OUT_NOT_FOUND = ['asset_not_found', 'borrower_not_found'] as const;
export type CheckOutNotFound = (typeof CHECK_OUT_NOT_FOUND)[number];

/**
 * POST /api/loans. Refusals: unknown tag or borrower 404 with a `code` of CHECK_OUT_NOT_FOUND;
 * asset not available, borrower disabled,
 * or AUP not accepted (unless `aupAcceptedAtDesk`) 409 with a `code` of CHECK_OUT_REFUSALS;
 * `dueAt` in the past 400.
 */
export interface CreateLoanRequest {
  assetTag: string;
  borrowerId: string;
  /** ISO 8601. */
  dueAt: string;
  conditionOut?: string;
  /** The clerk witnessed the borrower accept the current AUP at the desk. */
  aupAcceptedAtDesk?: boolean;
}

/** POST /api/loans/:id/return: 200 with the Loan; 409 if already returned. */
export interface ReturnLoanRequest {
  condition: string;
  damageNotes?: string;
  /** Send the asset to repair (`in_repair`) rather than `available`. */
  toRepair?: boolean;
}

/** GET /api/loans query. */
export interface LoanListQuery {
  status?: LoanStatus;
  borrowerId?: string;
  assetId?: string;
  page?: number;
  pageSize?: number;
}

/**
 * The steps of a loan's reminders (issue 13): two school days before the due date (`before_due`),
 * on the due date (`due`), then once a week while overdue (`overdue`, week 1, 2, ...). None goes
 * to a borrower whose account is disabled (`Loan.borrowerDisabled`): the loan stays on the overdue
 * list, marked, for the office to chase; enabled again, the next step due is sent.
 */
export const REMINDER_STEPS = ['before_due', 'due', 'overdue'] as const;
export type ReminderStep = (typeof REMINDER_STEPS)[number];

/** One reminder sent: GET /api/reminders (a Page of these). Each step is sent once per loan. */
export interface Reminder {
  id: string;
  loanId: string;
  assetTag: string;
  borrowerId: string;
  borrowerName: string;
  step: ReminderStep;
  /** 0 for `before_due` and `due`; 1, 2, ... for the weeks overdue. */
  week: number;
  /** ISO 8601, UTC. */
  dueAt: string;
  sentAt: string;
  /** The reminder's text, as shown and as emailed. */
  message: string;
  /** True when it was also sent by email. */
  emailed: boolean;
}

/** GET /api/reminders query: the borrower sees theirs; office staff and ICT see all. */
export interface ReminderListQuery {
  loanId?: string;
  borrowerId?: string;
  page?: number;
  pageSize?: number;
}

/**
 * One member of staff from GET /api/loans/borrowers?search=&canLead=&page=&pageSize=: an
 * enabled staff account matched by display name or username. What a caller gets depends on
 * their role:
 * - office and ICT (the loan desk): every field, so the desk knows who has not accepted the
 *   current AUP (it shows the AUP text from GET /api/aup and "Accepted in person");
 * - a trip leader (picking a trip's other leaders, only with `canLead=true`): `id`,
 *   `displayName` and `username` alone; `disabled` and `aupAccepted` are absent.
 */
export interface Borrower {
  id: string;
  displayName: string;
  username: string;
  /** Office and ICT only. Always false: disabled accounts are not listed (they cannot borrow). */
  disabled?: boolean;
  /**
   * Office and ICT only. True when the account accepted the current AUP version (or the hub does
   * not require it).
   */
  aupAccepted?: boolean;
}
