// The audit log as a person reads it (issue 9): times in the school's zone with their offset, and
// each entry's detail as a line of text rather than JSON. One formatter per kind of action, and a
// plain `key: value; key: value` for any other, so an action added later still reads.

import { formatLocalTime } from '../common/local-time';

// Also from here, where photos/ reads it.
export { formatLocalTime };

/** An RFC 3339 time in UTC, as the hub writes them into details (`2026-12-01T09:15:02.000Z`). */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

type Detail = Record<string, unknown>;

/** How a detail's values are written: times in the school's zone, lists with commas. */
class Words {
  constructor(private readonly timeZone: string) {}

  value(value: unknown): string {
    if (typeof value === 'string') {
      return UTC_TIME.test(value) ? formatLocalTime(new Date(value), this.timeZone) : value;
    }
    if (typeof value === 'boolean') {
      return value ? 'yes' : 'no';
    }
    if (Array.isArray(value)) {
      return value.length === 0 ? 'none' : value.map((item) => this.value(item)).join(', ');
    }
    if (value && typeof value === 'object') {
      return `(${this.pairs(value as Detail).join(', ')})`;
    }
    return String(value);
  }

  /** `key: value` for each key that has a value. */
  pairs(detail: Detail): string[] {
    return Object.entries(detail)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([key, value]) => `${key}: ${this.value(value)}`);
  }

  quoted(value: unknown): string {
    return JSON.stringify(String(value));
  }
}

/** What staff call each command (the protocol's names are for programs). */
const COMMAND_WORDS: Record<string, string> = {
  'device.lock': 'lock',
  'device.unlock': 'unlock',
  'app.lock': 'single app',
  'app.unlock': 'end single app',
  'message.show': 'message',
  'photos.sync': 'photo sync',
  'policy.apply': 'policy',
  'device.unenroll': 'unenrol',
};

function commandWord(type: unknown): string {
  return COMMAND_WORDS[String(type)] ?? String(type);
}

/** A command and what it carried: `lock; message: "Back to your seats"`. */
function describeCommand(type: unknown, payload: unknown, words: Words): string[] {
  const parts = [commandWord(type)];
  const body = payload && typeof payload === 'object' ? (payload as Detail) : {};
  switch (type) {
    case 'device.lock':
      if (body.reason !== undefined && body.reason !== 'class') {
        parts.push(`reason: ${words.value(body.reason)}`);
      }
      if (body.message !== undefined) {
        parts.push(`message: ${words.quoted(body.message)}`);
      }
      return parts;
    case 'app.lock':
      return body.appId !== undefined ? [`${parts[0]}: ${words.value(body.appId)}`] : parts;
    case 'message.show':
      return [
        `message: ${words.quoted(body.text)}`,
        ...(body.from !== undefined ? [`from: ${words.value(body.from)}`] : []),
      ];
    default:
      return [...parts, ...words.pairs(body)];
  }
}

/** Which command an entry is about, to find it in the device's command list. */
function commandRef(detail: Detail): string[] {
  return detail.commandId ? [`command ${String(detail.commandId)}`] : [];
}

type Formatter = (detail: Detail, words: Words) => string[];

const ANSWERS: Record<string, string> = {
  acknowledged: 'carried out',
  error: 'failed',
  not_now: 'put off by the device',
};

const commandAnswer =
  (status: string): Formatter =>
  (detail, words) => [
    `${commandWord(detail.type)} ${ANSWERS[status]}${
      detail.detail !== undefined ? `: ${words.value(detail.detail)}` : ''
    }`,
    ...commandRef(detail),
  ];

const CANCEL_REASONS: Record<string, string> = {
  revoked: 'the device was revoked',
  reenrolled: 'the device enrolled again',
};

/** One formatter per kind of action; each returns the parts joined with `; `. */
const FORMATTERS: Record<string, Formatter> = {
  'command.issued': (detail, words) => [
    ...describeCommand(detail.type, detail.payload, words),
    ...(detail.groupName !== undefined
      ? [`to group ${words.value(detail.groupName)}`]
      : detail.groupId !== undefined
        ? [`to group ${words.value(detail.groupId)}`]
        : []),
    ...(detail.expiresAt !== undefined ? [`expires ${words.value(detail.expiresAt)}`] : []),
    ...commandRef(detail),
  ],
  'command.acknowledged': commandAnswer('acknowledged'),
  'command.error': commandAnswer('error'),
  'command.not_now': commandAnswer('not_now'),
  'command.superseded': (detail) => [
    `${commandWord(detail.type)} replaced by a newer one`,
    ...commandRef(detail),
    ...(detail.by !== undefined ? [`replaced by command ${String(detail.by)}`] : []),
  ],
  'command.expired': (detail) => [`${commandWord(detail.type)} expired`, ...commandRef(detail)],
  'command.cancelled': (detail) => [
    `cancelled: ${CANCEL_REASONS[String(detail.reason)] ?? String(detail.reason)}`,
    ...commandRef(detail),
  ],
  'device.enrolled': (detail, words) => describeEnrolment(detail, words),
  'device.reenrolled': (detail, words) => describeEnrolment(detail, words),
  'device.updated': (detail, words) => {
    const previous = (detail.previous ?? {}) as Detail;
    const changed = Array.isArray(detail.changed) ? detail.changed.map(String) : [];
    return changed.map((key) =>
      key in previous
        ? `${key === 'assetTag' ? 'asset tag' : key} was ${words.quoted(previous[key] ?? '')}`
        : `${key} changed`,
    );
  },
  'device.revoked': (detail, words) => [
    `serial ${words.value(detail.serialNumber)}`,
    ...(detail.cancelledCommands
      ? [`${String(detail.cancelledCommands)} waiting commands cancelled`]
      : []),
  ],
  'aup.accepted': (detail, words) => [
    `accepted ${aupVersion(detail.version)}`,
    ...(detail.acceptedAt !== undefined ? [`at ${words.value(detail.acceptedAt)}`] : []),
  ],
  'aup.accepted_at_desk': (detail, words) => [
    `${words.value(detail.borrower ?? detail.borrowerId)} accepted ${aupVersion(detail.version)} in person at the desk`,
    ...(detail.acceptedAt !== undefined ? [`at ${words.value(detail.acceptedAt)}`] : []),
  ],
  'aup.published': (detail) => [aupVersion(detail.version)],
  'aup.republished': (detail) => [
    `${aupVersion(detail.version)}, published before, is current again`,
  ],
  'audit.entries_removed': (detail, words) => [
    `${String(detail.removed)} ${detail.removed === 1 ? 'entry' : 'entries'} from before ${words.value(detail.before)} removed`,
    `entries are kept ${String(detail.retentionDays)} days (HUB_AUDIT_RETENTION_DAYS)`,
  ],
  'audit.exported': (detail, words) => describeExport(detail, words),
  'staff.locked_out': (detail) => [
    `signing in blocked for ${String(detail.minutes)} minutes after repeated wrong passwords`,
  ],
  'enrollment_token.created': (detail, words) => [
    ...(detail.label ? [`label: ${words.quoted(detail.label)}`] : []),
    `up to ${String(detail.maxUses)} ${detail.maxUses === 1 ? 'use' : 'uses'}`,
    ...(detail.expiresAt !== undefined ? [`expires ${words.value(detail.expiresAt)}`] : []),
    ...(Array.isArray(detail.groupIds) && detail.groupIds.length > 0
      ? [`groups: ${words.value(detail.groupIds)}`]
      : []),
    ...(detail.reenrol ? ['for re-enrolment'] : []),
  ],
  'staff.updated': (detail, words) => describeStaffChange(detail, words),
  'staff.disabled': (detail, words) => describeStaffChange(detail, words),
  'group.members_added': (detail) => [
    `${String(detail.count)} ${detail.count === 1 ? 'device' : 'devices'} added`,
  ],
  'group.member_removed': (detail, words) => [
    `removed ${words.value(detail.device ?? detail.deviceId)}`,
  ],
  // Trips by name, as the log's targets name them (tripTarget); an entry written before the names
  // were kept falls back to the ids.
  'photo.trip_not_taken': (detail, words) => [
    `named the trip ${words.value(detail.namedTrip ?? detail.namedTripId)}, which its device was not out with when the photo was taken`,
    detail.tripId
      ? `filed under the trip ${words.value(detail.trip ?? detail.tripId)}`
      : 'filed under no trip',
    ...(detail.sha256 !== undefined ? [`photo ${words.value(detail.sha256)}`] : []),
  ],
  'policy.updated': (detail, words) => describePolicyChange(detail, words),
  'policy.rolled_back': (detail, words) => describePolicyChange(detail, words),
  'policy.assigned': (detail, words) => [
    describeScope('assigned', detail.scope, detail.toName ?? detail.to, words),
    ...(detail.priority !== undefined ? [`priority ${words.value(detail.priority)}`] : []),
  ],
  'policy.unassigned': (detail, words) => [
    describeScope('unassigned', detail.scope, detail.fromName ?? detail.from, words),
  ],
  'hub.started': (detail, words) => [
    `version ${words.value(detail.version)}`,
    ...(detail.listening !== undefined ? [`listening on ${words.value(detail.listening)}`] : []),
    ...(detail.timeZone !== undefined ? [`time zone ${words.value(detail.timeZone)}`] : []),
    ...(detail.node !== undefined ? [`Node.js ${words.value(detail.node)}`] : []),
  ],
  'hub.duplicate_renamed': (detail, words) => [
    `${detail.field === 'assetTag' ? 'asset tag ' : ''}${words.quoted(detail.was)} is now ${words.quoted(detail.now)}`,
    `${words.quoted(detail.keptBy)} is older and keeps its name`,
  ],
  'hub.stopped': (detail, words) => [
    [
      'stopped',
      ...(detail.signal !== undefined ? [`by ${words.value(detail.signal)}`] : []),
      ...(typeof detail.upSeconds === 'number' ? [`after ${duration(detail.upSeconds)}`] : []),
    ].join(' '),
  ],
};

/**
 * An AUP version as the log's targets name it (audit-labels' `aupTarget`): `AUP version` and the
 * first 12 hex digits of its hash, which the acceptances list shows too.
 */
function aupVersion(version: unknown): string {
  return `AUP version ${String(version).slice(0, 12)}`;
}

/** `3 h 5 min`, `4 min 10 s`, `12 s`. */
function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const min = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${min} min` : min > 0 ? `${min} min ${s} s` : `${s} s`;
}

/** An export's filters as words, in the order the log's filter form has them. */
const EXPORT_FILTERS: ReadonlyArray<[string, string]> = [
  ['actor', 'actor'],
  ['action', 'action'],
  ['targetType', 'target type'],
  ['targetId', 'target id'],
  ['from', 'from'],
  ['to', 'to'],
];

/** `3 entries in the export; filters: action staff.created, from 2026-12-01T00:00:00+00:00`. */
function describeExport(detail: Detail, words: Words): string[] {
  const filters = (detail.filters ?? {}) as Detail;
  const known = new Set(EXPORT_FILTERS.map(([key]) => key));
  const given = [
    ...EXPORT_FILTERS.filter(([key]) => filters[key] !== undefined && filters[key] !== null).map(
      ([key, name]) => `${name} ${words.value(filters[key])}`,
    ),
    // A filter added later still reads.
    ...words.pairs(Object.fromEntries(Object.entries(filters).filter(([key]) => !known.has(key)))),
  ];
  return [
    `${String(detail.rows)} ${detail.rows === 1 ? 'entry' : 'entries'} in the export`,
    `filters: ${given.length > 0 ? given.join(', ') : 'none, the whole log'}`,
  ];
}

/** Staff field names as words. */
const STAFF_FIELDS: Record<string, string> = { displayName: 'display name' };

function describeStaffChange(detail: Detail, words: Words): string[] {
  const changed = Array.isArray(detail.changed) ? detail.changed.map(String) : [];
  return [
    `changed: ${changed.length > 0 ? changed.map((key) => STAFF_FIELDS[key] ?? key).join(', ') : 'nothing'}`,
    ...(detail.previousDisplayName !== undefined
      ? [`display name was ${words.quoted(detail.previousDisplayName)}`]
      : []),
    ...(detail.roles !== undefined ? [`roles: ${words.value(detail.roles)}`] : []),
    ...(detail.disabled !== undefined ? [`disabled: ${words.value(detail.disabled)}`] : []),
  ];
}

function describePolicyChange(detail: Detail, words: Words): string[] {
  return [
    ...(detail.revision !== undefined ? [`revision ${words.value(detail.revision)}`] : []),
    ...(detail.changed !== undefined ? [`changed: ${words.value(detail.changed)}`] : []),
    ...(detail.devicesAffected !== undefined
      ? [`${words.value(detail.devicesAffected)} devices to update`]
      : []),
  ];
}

/** `assigned to group Year 7`, `assigned as the baseline`. */
function describeScope(verb: string, scope: unknown, name: unknown, words: Words): string {
  if (scope === 'baseline') {
    return `${verb} as the baseline`;
  }
  const preposition = verb === 'assigned' ? 'to' : 'from';
  return `${verb} ${preposition} ${words.value(scope)}${
    name !== undefined && name !== null ? ` ${words.value(name)}` : ''
  }`;
}

function describeEnrolment(detail: Detail, words: Words): string[] {
  return [
    `serial ${words.value(detail.serialNumber)}`,
    `platform ${words.value(detail.platform)}`,
    ...(detail.tokenId !== undefined ? [`token ${words.value(detail.tokenId)}`] : []),
    ...(Array.isArray(detail.groupIds) && detail.groupIds.length > 0
      ? [`groups: ${words.value(detail.groupIds)}`]
      : []),
    ...(detail.wasRevoked === true ? ['had been revoked'] : []),
    ...(detail.cancelledCommands
      ? [`${String(detail.cancelledCommands)} waiting commands cancelled`]
      : []),
  ];
}

/**
 * An entry's detail as one line of text: `lock; message: "Back to your seats"; expires
 * 2026-12-01T10:00:00+00:00`. Times in it are written in `timeZone` with their offset. An action
 * with no formatter of its own reads `key: value; key: value`. Empty for no detail.
 */
export function describeAuditDetail(
  action: string,
  detail: Detail | null,
  timeZone: string,
): string {
  if (!detail) {
    return '';
  }
  const words = new Words(timeZone);
  const formatter = FORMATTERS[action];
  return (formatter ? formatter(detail, words) : words.pairs(detail)).join('; ');
}
