// Real devices for end-to-end tests: enrolled over HTTP with a real CSR, connected with the
// real DeviceClient over Socket.IO, acting through the simulated enforcer.
import {
  createDeviceKeyPair,
  DeviceClient,
  DeviceIdentity,
  DeviceKeyPair,
  enrollDevice,
  MemoryJournal,
  Platform,
  SimulatedEnforcer,
} from '@app/devices';
import type { TestHub } from './hub';

let sharedKeys: Promise<DeviceKeyPair> | null = null;

/** One key pair for the test devices of a file: RSA generation is slow and not under test. */
export function testKeys(): Promise<DeviceKeyPair> {
  sharedKeys ??= createDeviceKeyPair();
  return sharedKeys;
}

export async function createEnrollmentToken(
  hub: Pick<TestHub, 'http'>,
  adminToken: string,
  body: {
    groupIds?: string[];
    maxUses?: number;
    ttlMinutes?: number;
    label?: string;
    reenrol?: boolean;
  } = {},
): Promise<string> {
  const response = await hub.http
    .post('/api/enrollment-tokens')
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ maxUses: 50, ...body });
  if (response.status !== 201) {
    throw new Error(`token: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return (response.body as { token: string }).token;
}

export interface TestDevice {
  identity: DeviceIdentity;
  enforcer: SimulatedEnforcer;
  journal: MemoryJournal;
  client: DeviceClient;
}

let serialCounter = 0;

export async function enrollTestDevice(
  hub: Pick<TestHub, 'url'>,
  token: string,
  options: { serialNumber?: string; assetTag?: string; name?: string; platform?: Platform } = {},
): Promise<DeviceIdentity> {
  // Taken before the first await: devices enrolled at once each get their own number.
  serialCounter += 1;
  const number = serialCounter;
  return enrollDevice({
    hubUrl: hub.url,
    token,
    keys: await testKeys(),
    device: {
      serialNumber: options.serialNumber ?? `TEST-${process.pid}-${number}`,
      platform: options.platform ?? 'linux',
      model: 'Test laptop',
      name: options.name ?? `Laptop ${number}`,
      assetTag: options.assetTag,
    },
  });
}

/** A client for an identity; connects unless told not to. */
export function connectTestDevice(
  identity: DeviceIdentity,
  options: { enforcer?: SimulatedEnforcer; journal?: MemoryJournal; connect?: boolean } = {},
): TestDevice {
  const enforcer = options.enforcer ?? new SimulatedEnforcer();
  const journal = options.journal ?? new MemoryJournal();
  const client = new DeviceClient({
    hubUrl: identity.hubUrl,
    deviceId: identity.deviceId,
    privateKeyPem: identity.privateKeyPem,
    enforcer,
    journal,
    autoConnect: options.connect ?? true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
  });
  return { identity, enforcer, journal, client };
}

/**
 * Polls `check` every 25 ms until it returns something truthy, and returns that.
 * @param timeoutMs how long to poll (ms) before failing
 * @param explain what to add to the failure's message: what the test saw instead
 * @throws Error naming `what`, the last value, and what `explain` says
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
  explain?: () => string | Promise<string>,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) {
      return last as NonNullable<T>;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const seen = explain ? `; ${await explain()}` : '';
  throw new Error(`Timed out waiting for ${what} (last: ${JSON.stringify(last)})${seen}`);
}

/**
 * Waits until the hub has planned the baseline policy of each device (its
 * `compliance.desiredVersion` is set). Enrolment plans it within 200 ms, gathered with other
 * enrolments, so a test that lists, copies or revokes devices right after enrolling them waits
 * for it first, or the plan lands in the middle of what it checks.
 */
export async function waitForBaselinePlanned(
  hub: TestHub,
  token: string,
  deviceIds: readonly string[],
): Promise<void> {
  await waitFor(async () => {
    for (const id of deviceIds) {
      const response = await hub.http
        .get(`/api/devices/${id}`)
        .set('Authorization', `Bearer ${token}`);
      if (response.status !== 200 || !response.body.compliance?.desiredVersion) {
        return false;
      }
    }
    return true;
  }, `the baseline policy planned for ${deviceIds.length} device(s)`);
}

/**
 * Waits until each device has applied its baseline policy (compliance `applied` or `partial`) and
 * then reported nothing for `quietMs`, and answers the list its later state reports go on (device
 * ids, in the order sent): for specs that show a console was told something without a device's
 * report waking it (a report after this is in the list).
 */
export async function reportsOnceSettled(
  hub: Pick<TestHub, 'http'>,
  token: string,
  devices: readonly TestDevice[],
  quietMs = 1000,
): Promise<string[]> {
  const reports: string[] = [];
  let lastReportAt = Date.now();
  for (const device of devices) {
    device.client.on('state', () => {
      reports.push(device.identity.deviceId);
      lastReportAt = Date.now();
    });
  }
  await waitFor(
    async () => {
      for (const device of devices) {
        const read = await hub.http
          .get(`/api/devices/${device.identity.deviceId}`)
          .set('Authorization', `Bearer ${token}`);
        if (!['applied', 'partial'].includes(read.body?.compliance?.status)) {
          return false;
        }
      }
      return Date.now() - lastReportAt > quietMs;
    },
    `${devices.length} device(s) on their baseline policy, then ${quietMs} ms with no report`,
    20_000,
  );
  reports.length = 0;
  return reports;
}

export function waitForConnect(device: TestDevice): Promise<void> {
  return device.client.connected
    ? Promise.resolve()
    : new Promise((resolve) => device.client.once('connect', () => resolve()));
}
