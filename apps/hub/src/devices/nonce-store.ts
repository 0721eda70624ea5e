// Remembers every proof nonce for as long as its proof could still be fresh, so a proof is
// used once. Checked in memory, and written to the database before the proof is accepted: a
// nonce accepted but not yet written when the hub crashed could be replayed after the restart
// (issue 8 item 13; it used to be written up to 100 ms later). Writes are batched: every claim
// that arrives while one batch is being written goes into the next, so a reconnect storm costs
// a handful of transactions, not one per device.
//
// Across the hubs of a cluster (issue 10) the memory of each is not shared: the database is the
// arbiter. A nonce's row is inserted under its primary key (device, nonce), and a proof whose
// nonce another hub stored first is refused, whatever this hub's memory says. The memory only
// refuses early the replays this hub has already seen.
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ScheduledWorkLease } from '../database/scheduled-work-lease';
import { TransactionRunner } from '../database/transaction-runner';
import type { DeviceNonceEntity } from './device.entities';
import { DevicesRepository } from './devices.repository';

const PRUNE_MS = 60_000;

interface PendingNonce {
  row: DeviceNonceEntity;
  key: string;
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
    private readonly lease: ScheduledWorkLease,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const row of await this.devices.liveNonces(this.clock.now())) {
      this.seen.set(`${row.deviceId}:${row.nonce}`, row.expiresAt.getTime());
    }
    this.pruneTimer = setInterval(
      () =>
        void this.prune().catch((error: unknown) =>
          this.logger.error(`Nonce prune failed: ${String(error)}`),
        ),
      PRUNE_MS,
    );
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
   * stored; false for a replay (seen here, or stored by another hub of the cluster), or if the
   * use could not be stored (the proof is then refused: a use the hub cannot remember could be
   * replayed after a restart).
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
      this.pending.push({
        row: { deviceId, nonce, expiresAt: new Date(expiresAtMs) },
        key,
        settle,
      });
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
      let stored = new Set<string>();
      try {
        const now = this.clock.now();
        stored = await this.tx.run((tx) =>
          this.devices.insertNonces(
            tx,
            batch.map((entry) => entry.row),
            now,
          ),
        );
      } catch (error) {
        this.logger.error(
          `Could not store proof nonces; those proofs are refused: ${String(error)}`,
        );
      }
      for (const entry of batch) {
        entry.settle(stored.has(entry.key));
      }
    }
    this.writing = null;
  }

  /**
   * Forgets nonces that have run out: every hub from its own memory, and the hub that holds the
   * scheduled-work lease from the database (issue 10).
   */
  private async prune(): Promise<void> {
    const now = this.clock.nowMs();
    for (const [key, expires] of this.seen) {
      if (expires <= now) {
        this.seen.delete(key);
      }
    }
    if (this.lease.isHeld()) {
      await this.tx.run((tx) => this.devices.deleteExpiredNonces(tx, new Date(now)));
    }
  }
}
