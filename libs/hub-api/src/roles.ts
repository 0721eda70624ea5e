// The staff roles. A person may hold several; the first admin holds them all.

/** Every staff role, in the order the console lists them. */
export const STAFF_ROLES = ['ict', 'teacher', 'office', 'trip_leader', 'safeguarding'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** How a role is named to a person (the console, the README). */
export const STAFF_ROLE_LABELS: Record<StaffRole, string> = {
  ict: 'ICT',
  teacher: 'Teacher',
  office: 'Office',
  trip_leader: 'Trip leader',
  safeguarding: 'Safeguarding',
};
