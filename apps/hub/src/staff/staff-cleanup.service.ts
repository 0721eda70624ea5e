// Keeps the staff tables bounded (issue 8 item 21): sessions that have ended (expired or signed
// out) and sign-in throttle rows that no longer hold anything back are deleted every few
// minutes. Throttle rows are made for any username anyone guesses, without signing in, so they
// must go as soon as they stop mattering, not once a day. In a cluster, the hub that holds the
// scheduled-work lease does it (issue 10).
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Clock } from '../common/clock';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { ScheduledWorkLease } from '../database/scheduled-work-lease';
import { TransactionRunner } from '../database/transaction-runner';
import { StaffRepository } from './staff.repository';

/** How often the clean-up runs. */
export const STAFF_CLEANUP_EVERY_MS = 10 * 60 * 1000;

@Injectable()
export class StaffCleanupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StaffCleanupService.name);
  private stopCleanUps: (() => void) | null = null;

  constructor(
    private readonly staff: StaffRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly lease: ScheduledWorkLease,
  ) {}

  /** Runs when this hub gains the scheduled-work lease, then every 10 minutes while it holds it. */
  onApplicationBootstrap(): void {
    const run = () =>
      void this.cleanUp().catch((error: unknown) => {
        // Tried again at the next run; nothing depends on the rows being gone.
        this.logger.error(`Staff clean-up failed: ${String(error)}`);
      });
    this.stopCleanUps = this.lease.runWhileHeld(STAFF_CLEANUP_EVERY_MS, run);
  }

  onApplicationShutdown(): void {
    this.stopCleanUps?.();
    this.stopCleanUps = null;
  }

  /**
   * Deletes ended sessions (expired, or revoked, by now) and throttle rows with no lock in force
   * and no attempt for HUB_LOGIN_LOCK_MINUTES (their count would start again anyway, see
   * StaffRepository.countAttempt). So the throttle table holds at most the usernames tried in
   * the last lock period, whether or not they exist.
   *
   * @returns how many sessions and throttle rows were removed
   */
  async cleanUp(): Promise<{ sessions: number; throttles: number }> {
    const now = this.clock.now();
    const staleBefore = new Date(now.getTime() - this.config.auth.lockMinutes * 60 * 1000);
    const removed = await this.tx.run(async (tx) => ({
      sessions: await this.staff.deleteEndedSessions(tx, now),
      throttles: await this.staff.deleteStaleThrottles(tx, now, staleBefore),
    }));
    if (removed.sessions + removed.throttles > 0) {
      this.logger.log(
        `Removed ${removed.sessions} ended sessions and ${removed.throttles} stale sign-in throttles`,
      );
    }
    return removed;
  }
}
