// Remembers every proof nonce for as long as its proof could still be fresh, so a proof is
// used once. Checked in memory, and written to the database before the proof is accepted: a
// nonce accepted but not yet written when the hub crashed could be replayed after the restart
// (issue 8 item 13; it used to be written up to 100 ms later). Writes are batched: every claim
// that arrives while one batch is being written goes into the next, so a reconnect storm costs
// a handful of transactions, not one per device.
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import type { DeviceNonceEntity } from './device.entities';
import { DevicesRepository } from './devices.repository';

const PRUNE_MS = 60_000;

interface PendingNonce {
  row: DeviceNonceEntity;
  settle: (stored: boolean) => void;
}

@Injectable()
export class NonceStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NonceStore.name);
  private readonly seen = new Map<string, number>();
  private pending: PendingNonce[] = [];
  private pruneTimer: NodeJS.Timeout | null = null;
  /** The batch being written, if any; claims arriving meanwhile wait for the next. */
  private writing: Promise<void> | null = null;

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

  /**
   * Resolves true the first time a device uses a nonce within its window, once that use is
   * stored; false for a replay, or if the use could not be stored (the proof is then refused:
   * a use the hub cannot remember could be replayed after a restart).
   *
   * @param expiresAtMs Unix ms until which the nonce is remembered (after that, its proof is
   *   stale anyway)
   */
  claim(deviceId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    const key = `${deviceId}:${nonce}`;
    const known = this.seen.get(key);
    if (known !== undefined && known > this.clock.nowMs()) {
      return Promise.resolve(false);
    }
    // Marked at once, so a replay racing the write is refused too.
    this.seen.set(key, expiresAtMs);
    return new Promise<boolean>((settle) => {
      this.pending.push({ row: { deviceId, nonce, expiresAt: new Date(expiresAtMs) }, settle });
      this.writing ??= this.writeBatches();
    });
  }

  /** Resolves once every nonce claimed so far is stored (or failed to be). */
  async flush(): Promise<void> {
    while (this.writing) {
      await this.writing;
    }
  }

  private async writeBatches(): Promise<void> {
    // Let the claims of this turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      let stored = true;
      try {
        await this.tx.run((tx) =>
          this.devices.insertNonces(
            tx,
            batch.map((entry) => entry.row),
          ),
        );
      } catch (error) {
        stored = false;
        this.logger.error(
          `Could not store proof nonces; those proofs are refused: ${String(error)}`,
        );
      }
      for (const entry of batch) {
        entry.settle(stored);
      }
    }
    this.writing = null;
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
