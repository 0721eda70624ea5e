// The /staff Socket.IO namespace: what the hub tells signed-in staff live (issue 9; the teacher
// console builds on it in issue 11). Shared so the hub and the console type the same events.
// Types and constants only. Payloads carry ids and states, never tokens, proofs or payloads of
// commands (a message's text stays in the command history, which has its own roles).
import type { ClassHubToStaffEvents, ClassStaffToHubEvents } from '@app/hub-api/classes';
import type { CommandType, DeviceState } from './protocol';

/** The Socket.IO namespace staff connect to. */
export const STAFF_NAMESPACE = '/staff';

/** `auth` of the Socket.IO handshake: the bearer token from `POST /api/auth/login`. */
export interface StaffHandshakeAuth {
  token: string;
}

/**
 * How the `connect_error` message of an account that has not accepted the current AUP starts:
 * `aup_required: Accept the acceptable use policy (version …) …`. An unknown, expired or ended
 * sign-in gets `unauthorized` (UNAUTHORIZED_MESSAGE), as on /device.
 */
export const AUP_REQUIRED_PREFIX = 'aup_required';

/** A command's status as the hub keeps it (see GET /api/devices/:id/commands). */
export type StaffCommandStatus =
  'pending' | 'sent' | 'acknowledged' | 'error' | 'not_now' | 'expired' | 'cancelled';

/** `device.online` and `device.offline`: `at` is when the hub saw it (ISO 8601, UTC). */
export interface DevicePresenceEvent {
  deviceId: string;
  at: string;
}

/**
 * `device.presence`: a device connected (`online: true`) or went away. `lastSeenAt` is when the
 * hub last heard from it (ISO 8601, UTC): now, as it changes. The console's device list updates
 * its row from this one event; `device.online`/`device.offline` say the same for older clients.
 */
export interface DevicePresenceChange {
  deviceId: string;
  online: boolean;
  lastSeenAt: string;
}

/** What a device reported of itself, as much as a console list shows. */
export type DeviceStateSummary = Pick<
  DeviceState,
  | 'locked'
  | 'appLock'
  | 'policyVersion'
  | 'battery'
  | 'charging'
  | 'storageFreeMb'
  | 'osVersion'
  | 'agentVersion'
  | 'pendingPhotos'
>;

/** `device.state`: a device reported its state (at most as often as devices report). */
export interface DeviceStateEvent {
  deviceId: string;
  state: DeviceStateSummary;
  at: string;
}

/** `command.updated`: a command was queued, sent, answered, or expired. */
export interface CommandUpdatedEvent {
  commandId: string;
  deviceId: string;
  type: CommandType | string;
  status: StaffCommandStatus;
  /** The device's words with an answer (an error, why not now), else null. */
  detail: string | null;
}

/** Active devices by compliance status (as in GET /api/compliance). */
export interface ComplianceCounts {
  pending: number;
  applied: number;
  partial: number;
  failed: number;
  none: number;
}

/**
 * `compliance.progress`: how a policy push is going ("4,212 of 5,000 applied"), overall
 * (no `policyId`) and for each policy whose counts moved. Coalesced: at most a few a second
 * however many devices answer, and only counts that changed since the last one are sent.
 */
export interface ComplianceProgressEvent extends ComplianceCounts {
  /** The policy these counts are for (the devices it reaches); absent for all active devices. */
  policyId?: string;
  /** Active devices counted: the policy's reach, or all. */
  devices: number;
}

/**
 * `aup.required`: a new AUP version was published that this account has not accepted. The hub
 * disconnects the socket right after; reconnect once accepted.
 */
export interface AupRequiredEvent {
  version: string;
  message: string;
}

/**
 * `session.ended`: the sign-in behind this socket ended (signed out, expired, password changed,
 * account disabled). The hub disconnects the socket right after; sign in again.
 */
export interface SessionEndedEvent {
  /** Why, in words for the person ("This account has been disabled: ask ICT ..."). */
  message: string;
}

/**
 * The `data` of a `connect_error` whose message is `unauthorized`: why the sign-in does not
 * hold, in the same words as `session.ended` and the HTTP 401.
 */
export interface UnauthorizedData {
  message: string;
}

/** Events the hub sends on /staff (the class events only to clients watching that class). */
export interface HubToStaffEvents extends ClassHubToStaffEvents {
  'device.online': (event: DevicePresenceEvent) => void;
  'device.offline': (event: DevicePresenceEvent) => void;
  'device.presence': (event: DevicePresenceChange) => void;
  'device.state': (event: DeviceStateEvent) => void;
  'command.updated': (event: CommandUpdatedEvent) => void;
  'compliance.progress': (event: ComplianceProgressEvent) => void;
  'aup.required': (event: AupRequiredEvent) => void;
  'session.ended': (event: SessionEndedEvent) => void;
}

/** Staff send only `class.watch` and `class.unwatch` on /staff (issue 12). */
export type StaffToHubEvents = ClassStaffToHubEvents;

/**
 * The acknowledgement of an event that /staff does not take (a misspelt name, an event of
 * another namespace), where the sender asked for one: `message` names the event and those
 * /staff takes. The event is otherwise ignored, as /device ignores one it does not take
 * (protocol section 3), and the connection stays.
 */
export interface StaffUnknownEventAck {
  ok: false;
  error: 'unknown_event';
  message: string;
}
