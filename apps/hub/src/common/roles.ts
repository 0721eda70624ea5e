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

/**
 * Roles a trip's leaders must hold (issue 13): only they reach the trip routes, so anyone else
 * named would lead a trip they could never open.
 */
export const TRIP_LEADER_ROLES: readonly StaffRole[] = ['trip_leader', 'ict'];

/**
 * Roles that read loans: every loan and reminder, and who has an asset until when (the office
 * desk and ICT). Anyone else sees only their own loans, and an asset's status without its loan.
 */
export const LOAN_DESK_ROLES: readonly StaffRole[] = ['office', 'ict'];
