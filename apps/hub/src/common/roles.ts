// The staff roles. A person may hold several; the first admin holds them all.
// Defined in @app/hub-api, which the console shares.
import type { StaffRole } from '@app/hub-api';
export { STAFF_ROLES } from '@app/hub-api';
export type { StaffRole } from '@app/hub-api';

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
