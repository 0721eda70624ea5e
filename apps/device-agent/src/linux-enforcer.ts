// Carries out commands on a Linux desktop or netbook: locks the session through systemd-logind,
// shows messages with notify-send, keeps the policy, and answers honestly about what a desktop
// agent cannot enforce (single-app mode, camera and network restrictions...).

import { execFile } from 'node:child_process';
import { readdir, readFile, rm, statfs } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import {
  StateChangeListeners,
  type CommandAnswer,
  type CommandEnvelope,
  type DeviceLockPayload,
  type DeviceState,
  type Enforcer,
  type MessageShowPayload,
  type PolicyApplyPayload,
} from '@app/devices';
import { AGENT_VERSION, POLICY_FILE, writePrivateFile } from './agent-state';

/** Runs a program without a shell and resolves with its output; rejects if it fails. */
export type CommandRunner = (file: string, args: string[]) => Promise<{ stdout: string }>;

export const execFileRunner: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        reject(Object.assign(error, { stderr: String(stderr) }));
      } else {
        resolve({ stdout: String(stdout) });
      }
    });
  });

export interface LinuxDesktopEnforcerOptions {
  stateDir: string;
  /**
   * The logind session to lock (XDG_SESSION_ID when the agent runs inside it). Without one, every
   * session on the machine is locked, which is what a system service wants.
   */
  sessionId?: string;
  /** Forgets the hub identity on device.unenroll. */
  forgetIdentity: () => Promise<void>;
  run?: CommandRunner;
  /** Where /sys is (tests point it elsewhere). */
  sysRoot?: string;
}

interface StoredPolicy {
  policyVersion: string;
  settings: object;
  appliedAt: string;
}

export class LinuxDesktopEnforcer implements Enforcer {
  private locked = false;
  private policyVersion: string | null = null;
  private battery?: number;
  private charging?: boolean;
  private storageFreeMb?: number;
  private watchTimer: NodeJS.Timeout | null = null;
  private readonly listeners = new StateChangeListeners();
  private readonly run: CommandRunner;

  private constructor(private readonly opts: LinuxDesktopEnforcerOptions) {
    this.run = opts.run ?? execFileRunner;
  }

  static async create(opts: LinuxDesktopEnforcerOptions): Promise<LinuxDesktopEnforcer> {
    const enforcer = new LinuxDesktopEnforcer(opts);
    enforcer.policyVersion = (await enforcer.loadPolicy())?.policyVersion ?? null;
    await enforcer.refresh();
    return enforcer;
  }

  async execute(command: CommandEnvelope): Promise<CommandAnswer> {
    switch (command.type) {
      case 'device.lock':
        return this.lock(command.payload);
      case 'device.unlock':
        return this.unlock();
      case 'app.lock':
        return {
          status: 'error',
          detail: 'app.lock is not supported by the Linux desktop agent: it has no single-app mode',
        };
      case 'app.unlock':
        return { status: 'acknowledged', detail: 'not in single-app mode' };
      case 'policy.apply':
        return this.applyPolicy(command.payload);
      case 'message.show':
        return this.showMessage(command.payload);
      case 'photos.sync':
        return { status: 'acknowledged', detail: 'this device keeps no photos to upload' };
      case 'device.unenroll':
        await rm(join(this.opts.stateDir, POLICY_FILE), { force: true });
        await this.opts.forgetIdentity();
        this.policyVersion = null;
        return { status: 'acknowledged' };
    }
  }

  currentState(): DeviceState {
    const state: DeviceState = {
      locked: this.locked,
      appLock: null,
      policyVersion: this.policyVersion,
      osVersion: release(),
      agentVersion: AGENT_VERSION,
    };
    if (this.battery !== undefined) {
      state.battery = this.battery;
    }
    if (this.charging !== undefined) {
      state.charging = this.charging;
    }
    if (this.storageFreeMb !== undefined) {
      state.storageFreeMb = this.storageFreeMb;
    }
    return state;
  }

  onStateChange(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** Polls what can change by itself (someone unlocking the screen, the battery) and reports it. */
  startWatching(intervalMs = 15_000): void {
    this.stopWatching();
    this.watchTimer = setInterval(() => {
      const before = { locked: this.locked, battery: this.battery, charging: this.charging };
      void this.refresh().then(() => {
        const batteryMoved =
          before.battery !== undefined &&
          this.battery !== undefined &&
          Math.abs(before.battery - this.battery) >= 5;
        if (before.locked !== this.locked || before.charging !== this.charging || batteryMoved) {
          this.listeners.notify();
        }
      });
    }, intervalMs);
    this.watchTimer.unref();
  }

  stopWatching(): void {
    if (this.watchTimer) {
      clearInterval(this.watchTimer);
      this.watchTimer = null;
    }
  }

  private async lock(payload: DeviceLockPayload): Promise<CommandAnswer> {
    const args = this.opts.sessionId ? ['lock-session', this.opts.sessionId] : ['lock-sessions'];
    try {
      await this.run('loginctl', args);
    } catch (error) {
      return {
        status: 'error',
        detail: `could not lock the session: ${describeFailure('loginctl', error)}`,
      };
    }
    this.locked = true;
    return payload.message
      ? { status: 'acknowledged', detail: 'locked; the Linux lock screen cannot show the message' }
      : { status: 'acknowledged' };
  }

  private async unlock(): Promise<CommandAnswer> {
    const args = this.opts.sessionId
      ? ['unlock-session', this.opts.sessionId]
      : ['unlock-sessions'];
    try {
      await this.run('loginctl', args);
    } catch (error) {
      return {
        status: 'error',
        detail: `could not unlock the session: ${describeFailure('loginctl', error)}`,
      };
    }
    this.locked = false;
    return { status: 'acknowledged' };
  }

  private async applyPolicy(payload: PolicyApplyPayload): Promise<CommandAnswer> {
    const stored: StoredPolicy = { ...payload, appliedAt: new Date().toISOString() };
    await writePrivateFile(
      join(this.opts.stateDir, POLICY_FILE),
      `${JSON.stringify(stored, null, 2)}\n`,
    );
    this.policyVersion = payload.policyVersion;
    const unenforced = unenforceableSettings(payload.settings);
    return unenforced.length > 0
      ? {
          status: 'acknowledged',
          detail: `saved; not enforced on this device: ${unenforced.join(', ')}`,
        }
      : { status: 'acknowledged' };
  }

  private async showMessage(payload: MessageShowPayload): Promise<CommandAnswer> {
    try {
      // "--" ends the options, so a text starting with "-" is shown, not parsed.
      await this.run('notify-send', [
        '--app-name=Classroom',
        '--',
        `Message from ${payload.from}`,
        payload.text,
      ]);
    } catch (error) {
      return {
        status: 'error',
        detail: `could not show the message: ${describeFailure('notify-send', error)}`,
      };
    }
    return { status: 'acknowledged' };
  }

  private async loadPolicy(): Promise<StoredPolicy | undefined> {
    try {
      const stored = JSON.parse(
        await readFile(join(this.opts.stateDir, POLICY_FILE), 'utf8'),
      ) as StoredPolicy;
      return typeof stored.policyVersion === 'string' ? stored : undefined;
    } catch {
      return undefined;
    }
  }

  private async refresh(): Promise<void> {
    if (this.opts.sessionId) {
      try {
        const { stdout } = await this.run('loginctl', [
          'show-session',
          this.opts.sessionId,
          '--property=LockedHint',
          '--value',
        ]);
        this.locked = stdout.trim() === 'yes';
      } catch {
        // Keep what we last did.
      }
    }
    await this.readBattery();
    try {
      const fs = await statfs(this.opts.stateDir);
      this.storageFreeMb = Math.floor((fs.bavail * fs.bsize) / (1024 * 1024));
    } catch {
      this.storageFreeMb = undefined;
    }
  }

  private async readBattery(): Promise<void> {
    const root = join(this.opts.sysRoot ?? '/sys', 'class', 'power_supply');
    let supplies: string[] = [];
    try {
      supplies = await readdir(root);
    } catch {
      return;
    }
    for (const supply of supplies) {
      const read = (name: string) =>
        readFile(join(root, supply, name), 'utf8').then(
          (text) => text.trim(),
          () => '',
        );
      if ((await read('type')) !== 'Battery') {
        continue;
      }
      const capacity = Number.parseInt(await read('capacity'), 10);
      if (Number.isInteger(capacity) && capacity >= 0 && capacity <= 100) {
        this.battery = capacity;
        const status = await read('status');
        this.charging = status === 'Charging' || status === 'Full';
      }
      return;
    }
  }
}

/** The restrictions in a policy that this agent saves but cannot put into effect. */
export function unenforceableSettings(settings: object): string[] {
  const at = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (value, key) => (value as Record<string, unknown> | undefined)?.[key],
        settings,
      );
  const nonEmpty = (path: string) => Array.isArray(at(path)) && (at(path) as unknown[]).length > 0;
  const checks: Array<[string, boolean]> = [
    ['camera.allowed', at('camera.allowed') === false],
    ['wifi.allowedSsids', nonEmpty('wifi.allowedSsids')],
    ['wifi.allowUserAddedNetworks', at('wifi.allowUserAddedNetworks') === false],
    ['wifi.networks', nonEmpty('wifi.networks')],
    ['apps.mode', at('apps.mode') !== undefined && at('apps.mode') !== 'open'],
    ['apps.allowInstall', at('apps.allowInstall') === false],
    [
      'screen.autoLockMinutes',
      typeof at('screen.autoLockMinutes') === 'number' &&
        (at('screen.autoLockMinutes') as number) > 0,
    ],
    ['screen.requirePasscode', at('screen.requirePasscode') === true],
    [
      'passcode.minLength',
      typeof at('passcode.minLength') === 'number' && (at('passcode.minLength') as number) > 0,
    ],
    ['passcode.requireMixedCase', at('passcode.requireMixedCase') === true],
    ['passcode.requireNumber', at('passcode.requireNumber') === true],
    ['passcode.requireSymbol', at('passcode.requireSymbol') === true],
    ['removableMedia.allowed', at('removableMedia.allowed') === false],
    ['removableMedia.requireEncryption', at('removableMedia.requireEncryption') === true],
  ];
  return checks.filter(([, restricted]) => restricted).map(([path]) => path);
}

function describeFailure(program: string, error: unknown): string {
  const failure = error as NodeJS.ErrnoException & { code?: string | number; stderr?: string };
  if (failure.code === 'ENOENT') {
    return `${program} is not installed`;
  }
  const stderr = typeof failure.stderr === 'string' ? failure.stderr.trim().split('\n')[0] : '';
  if (stderr) {
    return `${program} failed: ${stderr.slice(0, 200)}`;
  }
  return typeof failure.code === 'number'
    ? `${program} exited with ${failure.code}`
    : `${program} failed`;
}
