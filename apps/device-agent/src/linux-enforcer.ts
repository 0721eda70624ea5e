// Carries out commands on a Linux desktop or netbook: locks the session through systemd-logind,
// shows messages with notify-send, and applies the policy through its enforcers (./enforcers:
// screen lock, Wi-Fi, removable media, camera), answering honestly with every setting it could
// not enforce (protocol 1.1 `unenforced`). Run as root through its systemd unit to enforce any.

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
import {
  PLATFORM_SUPPORT,
  PolicyValidationError,
  SETTING_PATHS,
  settingRestricts,
  validateSettings,
  type PolicySettings,
} from '@app/policy';
import { AGENT_VERSION, POLICY_FILE, writePrivateFile } from './agent-state';
import { LINUX_SETTING_ENFORCERS, type SettingEnforcer, type Unenforced } from './enforcers';
import {
  describeFailure,
  execFileRunner,
  RootedSystemWriter,
  type CommandRunner,
  type SystemWriter,
} from './system-writer';

export { execFileRunner, type CommandRunner } from './system-writer';

/** Why a setting no enforcer claims is reported: PLATFORM_SUPPORT says the agent cannot. */
export const NO_LINUX_ENFORCER = 'the Linux agent cannot enforce it';

/** The longest `detail` the agent sends with an answer; the hub keeps 500 characters. */
const DETAIL_MAX = 500;

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
  /** How the policy's enforcers change the system; the real one (as this user) by default. */
  system?: SystemWriter;
  /** The policy's enforcers; LINUX_SETTING_ENFORCERS by default. */
  enforcers?: readonly SettingEnforcer[];
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
  private readonly system: SystemWriter;
  private readonly enforcers: readonly SettingEnforcer[];

  private constructor(private readonly opts: LinuxDesktopEnforcerOptions) {
    this.run = opts.run ?? execFileRunner;
    this.system = opts.system ?? new RootedSystemWriter({ run: this.run });
    this.enforcers = opts.enforcers ?? LINUX_SETTING_ENFORCERS;
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
        // The school's rules go with the school's enrolment.
        for (const enforcer of this.enforcers) {
          await enforcer.remove(this.system).catch(() => undefined);
        }
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
      // One look at a time: a look that outlasts the interval (a slow loginctl) would otherwise
      // overlap the next, and both would report the one change they saw.
      if (this.looking) {
        return;
      }
      this.looking = true;
      const before = { locked: this.locked, battery: this.battery, charging: this.charging };
      void this.refresh()
        .then(() => {
          const batteryMoved =
            before.battery !== undefined &&
            this.battery !== undefined &&
            Math.abs(before.battery - this.battery) >= 5;
          if (before.locked !== this.locked || before.charging !== this.charging || batteryMoved) {
            this.listeners.notify();
          }
        })
        .finally(() => {
          this.looking = false;
        });
    }, intervalMs);
    this.watchTimer.unref();
  }

  private looking = false;

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

  /**
   * Saves the policy, has each enforcer put its settings into effect, and answers with every
   * setting that asks for something and is not enforced (protocol 1.1 `unenforced`): those no
   * enforcer claims (PLATFORM_SUPPORT says a Linux desktop cannot), and those an enforcer could
   * not enforce this time (not root, a tool missing, a program failing). The detail says why.
   */
  private async applyPolicy(payload: PolicyApplyPayload): Promise<CommandAnswer> {
    let settings: PolicySettings;
    try {
      settings = validateSettings(payload.settings);
    } catch (error) {
      if (error instanceof PolicyValidationError) {
        return { status: 'error', detail: `the policy is not valid: ${error.message}` };
      }
      throw error;
    }
    const stored: StoredPolicy = { ...payload, appliedAt: new Date().toISOString() };
    await writePrivateFile(
      join(this.opts.stateDir, POLICY_FILE),
      `${JSON.stringify(stored, null, 2)}\n`,
    );
    this.policyVersion = payload.policyVersion;

    const unenforced: Unenforced[] = [];
    for (const enforcer of this.enforcers) {
      try {
        unenforced.push(...(await enforcer.apply(settings, this.system)));
      } catch (error) {
        // A file that could not be written: none of its settings holds for certain.
        const reason = `could not write its configuration: ${describeWriteFailure(error)}`;
        unenforced.push(
          ...enforcer.settings
            .filter((path) => settingRestricts(path, settings))
            .map((path) => ({ path, reason })),
        );
      }
    }
    const claimed = new Set(this.enforcers.flatMap((enforcer) => enforcer.settings));
    for (const path of SETTING_PATHS) {
      if (
        !claimed.has(path) &&
        PLATFORM_SUPPORT[path].linux.support !== 'n/a' &&
        settingRestricts(path, settings)
      ) {
        unenforced.push({ path, reason: NO_LINUX_ENFORCER });
      }
    }
    if (unenforced.length === 0) {
      return { status: 'acknowledged' };
    }
    const ordered = SETTING_PATHS.filter((path) => unenforced.some((u) => u.path === path));
    return {
      status: 'acknowledged',
      unenforced: ordered,
      detail: clip(`not enforced: ${describeUnenforced(unenforced)}`, DETAIL_MAX),
    };
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

/** `a, b (reason); c (other reason)`: the settings grouped by why, in the order first seen. */
export function describeUnenforced(unenforced: readonly Unenforced[]): string {
  const byReason = new Map<string, string[]>();
  for (const { path, reason } of unenforced) {
    byReason.set(reason, [...(byReason.get(reason) ?? []), path]);
  }
  return [...byReason].map(([reason, paths]) => `${paths.join(', ')} (${reason})`).join('; ');
}

function describeWriteFailure(error: unknown): string {
  const failure = error as NodeJS.ErrnoException;
  return failure.code ? `${failure.code} ${failure.path ?? ''}`.trim() : String(error);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
