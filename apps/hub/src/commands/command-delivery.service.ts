// Delivers the durable queue to connected devices (protocol section 3): oldest first, one at a
// time per device, the next only when the previous is answered. `not_now` is tried again no
// sooner than the retry interval; no answer within the timeout drops the connection so the
// device reconnects and gets the command again; an expired command is never sent.
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { COMMAND_ANSWER_STATUSES, CommandEnvelope } from '@app/devices';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { HubEvents } from '../common/hub-events';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { BatchWriter } from '../database/batch-writer';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { DeviceConnections } from '../devices/device-connections';
import { CommandEntity } from './command.entity';
import { CommandsRepository } from './commands.repository';

const SWEEP_MS = 1000;
const EXPIRE_BATCH = 1000;

type DeliveryWrite =
  | { kind: 'sent'; command: CommandEntity; at: Date }
  | { kind: 'answer'; command: CommandEntity; at: Date; answer: ParsedAnswer; nextAttemptAt: Date | null };

interface ParsedAnswer {
  status: 'acknowledged' | 'error' | 'not_now';
  detail: string | null;
}

export function parseAnswer(answer: unknown): ParsedAnswer | null {
  if (!answer || typeof answer !== 'object') {
    return null;
  }
  const { status, detail } = answer as { status?: unknown; detail?: unknown };
  if (typeof status !== 'string' || !(COMMAND_ANSWER_STATUSES as readonly string[]).includes(status)) {
    return null;
  }
  if (detail !== undefined && typeof detail !== 'string') {
    return null;
  }
  return { status: status as ParsedAnswer['status'], detail: detail ? detail.slice(0, 500) : null };
}

export function toEnvelope(command: CommandEntity): CommandEnvelope {
  return {
    id: command.id,
    type: command.type,
    payload: JSON.parse(command.payload) as Record<string, unknown>,
    issuedAt: command.issuedAt.toISOString(),
    ...(command.expiresAt ? { expiresAt: command.expiresAt.toISOString() } : {}),
  } as CommandEnvelope;
}

@Injectable()
export class CommandDeliveryService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CommandDeliveryService.name);
  private readonly delivering = new Set<string>();
  private readonly wakeAgain = new Set<string>();
  /** Devices with a `not_now` command, and when it may be tried again. */
  private readonly retryAt = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private lastExpirySweep = 0;
  private stopped = false;
  private readonly writes: BatchWriter<DeliveryWrite>;

  constructor(
    private readonly commands: CommandsRepository,
    private readonly connections: DeviceConnections,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly events: HubEvents,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {
    // Sends and answers from many devices share transactions. Losing an unflushed answer in a
    // crash is safe: the command is still open, is sent again, and the device answers it again
    // from its journal without acting twice.
    this.writes = new BatchWriter(tx, (t, items) => this.writeDeliveries(t, items));
  }

  onModuleInit(): void {
    this.events.on('device.connected', ({ deviceId }) => this.wake(deviceId));
    this.events.on('commands.queued', ({ deviceIds }) => {
      for (const deviceId of deviceIds) {
        this.wake(deviceId);
      }
    });
    this.events.on('device.disconnected', ({ deviceId }) => {
      this.retryAt.delete(deviceId);
    });
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.sweepTimer) {
      clearInterval(this.sweepTimer);
    }
  }

  /** Starts delivering to a device if it is connected here and not already being served. */
  wake(deviceId: string): void {
    if (this.stopped || !this.connections.isConnected(deviceId)) {
      return;
    }
    if (this.delivering.has(deviceId)) {
      this.wakeAgain.add(deviceId);
      return;
    }
    this.delivering.add(deviceId);
    this.deliver(deviceId)
      .catch((error: unknown) => this.logger.error(`Delivery to a device failed: ${String(error)}`))
      .finally(() => {
        this.delivering.delete(deviceId);
        if (this.wakeAgain.delete(deviceId)) {
          this.wake(deviceId);
        }
      });
  }

  private async deliver(deviceId: string): Promise<void> {
    for (;;) {
      const socket = this.connections.get(deviceId);
      if (!socket || this.stopped) {
        return;
      }
      const now = this.clock.now();
      const command = await this.commands.findNextDeliverable(deviceId, now);
      if (!command) {
        await this.noteRetry(deviceId);
        return;
      }
      if (command.expiresAt && command.expiresAt <= now) {
        await this.expire([command]);
        continue;
      }
      await this.writes.add({ kind: 'sent', command, at: now });
      const sent = await this.connections.sendCommand(socket, toEnvelope(command), this.config.commands.ackTimeoutMs);
      if (sent.outcome === 'gone') {
        return; // still `sent`: delivered again on the next connection
      }
      if (sent.outcome === 'timeout') {
        this.logger.warn(`A device did not answer command ${command.id} in time; dropping its connection`);
        socket.disconnect(true);
        return;
      }
      await this.recordAnswer(deviceId, command, sent.answer);
    }
  }

  private async recordAnswer(deviceId: string, command: CommandEntity, raw: unknown): Promise<void> {
    const answer = parseAnswer(raw) ?? {
      status: 'error' as const,
      detail: 'The device gave an answer that is not in the protocol',
    };
    const now = this.clock.now();
    const nextAttemptAt =
      answer.status === 'not_now' ? new Date(now.getTime() + this.config.commands.notNowRetryMs) : null;
    await this.writes.add({ kind: 'answer', command, at: now, answer, nextAttemptAt });
    this.events.emit('command.answered', {
      deviceId,
      commandId: command.id,
      type: command.type,
      payload: command.payload,
      status: answer.status,
      detail: answer.detail,
    });
  }

  private async writeDeliveries(tx: Tx, items: DeliveryWrite[]): Promise<void> {
    const audit = [];
    for (const item of items) {
      if (item.kind === 'sent') {
        await this.commands.markSent(tx, item.command.id, item.at);
        continue;
      }
      const recorded = await this.commands.recordAnswer(tx, item.command.id, {
        status: item.answer.status,
        answeredAt: item.at,
        detail: item.answer.detail,
        nextAttemptAt: item.nextAttemptAt,
      });
      if (recorded) {
        audit.push({
          actor: { kind: 'device' as const, id: item.command.deviceId },
          action: `command.${item.answer.status}`,
          targetType: 'device',
          targetId: item.command.deviceId,
          detail: { commandId: item.command.id, type: item.command.type, detail: item.answer.detail ?? undefined },
        });
      }
    }
    await this.audit.record(tx, ...audit);
  }

  private async noteRetry(deviceId: string): Promise<void> {
    const at = await this.commands.nextRetryAt(deviceId);
    if (at) {
      this.retryAt.set(deviceId, at.getTime());
    } else {
      this.retryAt.delete(deviceId);
    }
  }

  private async expire(commands: CommandEntity[]): Promise<void> {
    if (commands.length === 0) {
      return;
    }
    const now = this.clock.now();
    await this.tx.run(async (tx) => {
      await this.commands.markExpired(tx, commands.map((c) => c.id), now);
      await this.audit.record(
        tx,
        ...commands.map((command) => ({
          actor: { kind: 'system' as const },
          action: 'command.expired',
          targetType: 'device',
          targetId: command.deviceId,
          detail: { commandId: command.id, type: command.type },
        })),
      );
    });
  }

  /** Every second: wake devices whose `not_now` retry is due; now and then, expire old commands. */
  private async sweep(): Promise<void> {
    const now = this.clock.nowMs();
    for (const [deviceId, at] of this.retryAt) {
      if (at <= now) {
        this.retryAt.delete(deviceId);
        this.wake(deviceId);
      }
    }
    if (now - this.lastExpirySweep >= 2 * SWEEP_MS) {
      this.lastExpirySweep = now;
      try {
        await this.expire(await this.commands.findExpired(this.clock.now(), EXPIRE_BATCH));
      } catch (error) {
        this.logger.error(`Expiry sweep failed: ${String(error)}`);
      }
    }
  }
}
