// Times and days from the hub (ISO 8601, UTC) in the words staff read, in the browser's zone.
// Shared by the loans, assets and trips screens, which may not import each other's files.

/** "1 Dec 2026, 14:05", or `never` for null (a device never seen). */
export function formatTime(iso: string | null | undefined, never = 'Never'): string {
  if (!iso) {
    return never;
  }
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** "Tue 1 Dec 2026": a due date or a trip's day, without the clock time. */
export function formatDay(iso: string | null | undefined, never = '—'): string {
  if (!iso) {
    return never;
  }
  return new Date(iso).toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
}

/** Whether two instants fall on the same day in the browser's zone. */
function sameDay(a: Date, b: Date): boolean {
  return (
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate()
  );
}

/**
 * The days from `startIso` to `endIso`: "Wed, 2 Dec 2026" when both fall on one day (a day trip),
 * else "Wed, 2 Dec 2026 to Fri, 4 Dec 2026".
 */
export function formatDayRange(startIso: string, endIso: string): string {
  return sameDay(new Date(startIso), new Date(endIso))
    ? formatDay(startIso)
    : `${formatDay(startIso)} to ${formatDay(endIso)}`;
}

/**
 * From `startIso` to `endIso` with clock times: "2 Dec 2026, 08:30 to 16:00" when both fall on
 * one day, else both in full ("2 Dec 2026, 08:30 to 4 Dec 2026, 16:00").
 */
export function formatTimeRange(startIso: string, endIso: string): string {
  const end = new Date(endIso);
  return sameDay(new Date(startIso), end)
    ? `${formatTime(startIso)} to ${end.toLocaleTimeString('en-GB', { timeStyle: 'short' })}`
    : `${formatTime(startIso)} to ${formatTime(endIso)}`;
}

/** Today plus `days` as a date field's `YYYY-MM-DD`, in the browser's zone. */
export function dayInput(days = 0, from: Date = new Date()): string {
  const day = new Date(from.getFullYear(), from.getMonth(), from.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/**
 * A date field's `YYYY-MM-DD` at `hours:minutes` in the browser's zone, as UTC ISO 8601; null for
 * anything that is not a real day.
 */
export function dayAt(day: string, hours: number, minutes = 0): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) {
    return null;
  }
  const when = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), hours, minutes);
  if (Number.isNaN(when.getTime()) || when.getDate() !== Number(match[3])) {
    return null;
  }
  return when.toISOString();
}

/** "1 day" / "3 days". */
export function daysWords(days: number): string {
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}
