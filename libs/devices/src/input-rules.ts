// The two rules every text and every time that crosses the hub's edge is held to, shared by the
// hub's DTO decorators and the protocol's payload checks so both refuse the same input (issue 8,
// items 16 and 17). Each check returns what is wrong, in words that follow the field's name, or
// null when the value is fine.

/**
 * RFC 3339 section 5.6 `date-time`, in the one form the hub takes: upper-case `T`, seconds,
 * an optional fraction of 1 to 9 digits and a zone (`Z` or `+hh:mm`/`-hh:mm`).
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** What an RFC 3339 time looks like, for messages and the API description. */
export const RFC3339_EXAMPLE = '2027-01-31T08:00:00Z';

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Checks that `value` is an RFC 3339 date-time with a time zone that names a real instant:
 * week dates (`2027-W05-3`), ordinal dates, dates without a time or zone, impossible days
 * (`2027-02-30`) and leap seconds (which a JavaScript `Date` cannot hold) are all refused.
 * Returns the problem, to follow the field's name, or null.
 */
export function rfc3339Problem(value: unknown): string | null {
  const wrong = `must be an RFC 3339 date-time with a time zone, such as ${RFC3339_EXAMPLE}`;
  if (typeof value !== 'string') {
    return wrong;
  }
  const match = RFC3339.exec(value);
  if (!match) {
    return wrong;
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const offsetHour = match[8] === undefined ? 0 : Number(match[8]);
  const offsetMinute = match[9] === undefined ? 0 : Number(match[9]);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHour > 23 ||
    offsetMinute > 59
  ) {
    return `${wrong}: ${value} is not a real time`;
  }
  // The checks above should make this impossible; keep it so nothing unparseable ever passes.
  const instant = Date.parse(value);
  if (!Number.isFinite(instant)) {
    return `${wrong}: ${value} is not a real time`;
  }
  // The hub stores times in UTC as text and compares them as text: an offset that moves the
  // instant out of years 0000 to 9999 (9999-12-31T23:00:00-02:00) would be stored as
  // "+010000-..." and sort before every ordinary time.
  const utcYear = new Date(instant).getUTCFullYear();
  return utcYear >= 0 && utcYear <= 9999
    ? null
    : `${wrong}: ${value} is outside the years 0000 to 9999`;
}

/** True when `value` passes `rfc3339Problem`. */
export function isRfc3339(value: unknown): value is string {
  return rfc3339Problem(value) === null;
}

export interface PlainTextRule {
  /** Longest text allowed, in UTF-16 code units (what `String.length` counts), after trimming. */
  max: number;
  /** Shortest text allowed after trimming; 1 unless given (so blank text is refused). */
  min?: number;
  /** Allows line breaks (`\n`, `\r`) and tabs, for messages and descriptions. */
  multiline?: boolean;
  /** Allows exactly the empty string, to clear an optional text (blank is still refused). */
  allowEmpty?: boolean;
  /** Allows empty and blank text: for what devices report, where the hub only needs it clean. */
  allowBlank?: boolean;
}

// C0 controls, DEL and C1 controls (tab, LF and CR are judged separately) and the two
// non-characters XML cannot hold.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/;
const LINE_BREAK_OR_TAB = /[\t\n\r]/;
// Unicode's explicit text-direction embeddings, overrides and isolates (UAX #9): a name holding
// U+202E shows its letters in another order ("Year 5 \u202Eevil" reads "Year 5 live"), so a name
// could pass for another in the console and the audit log. Arabic and Hebrew text needs none of
// them (the implicit marks U+200E/U+200F stay allowed).
const DIRECTION_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
// Characters that show nothing (Unicode's Default_Ignorable_Code_Point: zero-width spaces and
// joiners, the soft hyphen, word joiners, variation selectors, the byte-order mark, Hangul
// fillers): allowed inside text, but text of nothing else reads as blank.
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function codePoint(text: string, pattern: RegExp): string {
  const found = pattern.exec(text);
  const code = found ? found[0].charCodeAt(0) : 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Checks text that people type and that the hub stores, shows, exports to CSV or writes into a
 * configuration profile: a string, not blank, without control characters (U+0000, which
 * PostgreSQL refuses, and the rest, which XML cannot carry), lone surrogates or the
 * non-characters U+FFFE/U+FFFF, and within the length limits once surrounding spaces are
 * trimmed (text of only invisible characters, such as a zero-width space, is blank too). Line
 * breaks and tabs are allowed only in multi-line text. Returns the problem, to
 * follow the field's name, or null. Callers that store the text store it trimmed.
 */
export function plainTextProblem(value: unknown, rule: PlainTextRule): string | null {
  if (typeof value !== 'string') {
    return 'must be a string';
  }
  if ((rule.allowEmpty || rule.allowBlank) && value === '') {
    return null;
  }
  if (CONTROL.test(value)) {
    return `must not contain control characters (found ${codePoint(value, CONTROL)})`;
  }
  if (DIRECTION_CONTROL.test(value)) {
    return `must not contain text-direction controls, which can make it read as other text (found ${codePoint(value, DIRECTION_CONTROL)})`;
  }
  if (!rule.multiline && LINE_BREAK_OR_TAB.test(value)) {
    return `must be one line, without line breaks or tabs (found ${codePoint(value, LINE_BREAK_OR_TAB)})`;
  }
  if (LONE_SURROGATE.test(value)) {
    return 'must be valid Unicode text (found a lone surrogate)';
  }
  const trimmed = value.trim();
  // Text of only characters that show nothing (a zero-width space) is as blank as spaces are.
  if (trimmed.replace(INVISIBLE, '').trim().length === 0 && !rule.allowBlank) {
    return 'must not be blank';
  }
  const min = rule.allowBlank ? 0 : (rule.min ?? 1);
  if (trimmed.length < min || trimmed.length > rule.max) {
    return min <= 1
      ? `must be at most ${rule.max} characters`
      : `must be ${min} to ${rule.max} characters`;
  }
  return null;
}

/**
 * Text a device sent that the hub keeps and shows as it is, made plain rather than refused (a
 * command's answer must be recorded whatever its detail says): control characters (tabs and
 * line breaks excepted), text-direction controls, lone surrogates and U+FFFE/U+FFFF are removed, and the text is cut to
 * `max` UTF-16 code units without splitting a character in two.
 */
export function toPlainText(value: string, max: number): string {
  const clean = value.replace(
    new RegExp(`${CONTROL.source}|${LONE_SURROGATE.source}|${DIRECTION_CONTROL.source}`, 'g'),
    '',
  );
  if (clean.length <= max) {
    return clean;
  }
  const cut = clean.slice(0, max);
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/**
 * Characters of what was sent that a refusal quotes back, at most: the longest asset tag, and
 * more than any name of a field a route takes.
 */
export const QUOTED_INPUT_MAX = 64;

/**
 * `value`, something a person or a program sent (a tag in the address, a field's name in a
 * body), as a refusal may quote it back: whole when it is at most `max` characters (Unicode code
 * points, so an emoji is never cut in half), else its first `max` and "… (N characters)". So a
 * 404 for a tag of 10,000 characters, or a 400 naming a body's unknown key, is a line that names
 * what was sent, never the request sent back.
 *
 * @param value the text as sent
 * @param max how many characters to keep, QUOTED_INPUT_MAX by default
 * @returns `value`, or its start and its length in characters
 */
export function quotedInput(value: string, max = QUOTED_INPUT_MAX): string {
  if (value.length <= max) {
    return value;
  }
  const characters = Array.from(value);
  return characters.length <= max
    ? value
    : `${characters.slice(0, max).join('')}… (${characters.length} characters)`;
}
