// Keeps the command history only as long as the school wants it (GDPR): answered and expired
// commands older than HUB_COMMAND_RETENTION_DAYS are deleted once a day, by the hub that holds
// the scheduled-work lease (issue 10). The audit log keeps
// its own record of every command staff sent, for its own retention period.
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Clock } from '../common/clock';
import { DailyTask, DAY_MS } from '../common/daily-task';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { ScheduledWorkLease } from '../database/scheduled-work-lease';
import { TransactionRunner } from '../database/transaction-runner';
import { CommandsRepository } from './commands.repository';

@Injectable()
export class CommandRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CommandRetentionService.name);
  private readonly daily = new DailyTask(this.logger, 'Command retention', () =>
    this.applyRetention(),
  );

  constructor(
    private readonly commands: CommandsRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly lease: ScheduledWorkLease,
  ) {}

  onApplicationBootstrap(): void {
    this.daily.start(this.lease);
  }

  onApplicationShutdown(): void {
    this.daily.stop();
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
