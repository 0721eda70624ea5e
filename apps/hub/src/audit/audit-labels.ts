// How the audit log names things (issue 9): every entry stores, as they were when it was written,
// the actor's name and a label for its target, so a safeguarding lead reads names rather than
// ids, and an entry still reads right after the person leaves or the device is renamed. Callers
// build targets and device actors with these functions from rows they already hold.

/** The longest name or label stored on an entry (the columns are varchar(255)). */
export const AUDIT_LABEL_MAX = 255;

/** What an entry was about: its kind, its id and what it was called at the time. */
export interface AuditTarget {
  type: string;
  id: string;
  /** Null only when the thing has no name at all. */
  label: string | null;
}

/** A device acting on its own behalf (enrolling, answering a command), named as it was then. */
export interface AuditDeviceActor {
  kind: 'device';
  id: string;
  /** See {@link deviceLabel}. */
  label: string;
}

/** The columns of a device that name it; a device row has them all. */
export interface DeviceNames {
  id: string;
  name: string | null;
  assetTag: string | null;
  serialNumber: string;
}

/**
 * A device as staff know it: its name and asset tag, `Laptop 12 (asset tag 4471)`. A device
 * with no name is named by its serial number (`serial C02XK1 (asset tag 4471)`), which is
 * printed on the case.
 */
export function deviceLabel(device: Omit<DeviceNames, 'id'>): string {
  const name = device.name?.trim() || `serial ${device.serialNumber}`;
  const tag = device.assetTag?.trim();
  return tag ? `${name} (asset tag ${tag})` : name;
}

export function deviceTarget(device: DeviceNames): AuditTarget {
  return { type: 'device', id: device.id, label: deviceLabel(device) };
}

export function deviceActor(device: DeviceNames): AuditDeviceActor {
  return { kind: 'device', id: device.id, label: deviceLabel(device) };
}

/** A member of staff: display name and username, `Ms Patel (apatel)`. */
export function staffTarget(account: {
  id: string;
  displayName: string;
  username: string;
}): AuditTarget {
  return { type: 'staff', id: account.id, label: `${account.displayName} (${account.username})` };
}

export function groupTarget(group: { id: string; name: string }): AuditTarget {
  return { type: 'group', id: group.id, label: group.name };
}

export function policyTarget(policy: { id: string; name: string }): AuditTarget {
  return { type: 'policy', id: policy.id, label: policy.name };
}

/** An enrolment token, by the label ICT gave it (`(no label)` when it has none). */
export function enrollmentTokenTarget(token: { id: string; label: string | null }): AuditTarget {
  return { type: 'enrollment_token', id: token.id, label: token.label ?? '(no label)' };
}

/** An AUP version, by the start of its hash: `AUP version 3f2a9c01b7d4`. */
export function aupTarget(hash: string): AuditTarget {
  return { type: 'aup', id: hash, label: `AUP version ${hash.slice(0, 12)}` };
}

/** An asset of the register (issue 13), by its tag and kind: `asset tag LOAN-001 (laptop)`. */
export function assetTarget(asset: { id: string; assetTag: string; kind: string }): AuditTarget {
  return { type: 'asset', id: asset.id, label: `asset tag ${asset.assetTag} (${asset.kind})` };
}

/** A trip (issue 13), by its name. */
export function tripTarget(trip: { id: string; name: string }): AuditTarget {
  return { type: 'trip', id: trip.id, label: trip.name };
}

/** Cuts a name to what the column holds, by whole characters. */
export function fitLabel(label: string | null | undefined): string | null {
  if (label === null || label === undefined) {
    return null;
  }
  const characters = Array.from(label);
  return characters.length <= AUDIT_LABEL_MAX
    ? label
    : `${characters.slice(0, AUDIT_LABEL_MAX - 1).join('')}…`;
}
