// The agent's state directory (default ~/.device-agent, mode 0700): its identity, its private key,
// its command journal and its last policy, all written privately (mode 0600) and atomically.

import { createHmac } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DeviceIdentity, Platform } from '@app/devices';

export const AGENT_VERSION = '0.1.0';

export const DEFAULT_STATE_DIR = join(homedir(), '.device-agent');
export const IDENTITY_FILE = 'identity.json';
export const KEY_FILE = 'key.pem';
export const JOURNAL_FILE = 'journal.jsonl';
export const POLICY_FILE = 'policy.json';

/** identity.json: everything about the enrolment except the private key, which is in key.pem. */
export interface StoredIdentity {
  deviceId: string;
  serialNumber: string;
  platform: Platform;
  hubUrl: string;
  certificatePem: string;
  caCertificatePem: string;
  enrolledAt: string;
}

export interface AgentIdentity extends DeviceIdentity {
  platform: Platform;
}

export class AgentStateError extends Error {
  override readonly name = 'AgentStateError';
}

export async function ensureStateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode passes through the umask, and an existing directory keeps its own.
  await chmod(dir, 0o700);
}

/** Writes a file only its owner can read, replacing any old one in a single rename. */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

export async function hasIdentity(dir: string): Promise<boolean> {
  try {
    await readFile(join(dir, IDENTITY_FILE));
    return true;
  } catch {
    return false;
  }
}

export async function saveIdentity(
  dir: string,
  identity: AgentIdentity,
  now = new Date(),
): Promise<void> {
  await ensureStateDir(dir);
  const stored: StoredIdentity = {
    deviceId: identity.deviceId,
    serialNumber: identity.serialNumber,
    platform: identity.platform,
    hubUrl: identity.hubUrl,
    certificatePem: identity.certificatePem,
    caCertificatePem: identity.caCertificatePem,
    enrolledAt: now.toISOString(),
  };
  // The key first: an identity.json without its key would be an enrolment that cannot connect.
  await writePrivateFile(join(dir, KEY_FILE), identity.privateKeyPem);
  await writePrivateFile(join(dir, IDENTITY_FILE), `${JSON.stringify(stored, null, 2)}\n`);
}

export async function loadIdentity(dir: string): Promise<AgentIdentity> {
  let stored: StoredIdentity;
  let privateKeyPem: string;
  try {
    stored = JSON.parse(await readFile(join(dir, IDENTITY_FILE), 'utf8')) as StoredIdentity;
    privateKeyPem = await readFile(join(dir, KEY_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AgentStateError(
        `this device is not enrolled (no identity in ${dir}); run "device-agent enroll" first`,
      );
    }
    throw new AgentStateError(`cannot read the identity in ${dir}: ${(error as Error).message}`);
  }
  if (typeof stored.deviceId !== 'string' || typeof stored.hubUrl !== 'string') {
    throw new AgentStateError(`${join(dir, IDENTITY_FILE)} is damaged; enrol again with --force`);
  }
  return { ...stored, privateKeyPem };
}

/** Removes the hub identity and everything learnt from the hub (on device.unenroll). */
export async function forgetIdentity(dir: string): Promise<void> {
  for (const file of [IDENTITY_FILE, KEY_FILE, POLICY_FILE, JOURNAL_FILE]) {
    await rm(join(dir, file), { force: true });
  }
}

const SERIAL_FILE = '/sys/class/dmi/id/product_serial';
const MACHINE_ID_FILE = '/etc/machine-id';

// What firmware writes when the vendor left the serial number empty.
const PLACEHOLDER_SERIALS = new Set([
  'to be filled by o.e.m.',
  'default string',
  'system serial number',
  'chassis serial number',
  'not specified',
  'not applicable',
  'none',
  'n/a',
  '0123456789',
]);

/**
 * The serial number to enrol with: the firmware's (readable by root only on most systems), else
 * one derived from /etc/machine-id. machine-id(5) asks that the ID itself not be shown to others,
 * so it is turned into an app-specific ID the way sd_id128_get_machine_app_specific() does.
 */
export async function detectSerialNumber(
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<string> {
  const firmware = await read(SERIAL_FILE).then(
    (text) => text.trim(),
    () => '',
  );
  if (isUsableSerial(firmware)) {
    return firmware;
  }
  const machineId = await read(MACHINE_ID_FILE).then(
    (text) => text.trim(),
    () => '',
  );
  if (!/^[0-9a-f]{32}$/.test(machineId)) {
    throw new AgentStateError(
      'no serial number could be found (firmware or /etc/machine-id); pass --serial',
    );
  }
  const appSpecific = createHmac('sha256', Buffer.from(machineId, 'hex'))
    .update('classroom-device-hub/device-agent')
    .digest('hex');
  return `MID-${appSpecific.slice(0, 20).toUpperCase()}`;
}

function isUsableSerial(serial: string): boolean {
  return (
    serial.length > 0 &&
    serial.length <= 64 &&
    !/[\u0000-\u001f\u007f]/.test(serial) &&
    !PLACEHOLDER_SERIALS.has(serial.toLowerCase()) &&
    !/^(.)\1*$/.test(serial)
  );
}
