// What each audit action is called in words a school's staff read ("Account disabled", not
// `staff.disabled`). One table for the hub (the `actionText` of GET /api/audit) and the console
// (the log's Action column and its filter), so the two never name an action differently. The
// codes stay the API's: filters, the CSV and API clients use them.

/** Every action the hub writes to the audit log, with its words. */
export const AUDIT_ACTION_WORDS: Readonly<Record<string, string>> = {
  'asset.created': 'Asset added',
  'asset.device_matched': 'Asset matched to its device',
  'asset.lost': 'Asset marked lost',
  'asset.updated': 'Asset changed',
  'assets.imported': 'Assets imported from a file',
  'aup.accepted': 'Acceptable use policy accepted',
  'aup.accepted_at_desk': 'Acceptable use policy accepted in person at the desk',
  'aup.published': 'Acceptable use policy published',
  'aup.republished': 'Acceptable use policy published again',
  'audit.entries_removed': 'Old log entries removed (retention)',
  'audit.exported': 'Log exported as a CSV file',
  'class.absence_marked': 'Tablets marked absent or present',
  'class.action': 'Class action',
  'class.created': 'Class created',
  'class.session_ended': 'Lesson ended',
  'class.session_started': 'Lesson started',
  'class.updated': 'Class changed',
  'command.acknowledged': 'Command carried out',
  'command.cancelled': 'Command cancelled',
  'command.error': 'Command failed',
  'command.expired': 'Command expired',
  'command.issued': 'Command sent',
  'command.not_now': 'Command put off by the device',
  'command.superseded': 'Command replaced by a newer one',
  'device.enrolled': 'Device enrolled',
  'device.reenrolled': 'Device enrolled again',
  'device.reenrolment_refused': 'Re-enrolment refused',
  'device.revoked': 'Device revoked',
  'device.updated': 'Device changed',
  'enrollment_token.created': 'Enrolment token made',
  'enrollment_token.revoked': 'Enrolment token revoked',
  'group.created': 'Group created',
  'group.member_removed': 'Device taken out of a group',
  'group.members_added': 'Devices added to a group',
  'group.updated': 'Group changed',
  'hub.copied_to_postgres': 'Hub copied to PostgreSQL',
  'hub.duplicate_renamed': 'Renamed: an older one had the same name but for capitals or spaces',
  'hub.restored': 'Hub restored from a backup',
  'hub.started': 'Hub started',
  'hub.stopped': 'Hub stopped',
  'loan.checked_out': 'Loan checked out',
  'loan.reminder_sent': 'Loan reminder sent',
  'loan.returned': 'Loan checked in',
  'photo.refused': 'Photo refused',
  'photo.stored': 'Photo stored',
  'photo.trip_not_taken': 'Photo not filed under the trip its device named',
  'policy.assigned': 'Policy assigned',
  'policy.created': 'Policy created',
  'policy.overlay_applied': 'Temporary settings applied',
  'policy.overlay_expired': 'Temporary settings expired',
  'policy.overlay_removed': 'Temporary settings removed',
  'policy.rolled_back': 'Policy rolled back',
  'policy.unassigned': 'Policy unassigned',
  'policy.updated': 'Policy changed',
  'staff.created': 'Account created',
  'staff.disabled': 'Account disabled',
  'staff.locked_out': 'Signing in blocked after wrong passwords',
  'staff.password_changed': 'Password changed',
  'staff.password_reset': 'Password reset',
  'staff.signed_in': 'Signed in',
  'staff.signed_out': 'Signed out',
  'staff.updated': 'Account changed',
  'trip.checked_in': 'Trip kit checked in',
  'trip.checked_out': 'Trip kit checked out',
  'trip.closed': 'Trip closed',
  'trip.created': 'Trip created',
  'trip.kit_added': 'Device added to a trip kit',
  'trip.kit_removed': 'Device taken out of a trip kit',
};

/** Words for the first part of a code the table does not know (`photo` in `photo.rotated`). */
const SUBJECTS: Readonly<Record<string, string>> = {
  aup: 'Acceptable use policy',
  enrollment_token: 'Enrolment token',
  staff: 'Account',
};

/**
 * An action in words: `staff.disabled` → "Account disabled". A code the table does not know (an
 * action added later, or an older hub's) is still read as words rather than shown as a code:
 * `photo.rotated` → "Photo rotated".
 */
export function auditActionWords(action: string): string {
  const known = AUDIT_ACTION_WORDS[action];
  if (known) {
    return known;
  }
  const [subject, ...rest] = action.split('.');
  const words = [SUBJECTS[subject] ?? subject.replace(/_/g, ' '), ...rest]
    .join(' ')
    .replace(/_/g, ' ')
    .trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : action;
}
