// The staff roles. A person may hold several; the first admin holds them all.
export const STAFF_ROLES = ['ict', 'teacher', 'office', 'trip_leader', 'safeguarding'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffPrincipal {
  kind: 'staff';
  id: string;
  username: string;
  displayName: string;
  roles: StaffRole[];
}

export interface DevicePrincipal {
  kind: 'device';
  id: string;
}

export type Principal = StaffPrincipal | DevicePrincipal;

export function hasAnyRole(principal: StaffPrincipal, roles: readonly StaffRole[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}
