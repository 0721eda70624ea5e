// The trips screens' addresses and words: a kit device's state with a mark that differs in shape
// (colour never carries it alone), a trip's status, the kit counts as a sentence, and where the
// new-trip form says the hub's 400.
import { plainFieldNames } from '@app/hub-api';
import type { TripKitCounts, TripKitStatus, TripStatus } from '@app/hub-api';
import { badRequestPlacesOf } from '../api/bad-request-fields';
import { sentence } from '../api/client';

export const TRIPS_PATH = '/api/trips';
export const tripPath = (id: string) => `${TRIPS_PATH}/${encodeURIComponent(id)}`;

export const KIT_STATUS_WORDS: Record<TripKitStatus, string> = {
  ready: 'Ready',
  out: 'Out',
  back: 'Back',
  lost: 'Lost',
};

/** Marks beside the words: a tick for back, an arrow for out, a cross for lost. */
export const KIT_STATUS_MARKS: Record<TripKitStatus, string> = {
  ready: '•',
  out: '↗',
  back: '✓',
  lost: '✕',
};

export const TRIP_STATUS_WORDS: Record<TripStatus, string> = {
  planned: 'Planned: kit not checked out yet',
  out: 'Out: kit checked out',
  closed: 'Closed',
};

/** "3 of 5 back, 1 out, 1 lost" (only the states the kit has). */
export function kitCountWords(counts: TripKitCounts): string {
  const total = counts.ready + counts.out + counts.back + counts.lost;
  if (total === 0) {
    return 'No kit';
  }
  if (counts.ready === total) {
    return `${total} ready to check out`;
  }
  const parts = [`${counts.back} of ${total} back`];
  if (counts.out) {
    parts.push(`${counts.out} out`);
  }
  if (counts.lost) {
    parts.push(`${counts.lost} lost`);
  }
  return parts.join(', ');
}

/**
 * Why a trip cannot be closed yet, or null when it can. A planned trip can always be closed: its
 * kit never went out, so closing calls it off (the hub's rule; its 409 `last_in_kit` says to).
 */
export function closeBlocker(status: TripStatus, counts: TripKitCounts): string | null {
  if (status === 'closed') {
    return 'This trip is closed.';
  }
  if (counts.out > 0) {
    return `${counts.out} ${counts.out === 1 ? 'device is' : 'devices are'} still out: check ${
      counts.out === 1 ? 'it' : 'them'
    } in by scan, or mark ${counts.out === 1 ? 'it' : 'them'} lost.`;
  }
  return null;
}

/**
 * What "Close trip" will do, said in its question: a planned trip is called off (nothing went
 * out), one that is out ends with every device back or lost.
 */
export function closeWords(status: TripStatus): string {
  return status === 'planned'
    ? 'The kit has not gone out, so closing calls the trip off: its devices stay in the register, free for loans and other trips, and the trip stays in the list as closed.'
    : 'Every device is back or lost. Closing ends the trip; it stays in the list as closed.';
}

/** The new-trip form's fields, as POST /api/trips names them, that a 400 may be said beside. */
export const NEW_TRIP_FIELDS = [
  'name',
  'shortName',
  'startsAt',
  'endsAt',
  'leaderIds',
  'assetTags',
] as const;
export type NewTripField = (typeof NEW_TRIP_FIELDS)[number];

/**
 * Where the new-trip form says an error: each "; "-joined part of a 400 beside the field it starts
 * with (badRequestPlacesOf), in plain words ("Short name must …"); the parts that start with none
 * as `form`, above the button (null: every part is at a field). Any other error has no `form`:
 * it is said whole.
 */
export function newTripErrorsOf(error: unknown): {
  byField: Partial<Record<NewTripField, string>>;
  form?: string | null;
} {
  return (
    badRequestPlacesOf(error, NEW_TRIP_FIELDS, (part) => plainFieldNames(sentence(part))) ?? {
      byField: {},
    }
  );
}
