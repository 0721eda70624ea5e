// Work the hub does once a day (retention), on a timer that never keeps the process alive;
// a run that fails is logged, and tried again the next day.
import type { Logger } from '@nestjs/common';

export const DAY_MS = 24 * 60 * 60 * 1000;

export class DailyTask {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly work: () => Promise<unknown>,
  ) {}

  /** Runs every day from now on, and once straight away when `now` is set. */
  start(options: { now: boolean }): void {
    if (options.now) {
      this.runOnce();
    }
    this.timer = setInterval(() => this.runOnce(), DAY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private runOnce(): void {
    this.work().catch((error: unknown) => {
      this.logger.error(`${this.what} failed: ${String(error)}`);
    });
  }
}
