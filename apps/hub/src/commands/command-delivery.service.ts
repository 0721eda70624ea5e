// Delivers the durable queue to connected devices (protocol section 3): oldest first, one at a
// time per device, the next only when the previous is answered. `not_now` is tried again no
// sooner than the retry interval; no answer within the timeout drops the connection so the
// device reconnects and gets the command again; an expired command is never sent.
// Across the hubs of a cluster (issue 10) a command is sent by one hub only: the hub claims it in
// the same conditional write that marks it sent, and another hub that sees the same device
// connect (its old socket on one hub, its new one on the other) finds it claimed and tries again
// shortly. A claim ends with the answer, when the connection goes, or, if its hub died, when it
// runs out; the command is then sent again and the device answers it from its journal.
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { CommandEnvelope, toPlainText, validateCommandAnswer } from '@app/devices';
import { deviceActor, deviceTarget } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { HubEventMap, HubEvents } from '../common/hub-events';
import { TickCollector } from '../common/tick-collector';
import { groupBy } from '../common/group-by';
import { HubInstance } from '../common/hub-instance';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { BatchWriter } from '../database/batch-writer';
import { ScheduledWorkLease } from '../database/scheduled-work-lease';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { DeviceConnections } from '../devices/device-connections';
import { DevicesRepository } from '../devices/devices.repository';
import { DeliverableCommand, HUB_ONLY_COMMANDS, replacedBy } from './command.entity';
import { CommandsRepository } from './commands.repository';
import { DesiredStateRepository } from './desired-state.repository';
import { DeliveryLanes } from './delivery-lanes';
import { parsedPayload } from './parsed-payloads';

/**
 * An audit entry about one device, by the device itself (its answer) or by the hub: written once
 * the names of all the batch's devices are read in one query (issue 9).
 */
interface DeviceAuditEntry {
  deviceId: string;
  by: 'device' | 'system';
  action: string;
  detail: Record<string, unknown>;
}

const SWEEP_MS = 1000;
const EXPIRE_BATCH = 1000;
/** Open commands fetched per query while delivering to one device. */
const DELIVERY_BATCH = 20;
/**
 * How long a claim outlasts the answer's timeout: the wait for the answer starts once the claim
 * is committed, which in a reconnect storm can be seconds later. Past it, another hub may send
 * the command again (issue 10).
 */
const CLAIM_MARGIN_MS = 15_000;
/**
 * Claims in one transaction, at most, urgent or not: a policy change reaching 5,000 devices is
 * claimed in two or three transactions, not twenty (bench:policy, docs/decisions.md).
 */
const CLAIM_BATCH = 2500;
/** How soon to try again a device whose next command another hub has claimed. */
const CLAIM_RETRY_MS = 1000;
/**
 * A wake of at most this many devices (a class, a trip's kit, one device) is urgent: its sends
 * and writes go ahead of a larger fan-out's (a policy change, a reconnect storm), which shares
 * the event loop a slice at a time (issue 12, delivery-lanes.ts).
 */
export const URGENT_WAKE_MAX = 200;

type DeliveryWrite =
  | {
      kind: 'sent';
      command: DeliverableCommand;
      at: Date;
      /** Set by the write when the command was still open and is now claimed and marked sent. */
      claimed: boolean;
      /** Set by the write when the command is still open but another hub has claimed it. */
      heldElsewhere: boolean;
    }
  | {
      kind: 'answer';
      command: DeliverableCommand;
      at: Date;
      answer: ParsedAnswer;
      nextAttemptAt: Date | null;
    };

/**
 * A device's answer as it was recorded, for a write made in the same transaction (see
 * `CommandDeliveryService.onAnswersRecorded`): what `command.answered` says once it is committed.
 */
export type RecordedAnswer = HubEventMap['command.answered'];

/** A write that goes with recorded answers: runs inside the answers' own transaction. */
export type AnswersWriter = (tx: Tx, answers: readonly RecordedAnswer[]) => Promise<void>;

interface ParsedAnswer {
  status: 'acknowledged' | 'error' | 'not_now';
  detail: string | null;
  /** Protocol 1.1: what an acknowledged `policy.apply` could not enforce; null when not sent. */
  unenforced: string[] | null;
}

/**
 * Reads a device's answer to a command of type `type`; null when it is not in the protocol.
 * An `unenforced` list counts only on a `policy.apply` (protocol 1.1, section 3) and must keep
 * the protocol's rules (libs/devices validateCommandAnswer); on another command it is ignored.
 */
export function parseAnswer(answer: unknown, type: string): ParsedAnswer | null {
  if (!answer || typeof answer !== 'object') {
    return null;
  }
  const { status, detail, unenforced } = answer as {
    status?: unknown;
    detail?: unknown;
    unenforced?: unknown;
  };
  if (detail !== undefined && typeof detail !== 'string') {
    return null;
  }
  // Kept and shown to staff (and exported to CSV, and stored where PostgreSQL refuses U+0000):
  // made plain text first, never a reason to lose the answer itself (issue 8 item 17). Then the
  // whole answer meets the protocol's own schema, the one /api/docs/asyncapi.json publishes.
  // `unenforced` belongs only to a policy.apply answer (protocol 1.1, section 3); on any other
  // command it is ignored.
  const plain = detail ? toPlainText(detail, 500) : '';
  const checked = validateCommandAnswer({
    status,
    ...(plain === '' ? {} : { detail: plain }),
    ...(unenforced !== undefined && type === 'policy.apply' ? { unenforced } : {}),
  });
  if (!checked.ok) {
    return null;
  }
  return {
    status: checked.payload.status,
    detail: checked.payload.detail ?? null,
    unenforced: checked.payload.unenforced ?? null,
  };
}

export function toEnvelope(command: DeliverableCommand): CommandEnvelope {
  return {
    id: command.id,
    type: command.type,
    payload: parsedPayload(command.payload) as Record<string, unknown>,
    issuedAt: command.issuedAt.toISOString(),
    ...(command.expiresAt ? { expiresAt: command.expiresAt.toISOString() } : {}),
  } as CommandEnvelope;
}

@Injectable()
export class CommandDeliveryService
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(CommandDeliveryService.name);
  private readonly delivering = new Set<string>();
  /** Devices woken while being served, and whether any of those wakes was urgent. */
  private readonly wakeAgain = new Map<string, boolean>();
  private readonly lanes = new DeliveryLanes();
  /** Devices with a `not_now` command, and when it may be tried again. */
  private readonly retryAt = new Map<string, number>();
  /** Devices that connected in this tick: woken with one query (a reconnect storm). */
  private readonly connectedThisTick = new TickCollector<string, boolean>(
    () => true,
    (items) => {
      const ids = [...items.keys()];
      this.wakeMany(ids).catch((error: unknown) =>
        this.logger.error(`Delivery on connect failed: ${String(error)}`),
      );
      this.noteRetries(ids).catch((error: unknown) =>
        this.logger.error(`Retry times not read: ${String(error)}`),
      );
    },
  );
  /**
   * Devices whose commands were queued in this tick, and whether any of those was urgent:
   * delivered with one read (issue 12: the actions of a hundred classes commit together and
   * announce their commands one class at a time). Each announcement keeps its own urgency: a
   * class's thirty commands stay urgent when queued beside a hundred other classes'.
   */
  private readonly queuedThisTick = new TickCollector<string, boolean>(
    (before, added) => before || added,
    (items) => {
      for (const urgent of [true, false]) {
        const ids = [...items].filter(([, isUrgent]) => isUrgent === urgent).map(([id]) => id);
        if (ids.length > 0) {
          this.wakeMany(ids, urgent).catch((error: unknown) =>
            this.logger.error(`Delivery of queued commands failed: ${String(error)}`),
          );
        }
      }
    },
  );
  private sweepTimer: NodeJS.Timeout | null = null;
  private lastExpirySweep = 0;
  private stopped = false;
  /** Answers, batched (see the constructor). */
  private readonly writes: BatchWriter<DeliveryWrite>;
  /** Claims (a command marked sent before it is sent), batched apart from the answers. */
  private readonly claims: BatchWriter<DeliveryWrite>;
  /** Per device, the write of the last answer it gave that may not be committed yet. */
  private readonly answerWrites = new Map<string, Promise<void>>();
  private readonly answersWriters: AnswersWriter[] = [];
  /**
   * Per device served here, when the latest answer to each command type arrived (SendOutcome's
   * `receivedMark`): `answeredSince` tells a state report sent before such an answer. A few
   * numbers per device of the school; kept across reconnections, as a report of a connection
   * that has gone may still be waiting to be judged.
   */
  private readonly answerMarks = new Map<string, Map<string, number>>();

  constructor(
    private readonly commands: CommandsRepository,
    private readonly desired: DesiredStateRepository,
    private readonly connections: DeviceConnections,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly events: HubEvents,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly devices: DevicesRepository,
    private readonly instance: HubInstance,
    private readonly lease: ScheduledWorkLease,
  ) {
    // Sends and answers from many devices share transactions. Losing an unflushed answer in a
    // crash is safe: the command is still open, is sent again, and the device answers it again
    // from its journal without acting twice.
    this.writes = new BatchWriter(tx, (t, items) => this.writeDeliveries(t, items));
    // The sends of a fan-out wait for their claims, so the claims never queue behind the
    // answers of devices already served, and go more to a batch: a claim is one row of one
    // conditional statement per 1,000 (claimAndMarkSent), about 8 ms of SQLite work per 1,000
    // here (2,500 in 19-22 ms with the event loop free). A device's answer is written only after its claim is committed (the send waits for
    // it), so the two writers never reorder one command's writes.
    this.claims = new BatchWriter(
      tx,
      (t, items) => this.writeDeliveries(t, items),
      CLAIM_BATCH,
      CLAIM_BATCH,
    );
  }

  onModuleInit(): void {
    this.events.on('device.connected', ({ deviceId }) =>
      this.connectedThisTick.add(deviceId, true),
    );
    this.events.on('commands.queued', ({ deviceIds }) => {
      const urgent = deviceIds.length <= URGENT_WAKE_MAX;
      for (const deviceId of deviceIds) {
        this.queuedThisTick.add(deviceId, urgent);
      }
    });
    this.events.on('device.disconnected', ({ deviceId }) => {
      this.retryAt.delete(deviceId);
    });
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  /**
   * A hub outside a cluster (no HUB_REDIS: SQLite, or PostgreSQL on its own) is the only hub
   * its database has: claims left by its earlier run (a crash) are stale, and are given up at
   * once rather than when they run out, 45 s later. In a cluster another hub's claims may be
   * live, so a crashed hub's claims run out by themselves.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.cluster) {
      await this.tx.run((tx) => this.commands.releaseAllClaims(tx, null));
    }
  }

  /** Stops sending, and gives up this hub's claims so that other hubs may send those commands. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    try {
      await this.tx.run((tx) => this.commands.releaseAllClaims(tx, this.instance.id));
    } catch (error) {
      // They run out by themselves.
      this.logger.warn(`Could not give up command claims: ${String(error)}`);
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.sweepTimer) {
      clearInterval(this.sweepTimer);
    }
  }

  /**
   * Wakes many devices with one query for all their open commands, rather than one each: a
   * class lock or a policy change reaches its devices without a read per device.
   * @param urgent whether to send at once (default: when at most 200 devices are woken)
   */
  async wakeMany(
    deviceIds: readonly string[],
    urgent = deviceIds.length <= URGENT_WAKE_MAX,
  ): Promise<void> {
    const idle: string[] = [];
    for (const deviceId of deviceIds) {
      if (this.delivering.has(deviceId)) {
        this.wakeAgain.set(deviceId, urgent || (this.wakeAgain.get(deviceId) ?? false));
      } else if (this.connections.isConnected(deviceId)) {
        idle.push(deviceId);
      }
    }
    if (idle.length === 0 || this.stopped) {
      return;
    }
    for (const deviceId of idle) {
      this.delivering.add(deviceId);
    }
    let prefetched: Map<string, DeliverableCommand[]>;
    try {
      prefetched = await this.commands.findDeliverableForDevices(idle, this.clock.now());
    } catch (error) {
      idle.forEach((deviceId) => {
        this.delivering.delete(deviceId);
        // Served again shortly, not left waiting for their next connection.
        this.retryClaimSoon(deviceId);
      });
      throw error;
    }
    for (const deviceId of idle) {
      this.runDelivery(deviceId, prefetched.get(deviceId) ?? [], urgent);
    }
  }

  /**
   * Starts delivering to a device if it is connected here and not already being served.
   * @param urgent false when many devices are woken this way at once (the retry sweep).
   */
  wake(deviceId: string, urgent = true): void {
    if (this.stopped || !this.connections.isConnected(deviceId)) {
      return;
    }
    if (this.delivering.has(deviceId)) {
      this.wakeAgain.set(deviceId, urgent || (this.wakeAgain.get(deviceId) ?? false));
      return;
    }
    this.delivering.add(deviceId);
    this.runDelivery(deviceId, null, urgent);
  }

  /** Delivers to a device already marked as being served, then serves it again if woken meanwhile. */
  private runDelivery(
    deviceId: string,
    prefetched: DeliverableCommand[] | null,
    urgent: boolean,
  ): void {
    this.deliver(deviceId, prefetched, urgent)
      .catch((error: unknown) => {
        // A claim or answer batch that failed (a database error) fails the deliveries of every
        // device in it, up to CLAIM_BATCH: each is served again shortly rather than when it next
        // reconnects. Its command is still open (a claim rolled back) or still claimed by this
        // hub (an answer rolled back), so it is sent again and answered from the journal.
        this.logger.error(`Delivery to a device failed: ${String(error)}`);
        this.retryClaimSoon(deviceId);
      })
      .finally(() => {
        this.delivering.delete(deviceId);
        const again = this.wakeAgain.get(deviceId);
        if (again !== undefined) {
          this.wakeAgain.delete(deviceId);
          this.wake(deviceId, again);
        }
      });
  }

  /**
   * Sends a device its open commands, oldest first, one at a time. An urgent delivery's writes
   * and sends go ahead of a bulk one's; a bulk delivery sends in its lane's turn.
   */
  private async deliver(
    deviceId: string,
    prefetched: DeliverableCommand[] | null,
    urgent: boolean,
  ): Promise<void> {
    for (let first = true; ; first = false) {
      if (!this.connections.isConnected(deviceId) || this.stopped) {
        return;
      }
      const batch =
        first && prefetched
          ? prefetched
          : await this.commands.findDeliverable(deviceId, this.clock.now(), DELIVERY_BATCH);
      for (const command of batch) {
        const socket = this.connections.get(deviceId);
        if (!socket || this.stopped) {
          return;
        }
        const now = this.clock.now();
        if (command.expiresAt && command.expiresAt <= now) {
          // Never sent past its expiry. A command sent before on a connection that is gone
          // expires here too: nobody is waiting for its answer any more.
          await this.expire([command.id], false);
          continue;
        }
        // Marked sent before it is sent, under the condition that it is still open: a command
        // retired since it was fetched (a newer lock or unlock, an expiry, a cancellation) is
        // not sent (issue 8 item 8). Writes of many devices share a transaction.
        const claim: DeliveryWrite = {
          kind: 'sent',
          command,
          at: now,
          claimed: false,
          heldElsewhere: false,
        };
        await this.claims.add(claim, urgent);
        if (claim.heldElsewhere) {
          // Another hub sent it and waits for its answer (the device is connected there too,
          // or was). Tried again shortly; never a later command before it.
          this.retryClaimSoon(deviceId);
          return;
        }
        if (!claim.claimed) {
          continue;
        }
        this.events.emit('command.updated', {
          commandId: command.id,
          deviceId,
          type: command.type,
          status: 'sent',
        });
        await this.lanes.turn(urgent);
        if (command.expiresAt && command.expiresAt <= this.clock.now()) {
          // Its expiry passed while its claim was written or it waited for its turn: never
          // sent past it (protocol section 3). Claimed by this hub and not sent, so it is
          // expired here, sent or not, as on a connection that is gone.
          await this.expire([command.id], false);
          continue;
        }
        const sent = await this.connections.sendCommand(
          socket,
          toEnvelope(command),
          this.config.commands.ackTimeoutMs,
        );
        if (sent.outcome === 'gone') {
          // Still open: delivered again on the next connection, on whichever hub.
          await this.releaseClaim(command);
          return;
        }
        if (sent.outcome === 'timeout') {
          this.logger.warn(
            `A device did not answer command ${command.id} in time; dropping its connection`,
          );
          socket.disconnect(true);
          await this.releaseClaim(command);
          return;
        }
        this.noteAnswerMark(deviceId, command.type, sent.receivedMark);
        await this.recordAnswer(deviceId, command, sent.answer, urgent);
      }
      // A prefetch or a short batch was everything open; a command queued since wakes the
      // device again.
      if ((first && prefetched) || batch.length < DELIVERY_BATCH) {
        return;
      }
    }
  }

  /**
   * Registers a write to make with every batch of answers, in the same transaction, for the
   * answers that batch recorded (not a late or repeated answer to a command already final):
   * what an answer means elsewhere (a policy's compliance) is committed with the answer itself,
   * so a state report that follows the answer (and waits for `answersWritten`) finds it done.
   * A writer that throws rolls the whole batch back; its devices answer again on resend.
   */
  onAnswersRecorded(writer: AnswersWriter): void {
    this.answersWriters.push(writer);
  }

  /** Wakes a device again soon, when its next command is claimed by another hub. */
  private retryClaimSoon(deviceId: string): void {
    const at = this.clock.nowMs() + CLAIM_RETRY_MS;
    this.retryAt.set(deviceId, Math.min(this.retryAt.get(deviceId) ?? Infinity, at));
  }

  /**
   * Gives up this hub's claim on a command whose connection is gone, and wakes the device on
   * every hub (a cluster event): the hub it has reconnected to sends the command at once rather
   * than when the claim runs out. Awaited before the device's delivery ends: a device that has
   * reconnected here is served again only then, so the release (on PostgreSQL a transaction of
   * its own, beside the claims') never lands after the new claim and erases it, leaving the
   * command sent with no claim for another hub to send as well. Never rejects.
   */
  private releaseClaim(command: DeliverableCommand): Promise<void> {
    return this.tx
      .run((tx) => this.commands.releaseClaims(tx, [command.id], this.instance.id))
      .then(() => {
        this.events.emit('commands.queued', { deviceIds: [command.deviceId] });
      })
      .catch((error: unknown) =>
        // It runs out by itself.
        this.logger.warn(`Could not give up a command claim: ${String(error)}`),
      );
  }

  /**
   * Whether the device answered a command of one of `types` on this hub after `mark` (a
   * `device.state` report's `receivedMark`): a report that arrived before that answer shows the
   * device as it was before it acted on the command, and judged after the answer (which no longer
   * counts as open) it would ask for the same again. The device reports again once it has acted
   * (protocol section 3: whenever its state changes), and that report is judged instead. The
   * device's answers and reports come on one socket, so on the hub that holds it their marks
   * are in the order the device sent them.
   *
   * @param mark `performance.now()` of this process, in ms
   */
  answeredSince(deviceId: string, types: readonly string[], mark: number): boolean {
    const marks = this.answerMarks.get(deviceId);
    return marks !== undefined && types.some((type) => (marks.get(type) ?? -Infinity) > mark);
  }

  private noteAnswerMark(deviceId: string, type: string, mark: number): void {
    let marks = this.answerMarks.get(deviceId);
    if (!marks) {
      marks = new Map();
      this.answerMarks.set(deviceId, marks);
    }
    marks.set(type, Math.max(marks.get(type) ?? -Infinity, mark));
  }

  /**
   * Settles once every answer this device has given so far is committed (or failed to be).
   * A device's answers and state reports arrive in order, but answers are written in batches:
   * a report that follows an answer waits here, so that it is judged against the command as
   * answered, not as still open. On SQLite the transaction queue keeps that order already; on
   * PostgreSQL transactions run side by side (issue 10).
   */
  answersWritten(deviceId: string): Promise<void> {
    return this.answerWrites.get(deviceId) ?? Promise.resolve();
  }

  private async recordAnswer(
    deviceId: string,
    command: DeliverableCommand,
    raw: unknown,
    urgent: boolean,
  ): Promise<void> {
    const answer = parseAnswer(raw, command.type) ?? {
      status: 'error' as const,
      detail: 'The device gave an answer that is not in the protocol',
      unenforced: null,
    };
    const now = this.clock.now();
    const nextAttemptAt =
      answer.status === 'not_now'
        ? new Date(now.getTime() + this.config.commands.notNowRetryMs)
        : null;
    const written = this.writes.add(
      { kind: 'answer', command, at: now, answer, nextAttemptAt },
      urgent,
    );
    const settled = written.then(
      () => undefined,
      () => undefined,
    );
    this.answerWrites.set(deviceId, settled);
    void settled.then(() => {
      if (this.answerWrites.get(deviceId) === settled) {
        this.answerWrites.delete(deviceId);
      }
    });
    await written;
    if (nextAttemptAt) {
      const known = this.retryAt.get(deviceId);
      this.retryAt.set(deviceId, Math.min(known ?? Infinity, nextAttemptAt.getTime()));
    }
    this.events.emit('command.answered', {
      deviceId,
      commandId: command.id,
      type: command.type,
      payload: command.payload,
      status: answer.status,
      detail: answer.detail,
      unenforced: answer.unenforced,
    });
  }

  /**
   * One batch of sends and answers: a statement per kind of write, not per command. Times are
   * the latest in the batch (a batch spans milliseconds), so commands group by what they say;
   * for `not_now` that only makes the retry a little later, which the protocol allows.
   */
  private async writeDeliveries(tx: Tx, items: DeliveryWrite[]): Promise<void> {
    const sent = items.filter(
      (item): item is Extract<DeliveryWrite, { kind: 'sent' }> => item.kind === 'sent',
    );
    const answers = items.filter(
      (item): item is Extract<DeliveryWrite, { kind: 'answer' }> => item.kind === 'answer',
    );
    const latest = (dates: Date[]) => new Date(Math.max(...dates.map((date) => date.getTime())));
    // Sends first: a command's `sent` always comes before its answer.
    if (sent.length > 0) {
      const at = latest(sent.map((item) => item.at));
      const claimed = await this.commands.claimAndMarkSent(
        tx,
        sent.map((item) => item.command.id),
        at,
        {
          hub: this.instance.id,
          until: new Date(at.getTime() + this.config.commands.ackTimeoutMs + CLAIM_MARGIN_MS),
        },
      );
      const marked = new Set(claimed.sent);
      const held = new Set(claimed.heldElsewhere);
      for (const item of sent) {
        item.claimed = marked.has(item.command.id);
        item.heldElsewhere = held.has(item.command.id);
      }
    }
    const notNow = answers.filter((item) => item.answer.status === 'not_now');
    if (notNow.length > 0) {
      // A `not_now` is retired below when a newer lock, unlock or policy replaces it. Those are
      // issued with their devices' rows locked (then the open ones they replace retired): on
      // PostgreSQL, where the two transactions run side by side, an issue in flight would not
      // see this command as `not_now` yet and leave it, and this one would not see the newer
      // command yet, and the retry would overtake it (a lock after its unlock). Taking the same
      // row locks first makes one of the two wait for the other. SQLite runs them in turn.
      await this.desired.readForUpdate(tx, [
        ...new Set(notNow.map((item) => item.command.deviceId)),
      ]);
    }
    const groups = groupBy(answers, (item) =>
      JSON.stringify([item.answer.status, item.answer.detail]),
    );
    const audit: DeviceAuditEntry[] = [];
    const recordedAnswers: RecordedAnswer[] = [];
    for (const group of groups.values()) {
      const { answer } = group[0];
      const retries = group.flatMap((item) => (item.nextAttemptAt ? [item.nextAttemptAt] : []));
      const recorded = new Set(
        await this.commands.recordAnswers(
          tx,
          group.map((item) => item.command.id),
          {
            status: answer.status,
            answeredAt: latest(group.map((item) => item.at)),
            detail: answer.detail,
            nextAttemptAt: retries.length > 0 ? latest(retries) : null,
          },
        ),
      );
      for (const item of group.filter((i) => recorded.has(i.command.id))) {
        recordedAnswers.push({
          deviceId: item.command.deviceId,
          commandId: item.command.id,
          type: item.command.type,
          payload: item.command.payload,
          ...item.answer,
        });
      }
      for (const item of group.filter(
        (i) => recorded.has(i.command.id) && !HUB_ONLY_COMMANDS.includes(i.command.type),
      )) {
        audit.push({
          deviceId: item.command.deviceId,
          by: 'device',
          action: `command.${answer.status}`,
          detail: {
            commandId: item.command.id,
            type: item.command.type,
            detail: answer.detail ?? undefined,
          },
        });
      }
      if (answer.status === 'not_now') {
        // A lock or unlock (or policy) issued while this one was on its way could not retire it
        // then; retried later, it would overtake the newer one (issue 8 item 8). Retire it now.
        const byType = groupBy(
          group.filter((item) => recorded.has(item.command.id)),
          (item) => item.command.type,
        );
        for (const [type, items] of byType) {
          const retired = await this.commands.retireOvertaken(
            tx,
            items.map((item) => item.command.id),
            replacedBy(type),
            latest(items.map((item) => item.at)),
          );
          for (const old of retired.filter((row) => !HUB_ONLY_COMMANDS.includes(row.type))) {
            audit.push({
              deviceId: old.deviceId,
              by: 'system',
              action: 'command.superseded',
              detail: { commandId: old.id, type: old.type, by: old.by },
            });
          }
        }
      }
    }
    if (recordedAnswers.length > 0) {
      for (const writer of this.answersWriters) {
        await writer(tx, recordedAnswers);
      }
    }
    await this.recordForDevices(tx, audit);
  }

  /** Writes audit entries about devices, naming them as they are now: one read per 500 devices. */
  private async recordForDevices(tx: Tx, entries: readonly DeviceAuditEntry[]): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    const names = await this.devices.namesOf(
      entries.map((entry) => entry.deviceId),
      tx,
    );
    await this.audit.record(
      tx,
      ...entries.map(({ deviceId, by, action, detail }) => {
        // Devices are never deleted; an id with no row is named by its id alone.
        const device = names.get(deviceId) ?? {
          id: deviceId,
          name: `device ${deviceId}`,
          assetTag: null,
          serialNumber: '',
        };
        return {
          actor: by === 'device' ? deviceActor(device) : { kind: 'system' as const },
          action,
          target: deviceTarget(device),
          detail,
        };
      }),
    );
  }

  /** Remembers when each of these devices' `not_now` commands may be tried again. */
  private async noteRetries(deviceIds: readonly string[]): Promise<void> {
    for (const [deviceId, at] of await this.commands.nextRetryTimes(deviceIds)) {
      this.retryAt.set(deviceId, at.getTime());
    }
  }

  /**
   * Expires these commands where they are still open and past their expiry (only unsent ones
   * when `unsentOnly`: the sweep leaves a sent command to its answer, issue 8 item 9), audits
   * exactly those it expired, and ends the desired lock or single app any of them had set
   * (item 7). Conditional updates: an answer recorded meanwhile wins.
   */
  private async expire(ids: readonly string[], unsentOnly: boolean): Promise<void> {
    if (ids.length === 0) {
      return;
    }
    const now = this.clock.now();
    const expired = await this.tx.run(async (tx) => {
      const expired = await this.commands.markExpired(tx, ids, now, unsentOnly);
      await this.desired.endSetBy(tx, expired);
      await this.recordForDevices(
        tx,
        expired.map((command) => ({
          deviceId: command.deviceId,
          by: 'system' as const,
          action: 'command.expired',
          detail: { commandId: command.id, type: command.type },
        })),
      );
      return expired;
    });
    for (const command of expired) {
      this.events.emit('command.updated', {
        commandId: command.id,
        deviceId: command.deviceId,
        type: command.type,
        status: 'expired',
      });
    }
  }

  /**
   * Every second: wake devices whose `not_now` retry (or claimed command) is due; now and then,
   * on the hub that holds the scheduled-work lease, expire old commands.
   */
  private async sweep(): Promise<void> {
    const now = this.clock.nowMs();
    const due: string[] = [];
    for (const [deviceId, at] of this.retryAt) {
      if (at <= now) {
        this.retryAt.delete(deviceId);
        due.push(deviceId);
      }
    }
    for (const deviceId of due) {
      this.wake(deviceId, due.length <= URGENT_WAKE_MAX);
    }
    if (due.length > 0) {
      // The stored retry time can be a little later than ours (answers are written in batches):
      // read it back, so a device whose retry was not due yet is woken again when it is.
      await this.noteRetries(due).catch((error: unknown) => {
        this.logger.error(`Retry times not read: ${String(error)}`);
      });
    }
    // Expiry is scheduled work: one hub of a cluster does it (issue 10).
    if (this.lease.isHeld() && now - this.lastExpirySweep >= 2 * SWEEP_MS) {
      this.lastExpirySweep = now;
      try {
        await this.expire(await this.commands.findExpired(this.clock.now(), EXPIRE_BATCH), true);
      } catch (error) {
        this.logger.error(`Expiry sweep failed: ${String(error)}`);
      }
    }
  }
}
