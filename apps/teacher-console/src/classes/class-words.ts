// How the class screens say things (issue 12): a timetable, a tablet's state, what an action did,
// in words for a teacher rather than an API.
import type {
  ClassActionAccepted,
  ClassActionName,
  ClassSession,
  ClassTile,
  TimetableSlot,
} from '@app/hub-api';
import { oneFieldErrorsOf, type OneFieldErrors } from '../api/bad-request-fields';

/** ISO 8601 weekdays, 1 (Monday) to 7 (Sunday), as the timetable's `weekday`. */
export const WEEKDAYS: readonly { value: number; short: string; long: string }[] = [
  { value: 1, short: 'Mon', long: 'Monday' },
  { value: 2, short: 'Tue', long: 'Tuesday' },
  { value: 3, short: 'Wed', long: 'Wednesday' },
  { value: 4, short: 'Thu', long: 'Thursday' },
  { value: 5, short: 'Fri', long: 'Friday' },
  { value: 6, short: 'Sat', long: 'Saturday' },
  { value: 7, short: 'Sun', long: 'Sunday' },
];

/**
 * The lessons in words, days with the same lessons run together: "Mon–Fri 09:00–10:00 and
 * 13:30–14:30", "Mon 09:00–10:00, Wed 13:15–14:15"; `none` for no lessons.
 */
export function timetableWords(slots: readonly TimetableSlot[], none = 'No lessons set'): string {
  if (slots.length === 0) {
    return none;
  }
  const byDay = new Map<number, string[]>();
  for (const slot of [...slots].sort(
    (a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start),
  )) {
    byDay.set(slot.weekday, [...(byDay.get(slot.weekday) ?? []), `${slot.start}–${slot.end}`]);
  }
  const runs: { from: number; to: number; times: string }[] = [];
  for (const [day, times] of byDay) {
    const words = times.join(' and ');
    const last = runs[runs.length - 1];
    if (last && last.to === day - 1 && last.times === words) {
      last.to = day;
    } else {
      runs.push({ from: day, to: day, times: words });
    }
  }
  const short = (day: number) => WEEKDAYS.find((weekday) => weekday.value === day)?.short ?? '?';
  return runs
    .map(
      (run) => `${short(run.from)}${run.to === run.from ? '' : `–${short(run.to)}`} ${run.times}`,
    )
    .join(', ');
}

/** A clock time from the hub (ISO 8601) in the browser's zone: "10:45". */
export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

/**
 * What the class's page says once the lesson it showed has ended, by the teacher, a colleague or
 * the clock: "The lesson ended at 10:45, its end time. Every tablet is being put back as it was."
 */
export function endedWords(session: Pick<ClassSession, 'endedAt' | 'endedBy'>): string {
  const at = session.endedAt ? ` at ${clockTime(session.endedAt)}` : '';
  const why = session.endedBy === null ? ', its end time' : '';
  return `The lesson ended${at}${why}. Every tablet is being put back as it was.`;
}

/** "Lesson running until 10:45", for a class list or the class's page. */
export function sessionWords(session: Pick<ClassSession, 'endsAt'> | null): string {
  return session ? `Lesson running until ${clockTime(session.endsAt)}` : 'No lesson running';
}

/** What a tablet is called on its tile: its name, else its asset tag. */
export function tileName(tile: Pick<ClassTile, 'name' | 'assetTag' | 'deviceId'>): string {
  return tile.name?.trim() || tile.assetTag || `Tablet ${tile.deviceId.slice(0, 8)}`;
}

/** The lock as the tablet last reported it, and who holds it when it is not the class. */
export function lockWords(tile: Pick<ClassTile, 'locked' | 'lockOwner'>): string {
  if (tile.locked === null) {
    return 'Not reported yet';
  }
  if (!tile.locked) {
    return 'Unlocked';
  }
  if (tile.lockOwner === 'lost') {
    return 'Locked: lost';
  }
  if (tile.lockOwner === 'admin') {
    return 'Locked by ICT';
  }
  return 'Locked';
}

/** The app the tablet is kept in, as it last reported. */
export function appWords(tile: Pick<ClassTile, 'appLock'>): string {
  return tile.appLock ? `Kept in ${tile.appLock}` : 'Any app';
}

export function batteryWords(tile: Pick<ClassTile, 'battery'>): string {
  return tile.battery === null ? 'Battery not known' : `Battery ${tile.battery}%`;
}

/** Whether the tablet has done what was last asked of it. */
export function pendingWords(tile: Pick<ClassTile, 'pending'>): string {
  return tile.pending ? 'Not done yet' : 'Done';
}

/** What each action is called in a "sent to" line. */
const ACTION_WORDS: Record<ClassActionName, string> = {
  lock: 'Lock',
  unlock: 'Unlock',
  'app.lock': 'Keep in app',
  'app.unlock': 'Leave the app',
  message: 'Message',
  'camera.allow': 'Camera allowed',
  'camera.revoke': 'Camera off',
};

/**
 * "Lock sent to 28 tablets (3 on a trip). 2 left alone: ICT or a lost report holds their lock."
 * Tablets out on a trip belong to the trip until they are back (`skipped` reason `on_trip`).
 */
export function acceptedWords(action: ClassActionName, accepted: ClassActionAccepted): string {
  const count = accepted.deviceIds.length;
  const onTrip = accepted.skipped.filter((entry) => entry.reason === 'on_trip').length;
  const sent = `${ACTION_WORDS[action]} sent to ${count} ${count === 1 ? 'tablet' : 'tablets'}${
    onTrip > 0 ? ` (${onTrip} on a trip)` : ''
  }.`;
  const skipped = accepted.skipped.length - onTrip;
  if (skipped === 0) {
    return sent;
  }
  return `${sent} ${skipped} left alone: ICT or a lost report holds ${
    skipped === 1 ? 'its' : 'their'
  } lock.`;
}

/** "On trip: Year 4 museum visit" for a tablet out on a trip, else null. */
export function onTripWords(tile: Pick<ClassTile, 'onTrip'>): string | null {
  return tile.onTrip ? `On trip: ${tile.onTrip.name}` : null;
}

/**
 * A class's camera allowance on a tablet: "Camera until 10:40" while one is in force, else null
 * (the tablet's policy decides, and the tile says nothing of it).
 */
export function cameraWords(tile: Pick<ClassTile, 'cameraUntil'>): string | null {
  return tile.cameraUntil ? `Camera until ${clockTime(tile.cameraUntil)}` : null;
}

/** "28 of 30 tablets online", and the other counts a teacher scans for. */
export function gridSummary(tiles: readonly ClassTile[]): {
  online: number;
  locked: number;
  pending: number;
  absent: number;
  camera: number;
} {
  return {
    online: tiles.filter((tile) => tile.online).length,
    locked: tiles.filter((tile) => tile.locked === true).length,
    pending: tiles.filter((tile) => tile.pending).length,
    absent: tiles.filter((tile) => tile.absent).length,
    camera: tiles.filter((tile) => tile.cameraUntil !== null).length,
  };
}

/**
 * The hub's 400 for a class action's field, part by part (oneFieldErrorsOf): beside the field the
 * parts that start with its name ("appId is required for app.lock"), never one that merely holds
 * the word ("minutes is not a field of app.lock" is not about the app); above the buttons the
 * other parts, or the whole error when no part is about the field.
 *
 * @param field the action's property, as the request names it
 */
export function actionErrorsOf(
  error: unknown,
  field: 'appId' | 'text' | 'minutes',
): OneFieldErrors {
  return oneFieldErrorsOf(error, field);
}
