// Scheduled work runs on one hub at a time (issue 10): command expiry, retention, staff
// clean-ups, the nonce prune. The hub that holds the `scheduled-work` lease in `hub_leases` runs
// them; it renews the lease every HUB_SCHEDULED_WORK_RENEW_MS, and when it dies (or stalls, or
// loses its database) another hub takes the lease at its next renewal after the lease ran out:
// within lease + renewal, under a minute by default. A hub on its own (SQLite) takes the lease
// at start and keeps it, through the same code.
//
// Whether this hub holds the lease is known without asking the database: since the last renewal
// that succeeded, measured on the monotonic clock, for the lease less one renewal period. So a
// holder that cannot renew stops a renewal period before another hub may take over, and the two
// never run the work at once unless their clocks differ by more than that (keep them on NTP).
// The scheduled jobs are written as conditional updates anyway; the lease makes them run once
// rather than on every hub, and is what keeps work that cannot be undone (a reminder) single.
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Clock } from '../common/clock';
import { HubInstance } from '../common/hub-instance';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { HubLeasesRepository } from './hub-leases.repository';
import { TransactionRunner } from './transaction-runner';

/** The lease's row in `hub_leases`. */
export const SCHEDULED_WORK_LEASE = 'scheduled-work';

@Injectable()
export class ScheduledWorkLease implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ScheduledWorkLease.name);
  /** performance.now() until which this hub may take the lease for held; 0 when it is not. */
  private heldUntil = 0;
  /**
   * What the last renewal that reached the database said: whether this hub held the lease. A
   * lapse seen only here (a renewal slow to commit under load) pauses the work, but is not a
   * takeover: the listeners run again only when the lease comes back from another hub (or at
   * start), so work that runs on gaining it is not repeated by a busy hub.
   */
  private holding = false;
  private timer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;
  private stopped = false;
  private readonly gained = new Set<() => void>();

  constructor(
    private readonly leases: HubLeasesRepository,
    private readonly tx: TransactionRunner,
    private readonly instance: HubInstance,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** Takes the lease if it is free (always, for a hub on its own), then renews it on a timer. */
  async onApplicationBootstrap(): Promise<void> {
    await this.renewNow();
    this.timer = setInterval(() => void this.renewNow(), this.config.scheduledWork.renewMs);
    this.timer.unref();
  }

  /** Hands the lease on at once: another hub takes it at its next renewal. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.renewing;
    if (performance.now() >= this.heldUntil) {
      return;
    }
    this.heldUntil = 0;
    try {
      await this.tx.run((tx) => this.leases.release(tx, SCHEDULED_WORK_LEASE, this.instance.id));
    } catch (error) {
      // It runs out by itself.
      this.logger.warn(`Could not hand the scheduled-work lease on: ${String(error)}`);
    }
  }

  /** Whether this hub runs the scheduled work now. Cheap: no database read. */
  isHeld(): boolean {
    return !this.stopped && performance.now() < this.heldUntil;
  }

  /**
   * Calls `listener` every time this hub gains the lease (at start, or when it takes over from
   * a hub that died), and soon if it holds it now: the moment to run work that is due, rather
   * than wait for the job's next tick. The listener starts its own work and catches its errors.
   *
   * @returns a function that stops the calls
   */
  onGained(listener: () => void): () => void {
    this.gained.add(listener);
    if (this.isHeld()) {
      setImmediate(() => {
        if (this.gained.has(listener) && this.isHeld()) {
          listener();
        }
      });
    }
    return () => this.gained.delete(listener);
  }

  /**
   * Runs a scheduled job on this hub while it holds the lease: `run` when it gains the lease (see
   * `onGained`), then every `everyMs` (milliseconds) while it holds it. The timer never keeps the
   * process alive. `run` starts its own work and catches its errors.
   *
   * @returns a function that stops the job (call it at shutdown)
   */
  runWhileHeld(everyMs: number, run: () => void): () => void {
    const stopGained = this.onGained(run);
    const timer = setInterval(() => {
      if (this.isHeld()) {
        run();
      }
    }, everyMs);
    timer.unref();
    return () => {
      stopGained();
      clearInterval(timer);
    };
  }

  /** Takes or renews the lease now; resolves when done (for the timer, start-up and tests). */
  renewNow(): Promise<void> {
    this.renewing ??= this.renew().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renew(): Promise<void> {
    if (this.stopped) {
      return;
    }
    const { leaseMs, renewMs } = this.config.scheduledWork;
    const started = performance.now();
    const now = this.clock.now();
    let holds: boolean;
    try {
      holds = await this.tx.run((tx) =>
        this.leases.take(
          tx,
          SCHEDULED_WORK_LEASE,
          this.instance.id,
          now,
          new Date(now.getTime() + leaseMs),
        ),
      );
    } catch (error) {
      // Held or not, it stays as it was until it runs out by itself (isHeld).
      this.logger.error(`Could not renew the scheduled-work lease: ${String(error)}`);
      return;
    }
    if (this.stopped) {
      return;
    }
    const wasHolding = this.holding;
    this.holding = holds;
    if (!holds) {
      if (wasHolding) {
        this.logger.warn('Another hub has taken over the scheduled work');
      }
      this.heldUntil = 0;
      return;
    }
    this.heldUntil = started + leaseMs - renewMs;
    if (!wasHolding) {
      this.logger.log(`This hub (${this.instance.label}) now runs the scheduled work`);
      for (const listener of this.gained) {
        listener();
      }
    }
  }
}
