// The audit log's filters as the page holds them (in the address, so a filtered view can be
// reloaded or shared) and as the hub's GET /api/audit and /api/audit/export.csv take them, and
// what the page says about whom its Person filter took in.
import type { AuditPerson } from '@app/hub-api';
import type { ApiQuery } from '../api/client';

/** What a person types: dates are the school day's `YYYY-MM-DD` from a date field. */
export interface AuditFilters {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  /** First day included, `YYYY-MM-DD`, or ''. */
  fromDate: string;
  /** Last day included, `YYYY-MM-DD`, or ''. */
  toDate: string;
}

export const FILTER_KEYS = [
  'actor',
  'action',
  'targetType',
  'targetId',
  'fromDate',
  'toDate',
] as const satisfies readonly (keyof AuditFilters)[];

export const NO_FILTERS: AuditFilters = {
  actor: '',
  action: '',
  targetType: '',
  targetId: '',
  fromDate: '',
  toDate: '',
};

/** The filters in an address's search parameters (missing ones are ''). */
export function filtersFrom(params: URLSearchParams): AuditFilters {
  const filters = { ...NO_FILTERS };
  for (const key of FILTER_KEYS) {
    filters[key] = params.get(key) ?? '';
  }
  return filters;
}

/**
 * What is wrong with the filters' days, in words for beside the To field, or null. A last day
 * before the first gives a window with no entry in it, which would read as "nothing happened"
 * (the hub refuses it too, in its own terms).
 */
export function daysProblem(filters: Pick<AuditFilters, 'fromDate' | 'toDate'>): string | null {
  const { fromDate, toDate } = filters;
  return fromDate && toDate && toDate < fromDate
    ? `The last day (${toDate}) comes before the first (${fromDate}): swap them.`
    : null;
}

/** Midnight at the start of a `YYYY-MM-DD` day in this browser's zone, plus `days`, as RFC 3339. */
function startOfDay(date: string, days = 0): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) {
    return undefined;
  }
  const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days);
  return Number.isNaN(day.getTime()) ? undefined : day.toISOString();
}

/**
 * The hub's query for these filters: `from` is the first day's midnight (inclusive), `to` the
 * midnight after the last day (the hub's `to` is exclusive), both in the browser's zone as UTC
 * RFC 3339. Empty filters are left out.
 */
export function auditQuery(filters: AuditFilters): ApiQuery {
  return {
    actor: filters.actor.trim(),
    action: filters.action.trim().toLowerCase(),
    targetType: filters.targetType.trim().toLowerCase(),
    targetId: filters.targetId.trim(),
    from: startOfDay(filters.fromDate),
    to: startOfDay(filters.toDate, 1),
  };
}

/**
 * Whom the applied Person filter names, in words for above the entries: "Person filter: Anita
 * Patel (apatel) and Raj Patel (rpatel)." Entries by all of them are shown (a search for a
 * surname finds every bearer), so this says who they are; "… and 3 more" past the names read.
 *
 * @param people the first page of GET /api/audit/people for the filter's text
 * @param total how many it names in all
 * @returns the words, or null when the text names no member of staff (a device's id, a typo)
 */
export function peopleWords(people: readonly AuditPerson[], total: number): string | null {
  if (people.length === 0) {
    return null;
  }
  const names = people.map((person) => `${person.displayName} (${person.username})`);
  const listed =
    total > names.length
      ? `${names.join(', ')} and ${total - names.length} more`
      : names.length === 1
        ? names[0]
        : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `Person filter: ${listed}.`;
}
