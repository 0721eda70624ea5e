// When a loan's reminders fall (issue 13: "two school days before the due date, on the due date,
// then once a week while overdue") and how many days overdue it is, in the school's time zone
// (HUB_TIME_ZONE). Plain functions of instants and a zone: local dates come from Intl (Node's
// ICU), never from hand-written offsets; the rest is calendar arithmetic on dates, which has no
// zone. Decision (docs/decisions.md): Saturdays and Sundays are not school days; holidays are not
// known to the hub. Each reminder is due at 08:00 local time on its day.
import type { ReminderStep } from '@app/hub-api';
import { localClockText, localDateText, localTime } from '../common/local-time';

/** The local hour a reminder day's reminder becomes due. */
export const REMINDER_HOUR = 8;
/** School days before the due date of the first reminder. */
export const SCHOOL_DAYS_BEFORE = 2;

/** `YYYY-MM-DDTHH:MM` of `at` on the wall clock of `timeZone`; such stamps sort as text. */
export function localStamp(at: Date, timeZone: string): string {
  const local = localTime(at, timeZone);
  return `${localDateText(local)}T${localClockText(local).slice(0, 5)}`;
}

/** `YYYY-MM-DD`: the local date of `at` in `timeZone`. */
export function localDate(at: Date, timeZone: string): string {
  return localDateText(localTime(at, timeZone));
}

function toDayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

function fromDayNumber(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** The calendar date `days` after `date` (before, when negative). */
export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** Whether `date` is a school day: Monday to Friday (the decision above). */
export function isSchoolDay(date: string): boolean {
  const weekday = new Date(toDayNumber(date) * 86_400_000).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The school day `count` school days before `date` (Monday's 2 before is Thursday). */
export function schoolDaysBefore(date: string, count: number): string {
  let day = date;
  let left = count;
  while (left > 0) {
    day = addDays(day, -1);
    if (isSchoolDay(day)) {
      left -= 1;
    }
  }
  return day;
}

/** One reminder of a loan: which step, which week overdue (0 otherwise), on which local day. */
export interface ReminderDue {
  step: ReminderStep;
  week: number;
  /** `YYYY-MM-DD`, local. */
  day: string;
}

/**
 * The latest reminder step of an open loan that has come by `now`, or null if none has. Steps
 * that fell before the loan was issued are never due (a loan made the day before it is due gets
 * no "due in two school days"), and only the latest step is ever returned: a hub that was off for
 * a week sends the reminder that is true now, not every one it missed.
 *
 * @param loan `issuedAt` and `dueAt` instants
 * @param now the hub clock
 * @param timeZone HUB_TIME_ZONE
 */
export function latestReminderDue(
  loan: { issuedAt: Date; dueAt: Date },
  now: Date,
  timeZone: string,
): ReminderDue | null {
  const nowStamp = localStamp(now, timeZone);
  const issuedStamp = localStamp(loan.issuedAt, timeZone);
  const dueDay = localDate(loan.dueAt, timeZone);
  const at = (day: string) => `${day}T${String(REMINDER_HOUR).padStart(2, '0')}:00`;
  const steps: ReminderDue[] = [
    { step: 'before_due', week: 0, day: schoolDaysBefore(dueDay, SCHOOL_DAYS_BEFORE) },
    { step: 'due', week: 0, day: dueDay },
  ];
  if (now.getTime() > loan.dueAt.getTime()) {
    const weeks = Math.floor(daysBetween(dueDay, localDate(now, timeZone)) / 7);
    for (let week = 1; week <= weeks; week += 1) {
      steps.push({ step: 'overdue', week, day: addDays(dueDay, 7 * week) });
    }
  }
  let latest: ReminderDue | null = null;
  for (const step of steps) {
    if (at(step.day) <= nowStamp && at(step.day) >= issuedStamp) {
      latest = step;
    }
  }
  return latest;
}

/** Whole days a loan is overdue: the one rule, kept in common/ for the assets' view too. */
export { daysOverdue } from '../common/days-overdue';

/** `Friday 5 December 2025`: a date as a reminder says it (common/local-time.ts). */
export { spokenDate } from '../common/local-time';
