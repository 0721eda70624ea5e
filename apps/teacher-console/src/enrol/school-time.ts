// Dates on the Enrol screen in the school's time zone (GET /api/school), not the browser's.

/** "24 Nov 2025, 18:00" in `timeZone` (an IANA name), or the browser's zone when not known. */
export function schoolDateTime(iso: string, timeZone?: string): string {
  return new Date(iso).toLocaleString('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  });
}
