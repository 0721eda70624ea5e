// The set-up of the trip specs (issue 13): a hub with the people a trip involves, a kit of tablet
// assets whose devices are enrolled by serial number and connected over Socket.IO, a trip over
// the kit, and what a test reads back: each kit device's status, a tablet's camera setting and
// who decided it, and the policy its device runs.
import type { DevicePolicy, Trip } from '@app/hub-api';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './devices';
import { createStaff, startHub, TestHub } from './hub';

const HOUR = 60 * 60 * 1000;

const as = (token: string) => `Bearer ${token}`;

/** A signed-in staff account: its id and bearer token. */
export interface TripPerson {
  id: string;
  token: string;
}

/** A started hub, its admin's (ICT's) token, and one account of each role a trip involves. */
export interface TripHub {
  hub: TestHub;
  admin: string;
  /** `msleader`, a trip leader: leads the specs' trips. */
  leader: TripPerson;
  /** `mrother`, a trip leader of other trips. */
  otherLeader: TripPerson;
  /** `clerk`, the office: lends at the desk, reports lost. */
  clerk: TripPerson;
  /** `mrsjones`, a teacher: borrows at the desk, no trip role. */
  teacher: TripPerson;
  /** `dsl`, safeguarding: reads every trip, acts on none. */
  safeguarding: TripPerson;
}

/**
 * Starts a hub (see startHub) and makes its trip people, each having accepted the AUP.
 * @returns the hub, the admin's token and the people; the caller closes the hub
 * @throws Error if a login or an account is refused
 */
export async function startTripHub(): Promise<TripHub> {
  const hub = await startHub();
  const admin = await hub.login();
  return {
    hub,
    admin,
    leader: await createStaff(hub, admin, 'msleader', ['trip_leader']),
    otherLeader: await createStaff(hub, admin, 'mrother', ['trip_leader']),
    clerk: await createStaff(hub, admin, 'clerk', ['office']),
    teacher: await createStaff(hub, admin, 'mrsjones', ['teacher']),
    safeguarding: await createStaff(hub, admin, 'dsl', ['safeguarding']),
  };
}

/** The tablets of a kit: their asset tags in order, and the connected devices by asset tag. */
export interface TabletKit {
  tags: string[];
  /** The enrolled tablets' devices (the first `enrolled` tags), connected; the spec closes them. */
  devices: Map<string, TestDevice>;
}

let kitCounter = 0;

/**
 * Registers tablet assets (`POST /api/assets` as `admin`, model iPad, serial number
 * `SN-<pid>-<tag>`) and, for the first `enrolled` of them, enrols a device with the same serial
 * number (so the asset names it) and connects it, waiting until it is connected.
 *
 * @param options.enrolled how many tablets get an enrolled, connected device
 * @param options.unenrolled how many more tablet assets come after them with no device (default 0)
 * @param options.prefix the asset tags' start: `<prefix><kit>-T<n>`, where kit counts this file's
 *   kits from 1 and n the kit's tablets from 1 (default `TRIP`)
 * @param options.tags asset tags to use instead, one per tablet (enrolled ones first)
 * @param options.groupIds groups the enrolled devices join (the enrolment token's)
 * @param options.keepIn the spec's devices by asset tag, which it closes at its end: each device
 *   connected here is added to it too
 * @throws Error if an asset or the enrolment token is refused
 */
export async function makeTabletKit(
  hub: TestHub,
  admin: string,
  options: {
    enrolled: number;
    unenrolled?: number;
    prefix?: string;
    tags?: string[];
    groupIds?: string[];
    keepIn?: Map<string, TestDevice>;
  },
): Promise<TabletKit> {
  kitCounter += 1;
  const size = options.enrolled + (options.unenrolled ?? 0);
  const tags =
    options.tags ??
    Array.from({ length: size }, (_, i) => `${options.prefix ?? 'TRIP'}${kitCounter}-T${i + 1}`);
  const token =
    options.enrolled > 0
      ? await createEnrollmentToken(hub, admin, {
          maxUses: options.enrolled,
          ...(options.groupIds ? { groupIds: options.groupIds } : {}),
        })
      : '';
  const devices = new Map<string, TestDevice>();
  for (const [i, tag] of tags.entries()) {
    const serialNumber = `SN-${process.pid}-${tag}`;
    const created = await hub.http
      .post('/api/assets')
      .set('Authorization', as(admin))
      .send({ assetTag: tag, kind: 'tablet', serialNumber, model: 'iPad' });
    if (created.status !== 201) {
      throw new Error(`asset ${tag}: ${created.status} ${JSON.stringify(created.body)}`);
    }
    if (i < options.enrolled) {
      const identity = await enrollTestDevice(hub, token, {
        serialNumber,
        name: `Tablet ${i + 1}`,
      });
      const device = connectTestDevice(identity);
      await waitForConnect(device);
      devices.set(tag, device);
      options.keepIn?.set(tag, device);
    }
  }
  return { tags, devices };
}

let tripCounter = 0;

/**
 * Makes a trip as `token` (`POST /api/trips`): "Year 4 to the museum <n>", short name
 * `museum-<n>`, starting an hour from the hub's clock's now and ending `endsInMs` (ms, default
 * 10 hours) from now, with the trip's default overlay unless `overlay` is given.
 * @returns the trip as the hub answered (planned)
 * @throws Error unless the hub answers 201
 */
export async function makeTrip(
  hub: TestHub,
  token: string,
  trip: { leaderIds: string[]; assetTags: string[]; overlay?: object; endsInMs?: number },
): Promise<Trip> {
  tripCounter += 1;
  const now = hub.clock.nowMs();
  const response = await hub.http
    .post('/api/trips')
    .set('Authorization', as(token))
    .send({
      name: `Year 4 to the museum ${tripCounter}`,
      shortName: `museum-${tripCounter}`,
      startsAt: new Date(now + HOUR).toISOString(),
      endsAt: new Date(now + (trip.endsInMs ?? 10 * HOUR)).toISOString(),
      leaderIds: trip.leaderIds,
      assetTags: trip.assetTags,
      ...(trip.overlay ? { overlay: trip.overlay } : {}),
    });
  if (response.status !== 201) {
    throw new Error(`trip: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body as Trip;
}

/** Each kit device's status (ready, out, back, lost) by asset tag. */
export const kitStatus = (trip: Trip): Record<string, string> =>
  Object.fromEntries(trip.kit.map((device) => [device.assetTag, device.status]));

async function policyOf(hub: TestHub, token: string, deviceId: string): Promise<DevicePolicy> {
  const path = `/api/devices/${deviceId}/policy`;
  const response = await hub.http.get(path).set('Authorization', as(token));
  if (response.status !== 200) {
    throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body as DevicePolicy;
}

/**
 * A device's camera setting in the policy the hub resolves for it now, and the scope that decided
 * it (`overlay` while out on a trip, `baseline` otherwise), read as `token`.
 * @throws Error unless the hub answers 200
 */
export async function cameraOf(
  hub: TestHub,
  token: string,
  deviceId: string,
): Promise<{ allowed: unknown; scope: string }> {
  const policy = await policyOf(hub, token, deviceId);
  return {
    allowed: policy.settings.camera.allowed,
    scope: policy.decidedBy['camera.allowed'].scope,
  };
}

/**
 * Waits (up to 20 s) until the device itself runs the policy version the hub resolves for it now.
 * @param name what the failure calls the device (its asset tag)
 * @throws Error naming the device and the version if it does not
 */
export async function waitForApplied(
  hub: TestHub,
  token: string,
  device: TestDevice,
  name: string,
): Promise<void> {
  const { version } = await policyOf(hub, token, device.identity.deviceId);
  await waitFor(
    () => device.enforcer.currentState().policyVersion === version,
    `${name} to apply policy ${version}`,
    20_000,
  );
}
