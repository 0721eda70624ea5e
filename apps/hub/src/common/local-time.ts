// The wall clock in the school's time zone (HUB_TIME_ZONE): what an instant reads as there. One
// cached Intl formatter per zone; the zone's rules (summer time included) come from Node's ICU,
// never from offsets written here. The audit log's local times, the loans' reminder days and the
// lesson in progress all read the clock through this module.

/** An instant as the wall clock of one IANA time zone shows it. */
export interface LocalTime {
  /** The full year, `2026`. */
  year: number;
  /** 1 (January) to 12. */
  month: number;
  /** 1 to 31. */
  day: number;
  /** 0 to 23. */
  hour: number;
  /** 0 to 59. */
  minute: number;
  /** 0 to 59. */
  second: number;
  /** ISO 8601 weekday: 1 Monday to 7 Sunday. */
  weekday: number;
  /** The zone's offset from UTC then, `+01:00`, `-05:00`, `+05:30`; `+00:00` for UTC itself. */
  offset: string;
}

const ISO_WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The parts of `at` on the wall clock of `timeZone`, to the second (milliseconds are not a part:
 * read them from `at`).
 *
 * @param timeZone an IANA zone name (`Europe/London`), already checked by the configuration
 *   (`HUB_TIME_ZONE`)
 * @throws RangeError an unknown zone (Intl's own error)
 */
export function localTime(at: Date, timeZone: string): LocalTime {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    parts[part.type] = part.value;
  }
  // "GMT", "GMT+01:00", "GMT-05:00", "GMT+05:30" (and, before 1900, seconds RFC 3339 cannot say).
  const offset = /^GMT([+-]\d{2}:\d{2})/.exec(parts.timeZoneName ?? '')?.[1] ?? '+00:00';
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: ISO_WEEKDAYS.indexOf(parts.weekday ?? '') + 1,
    offset,
  };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `YYYY-MM-DD` of a local time. */
export function localDateText(local: LocalTime): string {
  return `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}`;
}

/** `HH:MM:SS` (24-hour) of a local time. */
export function localClockText(local: LocalTime): string {
  return `${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}`;
}

/**
 * A moment as the wall-clock time in `timeZone` with its offset, RFC 3339 to the second:
 * `2026-12-01T04:15:02-05:00` (issue 9: the audit log's times; photos' local taking times).
 *
 * @param timeZone an IANA zone name, already checked by the configuration (`HUB_TIME_ZONE`)
 */
export function formatLocalTime(at: Date, timeZone: string): string {
  const local = localTime(at, timeZone);
  return `${localDateText(local)}T${localClockText(local)}${local.offset}`;
}

const spokenFormatters = new Map<string, Intl.DateTimeFormat>();

/** `at`'s day and time parts on `timeZone`'s clock, English names, 24-hour (one formatter a zone). */
function spokenParts(
  at: Date,
  timeZone: string,
): Partial<Record<Intl.DateTimeFormatPartTypes, string>> {
  let formatter = spokenFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    spokenFormatters.set(timeZone, formatter);
  }
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of formatter.formatToParts(at)) {
    parts[part.type] = part.value;
  }
  return parts;
}

function spokenDay(parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>>): string {
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
}

/**
 * A moment in words as the school's clock shows it, to the minute, for a message a person reads:
 * `16:00 on Wednesday 10 March 2027` (24-hour, English names). Not for anything read back by a
 * program: the API's times stay RFC 3339.
 *
 * @param timeZone an IANA zone name, already checked by the configuration (`HUB_TIME_ZONE`)
 * @throws RangeError an unknown zone (Intl's own error)
 */
export function spokenTime(at: Date, timeZone: string): string {
  const parts = spokenParts(at, timeZone);
  return `${parts.hour}:${parts.minute} on ${spokenDay(parts)}`;
}

/**
 * When `at` comes, in words on the school's clock, as short as a person reading it at `now` needs:
 * `14:33` when it is the same day there, otherwise `spokenTime`'s `14:33 on Saturday 5 December
 * 2026`. To the minute as shown (seconds dropped): a caller that means "not before" rounds `at`
 * up to the minute first.
 *
 * @param timeZone an IANA zone name, already checked by the configuration (`HUB_TIME_ZONE`)
 * @throws RangeError an unknown zone (Intl's own error)
 */
export function spokenTimeFrom(at: Date, now: Date, timeZone: string): string {
  const local = localTime(at, timeZone);
  if (localDateText(local) !== localDateText(localTime(now, timeZone))) {
    return spokenTime(at, timeZone);
  }
  return `${pad(local.hour)}:${pad(local.minute)}`;
}

/**
 * The day of `at` in words as the school's calendar shows it, for a message a person reads:
 * `Friday 5 December 2025` (English names; no comma, as `spokenTime` writes the day, whatever
 * Node's ICU would put). A loan reminder's due date; a refused far-off date.
 *
 * @param timeZone an IANA zone name, already checked by the configuration (`HUB_TIME_ZONE`)
 * @throws RangeError an unknown zone (Intl's own error)
 */
export function spokenDate(at: Date, timeZone: string): string {
  return spokenDay(spokenParts(at, timeZone));
}
