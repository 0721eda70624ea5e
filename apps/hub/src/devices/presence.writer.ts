// Writes who is online, when each device was last seen and what it last reported, in one
// transaction every few hundred milliseconds: ten thousand devices reconnecting must not mean
// ten thousand separate writes.
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { TransactionRunner } from '../database/transaction-runner';
import { DevicesRepository, PresenceUpdate } from './devices.repository';

const FLUSH_MS = 200;

@Injectable()
export class PresenceWriter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PresenceWriter.name);
  private pending = new Map<string, PresenceUpdate>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly devices: DevicesRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async onModuleInit(): Promise<void> {
    // Nobody is connected to a hub that has just started.
    await this.tx.run((tx) => this.devices.markAllOffline(tx));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
    await this.tx.run((tx) => this.devices.markAllOffline(tx));
  }

  record(update: PresenceUpdate): void {
    const previous = this.pending.get(update.deviceId);
    this.pending.set(update.deviceId, {
      ...previous,
      ...update,
      reportedState: update.reportedState ?? previous?.reportedState,
      reportedAt: update.reportedAt ?? previous?.reportedAt,
    });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
    }
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const updates = [...this.pending.values()];
    this.pending = new Map();
    if (updates.length > 0) {
      this.flushing = this.flushing
        .then(() => this.tx.run((tx) => this.devices.applyPresence(tx, updates)))
        .catch((error: unknown) =>
          this.logger.error(`Could not store device presence: ${String(error)}`),
        );
    }
    return this.flushing;
  }
}
