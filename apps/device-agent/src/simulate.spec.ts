// The load simulator against the stand-in hub: enrols once, reuses saved identities, holds every
// device connected, and reports each answer.

import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandAnswer, CommandEnvelope } from '@app/devices';
import { StandInHub } from '@app/devices/testing/stand-in-hub';
import {
  runSimulator,
  simulatedSerialNumber,
  SimulatorError,
  type SimulatorHandle,
  type SimulatorOptions,
} from './simulate';

interface SavedState {
  keys: unknown[];
  devices: Array<{ serialNumber: string; deviceId: string; keyIndex: number }>;
}

describe('runSimulator', () => {
  // Each run makes RSA keys and the stand-in hub signs certificates in JavaScript.
  jest.setTimeout(20_000);

  let hub: StandInHub;
  let dir: string;
  let stateFile: string;
  let running: SimulatorHandle | undefined;

  beforeEach(async () => {
    hub = await StandInHub.start();
    hub.tokens.set('fleet', 100);
    dir = await mkdtemp(join(tmpdir(), 'simulate-'));
    stateFile = join(dir, '.sim', 'class-4b.json');
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await hub.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** One key in the pool keeps the specs quick; the group and state file are the spec's. */
  const simulate = (opts: Omit<SimulatorOptions, 'group' | 'stateFile'>) =>
    runSimulator({ group: 'class-4b', stateFile, keyPoolSize: 1, ...opts });

  const readState = async () => JSON.parse(await readFile(stateFile, 'utf8')) as SavedState;

  it('enrols the devices, connects them all and reports every answer', async () => {
    const answers: Array<[string, string, CommandAnswer]> = [];
    running = await simulate({
      hubUrl: hub.url,
      token: 'fleet',
      devices: 3,
      keyPoolSize: 2,
      onAnswer: (deviceId, command: CommandEnvelope, answer, atMs) => {
        expect(atMs).toBeGreaterThan(0);
        answers.push([deviceId, command.type, answer]);
      },
    });
    await running.waitForConnected(3, 5000);

    expect(running.enrolledNow).toBe(3);
    expect(running.devices.map((d) => d.serialNumber)).toEqual([
      'SIM-class-4b-00001',
      'SIM-class-4b-00002',
      'SIM-class-4b-00003',
    ]);
    expect(new Set(running.devices.map((d) => d.deviceId)).size).toBe(3);
    expect(hub.connectedDevices()).toEqual(new Set(running.devices.map((d) => d.deviceId)));
    await hub.until(() => hub.statesOf().length === 3);

    const target = running.devices[1];
    const lock = {
      id: randomUUID(),
      type: 'device.lock',
      payload: { reason: 'class' },
      issuedAt: new Date().toISOString(),
    };
    expect(await hub.send(lock as CommandEnvelope, hub.socket(target.deviceId))).toEqual({
      status: 'acknowledged',
    });
    expect(answers).toEqual([[target.deviceId, 'device.lock', { status: 'acknowledged' }]]);
    expect(running.answeredCount()).toBe(1);
    expect(target.enforcer.currentState().locked).toBe(true);

    await running.stop();
    running = undefined;
    await hub.until(() => hub.connectedDevices().size === 0);
    const saved = await readState();
    expect(saved.keys).toHaveLength(2);
    expect(saved.devices.map((d) => d.serialNumber).sort()).toEqual([
      'SIM-class-4b-00001',
      'SIM-class-4b-00002',
      'SIM-class-4b-00003',
    ]);
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);
  });

  it('enrols as an iPad by default, or as describeDevice says', async () => {
    running = await simulate({ hubUrl: hub.url, token: 'fleet', devices: 1 });
    await running.stop();
    running = await runSimulator({
      hubUrl: hub.url,
      token: 'fleet',
      devices: 2,
      group: 'loan',
      stateFile: join(dir, '.sim', 'loan.json'),
      keyPoolSize: 1,
      describeDevice: (serialNumber, index) => ({
        platform: 'linux',
        name: `Loan ${index + 1}`,
        assetTag: `LOAN-${index + 1}`,
      }),
    });

    const enrolled = hub.enrollRequests.map((request) => request.device);
    enrolled.sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
    expect(enrolled).toEqual([
      { serialNumber: 'SIM-class-4b-00001', platform: 'ipados', model: 'Simulated device' },
      { serialNumber: 'SIM-loan-00001', platform: 'linux', name: 'Loan 1', assetTag: 'LOAN-1' },
      { serialNumber: 'SIM-loan-00002', platform: 'linux', name: 'Loan 2', assetTag: 'LOAN-2' },
    ]);
  });

  it('reuses saved identities and enrols only the devices that are missing', async () => {
    const first = await simulate({
      hubUrl: hub.url,
      token: 'fleet',
      devices: 2,
    });
    const firstIds = first.devices.map((d) => d.deviceId);
    await first.stop();

    running = await simulate({
      hubUrl: hub.url,
      token: 'fleet',
      devices: 4,
    });
    await running.waitForConnected(4, 5000);

    expect(running.enrolledNow).toBe(2);
    expect(hub.enrollRequests.map((r) => r.device.serialNumber)).toEqual(
      expect.arrayContaining(['SIM-class-4b-00003', 'SIM-class-4b-00004']),
    );
    expect(hub.enrollRequests).toHaveLength(4);
    expect(running.devices.slice(0, 2).map((d) => d.deviceId)).toEqual(firstIds);
  });

  it('needs no token when every device is saved, and asks for one when some are not', async () => {
    const first = await simulate({
      hubUrl: hub.url,
      token: 'fleet',
      devices: 2,
    });
    await first.stop();

    running = await simulate({
      hubUrl: hub.url,
      devices: 2,
    });
    await running.waitForConnected(2, 5000);

    await expect(simulate({ hubUrl: hub.url, devices: 3 })).rejects.toThrow(
      '1 devices are not enrolled yet; pass an enrolment token',
    );
  });

  it('stops enrolling when the token is used up, keeping those already enrolled', async () => {
    hub.tokens.set('short', 2);
    await expect(
      simulate({
        hubUrl: hub.url,
        token: 'short',
        devices: 5,
        concurrency: 1,
      }),
    ).rejects.toThrow(SimulatorError);

    const saved = await readState();
    expect(saved.devices.map((d) => d.serialNumber)).toEqual([
      simulatedSerialNumber('class-4b', 0),
      simulatedSerialNumber('class-4b', 1),
    ]);
  });

  it('says how to re-enrol serials the hub already has when it answers 409', async () => {
    hub.enrollAnswer = () => ({
      status: 409,
      body: { statusCode: 409, message: 'Device SIM-class-4b-00001 is already enrolled.' },
    });
    await expect(simulate({ hubUrl: hub.url, token: 'fleet', devices: 1 })).rejects.toThrow(
      /already enrolled[\s\S]*re-enrolment token \(POST \/api\/enrollment-tokens with "reenrol": true\)/,
    );
    // A refusal is not retried: one request.
    expect(hub.enrollRequests).toHaveLength(1);
  });

  it('refuses a state file from another hub', async () => {
    const first = await simulate({
      hubUrl: hub.url,
      token: 'fleet',
      devices: 1,
    });
    await first.stop();
    await expect(
      simulate({
        hubUrl: 'http://127.0.0.1:1',
        devices: 1,
      }),
    ).rejects.toThrow('pass another --state-file, or --fresh');
  });

  it('forgets a device the hub unenrolled, so the next run enrols it again', async () => {
    const first = await simulate({
      hubUrl: hub.url,
      token: 'fleet',
      devices: 2,
    });
    const [gone] = first.devices;
    const unenroll = {
      id: randomUUID(),
      type: 'device.unenroll',
      payload: {},
      issuedAt: new Date().toISOString(),
    };
    await hub.send(unenroll as CommandEnvelope, hub.socket(gone.deviceId));
    await hub.until(() => !hub.socket(gone.deviceId).connected);
    await first.stop();

    expect((await readState()).devices.map((d) => d.serialNumber)).toEqual([
      first.devices[1].serialNumber,
    ]);
  });
});
