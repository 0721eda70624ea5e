// Photos in the words staff read (issue 14): days and clock times in the school's time zone as
// the hub gives them (`day`, `takenAtLocal`), the store's state, and counts.
import type { Photo, PhotoStoreProblem, PhotoStoreState } from '@app/hub-api';

export const PHOTOS_PATH = '/api/photos';
export const PHOTO_DAYS_PATH = '/api/photos/days';
export const PHOTO_STORE_PATH = '/api/photos/store';
export const PHOTO_DEVICES_PATH = '/api/photos/devices';

/** "1 photo" / "1,234 photos". */
export function photoCount(count: number): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? 'photo' : 'photos'}`;
}

/**
 * A school day `YYYY-MM-DD` as "Tue 1 Dec 2026". The day is already the school's (the hub
 * worked it out in its time zone), so it is read as a calendar date, never shifted by the
 * browser's zone.
 */
export function dayWords(day: string): string {
  const when = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(when.getTime())) {
    return day;
  }
  return when.toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** The clock time a photo was taken, in the school's zone ("14:22"), from `takenAtLocal`. */
export function takenClock(photo: Pick<Photo, 'takenAtLocal'>): string {
  const match = /T(\d{2}):(\d{2})/.exec(photo.takenAtLocal);
  return match ? `${match[1]}:${match[2]}` : photo.takenAtLocal;
}

/** The device that took it: its name, or its asset tag (or serial) where it has none. */
export function photoDevice(photo: Pick<Photo, 'deviceName' | 'deviceTag'>): string {
  return photo.deviceName ?? photo.deviceTag;
}

/** A photo's accessible name: "Photo taken at 14:22 on Tue 1 Dec 2026 by Oak 07". */
export function photoLabel(photo: Photo): string {
  return `Photo taken at ${takenClock(photo)} on ${dayWords(photo.day)} by ${photoDevice(photo)}`;
}

/** "2.4 MB", "310 KB". */
export function sizeWords(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  }
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

const PROBLEM_WORDS: Record<PhotoStoreProblem, string> = {
  missing: 'the hub cannot find it (the network share may not be mounted)',
  read_only: 'it is read-only',
  full: 'it is full',
  error: 'the hub cannot write to it',
};

/**
 * The store's state as one or two sentences: available with how many stored, or unavailable,
 * why, and how many photos wait at the hub for it. Issue 14: "the store's state (available,
 * unavailable with how many waiting)".
 */
export function storeStateWords(state: PhotoStoreState): { headline: string; detail: string } {
  if (state.available) {
    return {
      headline: 'The photo store is available.',
      detail:
        state.waiting > 0
          ? `${photoCount(state.stored)} stored; ${photoCount(state.waiting)} being written to it now.`
          : `${photoCount(state.stored)} stored.`,
    };
  }
  const why = state.problem ? PROBLEM_WORDS[state.problem] : PROBLEM_WORDS.error;
  return {
    headline: `The photo store is unavailable: ${why}.`,
    detail:
      state.waiting === 0
        ? 'No photos are waiting. New photos will wait safely at the hub until the store is back; devices keep their copies until then.'
        : `${photoCount(state.waiting)} ${state.waiting === 1 ? 'is' : 'are'} waiting safely at the hub and will be written to the store when it is back; devices keep their copies until then.`,
  };
}

/** A photo's place: "Stored" or "Waiting for the store". */
export function photoStatusWords(photo: Pick<Photo, 'status'>): string {
  return photo.status === 'stored' ? 'Stored' : 'Waiting for the store';
}
