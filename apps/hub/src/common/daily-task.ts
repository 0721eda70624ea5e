// Work the hub does once a day (retention), on a timer that never keeps the process alive; a run
// that fails is logged, and tried again the next day. In a cluster only the hub that holds the
// scheduled-work lease runs it (issue 10); it runs once straight away whenever a hub gains the
// lease (at start on a hub on its own), so a takeover never skips a day.
import type { Logger } from '@nestjs/common';
import type { ScheduledWorkLease } from '../database/scheduled-work-lease';

export const DAY_MS = 24 * 60 * 60 * 1000;

export class DailyTask {
  private stopRuns: (() => void) | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly work: () => Promise<unknown>,
  ) {}

  /** Runs when this hub gains `lease`, then every day while it holds it. */
  start(lease: ScheduledWorkLease): void {
    this.stopRuns = lease.runWhileHeld(DAY_MS, () => this.runOnce());
  }

  stop(): void {
    this.stopRuns?.();
    this.stopRuns = null;
  }

  private runOnce(): void {
    this.work().catch((error: unknown) => {
      this.logger.error(`${this.what} failed: ${String(error)}`);
    });
  }
}
