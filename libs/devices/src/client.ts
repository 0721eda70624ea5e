// The device side of the /device namespace, shared by the reference agent and the load simulator:
// connects with a fresh proof each time, answers each command once through an Enforcer and a
// CommandJournal, and reports state on connecting and whenever it changes.

import { EventEmitter } from 'node:events';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { normaliseHubUrl } from './enroll';
import type { Enforcer } from './enforcer';
import { MemoryJournal, type CommandJournal } from './journal';
import { makeProof } from './proof';
import { trustAgent, type HubTrust } from './trust';
import {
  COMMAND_ANSWER_STATUSES,
  DEVICE_NAMESPACE,
  UNAUTHORIZED_MESSAGE,
  type CommandAnswer,
  type CommandEnvelope,
  type DeviceState,
  type DeviceToHubEvents,
  type HubToDeviceEvents,
  type StateAck,
} from './protocol';
import { validateCommandAnswer, validateCommandEnvelope } from './validation';

const DEVICE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DETAIL_MAX_LENGTH = 1000;

export interface DeviceClientOptions {
  hubUrl: string;
  deviceId: string;
  /** The device's private key; pass a KeyObject to share one parsed key between clients. */
  privateKeyPem: string | KeyObject;
  enforcer: Enforcer;
  /** Defaults to a MemoryJournal; a real device keeps one that survives restarts. */
  journal?: CommandJournal;
  /** Connect at once (default true), as socket.io-client does. */
  autoConnect?: boolean;
  /** Reconnection backoff: first delay, longest delay and jitter (defaults 1 s, 30 s, 0.5). */
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
  randomizationFactor?: number;
  /**
   * A refused connection (`unauthorized`) is not retried by socket.io-client. Set this to try
   * again after that many milliseconds (a clock put right, a certificate reissued); default never.
   */
  retryUnauthorizedMs?: number;
  /** How long to wait for the hub to acknowledge a `state` event; default 10 s. */
  stateAckTimeoutMs?: number;
  /**
   * For an https:// hub whose certificate Node's built-in roots do not vouch for: the CA to trust
   * as well. One HTTPS agent is shared by every client given the same trust object.
   */
  trust?: HubTrust;
  /** The clock that goes into proofs; defaults to Date.now. */
  now?: () => number;
  /** Anything else for socket.io-client (overrides the defaults above). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

export interface CommandAnswerInfo {
  /** True when the answer came from the journal (or an execution in flight), not a new action. */
  replayed: boolean;
}

/** What a DeviceClient tells the program that runs it. */
export interface DeviceClientEvents {
  connect: [];
  disconnect: [reason: string];
  /** The hub could not be reached, or refused the device (message `unauthorized`). */
  connect_error: [error: Error];
  /** A command was answered (also sent as the acknowledgement, if still connected). */
  command: [command: CommandEnvelope, answer: CommandAnswer, info: CommandAnswerInfo];
  /** A command that did not validate was answered `error`. */
  invalid_command: [received: unknown, answer: CommandAnswer];
  /** State was sent to the hub. */
  state: [state: DeviceState];
  /** The device acknowledged `device.unenroll` and has disconnected for good. */
  unenrolled: [];
  /** Something went wrong that did not stop the client (a journal write, a refused state). */
  warning: [message: string];
}

export function isUnauthorizedError(error: unknown): boolean {
  return error instanceof Error && error.message === UNAUTHORIZED_MESSAGE;
}

export class DeviceClient extends EventEmitter<DeviceClientEvents> {
  readonly deviceId: string;
  readonly hubUrl: string;

  private readonly socket: Socket<HubToDeviceEvents, DeviceToHubEvents>;
  private readonly key: KeyObject;
  private readonly enforcer: Enforcer;
  private readonly journal: CommandJournal;
  private readonly now: () => number;
  private readonly opts: DeviceClientOptions;
  private readonly inFlight = new Map<string, Promise<CommandAnswer>>();
  /** Commands run one at a time, in the order they arrived. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Bumped on every connection, so an answer is never sent on a later connection than its command's. */
  private connection = 0;
  private lastReported: string | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private serverDisconnects = 0;
  private connectedAt = 0;
  private closed = false;
  private unenrolled = false;
  private readonly stopWatchingState: () => void;

  constructor(opts: DeviceClientOptions) {
    super();
    if (!DEVICE_ID_PATTERN.test(opts.deviceId)) {
      throw new RangeError('deviceId must be a UUID');
    }
    this.opts = opts;
    this.deviceId = opts.deviceId;
    this.hubUrl = normaliseHubUrl(opts.hubUrl);
    this.key =
      typeof opts.privateKeyPem === 'string'
        ? createPrivateKey(opts.privateKeyPem)
        : opts.privateKeyPem;
    this.enforcer = opts.enforcer;
    this.journal = opts.journal ?? new MemoryJournal();
    this.now = opts.now ?? Date.now;

    this.socket = io(`${this.hubUrl}${DEVICE_NAMESPACE}`, {
      // Each device is its own connection, never multiplexed with another client in the process.
      forceNew: true,
      autoConnect: false,
      transports: ['websocket'],
      // Messages are small; compression would cost a zlib context per socket (the simulator
      // holds ten thousand). The typings only allow an options object, the runtime takes false.
      perMessageDeflate: false as unknown as { threshold: number },
      reconnection: true,
      reconnectionDelay: opts.reconnectionDelay ?? 1000,
      reconnectionDelayMax: opts.reconnectionDelayMax ?? 30_000,
      randomizationFactor: opts.randomizationFactor ?? 0.5,
      // A function, so that every connection and reconnection carries a fresh, single-use proof.
      auth: (cb) => cb({ proof: makeProof(this.deviceId, this.key, { now: this.now() }) }),
      // engine.io-client hands the agent to ws; its typings know only the browser's boolean.
      ...(opts.trust && this.hubUrl.startsWith('https:')
        ? { agent: trustAgent(opts.trust) as unknown as string }
        : {}),
      ...opts.socketOptions,
    });

    this.socket.on('connect', () => this.onConnect());
    this.socket.on('disconnect', (reason) => this.onDisconnect(reason));
    this.socket.on('connect_error', (error) => this.onConnectError(error));
    this.socket.on('command', (command, ack) => this.onCommand(command, ack));
    this.stopWatchingState = this.enforcer.onStateChange(() => this.reportStateIfChanged());

    if (opts.autoConnect ?? true) {
      this.connect();
    }
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  connect(): void {
    if (this.unenrolled) {
      throw new Error('this device has been unenrolled; enrol it again');
    }
    this.closed = false;
    this.socket.connect();
  }

  /** Disconnects for good (until connect() is called again). */
  close(): void {
    this.closed = true;
    this.clearRetry();
    this.socket.disconnect();
  }

  /** Closes and stops listening to the enforcer; the client cannot be used again. */
  destroy(): void {
    this.close();
    this.stopWatchingState();
    this.removeAllListeners();
  }

  /** Sends the current state now. Returns false when not connected (it is sent on connecting). */
  reportState(): boolean {
    if (!this.socket.connected) {
      return false;
    }
    const state = this.enforcer.currentState();
    this.lastReported = JSON.stringify(state);
    // socket.io's typings do not turn an optional acknowledgement into the (error, answer) form
    // that timeout() calls it with; this is that form.
    const timed = this.socket.timeout(this.opts.stateAckTimeoutMs ?? 10_000) as unknown as {
      emit(
        event: 'state',
        state: DeviceState,
        ack: (error: Error | null, result?: StateAck) => void,
      ): void;
    };
    timed.emit('state', state, (error, result) => {
      if (error) {
        return; // No acknowledgement: the hub may not ask for one; the next change is sent anyway.
      }
      if (result && result.ok === false) {
        this.emit('warning', `the hub refused the state report: ${result.error ?? 'no reason'}`);
      }
    });
    this.emit('state', state);
    return true;
  }

  private reportStateIfChanged(): void {
    if (JSON.stringify(this.enforcer.currentState()) !== this.lastReported) {
      this.reportState();
    }
  }

  private onConnect(): void {
    this.connection += 1;
    this.connectedAt = Date.now();
    this.clearRetry();
    this.emit('connect');
    this.reportState();
  }

  private onDisconnect(reason: string): void {
    this.emit('disconnect', reason);
    // socket.io-client does not reconnect after the server ends the connection, but the hub
    // does that to a device that is too slow to answer (or when it shuts down): come back.
    if (reason === 'io server disconnect' && !this.closed && !this.unenrolled) {
      const lasted = Date.now() - this.connectedAt;
      this.serverDisconnects = lasted > 60_000 ? 1 : this.serverDisconnects + 1;
      this.scheduleRetry(this.backoff(this.serverDisconnects));
    }
  }

  private onConnectError(error: Error): void {
    this.emit('connect_error', error);
    // `active` is false only when the hub refused the connection; otherwise the manager retries.
    const retryMs = this.opts.retryUnauthorizedMs;
    if (!this.socket.active && retryMs !== undefined && !this.closed && !this.unenrolled) {
      this.scheduleRetry(this.jitter(retryMs));
    }
  }

  private onCommand(received: unknown, ack: unknown): void {
    const connection = this.connection;
    const reply = (answer: CommandAnswer) => {
      // An acknowledgement id belongs to one connection; on a newer one it could match another
      // command. The hub delivers unanswered commands again, and the journal answers those.
      if (typeof ack === 'function' && this.socket.connected && connection === this.connection) {
        (ack as (answer: CommandAnswer) => void)(answer);
      }
    };
    void this.answer(received).then(
      ({ command, answer, replayed }) => {
        reply(answer);
        if (!command) {
          this.emit('invalid_command', received, answer);
          return;
        }
        this.emit('command', command, answer, { replayed });
        if (command.type === 'device.unenroll' && answer.status === 'acknowledged' && !replayed) {
          this.finishUnenrolment();
        } else {
          this.reportStateIfChanged();
        }
      },
      (error: unknown) => {
        // Only a journal that cannot be read gets here; say so rather than leave the hub waiting.
        reply({ status: 'error', detail: clip(`the device could not answer: ${String(error)}`) });
      },
    );
  }

  private async answer(
    received: unknown,
  ): Promise<{ command?: CommandEnvelope; answer: CommandAnswer; replayed: boolean }> {
    const rawId = (received as { id?: unknown } | null)?.id;
    const id = typeof rawId === 'string' && rawId.length > 0 ? rawId : undefined;
    const checked = validateCommandEnvelope(received);
    const command = checked.ok ? checked.payload : undefined;

    if (id !== undefined) {
      const journalled = this.journal.get(id);
      if (journalled) {
        return { command, answer: journalled, replayed: true };
      }
      const running = this.inFlight.get(id);
      if (running) {
        return { command, answer: await running, replayed: true };
      }
    }
    if (!checked.ok) {
      const answer: CommandAnswer = { status: 'error', detail: clip(checked.errors.join('; ')) };
      if (id !== undefined) {
        await this.record(id, answer);
      }
      return { answer, replayed: false };
    }

    const valid = checked.payload;
    const run = this.queue.then(() => this.execute(valid));
    this.queue = run.catch(() => undefined);
    this.inFlight.set(valid.id, run);
    try {
      return { command: valid, answer: await run, replayed: false };
    } finally {
      this.inFlight.delete(valid.id);
    }
  }

  private async execute(command: CommandEnvelope): Promise<CommandAnswer> {
    let answer: CommandAnswer;
    try {
      answer = checkAnswer(await this.enforcer.execute(command), command.type);
    } catch (error) {
      answer = {
        status: 'error',
        detail: clip(error instanceof Error ? error.message : String(error)),
      };
    }
    // `not_now` is not final: the hub sends the command again later and it must be tried again.
    if (answer.status !== 'not_now') {
      await this.record(command.id, answer);
    }
    return answer;
  }

  private async record(id: string, answer: CommandAnswer): Promise<void> {
    try {
      await this.journal.record(id, answer);
    } catch (error) {
      this.emit('warning', `could not journal command ${id}: ${String(error)}`);
    }
  }

  private finishUnenrolment(): void {
    this.unenrolled = true;
    this.clearRetry();
    // Let the acknowledgement go out before the disconnect packet.
    setImmediate(() => {
      this.closed = true;
      this.socket.disconnect();
      this.emit('unenrolled');
    });
  }

  private scheduleRetry(delayMs: number): void {
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed && !this.unenrolled && !this.socket.connected) {
        this.socket.connect();
      }
    }, delayMs);
  }

  private clearRetry(): void {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
  }

  private backoff(attempt: number): number {
    const base = this.opts.reconnectionDelay ?? 1000;
    const max = this.opts.reconnectionDelayMax ?? 30_000;
    return Math.min(max, this.jitter(base * 2 ** Math.min(attempt - 1, 16)));
  }

  private jitter(ms: number): number {
    const factor = this.opts.randomizationFactor ?? 0.5;
    return Math.max(0, Math.round(ms * (1 + factor * (2 * Math.random() - 1))));
  }
}

function checkAnswer(answer: CommandAnswer, type: CommandEnvelope['type']): CommandAnswer {
  if (!answer || !(COMMAND_ANSWER_STATUSES as readonly string[]).includes(answer.status)) {
    return { status: 'error', detail: 'the device gave no valid answer' };
  }
  const checked: CommandAnswer =
    typeof answer.detail === 'string'
      ? { status: answer.status, detail: clip(answer.detail) }
      : { status: answer.status };
  // Protocol 1.1: the settings an applied policy could not enforce travel with the answer, and
  // only there; an enforcer's list that breaks the protocol's rules is the enforcer's fault.
  if (answer.unenforced !== undefined && type === 'policy.apply') {
    const list = validateCommandAnswer({ status: answer.status, unenforced: answer.unenforced });
    if (!list.ok) {
      return {
        status: 'error',
        detail: clip(`the device gave no valid answer: ${list.errors[0]}`),
      };
    }
    checked.unenforced = [...answer.unenforced];
  }
  return checked;
}

function clip(text: string): string {
  return text.length > DETAIL_MAX_LENGTH ? `${text.slice(0, DETAIL_MAX_LENGTH - 1)}…` : text;
}
