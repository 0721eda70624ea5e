// The load simulator: enrols N simulated devices once (identities are saved in .sim/<group>.json
// and reused on later runs), then holds them all connected to the hub with the same DeviceClient
// as the real agent, answering commands from memory. Run it from the CLI, or embed runSimulator()
// in a bench script and watch every answer through onAnswer.

import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  createDeviceKeyPair,
  DeviceClient,
  enrollDevice,
  EnrollmentError,
  isUnauthorizedError,
  MemoryJournal,
  normaliseHubUrl,
  SimulatedEnforcer,
  type CommandAnswer,
  type CommandEnvelope,
  type DeviceClientOptions,
  type DeviceKeyPair,
  type EnrollDeviceInfo,
  type HubTrust,
  type SimulatedEnforcerOptions,
} from '@app/devices';
import { AGENT_VERSION, writePrivateFile } from './agent-state';
import { parseCommandLine } from './command-line';
import { chooseTrust } from './hub-trust';
import {
  uploadSimulatedPhotos,
  type SimulatedPhotoOptions,
  type SimulatedPhotoResult,
} from './simulate-photos';

export interface SimulatorOptions {
  hubUrl: string;
  /**
   * An enrolment token with enough uses for the devices not enrolled yet. Serials the hub has
   * already enrolled (state lost, --fresh, unenrolled) need a re-enrolment token.
   */
  token?: string;
  devices: number;
  /** Names the serial numbers (SIM-<group>-00001) and the state file; default "default". */
  group?: string;
  /** Enrolments in flight at once; default 16. */
  concurrency?: number;
  /** Connections being set up at once; default 200. */
  connectConcurrency?: number;
  /** Where identities are kept; default .sim/<group>.json in the working directory. */
  stateFile?: string;
  /** How many key pairs the simulated devices share; default 8. */
  keyPoolSize?: number;
  /** Forget saved identities and enrol every device again. */
  fresh?: boolean;
  /**
   * What each device tells the hub at enrolment besides its serial number: platform, model, name,
   * asset tag. Default: an iPad-like device (`ipados`, model "Simulated device"), unnamed.
   */
  describeDevice?: (serialNumber: string, index: number) => Omit<EnrollDeviceInfo, 'serialNumber'>;
  /** Options for each device's SimulatedEnforcer, or a factory for it. */
  enforcer?:
    SimulatedEnforcerOptions | ((serialNumber: string, index: number) => SimulatedEnforcer);
  /** Extra DeviceClient options (reconnection delays, for example). */
  clientOptions?: Partial<
    Omit<DeviceClientOptions, 'hubUrl' | 'deviceId' | 'privateKeyPem' | 'enforcer' | 'journal'>
  >;
  /** Called for every command a device answered, with the time of the answer. */
  onAnswer?: (
    deviceId: string,
    command: CommandEnvelope,
    answer: CommandAnswer,
    atMs: number,
  ) => void;
  /** Progress lines (enrolment, connection); default silent. */
  log?: (line: string) => void;
  /** For an https:// hub: the CA to trust besides Node's built-in roots (see chooseTrust). */
  trust?: HubTrust;
  /** Aborting stops enrolment and connection, saving what was enrolled. */
  signal?: AbortSignal;
}

export interface SimulatedDevice {
  index: number;
  serialNumber: string;
  deviceId: string;
  client: DeviceClient;
  enforcer: SimulatedEnforcer;
  journal: MemoryJournal;
}

export interface SimulatorHandle {
  readonly devices: readonly SimulatedDevice[];
  /** How many devices this run enrolled (the rest were reused). */
  readonly enrolledNow: number;
  connectedCount(): number;
  answeredCount(): number;
  /** Devices the hub refused (`unauthorized`) at least once. */
  refusedCount(): number;
  /** Resolves when `count` devices (default all) are connected; rejects after `timeoutMs`. */
  waitForConnected(count?: number, timeoutMs?: number): Promise<void>;
  /**
   * The first `devices` devices (default all) each upload generated JPEGs to the hub's photo
   * store, in parallel, through the agent's upload library (issue 14; see uploadSimulatedPhotos).
   */
  uploadPhotos(
    options: SimulatedPhotoOptions & { devices?: number },
  ): Promise<SimulatedPhotoResult[]>;
  /** Disconnects every device and saves the identities. */
  stop(): Promise<void>;
}

export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
}

interface SavedDevice {
  serialNumber: string;
  deviceId: string;
  keyIndex: number;
}

/**
 * .sim/<group>.json. Certificates are not kept: a device needs only its id and key to connect.
 * It holds private keys, so it is written mode 0600 (and .sim/ is gitignored).
 */
interface SimulatorState {
  format: 1;
  hubUrl: string;
  group: string;
  keys: DeviceKeyPair[];
  devices: SavedDevice[];
}

const GROUP_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const ENROL_ATTEMPTS = 3;

export function simulatedSerialNumber(group: string, index: number): string {
  return `SIM-${group}-${String(index + 1).padStart(5, '0')}`;
}

export async function runSimulator(opts: SimulatorOptions): Promise<SimulatorHandle> {
  const hubUrl = normaliseHubUrl(opts.hubUrl);
  const group = opts.group ?? 'default';
  if (!GROUP_PATTERN.test(group)) {
    throw new SimulatorError('group must be 1 to 32 characters of A-Z, a-z, 0-9, _ and -');
  }
  if (!Number.isInteger(opts.devices) || opts.devices < 1) {
    throw new SimulatorError('devices must be a positive whole number');
  }
  const log = opts.log ?? (() => undefined);
  const stateFile = resolve(opts.stateFile ?? join('.sim', `${group}.json`));
  const saver = new StateSaver(stateFile);

  const loaded = opts.fresh ? undefined : await loadState(stateFile);
  if (loaded && (loaded.hubUrl !== hubUrl || loaded.group !== group)) {
    throw new SimulatorError(
      `${stateFile} holds group "${loaded.group}" enrolled with ${loaded.hubUrl}; ` +
        'pass another --state-file, or --fresh to enrol again',
    );
  }
  const state: SimulatorState = loaded ?? { format: 1, hubUrl, group, keys: [], devices: [] };

  // Ten thousand 2048-bit RSA keys take minutes to generate, so simulated devices share a small
  // pool of key pairs. Each device still has its own CSR, certificate and device id; a real
  // device never shares its key.
  const poolSize = Math.max(1, opts.keyPoolSize ?? 8);
  if (state.keys.length < poolSize) {
    const more = await Promise.all(
      Array.from({ length: poolSize - state.keys.length }, () => createDeviceKeyPair()),
    );
    state.keys.push(...more);
  }

  const saved = new Map(state.devices.map((device) => [device.serialNumber, device]));
  const missing: number[] = [];
  for (let index = 0; index < opts.devices; index += 1) {
    if (!saved.has(simulatedSerialNumber(group, index))) {
      missing.push(index);
    }
  }

  let enrolledNow = 0;
  if (missing.length > 0) {
    if (!opts.token) {
      throw new SimulatorError(
        `${missing.length} devices are not enrolled yet; pass an enrolment token with at least ${missing.length} uses`,
      );
    }
    log(`enrolling ${missing.length} devices (${saved.size} saved ones are reused)`);
    let refusal: Error | undefined;
    await forEachLimited(
      missing,
      opts.concurrency ?? 16,
      async (index) => {
        const serialNumber = simulatedSerialNumber(group, index);
        const keyIndex = index % state.keys.length;
        try {
          const identity = await enrolWithRetry({
            hubUrl,
            trust: opts.trust,
            token: opts.token as string,
            device: {
              serialNumber,
              ...(opts.describeDevice?.(serialNumber, index) ?? {
                platform: 'ipados',
                model: 'Simulated device',
              }),
            },
            keys: state.keys[keyIndex],
          });
          const device = { serialNumber, deviceId: identity.deviceId, keyIndex };
          saved.set(serialNumber, device);
          state.devices.push(device);
          enrolledNow += 1;
          if (enrolledNow % 100 === 0) {
            log(`enrolled ${enrolledNow}/${missing.length}`);
            void saver.save(state);
          }
        } catch (error) {
          refusal ??= error as Error;
        }
      },
      () => refusal !== undefined || opts.signal?.aborted === true,
    );
    await saver.save(state);
    if (refusal) {
      // A serial the hub already has (its identity here was lost, --fresh, or the hub unenrolled
      // it) is re-enrolled only with a re-enrolment token (protocol 1.1 section 1).
      const hint =
        refusal instanceof EnrollmentError && refusal.status === 409
          ? '; to re-enrol devices this hub already has, pass a re-enrolment token ' +
            '(POST /api/enrollment-tokens with "reenrol": true)'
          : '';
      throw new SimulatorError(
        `enrolled ${enrolledNow} of ${missing.length} devices, then: ${refusal.message} (saved in ${stateFile})${hint}`,
      );
    }
    log(`enrolled ${enrolledNow} devices; identities saved in ${stateFile}`);
  } else {
    await saver.save(state);
  }
  throwIfAborted(opts.signal);

  const keyObjects: KeyObject[] = state.keys.map((keys) => createPrivateKey(keys.privateKeyPem));
  let answered = 0;
  const refused = new Set<string>();
  const unenrolled = new Set<string>();
  const devices: SimulatedDevice[] = [];
  for (let index = 0; index < opts.devices; index += 1) {
    const serialNumber = simulatedSerialNumber(group, index);
    const { deviceId, keyIndex } = saved.get(serialNumber) as SavedDevice;
    const enforcer = makeEnforcer(opts.enforcer, serialNumber, index);
    const journal = new MemoryJournal();
    const client = new DeviceClient({
      ...opts.clientOptions,
      hubUrl,
      trust: opts.trust,
      deviceId,
      privateKeyPem: keyObjects[keyIndex % keyObjects.length],
      enforcer,
      journal,
      autoConnect: false,
    });
    client.on('command', (command, answer) => {
      answered += 1;
      opts.onAnswer?.(deviceId, command, answer, Date.now());
    });
    client.on('connect_error', (error) => {
      if (isUnauthorizedError(error)) {
        refused.add(deviceId);
      }
    });
    client.on('unenrolled', () => unenrolled.add(serialNumber));
    devices.push({ index, serialNumber, deviceId, client, enforcer, journal });
  }

  log(`connecting ${devices.length} devices`);
  await forEachLimited(
    devices,
    opts.connectConcurrency ?? 200,
    (device) => firstConnectionAttempt(device.client, 15_000),
    () => opts.signal?.aborted === true,
  );

  const connectedCount = () => devices.reduce((n, d) => n + (d.client.connected ? 1 : 0), 0);
  const handle: SimulatorHandle = {
    devices,
    enrolledNow,
    connectedCount,
    answeredCount: () => answered,
    refusedCount: () => refused.size,
    async waitForConnected(count = devices.length, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (connectedCount() < count) {
        if (Date.now() > deadline) {
          throw new SimulatorError(
            `only ${connectedCount()} of ${count} devices connected in time`,
          );
        }
        await new Promise((wake) => setTimeout(wake, 100));
      }
    },
    uploadPhotos(photoOptions) {
      const senders = devices.slice(0, photoOptions.devices ?? devices.length).map((device) => {
        const { keyIndex } = saved.get(device.serialNumber) as SavedDevice;
        return {
          hubUrl,
          trust: opts.trust,
          deviceId: device.deviceId,
          privateKeyPem: keyObjects[keyIndex % keyObjects.length],
        };
      });
      return uploadSimulatedPhotos(senders, photoOptions);
    },
    async stop() {
      devices.forEach((device) => device.client.destroy());
      // An unenrolled device's identity is dead: enrol it again next time.
      state.devices = state.devices.filter((device) => !unenrolled.has(device.serialNumber));
      await saver.save(state);
    },
  };
  if (opts.signal?.aborted) {
    await handle.stop();
    throwIfAborted(opts.signal);
  }
  return handle;
}

function makeEnforcer(
  option: SimulatorOptions['enforcer'],
  serialNumber: string,
  index: number,
): SimulatedEnforcer {
  if (typeof option === 'function') {
    return option(serialNumber, index);
  }
  return new SimulatedEnforcer({
    historyLimit: 10,
    ...option,
    initialState: {
      // Spread over 20..100 so the hub's views have something to show; the same on every run.
      battery: 20 + ((index * 37) % 81),
      charging: false,
      osVersion: 'simulated',
      agentVersion: AGENT_VERSION,
      pendingPhotos: 0,
      ...option?.initialState,
    },
  });
}

async function enrolWithRetry(opts: Parameters<typeof enrollDevice>[0]) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await enrollDevice(opts);
    } catch (error) {
      // A refusal (4xx) will not change by asking again; an unreachable or failing hub might.
      const status = error instanceof EnrollmentError ? error.status : undefined;
      const retryable = status === undefined || status >= 500;
      if (!retryable || attempt >= ENROL_ATTEMPTS) {
        throw error;
      }
      await new Promise((wake) => setTimeout(wake, 500 * 2 ** attempt));
    }
  }
}

function firstConnectionAttempt(client: DeviceClient, timeoutMs: number): Promise<void> {
  return new Promise((done) => {
    const finish = () => {
      clearTimeout(timer);
      client.off('connect', finish);
      client.off('connect_error', finish);
      done();
    };
    const timer = setTimeout(finish, timeoutMs);
    client.on('connect', finish);
    client.on('connect_error', finish);
    client.connect();
  });
}

/** Runs `task` over `items`, at most `limit` at a time, until done or `stop()` says so. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const item = items[next];
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new SimulatorError('stopped');
  }
}

async function loadState(path: string): Promise<SimulatorState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
  const state = JSON.parse(text) as Partial<SimulatorState>;
  if (state.format !== 1 || !Array.isArray(state.keys) || !Array.isArray(state.devices)) {
    throw new SimulatorError(`${path} is not a simulator state file; pass --fresh to replace it`);
  }
  return state as SimulatorState;
}

/** Saves one at a time, so a slow write never lands after a newer one. */
class StateSaver {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  save(state: SimulatorState): Promise<void> {
    const text = JSON.stringify(state);
    const write = this.chain.then(() => writePrivateFile(this.path, text));
    this.chain = write.catch(() => undefined);
    return write;
  }
}

// The command line.

const USAGE = `usage: simulate --hub URL --devices N [--token T] [--group G] [--concurrency C]
                [--connect-concurrency C] [--state-file F] [--key-pool K] [--fresh]
                [--ca FILE] [--ca-fingerprint SHA256] [--photos N] [--photo-kb K]

--photos N: once connected, each device uploads N generated JPEGs of K KiB (default 2048) to the
hub's photo store, as the agent does, and waits for their receipts (issue 14).
For an https:// hub: --ca FILE (or HUB_CA_FILE) trusts that CA besides Node's built-in roots;
--ca-fingerprint trusts the hub's own CA (GET /api/ca.pem) if its SHA-256 is the one given.`;

export async function simulatorMain(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseCommandLine(argv, {
      hub: { type: 'string' },
      token: { type: 'string' },
      devices: { type: 'string' },
      group: { type: 'string' },
      concurrency: { type: 'string' },
      'connect-concurrency': { type: 'string' },
      'state-file': { type: 'string' },
      'key-pool': { type: 'string' },
      photos: { type: 'string' },
      'photo-kb': { type: 'string' },
      fresh: { type: 'boolean' },
      ca: { type: 'string' },
      'ca-fingerprint': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const devices = positiveInt(values.devices);
  if (typeof values.hub !== 'string' || devices === undefined) {
    console.error(`--hub and --devices are required\n${USAGE}`);
    return 2;
  }
  const numberOption = (name: string): number | undefined => {
    const value = values[name];
    const parsed = positiveInt(value);
    if (value !== undefined && parsed === undefined) {
      throw new SimulatorError(`--${name} must be a positive whole number`);
    }
    return parsed;
  };

  let photos: number | undefined;
  let photoBytes: number;
  try {
    photos = numberOption('photos');
    photoBytes = (numberOption('photo-kb') ?? 2048) * 1024;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }

  const controller = new AbortController();
  const live = new LiveLine();
  let handle: SimulatorHandle | undefined;
  let stopping = false;
  let finished: () => void = () => undefined;
  const onSignal = () => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    controller.abort();
    finished();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const trust = await chooseTrust({
      hubUrl: values.hub,
      caFile: (values.ca as string | undefined) ?? (process.env.HUB_CA_FILE || undefined),
      caFingerprint: values['ca-fingerprint'] as string | undefined,
      signal: controller.signal,
    });
    handle = await runSimulator({
      hubUrl: values.hub,
      trust,
      token: values.token as string | undefined,
      devices,
      group: values.group as string | undefined,
      concurrency: numberOption('concurrency'),
      connectConcurrency: numberOption('connect-concurrency'),
      stateFile: values['state-file'] as string | undefined,
      keyPoolSize: numberOption('key-pool'),
      fresh: values.fresh === true,
      signal: controller.signal,
      log: (line) => live.print(line),
    });
  } catch (error) {
    live.end();
    if (controller.signal.aborted) {
      return 0;
    }
    console.error(`simulate: ${(error as Error).message}`);
    return 1;
  }

  const running = handle;
  const status = () => {
    const refused = running.refusedCount();
    return (
      `connected ${running.connectedCount()}/${running.devices.length}, ` +
      `commands answered ${running.answeredCount()}${refused > 0 ? `, refused ${refused}` : ''}`
    );
  };
  const ticker = setInterval(() => live.update(status()), 1000);
  live.update(status());
  if (photos !== undefined && !stopping) {
    const started = Date.now();
    try {
      const sent = await running.uploadPhotos({ perDevice: photos, sizeBytes: photoBytes });
      const mb = sent.reduce((sum, photo) => sum + photo.sizeBytes, 0) / 1048576;
      const seconds = (Date.now() - started) / 1000;
      live.print(
        `${sent.length} photos (${mb.toFixed(1)} MB) stored in ${seconds.toFixed(1)} s, every receipt in`,
      );
    } catch (error) {
      live.print(`simulate: photos: ${(error as Error).message}`);
    }
  }
  await new Promise<void>((resolveStop) => {
    finished = resolveStop;
    if (stopping) {
      resolveStop();
    }
  });
  clearInterval(ticker);
  await running.stop();
  live.update(status());
  live.end();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return 0;
}

function positiveInt(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^[1-9][0-9]*$/.test(value)) {
    return undefined;
  }
  return Number(value);
}

/** One status line rewritten in place on a terminal; a new line per change in a log file. */
class LiveLine {
  private last = '';
  private open = false;
  private readonly tty = process.stdout.isTTY === true;

  update(line: string): void {
    if (line === this.last) {
      return;
    }
    this.last = line;
    if (this.tty) {
      process.stdout.write(`\r\x1b[2K${line}`);
      this.open = true;
    } else {
      process.stdout.write(`${line}\n`);
    }
  }

  print(line: string): void {
    this.end();
    process.stdout.write(`${line}\n`);
  }

  end(): void {
    if (this.open) {
      process.stdout.write('\n');
      this.open = false;
    }
  }
}

if (require.main === module) {
  void simulatorMain(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Sockets closed by stop() may keep timers a moment; the work is done and saved.
    setTimeout(() => process.exit(code), 500).unref();
  });
}
