// The device agent's command line: `enroll` this computer with a hub, `run` the agent that keeps
// it connected and carries out commands, or `simulate` a fleet for load tests.

import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DeviceClient,
  enrollDevice,
  isUnauthorizedError,
  PLATFORMS,
  SimulatedEnforcer,
  type Enforcer,
  type Platform,
} from '@app/devices';
import {
  AGENT_VERSION,
  DEFAULT_STATE_DIR,
  detectSerialNumber,
  ensureStateDir,
  forgetIdentity,
  hasIdentity,
  JOURNAL_FILE,
  loadIdentity,
  saveIdentity,
} from './agent-state';
import { FileJournal } from './file-journal';
import { chooseTrust, loadTrust, saveTrust } from './hub-trust';
import { LinuxDesktopEnforcer } from './linux-enforcer';
import { PhotoSync, PhotoSyncEnforcer } from './photo-sync';
import { parseCommandLine } from './command-line';
import { simulatorMain } from './simulate';

const USAGE = `device-agent ${AGENT_VERSION}

usage:
  device-agent enroll --hub URL --token T [--state-dir DIR] [--serial S] [--name N]
                      [--asset-tag A] [--platform linux] [--force]
                      [--ca FILE] [--ca-fingerprint SHA256]
  device-agent run [--state-dir DIR] [--session ID] [--simulate] [--photos DIR]
  device-agent simulate --hub URL --devices N [--token T] [--group G] ...   (see simulate --help)

The state directory defaults to ${DEFAULT_STATE_DIR}.

An https:// hub is trusted through Node's built-in roots, plus --ca FILE (or HUB_CA_FILE) if
given. --ca-fingerprint fetches the hub's own CA (GET /api/ca.pem) and trusts it only if its
SHA-256 fingerprint is the one the hub printed at start. The CA is kept in the state directory
for every later run.

--photos DIR watches DIR for new pictures and uploads them to the hub's photo store; each is
deleted here only once the hub has given its receipt, and only if the policy says so.`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

async function enroll(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    hub: { type: 'string' },
    token: { type: 'string' },
    'state-dir': { type: 'string' },
    serial: { type: 'string' },
    name: { type: 'string' },
    'asset-tag': { type: 'string' },
    platform: { type: 'string', default: 'linux' },
    force: { type: 'boolean' },
    ca: { type: 'string' },
    'ca-fingerprint': { type: 'string' },
  });
  if (!values.hub || !values.token) {
    throw new UsageError('enroll needs --hub and --token');
  }
  if (!(PLATFORMS as readonly string[]).includes(values.platform)) {
    throw new UsageError(`--platform must be one of ${PLATFORMS.join(', ')}`);
  }
  const stateDir = resolve(values['state-dir'] ?? DEFAULT_STATE_DIR);
  if ((await hasIdentity(stateDir)) && !values.force) {
    throw new UsageError(`${stateDir} already holds an enrolment; pass --force to enrol again`);
  }
  await ensureStateDir(stateDir);

  const serialNumber = values.serial ?? (await detectSerialNumber());
  const model = await readFile('/sys/class/dmi/id/product_name', 'utf8').then(
    (text) => text.trim().slice(0, 100) || undefined,
    () => undefined,
  );
  const trust = await chooseTrust({
    hubUrl: values.hub,
    caFile: values.ca ?? (process.env.HUB_CA_FILE || undefined),
    caFingerprint: values['ca-fingerprint'],
  });
  const identity = await enrollDevice({
    hubUrl: values.hub,
    token: values.token,
    trust,
    device: {
      serialNumber,
      platform: values.platform as Platform,
      osVersion: release(),
      ...(model ? { model } : {}),
      ...(values.name ? { name: values.name } : {}),
      ...(values['asset-tag'] ? { assetTag: values['asset-tag'] } : {}),
    },
  });
  await saveIdentity(stateDir, { ...identity, platform: values.platform as Platform });
  await saveTrust(stateDir, trust);
  log(
    `enrolled serial ${serialNumber} as device ${identity.deviceId}; identity saved in ${stateDir}`,
  );
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    'state-dir': { type: 'string' },
    session: { type: 'string' },
    simulate: { type: 'boolean' },
    photos: { type: 'string' },
  });
  const stateDir = resolve(values['state-dir'] ?? DEFAULT_STATE_DIR);
  const identity = await loadIdentity(stateDir);
  const journalPath = join(stateDir, JOURNAL_FILE);
  const journal = await FileJournal.open(journalPath);

  let enforcer: Enforcer;
  let linux: LinuxDesktopEnforcer | undefined;
  if (values.simulate) {
    enforcer = new SimulatedEnforcer({
      initialState: { osVersion: release(), agentVersion: AGENT_VERSION },
    });
  } else {
    linux = await LinuxDesktopEnforcer.create({
      stateDir,
      sessionId: values.session ?? process.env.XDG_SESSION_ID,
      forgetIdentity: () => forgetIdentity(stateDir),
    });
    linux.startWatching();
    enforcer = linux;
  }

  const trust = await loadTrust(stateDir);
  let photos: PhotoSync | undefined;
  if (values.photos) {
    photos = new PhotoSync({
      device: {
        hubUrl: identity.hubUrl,
        deviceId: identity.deviceId,
        privateKeyPem: identity.privateKeyPem,
        trust,
      },
      dir: resolve(values.photos),
      stateDir,
      log,
    });
    await photos.start();
    enforcer = new PhotoSyncEnforcer(enforcer, photos);
  }

  const client = new DeviceClient({
    hubUrl: identity.hubUrl,
    trust,
    deviceId: identity.deviceId,
    privateKeyPem: identity.privateKeyPem,
    enforcer,
    journal,
    autoConnect: false,
    // A refusal may be a clock put right later or a re-enrolment on the hub: ask again now and then.
    retryUnauthorizedMs: 60_000,
  });

  let lastProblem = '';
  client.on('connect', () => {
    lastProblem = '';
    log(`connected to ${identity.hubUrl} as device ${identity.deviceId}`);
  });
  client.on('disconnect', (reason) => log(`disconnected (${reason})`));
  client.on('connect_error', (error) => {
    const problem = isUnauthorizedError(error)
      ? 'the hub refused this device (unauthorized): check the clock, or enrol again'
      : `cannot reach the hub: ${error.message}`;
    if (problem !== lastProblem) {
      log(problem);
      lastProblem = problem;
    }
  });
  // One line per command: its type, id and outcome; never the payload (names, message texts).
  client.on('command', (command, answer, { replayed }) => {
    const detail = answer.detail ? `: ${answer.detail}` : '';
    const again = replayed ? ' (answered before, not repeated)' : '';
    log(`command ${command.type} ${command.id} ${answer.status}${again}${detail}`);
  });
  client.on('invalid_command', (_received, answer) =>
    log(`refused a malformed command: ${answer.detail ?? ''}`),
  );
  client.on('warning', (message) => log(`warning: ${message}`));

  const stopped = new Promise<number>((resolveExit) => {
    const shutdown = (code: number) => {
      linux?.stopWatching();
      void photos?.stop();
      client.destroy();
      void journal.close().then(() => resolveExit(code));
    };
    client.on('unenrolled', () => {
      log('unenrolled by the hub: identity and policy forgotten');
      void forgetIdentity(stateDir).finally(() => shutdown(0));
    });
    process.once('SIGINT', () => shutdown(0));
    process.once('SIGTERM', () => shutdown(0));
  });
  log(`device-agent ${AGENT_VERSION} starting (device ${identity.deviceId})`);
  client.connect();
  return stopped;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'enroll':
        return await enroll(rest);
      case 'run':
        return await run(rest);
      case 'simulate':
        return await simulatorMain(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const usage =
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`device-agent: ${(error as Error).message}${usage ? `\n\n${USAGE}` : ''}`);
    return usage ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 500).unref();
  });
}
