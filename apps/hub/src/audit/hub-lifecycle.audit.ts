// The hub's own start and stop in the audit log (issue 9), as the hub (actor type `system`): a
// gap between a `hub.stopped` and the next `hub.started` is time the hub was down on purpose; a
// `hub.started` with no `hub.stopped` before it follows a crash or a kill (SIGKILL leaves none).
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Clock } from '../common/clock';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { TransactionRunner } from '../database/transaction-runner';
import { AuditService } from './audit.service';

/**
 * The hub's version, from the project's package.json: the nearest one above this file, which is
 * the repository's root whether the hub runs from its sources or from dist/. `unknown` if none.
 */
export function hubVersion(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        version?: unknown;
      };
      return typeof manifest.version === 'string' ? manifest.version : 'unknown';
    } catch {
      // No package.json here (or not one we can read): look one folder up.
    }
    if (path.dirname(dir) === dir) {
      return 'unknown';
    }
  }
}

@Injectable()
export class HubLifecycleAudit implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HubLifecycleAudit.name);
  private startedAt: number | null = null;

  constructor(
    private readonly audit: AuditService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /**
   * `hub.started`, once migrations have run and every module is ready (just before the hub
   * listens): its version and the address it listens on, never a path to a key or a password.
   */
  async onApplicationBootstrap(): Promise<void> {
    this.startedAt = this.clock.nowMs();
    await this.tx.run((tx) =>
      this.audit.record(tx, {
        actor: { kind: 'system' },
        action: 'hub.started',
        target: null,
        detail: {
          version: hubVersion(),
          listening: `${this.config.tls ? 'https' : 'http'}://${this.config.host}:${this.config.port}`,
          timeZone: this.config.timeZone,
          node: process.version,
        },
      }),
    );
  }

  /**
   * `hub.stopped` on a clean stop (SIGTERM, SIGINT, `app.close()`), before the database closes.
   * A failure to write it is logged and does not hold up the stop.
   */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (this.startedAt === null) {
      return; // never started: no start was recorded, so no stop either
    }
    const upSeconds = Math.round((this.clock.nowMs() - this.startedAt) / 1000);
    try {
      await this.tx.run((tx) =>
        this.audit.record(tx, {
          actor: { kind: 'system' },
          action: 'hub.stopped',
          target: null,
          detail: { ...(signal ? { signal } : {}), upSeconds },
        }),
      );
    } catch (error) {
      this.logger.error(`The hub's stop was not written to the audit log: ${String(error)}`);
    }
  }
}
