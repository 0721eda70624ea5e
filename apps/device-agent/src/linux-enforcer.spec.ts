// The Linux desktop enforcer, with the programs it would run (loginctl, notify-send) replaced by a
// recorder, and /sys by a folder: what it answers, what it runs, what state it reports.

import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandEnvelope } from '@app/devices';
import { AGENT_VERSION, POLICY_FILE } from './agent-state';
import { PROTECTED_APP_IDS } from '@app/policy';
import { LinuxDesktopEnforcer, type CommandRunner } from './linux-enforcer';
import { RootedSystemWriter } from './system-writer';

const VERSION = 'b'.repeat(64);
const RESTRICTIVE = {
  camera: { allowed: false },
  wifi: { allowedSsids: ['School'], allowUserAddedNetworks: true, networks: [] },
  apps: { mode: 'open', allowed: [...PROTECTED_APP_IDS], blocked: [], allowInstall: true },
  screen: { autoLockMinutes: 5, requirePasscode: false },
  passcode: { minLength: 4, requireMixedCase: false, requireNumber: false, requireSymbol: false },
  removableMedia: { allowed: true, requireEncryption: false },
  photos: { autoUpload: false, deleteAfterUpload: false },
};

function command(type: CommandEnvelope['type'], payload: object): CommandEnvelope {
  return { id: randomUUID(), type, payload, issuedAt: new Date().toISOString() } as CommandEnvelope;
}

function enoent(): Error {
  return Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' });
}

describe(LinuxDesktopEnforcer.name, () => {
  let dir: string;
  let ran: string[][];
  let respond: (file: string, args: string[]) => Promise<{ stdout: string }>;
  let forgotten: number;
  const run: CommandRunner = (file, args) => {
    ran.push([file, ...args]);
    return respond(file, args);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'linux-enforcer-'));
    ran = [];
    forgotten = 0;
    respond = () => Promise.resolve({ stdout: '' });
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  function create(extra: { sessionId?: string; sysRoot?: string } = {}) {
    return LinuxDesktopEnforcer.create({
      stateDir: dir,
      run,
      // Not root: the policy's enforcers change nothing (enforcers/enforcers.spec.ts as root).
      system: new RootedSystemWriter({ root: join(dir, 'root'), isRoot: false, run }),
      sysRoot: join(dir, 'no-sys'),
      forgetIdentity: () => {
        forgotten += 1;
        return Promise.resolve();
      },
      ...extra,
    });
  }

  it('locks every session with loginctl when it knows no session, and reports itself locked', async () => {
    const enforcer = await create();

    const answer = await enforcer.execute(command('device.lock', { reason: 'class' }));

    expect(answer).toEqual({ status: 'acknowledged' });
    expect(ran).toEqual([['loginctl', 'lock-sessions']]);
    expect(enforcer.currentState()).toMatchObject({
      locked: true,
      appLock: null,
      policyVersion: null,
      agentVersion: AGENT_VERSION,
    });
  });

  it('locks and unlocks its own session, and says the lock message cannot be shown', async () => {
    const enforcer = await create({ sessionId: '7' });
    ran = [];

    expect(
      await enforcer.execute(command('device.lock', { reason: 'lost', message: 'Hand in' })),
    ).toEqual({
      status: 'acknowledged',
      detail: 'locked; the Linux lock screen cannot show the message',
    });
    expect(await enforcer.execute(command('device.unlock', {}))).toEqual({
      status: 'acknowledged',
    });
    expect(ran).toEqual([
      ['loginctl', 'lock-session', '7'],
      ['loginctl', 'unlock-session', '7'],
    ]);
    expect(enforcer.currentState().locked).toBe(false);
  });

  it('answers error, and stays unlocked, when loginctl is missing or fails', async () => {
    const enforcer = await create();
    respond = () => Promise.reject(enoent());
    expect(await enforcer.execute(command('device.lock', { reason: 'class' }))).toEqual({
      status: 'error',
      detail: 'could not lock the session: loginctl is not installed',
    });

    respond = () =>
      Promise.reject(Object.assign(new Error('failed'), { code: 1, stderr: 'Access denied\n' }));
    expect(await enforcer.execute(command('device.lock', { reason: 'class' }))).toEqual({
      status: 'error',
      detail: 'could not lock the session: loginctl failed: Access denied',
    });
    expect(enforcer.currentState().locked).toBe(false);
  });

  it('refuses single-app mode, which a desktop cannot enforce', async () => {
    const enforcer = await create();
    expect(await enforcer.execute(command('app.lock', { appId: 'org.gnome.Calculator' }))).toEqual({
      status: 'error',
      detail: expect.stringContaining('no single-app mode') as string,
    });
    expect(enforcer.currentState().appLock).toBeNull();
    expect(ran).toEqual([]);
  });

  it('saves a policy privately, reports its version, names what it cannot enforce, and keeps it after a restart', async () => {
    const enforcer = await create();

    const answer = await enforcer.execute(
      command('policy.apply', { policyVersion: VERSION, settings: RESTRICTIVE }),
    );

    expect(answer).toEqual({
      status: 'acknowledged',
      unenforced: [
        'camera.allowed',
        'wifi.allowedSsids',
        'screen.autoLockMinutes',
        'passcode.minLength',
      ],
      detail:
        'not enforced: screen.autoLockMinutes, wifi.allowedSsids, camera.allowed (the agent is ' +
        'not running as root); passcode.minLength (the Linux agent cannot enforce it)',
    });
    expect(ran).toEqual([]);
    expect(enforcer.currentState().policyVersion).toBe(VERSION);
    const file = join(dir, POLICY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ settings: RESTRICTIVE });

    expect((await create()).currentState().policyVersion).toBe(VERSION);
  });

  it('shows a message with notify-send, never letting the text be read as an option', async () => {
    const enforcer = await create();
    const answer = await enforcer.execute(
      command('message.show', { text: '--help me', from: 'Ms Berg' }),
    );
    expect(answer).toEqual({ status: 'acknowledged' });
    expect(ran).toEqual([
      ['notify-send', '--app-name=Classroom', '--', 'Message from Ms Berg', '--help me'],
    ]);

    respond = () => Promise.reject(enoent());
    expect(
      await enforcer.execute(command('message.show', { text: 'Hi', from: 'Ms Berg' })),
    ).toEqual({
      status: 'error',
      detail: 'could not show the message: notify-send is not installed',
    });
  });

  it('forgets the identity and the policy on device.unenroll', async () => {
    const enforcer = await create();
    await enforcer.execute(
      command('policy.apply', { policyVersion: VERSION, settings: RESTRICTIVE }),
    );

    expect(await enforcer.execute(command('device.unenroll', {}))).toEqual({
      status: 'acknowledged',
    });

    expect(forgotten).toBe(1);
    await expect(stat(join(dir, POLICY_FILE))).rejects.toThrow();
    expect(enforcer.currentState().policyVersion).toBeNull();
  });

  it('reports the battery from /sys and notices an unlock made at the keyboard', async () => {
    const battery = join(dir, 'sys', 'class', 'power_supply', 'BAT0');
    await mkdir(battery, { recursive: true });
    await writeFile(join(battery, 'type'), 'Battery\n');
    await writeFile(join(battery, 'capacity'), '57\n');
    await writeFile(join(battery, 'status'), 'Discharging\n');
    let lockedHint = 'no';
    respond = (_file, args) =>
      Promise.resolve({ stdout: args[0] === 'show-session' ? `${lockedHint}\n` : '' });
    const enforcer = await create({ sessionId: '3', sysRoot: join(dir, 'sys') });
    expect(enforcer.currentState()).toMatchObject({ battery: 57, charging: false, locked: false });

    await enforcer.execute(command('device.lock', { reason: 'class' }));
    lockedHint = 'yes';
    let changes = 0;
    enforcer.onStateChange(() => (changes += 1));
    enforcer.startWatching(20);
    try {
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(changes).toBe(0);
      lockedHint = 'no';
      await new Promise((resolve) => setTimeout(resolve, 80));
    } finally {
      enforcer.stopWatching();
    }
    expect(changes).toBe(1);
    expect(enforcer.currentState().locked).toBe(false);
  });

  it('reports an unlock at the keyboard once when loginctl answers slower than the watch looks', async () => {
    let lockedHint = 'no';
    respond = (_file, args) =>
      args[0] === 'show-session'
        ? new Promise((resolve) => setTimeout(() => resolve({ stdout: `${lockedHint}\n` }), 60))
        : Promise.resolve({ stdout: '' });
    const enforcer = await create({ sessionId: '3', sysRoot: join(dir, 'sys') });
    await enforcer.execute(command('device.lock', { reason: 'class' }));
    lockedHint = 'no';
    let changes = 0;
    enforcer.onStateChange(() => (changes += 1));
    enforcer.startWatching(10);
    try {
      await new Promise((resolve) => setTimeout(resolve, 400));
    } finally {
      enforcer.stopWatching();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(changes).toBe(1);
    expect(enforcer.currentState().locked).toBe(false);
  });
});

describe(`${LinuxDesktopEnforcer.name} policy answers`, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'linux-enforcer-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function apply(settings: object) {
    const enforcer = await LinuxDesktopEnforcer.create({
      stateDir: dir,
      run: () => Promise.resolve({ stdout: '' }),
      sysRoot: join(dir, 'no-sys'),
      system: new RootedSystemWriter({ root: join(dir, 'root'), isRoot: false }),
      forgetIdentity: () => Promise.resolve(),
    });
    return enforcer.execute(command('policy.apply', { policyVersion: VERSION, settings }));
  }

  it('names every restriction a desktop cannot enforce, and not those that ask for nothing', async () => {
    const answer = await apply({
      ...RESTRICTIVE,
      camera: { allowed: true },
      wifi: { allowedSsids: [], allowUserAddedNetworks: true, networks: [] },
      apps: {
        mode: 'allowlist',
        allowed: [...PROTECTED_APP_IDS],
        blocked: [],
        allowInstall: false,
      },
      screen: { autoLockMinutes: 5, requirePasscode: true },
      passcode: { minLength: 6, requireMixedCase: true, requireNumber: true, requireSymbol: true },
      photos: { autoUpload: true, deleteAfterUpload: true },
    });
    expect(answer.unenforced).toEqual([
      'apps.mode',
      'apps.allowed',
      'apps.allowInstall',
      'screen.autoLockMinutes',
      'screen.requirePasscode',
      'passcode.minLength',
      'passcode.requireMixedCase',
      'passcode.requireNumber',
      'passcode.requireSymbol',
    ]);
  });

  it('answers error, and keeps no policy, when the settings are not a valid policy', async () => {
    const answer = await apply({
      ...RESTRICTIVE,
      screen: { autoLockMinutes: 0, requirePasscode: false },
    });
    expect(answer).toEqual({
      status: 'error',
      detail: 'the policy is not valid: screen.autoLockMinutes must be between 1 and 60',
    });
    await expect(stat(join(dir, POLICY_FILE))).rejects.toThrow();
  });
});
