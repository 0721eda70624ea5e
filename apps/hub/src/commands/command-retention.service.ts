// Keeps the command history only as long as the school wants it (GDPR): answered and expired
// commands older than HUB_COMMAND_RETENTION_DAYS are deleted once a day. The audit log keeps
// its own record of every command for its own retention period.
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Clock } from '../common/clock';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { TransactionRunner } from '../database/transaction-runner';
import { CommandsRepository } from './commands.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class CommandRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CommandRetentionService.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly commands: CommandsRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  onApplicationBootstrap(): void {
    const run = () =>
      this.applyRetention().catch((error: unknown) => {
        this.logger.error(`Command retention failed: ${String(error)}`);
      });
    void run();
    this.timer = setInterval(() => void run(), DAY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  /** Deletes finished commands past the retention period; returns how many. */
  async applyRetention(): Promise<number> {
    const cutoff = new Date(this.clock.nowMs() - this.config.commands.retentionDays * DAY_MS);
    const removed = await this.tx.run((tx) => this.commands.deleteFinishedBefore(tx, cutoff));
    if (removed > 0) {
      this.logger.log(`Removed ${removed} finished commands past the retention period`);
    }
    return removed;
  }
}
