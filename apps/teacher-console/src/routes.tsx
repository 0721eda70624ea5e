// The console's screens: one row per route, with who may open it. The navigation, the home
// page's links and the "You don't have access to this page" check are all made from this table,
// so a screen is added here and nowhere else:
//
//   { path: '/devices', label: 'Devices', roles: ['ict'],
//     page: lazy(() => import('./devices/devices-page')) },
//
// `roles` are the same as the hub's for the route the page reads (the hub refuses anyway).
// Pages are loaded when first opened (route-level code splitting keeps the first screen small);
// a page module's default export is its component.
import type { StaffRole } from '@app/hub-api';
import { createElement, lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface AppRoute {
  /** React Router path ('/devices/:deviceId'). */
  path: string;
  /** The navigation link's text; leave out for pages opened from another (a device's detail). */
  label?: string;
  /** Who may open it: one of these roles, or 'any' signed-in member of staff. */
  roles: readonly StaffRole[] | 'any';
  page: LazyExoticComponent<ComponentType>;
}

export const APP_ROUTES: AppRoute[] = [
  { path: '/', label: 'Home', roles: 'any', page: lazy(() => import('./home/home-page')) },
  {
    path: '/classes',
    label: 'My classes',
    roles: ['teacher', 'ict'],
    page: lazy(() => import('./classes/classes-page')),
  },
  {
    path: '/classes/:classId',
    roles: ['teacher', 'ict'],
    page: lazy(() => import('./classes/class-page')),
  },
  {
    path: '/manage-classes',
    label: 'Manage classes',
    roles: ['ict'],
    page: lazy(() => import('./classes/manage-classes-page')),
  },
  {
    path: '/manage-classes/new',
    roles: ['ict'],
    page: lazy(() => import('./classes/class-edit-page')),
  },
  {
    path: '/manage-classes/:classId',
    roles: ['ict'],
    page: lazy(() => import('./classes/class-edit-page')),
  },
  // Issue 13: the office desk and assets (office, ICT), trips (trip leaders, ICT).
  {
    path: '/desk',
    label: 'Office desk',
    roles: ['office', 'ict'],
    page: lazy(() => import('./loans/office-desk-page')),
  },
  {
    path: '/loans/overdue',
    label: 'Overdue loans',
    roles: ['office', 'ict'],
    page: lazy(() => import('./loans/overdue-page')),
  },
  {
    path: '/inventory',
    label: 'Assets',
    roles: ['office', 'ict'],
    page: lazy(() => import('./assets/assets-page')),
  },
  {
    path: '/inventory/import',
    roles: ['office', 'ict'],
    page: lazy(() => import('./assets/import-page')),
  },
  {
    path: '/inventory/labels',
    roles: ['office', 'ict'],
    page: lazy(() => import('./assets/labels-page')),
  },
  {
    path: '/inventory/:assetId',
    roles: ['office', 'ict'],
    page: lazy(() => import('./assets/asset-page')),
  },
  {
    path: '/trips',
    label: 'Trips',
    roles: ['trip_leader', 'ict'],
    page: lazy(() => import('./trips/trips-page')),
  },
  {
    path: '/trips/new',
    roles: ['trip_leader', 'ict'],
    page: lazy(() => import('./trips/new-trip-page')),
  },
  {
    path: '/trips/:tripId',
    roles: ['trip_leader', 'ict'],
    // The trip's page with the photos feature's parts: the shell composes the two features.
    page: lazy(async () => {
      const [trips, photos] = await Promise.all([
        import('./trips/trip-page'),
        import('./photos/trip-photos'),
      ]);
      const parts = { Section: photos.TripPhotos, StoredCount: photos.StoredPhotoCount };
      return { default: () => createElement(trips.default, { photos: parts }) };
    }),
  },
  {
    path: '/photos',
    label: 'Photos',
    roles: ['ict', 'safeguarding', 'trip_leader'],
    page: lazy(() => import('./photos/photos-page')),
  },
  {
    path: '/devices',
    label: 'Devices',
    roles: ['ict'],
    page: lazy(() => import('./devices/devices-page')),
  },
  {
    path: '/devices/:deviceId',
    roles: ['ict'],
    page: lazy(() => import('./devices/device-detail-page')),
  },
  {
    path: '/enrol',
    label: 'Enrol',
    roles: ['ict'],
    page: lazy(() => import('./enrol/enrol-page')),
  },
  {
    path: '/groups',
    label: 'Groups',
    roles: ['ict'],
    page: lazy(() => import('./groups/groups-page')),
  },
  { path: '/groups/:groupId', roles: ['ict'], page: lazy(() => import('./groups/group-page')) },
  {
    path: '/policies',
    label: 'Policies',
    roles: ['ict'],
    page: lazy(() => import('./policies/policies-page')),
  },
  {
    path: '/policies/:policyId',
    roles: ['ict'],
    page: lazy(() => import('./policies/policy-page')),
  },
  {
    path: '/compliance',
    label: 'Compliance',
    roles: ['ict'],
    page: lazy(() => import('./compliance/compliance-page')),
  },
  {
    path: '/staff',
    label: 'Staff',
    roles: ['ict'],
    page: lazy(() => import('./staff/staff-page')),
  },
  {
    path: '/audit',
    label: 'Audit log',
    roles: ['safeguarding', 'ict'],
    page: lazy(() => import('./audit/audit-page')),
  },
  {
    path: '/operating-figures',
    label: 'Operating figures',
    roles: ['ict'],
    page: lazy(() => import('./health/operating-figures-page')),
  },
  {
    path: '/account/password',
    label: 'Change password',
    roles: 'any',
    page: lazy(() => import('./account/change-password-page')),
  },
];

/** The navigation's links for an account: labelled routes it may open, in table order. */
export function navigationFor(allows: (roles: AppRoute['roles']) => boolean): AppRoute[] {
  return APP_ROUTES.filter((route) => route.label && allows(route.roles));
}
