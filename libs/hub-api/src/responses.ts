// What the hub's routes answer, as the console reads them. The hub's DTO classes (Swagger,
// class-validator) describe the same shapes; these are the plain types a browser can import.
import type { StaffRole } from './roles';

/**
 * Every error the hub answers: `{ statusCode, message }` (AllExceptionsFilter), and `code` on the
 * refusals a client tells apart and acts on (CHECK_OUT_REFUSALS): a word that stays when the
 * message's words change.
 */
export interface ApiErrorBody {
  statusCode: number;
  /** In plain words, for people: never parsed. */
  message: string;
  /** snake_case, stable; only on the refusals that name their codes in the API docs. */
  code?: string;
}

/**
 * The `code` of a 403 that every staff route but the exempt ones may answer, beside its message
 * in plain words: `aup_required`, the account has not accepted the current acceptable use policy
 * (GET /api/aup, then POST /api/staff/me/aup-acceptance). The /staff socket's `connect_error`
 * says the same with its message's `aup_required:` prefix (AUP_REQUIRED_PREFIX). A 403 for a
 * role the account lacks carries no code.
 */
export const ACCESS_REFUSALS = ['aup_required'] as const;
export type AccessRefusal = (typeof ACCESS_REFUSALS)[number];

/** GET /api/auth/me, and `user` of the sign-in answer. */
export interface StaffUser {
  id: string;
  username: string;
  displayName: string;
  roles: StaffRole[];
}

/** POST /api/auth/login. */
export interface LoginResponse {
  accessToken: string;
  /** ISO 8601, UTC. */
  expiresAt: string;
  user: StaffUser;
}

/** GET /api/auth/password-rule: what a new password needs on this hub. */
export interface PasswordRule {
  minLength: number;
}

/** GET /api/aup: the current acceptable use policy and whether the caller accepted it. */
export interface AupCurrent {
  /** SHA-256 of the text: what POST /api/staff/me/aup-acceptance takes. */
  version: string;
  text: string;
  publishedAt: string;
  acceptedAt: string | null;
}

/** GET /api/school (public): who this hub belongs to. */
export interface School {
  name: string;
  timeZone: string;
  caFingerprint: string;
}

/** A page of a list route (`?page=1&pageSize=50`). */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** A staff account as ICT sees it: GET/POST /api/staff, GET/PATCH /api/staff/:id. */
export interface StaffAccount {
  id: string;
  username: string;
  displayName: string;
  roles: StaffRole[];
  /** Disabled accounts cannot sign in; accounts are never deleted. */
  disabled: boolean;
  /** Where loan reminders are emailed (issue 13), or null. */
  email: string | null;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

/** One entry of the audit log: GET /api/audit (a Page of these). */
export interface AuditEntry {
  /** Order of writing: a later entry has a larger id. */
  id: number;
  /** ISO 8601, UTC. */
  at: string;
  /** The same moment in the school's time zone, with its offset. */
  atLocal: string;
  actorType: 'staff' | 'device' | 'system' | 'shell';
  actorId: string | null;
  /** Username, OS user at the shell, or `hub`. */
  actor: string | null;
  /** Who acted, named as they were at the time; null on old entries. */
  actorName: string | null;
  /** e.g. `command.issued`, `staff.created`. */
  action: string;
  /** The action in words ("Command sent", "Account created"): `auditActionWords(action)`. */
  actionText: string;
  targetType: string | null;
  targetId: string | null;
  /** What the target was called at the time; null on old entries. */
  targetLabel: string | null;
  detail: Record<string, unknown> | null;
  /** The detail as readable text; empty for none. */
  detailText: string;
  correlationId: string | null;
}

/**
 * GET /api/audit/people?search= (safeguarding, ICT): a member of staff the audit log names as
 * having acted, with their account's names as they are now. The Person filter finds entries by
 * every such person whose display name or username holds its text (any capitals), or whose id
 * it is; the console's type-ahead offers them by name.
 */
export interface AuditPerson {
  id: string;
  username: string;
  displayName: string;
}

/** A member of staff named from their account as it is now (null names: no such account). */
export interface AupAcceptancePerson {
  staffId: string;
  username: string | null;
  displayName: string | null;
}

/** GET /api/aup/acceptances: who accepted the current AUP version, and when, oldest first. */
export interface AupAcceptances {
  /** The current version (SHA-256), or null when none is published. */
  version: string | null;
  items: (AupAcceptancePerson & {
    acceptedAt: string;
    /** The office clerk who saw it accepted in person at the desk (a loan), or null. */
    witnessedBy: AupAcceptancePerson | null;
  })[];
}

/** GET /api/metrics (ICT): the hub's operating figures. */
export interface HubMetrics {
  connectedDevices: number;
  rssMb: number;
  heapUsedMb: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Commands by status (pending, sent, acknowledged, error, not_now, expired). */
  commands: Record<string, number>;
}

/** What the hub wants a device to be (DesiredStateDto in the hub's devices/dto/device.dto.ts). */
export interface DeviceDesiredState {
  locked: boolean;
  lock: { message?: string; reason: string } | null;
  appLock: string | null;
  /** Who owns the lock: `class` (a teacher), `admin` (ICT) or `lost` (ICT). */
  lockOwner: 'class' | 'admin' | 'lost' | null;
  appLockOwner: 'class' | 'admin' | 'lost' | null;
}

/** A device's compliance with the policy it should run (DeviceComplianceDto). */
export interface DeviceCompliance {
  status: 'pending' | 'applied' | 'partial' | 'failed' | 'none';
  /** The policy version it should run (lowercase hex SHA-256), or null. */
  desiredVersion: string | null;
  /** Dotted setting paths the device accepted but cannot enforce (status `partial`). */
  unenforced: string[];
  detail: string | null;
  /** ISO 8601, UTC. */
  since: string | null;
}

/** A device as GET /api/devices lists it (a Page of these); DeviceDto in the hub. */
export interface Device {
  id: string;
  serialNumber: string;
  /** ipados, android, chromeos, windows, macos or linux. */
  platform: string;
  model: string | null;
  osVersion: string | null;
  name: string | null;
  assetTag: string | null;
  /** `active` or `revoked`. */
  status: string;
  online: boolean;
  /** ISO 8601, UTC; null before it first connected. */
  lastSeenAt: string | null;
  enrolledAt: string;
  revokedAt: string | null;
  /** The device's last report (protocol DeviceState: locked, appLock, battery, ...). */
  reportedState: Record<string, unknown> | null;
  reportedAt: string | null;
  desiredState: DeviceDesiredState;
  compliance: DeviceCompliance;
}

/** A command to a device: GET /api/devices/:id/commands (a Page), POST answers one. */
export interface DeviceCommand {
  id: string;
  deviceId: string;
  /** device.lock, device.unlock, message.show, ... */
  type: string;
  payload: Record<string, unknown>;
  status: 'pending' | 'sent' | 'acknowledged' | 'error' | 'not_now' | 'expired' | 'cancelled';
  issuedAt: string;
  expiresAt: string | null;
  sentAt: string | null;
  answeredAt: string | null;
  attempts: number;
  /** The device's words with an answer (an error, why not now). */
  detail: string | null;
  issuedBy: { type: string; id: string | null };
  groupId: string | null;
}

/** GET /api/devices/:id: the device, its groups and its open commands. */
export interface DeviceDetail extends Device {
  groupIds: string[];
  pendingCommands: DeviceCommand[];
}

/** GET /api/devices/:id/policy (ICT): the resolved settings and the profile behind each one. */
export interface DevicePolicy {
  deviceId: string;
  version: string;
  /** PolicySettings (libs/policy), by section. */
  settings: Record<string, Record<string, unknown>>;
  /** By dotted setting path: the profile that decided it (`built-in default` with scope `default`). */
  decidedBy: Record<
    string,
    {
      policyId: string | null;
      policy: string;
      scope: 'baseline' | 'group' | 'device' | 'overlay' | 'default';
    }
  >;
  compliance: Omit<DeviceCompliance, 'status'> & {
    status: DeviceCompliance['status'] | null;
    reportedVersion: string | null;
  };
}

/** POST /api/enrollment-tokens (ICT): the new token, shown only this once (the hub keeps a hash). */
export interface NewEnrolmentToken {
  id: string;
  /** 192 random bits, base64url: what a device enrols with. */
  token: string;
  /** ISO 8601, UTC. */
  expiresAt: string;
  maxUses: number;
  /** A re-enrolment token may re-enrol a device that is enrolled and not revoked. */
  reenrol: boolean;
}

/** GET /api/enrollment-tokens (ICT): a token as listed, never the token itself. */
export interface EnrolmentTokenView {
  id: string;
  label: string | null;
  /** Groups the devices enrolled with it join. */
  groupIds: string[];
  maxUses: number;
  uses: number;
  reenrol: boolean;
  /** ISO 8601, UTC. */
  expiresAt: string;
  createdAt: string;
  /** Not revoked, not expired and not used up. */
  usable: boolean;
}

/** A device group: GET /api/groups (a list of these), POST /api/groups, PATCH /api/groups/:id. */
export interface DeviceGroup {
  id: string;
  name: string;
  description: string | null;
  /** How many devices are in it (revoked ones included). */
  members: number;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

/** GET /api/groups/:id and POST /api/groups/:id/members: the group and its members' ids. */
export interface DeviceGroupDetail extends DeviceGroup {
  deviceIds: string[];
}

/**
 * The fields of a device in GET /api/devices (a Page of these) that the Groups screen reads to
 * name a device; the hub's DeviceDto has more.
 */
export interface GroupMemberDevice {
  id: string;
  serialNumber: string;
  platform: string;
  name: string | null;
  assetTag: string | null;
  /** `active` or `revoked`. */
  status: string;
  online: boolean;
}

/** Where a policy applies: the whole school, a group or one device (GET /api/policies). */
export interface PolicyAssignment {
  id: string;
  scope: 'baseline' | 'group' | 'device';
  /** The group or device; null for the baseline. */
  targetId: string | null;
  /** Settles disagreeing policies in the same scope: higher wins (-1000 to 1000). */
  priority: number;
}

/**
 * A policy profile: GET /api/policies (a list of these), GET/PATCH /api/policies/:id.
 * `settings` is PartialPolicySettings and `enforced` SettingPath[] from @app/policy/settings
 * (typed loosely here so this library stays free of the policy library).
 */
export interface Policy {
  id: string;
  name: string;
  description: string | null;
  settings: Record<string, Record<string, unknown>>;
  /** Setting paths ("camera.allowed") this policy sets and narrower ones may not change. */
  enforced: string[];
  /** Goes up by one with every change (and rollback). */
  revision: number;
  assignments: PolicyAssignment[];
  createdAt: string;
  updatedAt: string;
}

/** One revision of a policy: GET /api/policies/:id/revisions (newest first). */
export interface PolicyRevision {
  revision: number;
  name: string;
  settings: Record<string, Record<string, unknown>>;
  enforced: string[];
  /** The setting paths this revision changed, and `enforced` when the enforced list changed. */
  changed: string[];
  /** e.g. `rolled back to revision 2`, `shipped default`. */
  note: string | null;
  changedBy: { type: 'staff' | 'system'; id: string | null };
  /** ISO 8601, UTC. */
  changedAt: string;
}

/** Active devices per compliance status (GET /api/compliance). */
export interface ComplianceCountsByStatus {
  pending: number;
  applied: number;
  partial: number;
  failed: number;
  /** No policy planned yet. */
  none: number;
}

/** GET /api/compliance (ICT): how many devices run their policy, overall and per policy. */
export interface ComplianceSummary {
  /** Active devices. */
  devices: number;
  byStatus: ComplianceCountsByStatus;
  byPolicy: (ComplianceCountsByStatus & { policyId: string; name: string; devices: number })[];
}

/** GET /api/compliance/devices (a Page of these): a device behind a compliance number. */
export interface ComplianceDevice extends DeviceCompliance {
  id: string;
  name: string | null;
  serialNumber: string;
  assetTag: string | null;
  /** The policy version the device last reported running. */
  reportedVersion: string | null;
}
