// What a device does with a command: the Enforcer interface a platform implements, and the
// in-memory SimulatedEnforcer used by the load simulator and tests.

import type {
  CommandAnswer,
  CommandEnvelope,
  CommandType,
  DeviceState,
  MessageShowPayload,
} from './protocol';

export interface Enforcer {
  /**
   * Carries out one command whose payload has already been validated. May answer `not_now`;
   * a thrown error becomes an `error` answer.
   */
  execute(command: CommandEnvelope): Promise<CommandAnswer>;
  /** The state to report to the hub now. */
  currentState(): DeviceState;
  /**
   * Calls `listener` when the state changes on the device itself (a user unlocked, the battery
   * ran down), so that the change is reported. Returns a function that removes the listener.
   */
  onStateChange(listener: () => void): () => void;
}

/** A small listener set for Enforcer implementations. */
export class StateChangeListeners {
  private readonly listeners = new Set<() => void>();

  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of [...this.listeners]) {
      listener();
    }
  }
}

export interface SimulatedEnforcerOptions {
  /** State to start from; unlocked, no single app, no policy by default. */
  initialState?: Partial<DeviceState>;
  /** How long each action takes, to model a slow device. */
  actionDelayMs?: number;
  /**
   * How many commands `executed` and `declined` keep (the newest). The load simulator keeps few,
   * so that ten thousand devices do not hold every command ever sent.
   */
  historyLimit?: number;
  /** Settings every `policy.apply` is acknowledged as not enforcing (see `unenforcedSettings`). */
  unenforcedSettings?: string[];
}

/** A device that does what it is told in memory, with knobs for tests. */
export class SimulatedEnforcer implements Enforcer {
  /** Command types answered `not_now` (without acting). */
  readonly notNowTypes = new Set<CommandType>();
  /** Command types answered `error` with the given detail (after trying). */
  readonly failTypes = new Map<CommandType, string>();
  /** Commands this device acted on, answered `acknowledged` or `error`, oldest first. */
  readonly executed: CommandEnvelope[] = [];
  /** Commands answered `not_now`. */
  readonly declined: CommandEnvelope[] = [];
  /** Counts that keep going when the history is trimmed. */
  executedCount = 0;
  declinedCount = 0;
  /** Messages shown to the user, newest last (bounded like the history). */
  readonly messages: MessageShowPayload[] = [];
  /**
   * Settings a `policy.apply` is acknowledged as not enforcing (protocol 1.1 `unenforced`), as a
   * device on a platform that cannot hold them would answer; null answers without a list.
   */
  unenforcedSettings: string[] | null = null;
  /** The last policy's settings. */
  settings: object | null = null;
  lockMessage: string | null = null;
  unenrolled = false;
  actionDelayMs: number;

  private state: DeviceState;
  private readonly historyLimit: number;
  private readonly listeners = new StateChangeListeners();

  constructor(opts: SimulatedEnforcerOptions = {}) {
    this.state = { locked: false, appLock: null, policyVersion: null, ...opts.initialState };
    this.actionDelayMs = opts.actionDelayMs ?? 0;
    this.historyLimit = opts.historyLimit ?? Number.POSITIVE_INFINITY;
    this.unenforcedSettings = opts.unenforcedSettings ? [...opts.unenforcedSettings] : null;
  }

  async execute(command: CommandEnvelope): Promise<CommandAnswer> {
    if (this.actionDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.actionDelayMs));
    }
    if (this.notNowTypes.has(command.type)) {
      this.remember(this.declined, command);
      this.declinedCount += 1;
      return { status: 'not_now', detail: `simulated: cannot ${command.type} now` };
    }
    this.remember(this.executed, command);
    this.executedCount += 1;
    const failure = this.failTypes.get(command.type);
    if (failure !== undefined) {
      return { status: 'error', detail: failure };
    }
    switch (command.type) {
      case 'device.lock':
        this.state.locked = true;
        this.lockMessage = command.payload.message ?? null;
        break;
      case 'device.unlock':
        this.state.locked = false;
        this.lockMessage = null;
        break;
      case 'app.lock':
        this.state.appLock = command.payload.appId;
        break;
      case 'app.unlock':
        this.state.appLock = null;
        break;
      case 'policy.apply':
        this.settings = command.payload.settings;
        this.state.policyVersion = command.payload.policyVersion;
        if (this.unenforcedSettings) {
          return { status: 'acknowledged', unenforced: [...this.unenforcedSettings] };
        }
        break;
      case 'message.show':
        this.remember(this.messages, command.payload);
        break;
      case 'photos.sync':
        if (this.state.pendingPhotos !== undefined) {
          this.state.pendingPhotos = 0;
        }
        break;
      case 'device.unenroll':
        this.unenrolled = true;
        this.settings = null;
        this.lockMessage = null;
        this.state = { ...this.state, locked: false, appLock: null, policyVersion: null };
        break;
    }
    return { status: 'acknowledged' };
  }

  currentState(): DeviceState {
    return { ...this.state };
  }

  onStateChange(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** The user got past the lock screen (or the lock was lost): report it. */
  simulateUserUnlock(): void {
    this.simulateLocalChange({ locked: false });
  }

  /** Something changed on the device by itself: battery, network, photos taken... */
  simulateLocalChange(patch: Partial<DeviceState>): void {
    this.state = { ...this.state, ...patch };
    this.listeners.notify();
  }

  private remember<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > this.historyLimit) {
      list.splice(0, list.length - this.historyLimit);
    }
  }
}
