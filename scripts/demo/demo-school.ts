// The demo school: what `npm run demo` and `npm run screenshots` put on a fresh hub, through the
// hub's own API as ICT would. One function per noun (staff, groups, devices, policies), so a later
// issue adds its part (a class, loans, a trip, photos) as one more function called from
// setUpDemoSchool.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { EnrollDeviceInfo } from '@app/devices';
import type { DeviceGroup, NewEnrolmentToken, StaffRole } from '@app/hub-api';
import { STAFF_ROLE_LABELS, STAFF_ROLES } from '@app/hub-api';
import type { PartialPolicySettings } from '@app/policy/settings';
import { runSimulator, type SimulatorHandle } from '../../apps/device-agent/src/simulate';
import { addClass } from './demo-classes';
import { addLoans } from './demo-loans';
import { addTripPhotos, simulatorStateFile } from './demo-photos';
import { addTrip } from './demo-trips';
import { HubClient } from './hub-client';

/** One member of staff the demo made, with the password to sign in with. */
export interface DemoAccount {
  role: StaffRole;
  username: string;
  displayName: string;
  password: string;
}

export interface DemoSchool {
  /** One account per staff role (the admin, who holds them all, is not among them). */
  accounts: DemoAccount[];
  /** The groups by name: "Year 4 Oak", "Loan laptops". */
  groups: Record<string, DeviceGroup>;
  tablets: SimulatorHandle;
  laptops: SimulatorHandle;
  /** Disconnects every simulated device. */
  stop(): Promise<void>;
}

export interface DemoSchoolOptions {
  /** Where the simulated devices keep their identities: a folder of the throwaway data dir. */
  stateDir: string;
  /** Progress lines; default silent. */
  log?: (line: string) => void;
}

export const TABLET_GROUP = 'Year 4 Oak';
export const LAPTOP_GROUP = 'Loan laptops';
export const TABLET_COUNT = 30;
export const LAPTOP_COUNT = 10;

/** Who the demo's staff are: one person per role, named as a school would. */
const DEMO_STAFF: Record<StaffRole, { username: string; displayName: string }> = {
  ict: { username: 'ict', displayName: 'Priya Shah' },
  teacher: { username: 'teacher', displayName: 'Tom Reed' },
  office: { username: 'office', displayName: 'Ann Clarke' },
  trip_leader: { username: 'tripleader', displayName: 'Dan Okafor' },
  safeguarding: { username: 'safeguarding', displayName: 'Ruth Evans' },
};

/**
 * A password the hub's rule accepts (upper and lower case, a number, a symbol, 14 characters),
 * new on every run: the hub listens on the network by default, so the demo's passwords are not
 * the same for everyone who reads this file.
 */
export function demoPassword(): string {
  return `Demo-${randomBytes(6).toString('base64url')}-7`;
}

/**
 * Sets up the whole demo school on a fresh hub, signed in as the first admin (whose AUP it
 * accepts, as the person setting up would). The staff accounts are left to accept the AUP at
 * their first sign-in. Resolves once every simulated device is connected.
 *
 * @throws HubRequestError when the hub refuses a step (a hub that is not fresh gets 409s)
 */
export async function setUpDemoSchool(
  hubUrl: string,
  adminPassword: string,
  options: DemoSchoolOptions,
): Promise<DemoSchool> {
  const log = options.log ?? (() => undefined);
  const admin = await HubClient.signIn(hubUrl, 'admin', adminPassword, { acceptAup: true });
  const accounts = await addStaff(admin);
  log(`created ${accounts.length} staff accounts`);
  const groups = {
    [TABLET_GROUP]: await addGroup(admin, TABLET_GROUP, 'The class tablets of Year 4 Oak'),
    [LAPTOP_GROUP]: await addGroup(admin, LAPTOP_GROUP, 'Laptops the office lends to staff'),
  };
  await addPolicies(admin, groups[TABLET_GROUP]);
  await addClass(admin, groups[TABLET_GROUP], DEMO_STAFF.teacher.username);
  log('created the groups, policies and the class');
  const tablets = await addTablets(admin, groups[TABLET_GROUP], options.stateDir, log);
  let laptops: SimulatorHandle;
  try {
    laptops = await addLoanLaptops(admin, groups[LAPTOP_GROUP], options.stateDir, log);
  } catch (error) {
    await tablets.stop();
    throw error;
  }
  try {
    await addLoans(admin, log);
    const oakIdentities = simulatorStateFile(options.stateDir, 'oak');
    await addTrip(admin, DEMO_STAFF.trip_leader.username, log, (trip) =>
      addTripPhotos(admin.hubUrl, trip, tablets, oakIdentities, log),
    );
  } catch (error) {
    await Promise.all([tablets.stop(), laptops.stop()]);
    throw error;
  }
  return {
    accounts,
    groups,
    tablets,
    laptops,
    async stop() {
      await Promise.all([tablets.stop(), laptops.stop()]);
    },
  };
}

/** One account per staff role, each with a new password; none has accepted the AUP yet. */
export async function addStaff(admin: HubClient): Promise<DemoAccount[]> {
  const accounts: DemoAccount[] = [];
  for (const role of STAFF_ROLES) {
    const account = { role, ...DEMO_STAFF[role], password: demoPassword() };
    await admin.post('/api/staff', {
      username: account.username,
      displayName: account.displayName,
      password: account.password,
      roles: [role],
    });
    accounts.push(account);
  }
  return accounts;
}

export function addGroup(
  admin: HubClient,
  name: string,
  description: string,
): Promise<DeviceGroup> {
  return admin.post<DeviceGroup>('/api/groups', { name, description });
}

/**
 * The policies: the hub ships "School baseline" (from the schools' AUPs) assigned to every device,
 * and the demo keeps it as it ships; it adds "Year 4 Oak", the class's own profile, with the camera
 * off, so a tablet's resolved policy shows settings decided by two profiles.
 */
export async function addPolicies(admin: HubClient, tabletGroup: DeviceGroup): Promise<void> {
  const camera: PartialPolicySettings = { camera: { allowed: false } };
  const policy = await admin.post<{ id: string }>('/api/policies', {
    name: TABLET_GROUP,
    description: 'No camera in class for Year 4 Oak',
    settings: camera,
  });
  await admin.post(`/api/policies/${policy.id}/assignments`, {
    scope: 'group',
    targetId: tabletGroup.id,
  });
}

/** 30 simulated iPads, "Oak 01" to "Oak 30", enrolled into the group and connected. */
export function addTablets(
  admin: HubClient,
  group: DeviceGroup,
  stateDir: string,
  log: (line: string) => void,
): Promise<SimulatorHandle> {
  return enrolSimulatedDevices(admin, group, TABLET_COUNT, 'oak', stateDir, log, (index) => ({
    platform: 'ipados',
    model: 'iPad (simulated)',
    name: `Oak ${twoDigits(index)}`,
  }));
}

/** 10 simulated Linux laptops for loan, "Loan 01" to "Loan 10", asset tags LOAN-001 up. */
export function addLoanLaptops(
  admin: HubClient,
  group: DeviceGroup,
  stateDir: string,
  log: (line: string) => void,
): Promise<SimulatorHandle> {
  return enrolSimulatedDevices(admin, group, LAPTOP_COUNT, 'loan', stateDir, log, (index) => ({
    platform: 'linux',
    model: 'Laptop (simulated)',
    name: `Loan ${twoDigits(index)}`,
    assetTag: `LOAN-${String(index + 1).padStart(3, '0')}`,
  }));
}

async function enrolSimulatedDevices(
  admin: HubClient,
  group: DeviceGroup,
  count: number,
  simulatorGroup: string,
  stateDir: string,
  log: (line: string) => void,
  describe: (index: number) => Omit<EnrollDeviceInfo, 'serialNumber'>,
): Promise<SimulatorHandle> {
  const token = await admin.post<NewEnrolmentToken>('/api/enrollment-tokens', {
    groupIds: [group.id],
    maxUses: count,
    ttlMinutes: 10,
    label: `Demo: ${group.name}`,
  });
  const devices = await runSimulator({
    hubUrl: admin.hubUrl,
    token: token.token,
    devices: count,
    group: simulatorGroup,
    stateFile: path.join(stateDir, `${simulatorGroup}.json`),
    keyPoolSize: 2,
    describeDevice: (_serialNumber, index) => describe(index),
  });
  await devices.waitForConnected(count, 30_000);
  log(`${count} devices in "${group.name}" enrolled and online`);
  return devices;
}

function twoDigits(index: number): string {
  return String(index + 1).padStart(2, '0');
}

/** The roles in the words the console uses ("Trip leader"). */
export function roleLabel(role: StaffRole): string {
  return STAFF_ROLE_LABELS[role];
}
