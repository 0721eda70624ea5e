// Remembers every proof nonce for as long as its proof could still be fresh, so a proof is
// used once. Checked in memory (a reconnect storm must not wait on the disk) and written to
// the database in small batches, so a restarted hub still refuses a replay.
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import type { DeviceNonceEntity } from './device.entities';
import { DevicesRepository } from './devices.repository';

const FLUSH_MS = 100;
const PRUNE_MS = 60_000;

@Injectable()
export class NonceStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NonceStore.name);
  private readonly seen = new Map<string, number>();
  private pending: DeviceNonceEntity[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly devices: DevicesRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const row of await this.devices.liveNonces(this.clock.now())) {
      this.seen.set(`${row.deviceId}:${row.nonce}`, row.expiresAt.getTime());
    }
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_MS);
    this.pruneTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pruneTimer) {
      clearInterval(this.pruneTimer);
    }
    await this.flush();
  }

  /** True the first time a device uses a nonce within its window; false for a replay. */
  claim(deviceId: string, nonce: string, expiresAtMs: number): boolean {
    const key = `${deviceId}:${nonce}`;
    const known = this.seen.get(key);
    if (known !== undefined && known > this.clock.nowMs()) {
      return false;
    }
    this.seen.set(key, expiresAtMs);
    this.pending.push({ deviceId, nonce, expiresAt: new Date(expiresAtMs) });
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flush(), FLUSH_MS);
    }
    return true;
  }

  flush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    const rows = this.pending;
    this.pending = [];
    if (rows.length > 0) {
      this.flushing = this.flushing
        .then(() => this.tx.run((tx) => this.devices.insertNonces(tx, rows)))
        .catch((error: unknown) =>
          this.logger.error(`Could not store proof nonces: ${String(error)}`),
        );
    }
    return this.flushing;
  }

  private async prune(): Promise<void> {
    const now = this.clock.nowMs();
    for (const [key, expires] of this.seen) {
      if (expires <= now) {
        this.seen.delete(key);
      }
    }
    await this.tx.run((tx) => this.devices.deleteExpiredNonces(tx, new Date(now)));
  }
}
