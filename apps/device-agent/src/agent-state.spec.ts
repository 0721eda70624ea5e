// The state directory: private files, identity round trip, and where the serial number comes from.

import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgentStateError,
  detectSerialNumber,
  forgetIdentity,
  IDENTITY_FILE,
  KEY_FILE,
  loadIdentity,
  saveIdentity,
  type AgentIdentity,
} from './agent-state';

const MACHINE_ID = '5f3c8e2a9b1d4c7e8f6a0b2c4d6e8f10';

function files(entries: Record<string, string>) {
  return (path: string) =>
    path in entries ? Promise.resolve(entries[path]) : Promise.reject(new Error('EACCES'));
}

describe('detectSerialNumber', () => {
  it("uses the firmware's serial number when it can be read", async () => {
    const read = files({
      '/sys/class/dmi/id/product_serial': 'PF2XK9LM\n',
      '/etc/machine-id': MACHINE_ID,
    });
    expect(await detectSerialNumber(read)).toBe('PF2XK9LM');
  });

  it.each(['To Be Filled By O.E.M.', 'Default string', '0000000000', '', 'None'])(
    'ignores the placeholder %j and derives one from the machine id instead',
    async (placeholder) => {
      const read = files({
        '/sys/class/dmi/id/product_serial': placeholder,
        '/etc/machine-id': `${MACHINE_ID}\n`,
      });
      const serial = await detectSerialNumber(read);
      expect(serial).toMatch(/^MID-[0-9A-F]{20}$/);
      expect(serial.toLowerCase()).not.toContain(MACHINE_ID.slice(0, 8));
      expect(await detectSerialNumber(read)).toBe(serial);
    },
  );

  it('asks for --serial when there is neither', async () => {
    await expect(detectSerialNumber(files({}))).rejects.toThrow(AgentStateError);
  });
});

describe('identity files', () => {
  let dir: string;
  const identity: AgentIdentity = {
    deviceId: '0b7e4c7e-8f0a-4f57-9a3e-2d3c9a1b5e6f',
    serialNumber: 'PF2XK9LM',
    platform: 'linux',
    hubUrl: 'http://hub.school.example:8080',
    privateKeyPem: '-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n',
    certificatePem: '-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----\n',
    caCertificatePem: '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n',
  };

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'agent-state-')), 'state');
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('saves the identity privately, with the key apart from identity.json, and loads it back', async () => {
    await saveIdentity(dir, identity, new Date('2025-11-23T09:00:00Z'));

    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, IDENTITY_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, IDENTITY_FILE), 'utf8')).not.toContain('PRIVATE KEY');
    expect(await loadIdentity(dir)).toEqual({
      ...identity,
      enrolledAt: '2025-11-23T09:00:00.000Z',
    });
  });

  it('says the device is not enrolled when there is no identity, or after forgetting it', async () => {
    await expect(loadIdentity(dir)).rejects.toThrow('not enrolled');
    await saveIdentity(dir, identity);
    await forgetIdentity(dir);
    await expect(loadIdentity(dir)).rejects.toThrow('not enrolled');
  });
});
