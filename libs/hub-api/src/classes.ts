// Classroom (issue 12): the shapes of /api/classes and of the class events on /staff, as the
// console reads them. The hub's DTO classes (apps/hub/src/classroom/dto) describe the same shapes.
// Types only: no Nest, no Node built-ins.

/**
 * One timetabled lesson of a class, every week: `weekday` 1 (Monday) to 7 (Sunday, ISO 8601),
 * `start` and `end` as "HH:MM" (24-hour, `start` before `end`) in the hub's time zone
 * (`HUB_TIME_ZONE`, GET /api/school `timeZone`).
 */
export interface TimetableSlot {
  weekday: number;
  start: string;
  end: string;
}

/** A lock owner (desired state): a teacher's class, ICT, or a device reported lost. */
export type ClassLockOwner = 'class' | 'admin' | 'lost';

/**
 * A class session (a lesson in progress, or one that ended): POST /api/classes/:id/session (201),
 * DELETE /api/classes/:id/session (200), `session` of GET /api/classes/:id/session.
 */
export interface ClassSession {
  id: string;
  classId: string;
  /** The staff id of whoever started it. */
  startedBy: string;
  /** ISO 8601, UTC. */
  startedAt: string;
  /** When the hub ends it by itself (ISO 8601, UTC). */
  endsAt: string;
  /** When it ended (ISO 8601, UTC); null while running. */
  endedAt: string | null;
  /** Who ended it: a staff id, or null when the clock (or the hub at start-up) did. */
  endedBy: string | null;
  /** The highest action `seq` of the class so far (0 before its first action). */
  seq: number;
}

/**
 * A class: GET /api/classes (a list), GET/PATCH /api/classes/:id, POST /api/classes (201).
 * Its tablets are the members of `groupId`, the devices of `deviceIds`, or both.
 */
export interface ClassDto {
  id: string;
  name: string;
  /** Staff ids of the class's teachers. */
  teacherIds: string[];
  /** Devices named on the class itself (not those it has through its group). */
  deviceIds: string[];
  groupId: string | null;
  timetable: TimetableSlot[];
  /** The session running now, or null. */
  session: ClassSession | null;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

/** POST /api/classes (ICT). */
export interface CreateClassRequest {
  name: string;
  teacherIds: string[];
  groupId?: string;
  deviceIds?: string[];
  timetable?: TimetableSlot[];
}

/** PATCH /api/classes/:id (ICT): the fields given replace the class's; `groupId: null` clears it. */
export interface UpdateClassRequest {
  name?: string;
  teacherIds?: string[];
  groupId?: string | null;
  deviceIds?: string[];
  timetable?: TimetableSlot[];
  /**
   * The class's `updatedAt` as read when the change was made: a class changed since is not
   * saved over (409 `changed_meanwhile`, CLASS_UPDATE_REFUSALS). Left out: no such check.
   */
  updatedAt?: string;
}

/**
 * The `code` of each 409 of PATCH /api/classes/:id that a client tells apart, beside its message
 * in plain words:
 * - `changed_meanwhile`: the class changed after the `updatedAt` the change was made from (or at
 *   the same moment); nothing was saved.
 * Its other 409, a name another class has, carries no code.
 */
export const CLASS_UPDATE_REFUSALS = ['changed_meanwhile'] as const;
export type ClassUpdateRefusal = (typeof CLASS_UPDATE_REFUSALS)[number];

/** POST /api/classes/:id/session: `endsAt` (RFC 3339) defaults to the lesson's end, or 60 min. */
export interface StartClassSessionRequest {
  endsAt?: string;
}

/**
 * One tablet of a class as the teacher's grid shows it. `locked`, `appLock` and `battery` are
 * what the device last reported (null before its first report); `pending` is true while the
 * device has not yet done what was last asked of it (an open command, or a reported lock or app
 * that differs from the desired one).
 */
export interface ClassTile {
  deviceId: string;
  name: string | null;
  assetTag: string | null;
  online: boolean;
  /** ISO 8601, UTC; null before it first connected. */
  lastSeenAt: string | null;
  locked: boolean | null;
  appLock: string | null;
  /** 0 to 100, as reported; null when unknown. */
  battery: number | null;
  /** Marked absent in the running session: actions without `deviceIds` leave it out. */
  absent: boolean;
  pending: boolean;
  /** Who owns the lock the hub wants on it (null: none). `lost`/`admin` locks stay after a class unlock. */
  lockOwner: ClassLockOwner | null;
  /**
   * Until when a class has allowed the camera on it (`camera.allow`), ISO 8601 UTC; null when no
   * class allowance is in force (its policy decides). It turns null by itself at that time.
   */
  cameraUntil: string | null;
  /**
   * The trip it is out on (its kit checked out, not yet back), or null. A class's actions leave
   * it alone until it is back. Absent from older hubs' tiles.
   */
  onTrip?: { tripId: string; name: string } | null;
}

/** GET /api/classes/:id/session, and PUT /api/classes/:id/session/absent's answer. */
export interface ClassSessionView {
  /** The running session, or null when none is running. */
  session: ClassSession | null;
  /** One per tablet of the class, sorted by name. */
  tiles: ClassTile[];
}

/** Body of POST /api/classes/:id/session/actions. `deviceIds` defaults to every tablet not absent. */
export type ClassAction =
  | { action: 'lock'; message?: string; deviceIds?: string[] }
  | { action: 'unlock'; deviceIds?: string[] }
  | { action: 'app.lock'; appId: string; deviceIds?: string[] }
  | { action: 'app.unlock'; deviceIds?: string[] }
  | { action: 'message'; text: string; deviceIds?: string[] }
  /** 1 to 240 minutes. */
  | { action: 'camera.allow'; minutes: number; deviceIds?: string[] }
  | { action: 'camera.revoke'; deviceIds?: string[] };

/** The `action` values of ClassAction. */
export type ClassActionName = ClassAction['action'];

/**
 * A tablet an action left alone: a stronger party owns its lock (`owner`, `reason` absent or
 * 'held'), or it is out on a trip (`reason: 'on_trip'`, the trip named; a tablet out on a trip
 * belongs to the trip until it is back). Older clients that read only `owner` see it absent for
 * the trip's.
 */
export type ClassActionSkipped =
  | { deviceId: string; owner: ClassLockOwner; reason?: 'held' }
  | { deviceId: string; owner?: undefined; reason: 'on_trip'; tripId: string; tripName: string };

/** POST /api/classes/:id/session/actions → 202. */
export interface ClassActionAccepted {
  /** The devices the action was queued for. */
  deviceIds: string[];
  /** This action's number in the class: the highest one is in force. */
  seq: number;
  /** Devices left out: a stronger lock (ICT's, lost) holds them, or they are out on a trip. */
  skipped: ClassActionSkipped[];
}

/** PUT /api/classes/:id/session/absent. */
export interface ClassAbsentRequest {
  deviceIds: string[];
  absent: boolean;
}

/** `class.watch` and `class.unwatch` on /staff: the class to follow. */
export interface ClassWatchRequest {
  classId: string;
}

/**
 * The acknowledgement of `class.watch`: the tiles (and the running session) now, or why not.
 * `forbidden`: a class this person may not see (a teacher of another class, or no such class
 * for a teacher); `not_found`: no such class (ICT); `invalid`: the request is not `{classId: uuid}`;
 * `unavailable`: the hub could not read the class just then (try again).
 */
export type ClassWatchAck =
  | { ok: true; session: ClassSession | null; tiles: ClassTile[] }
  | { ok: false; error: 'forbidden' | 'not_found' | 'invalid' | 'unavailable' };

/**
 * The words of a refused class, the same whether the API (403, 404) or `class.watch`
 * (`forbidden`, `not_found`) refused it, so the console says one thing however it asked.
 */
export const CLASS_REFUSALS = {
  forbidden: 'You may act only on the classes you teach',
  not_found: 'There is no such class. It may have been removed',
} as const;

/** The acknowledgement of `class.unwatch`. */
export type ClassUnwatchAck = { ok: true } | { ok: false; error: 'invalid' };

/** `class.tile`: one tile of a watched class changed (online, locked, app, battery, absent, pending). */
export interface ClassTileEvent {
  classId: string;
  tile: ClassTile;
}

/** `class.session`: a watched class's session started or ended (`session.endedAt` set). */
export interface ClassSessionEvent {
  classId: string;
  session: ClassSession;
}

/**
 * `class.unwatched`: the hub ended a watch because the person may no longer see the class (taken
 * off its teachers, a role gone); `error` is what `class.watch` would answer now.
 */
export interface ClassUnwatchedEvent {
  classId: string;
  error: 'forbidden' | 'not_found';
}

/**
 * `class.tablets`: a watched class's tablets changed (ICT changed its named tablets or its group,
 * or its group's members changed): a tablet may have joined or left the grid, so read it again
 * (`class.watch`). The tablets that joined are also sent as `class.tile`.
 */
export interface ClassTabletsEvent {
  classId: string;
}

/** The class events the hub sends on /staff (to clients that sent `class.watch`). */
export interface ClassHubToStaffEvents {
  'class.tile': (event: ClassTileEvent) => void;
  'class.session': (event: ClassSessionEvent) => void;
  'class.unwatched': (event: ClassUnwatchedEvent) => void;
  'class.tablets': (event: ClassTabletsEvent) => void;
}

/** The class events a client sends on /staff, each with an acknowledgement callback. */
export interface ClassStaffToHubEvents {
  'class.watch': (request: ClassWatchRequest, ack: (answer: ClassWatchAck) => void) => void;
  'class.unwatch': (request: ClassWatchRequest, ack: (answer: ClassUnwatchAck) => void) => void;
}
