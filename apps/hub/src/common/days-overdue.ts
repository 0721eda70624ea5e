// How many days a loan is overdue (issue 13), the one rule every screen, list and reminder uses:
// calendar days in the school's zone (HUB_TIME_ZONE) from the due date to today, and at least 1
// once the due time has passed. Here rather than in loans/ because an asset's own view (the
// office desk's check-in) says it too, and assets may not import from loans.
import { localDateText, localTime } from './local-time';

/** Calendar days from `from` to `to`, both `YYYY-MM-DD` (negative when `to` is earlier). */
function daysFromTo(from: string, to: string): number {
  const day = (date: string) => {
    const [y, m, d] = date.split('-').map(Number);
    return Date.UTC(y, m - 1, d) / 86_400_000;
  };
  return day(to) - day(from);
}

/**
 * Whole days a loan due at `dueAt` is overdue at `now`: calendar days in `timeZone` from its
 * due date to today, and at least 1 once its due time has passed; 0 when it is not overdue.
 *
 * @param timeZone an IANA zone name (HUB_TIME_ZONE, checked by the configuration)
 */
export function daysOverdue(dueAt: Date, now: Date, timeZone: string): number {
  if (now.getTime() <= dueAt.getTime()) {
    return 0;
  }
  const date = (at: Date) => localDateText(localTime(at, timeZone));
  return Math.max(1, daysFromTo(date(dueAt), date(now)));
}
