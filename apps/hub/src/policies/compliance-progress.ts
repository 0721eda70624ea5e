// Live compliance counts for the console (issue 11: "4,212 of 5,000 applied"). Every committed
// compliance change says so on the bus (`compliance.changed`); this gathers them and, at most
// every PROGRESS_INTERVAL_MS, reads the counts once and puts `compliance.progress` on the bus for
// the /staff namespace: overall, and for each policy whose counts moved. A 5,000-device push thus
// sends each console a few events a second, not 5,000.
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ComplianceProgressEvent } from '@app/devices';
import { HubEvents } from '../common/hub-events';
import { ComplianceService } from './compliance.service';

/** The shortest time between two readings of the counts: at most four a second. */
export const PROGRESS_INTERVAL_MS = 250;

@Injectable()
export class ComplianceProgress implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ComplianceProgress.name);
  private timer: NodeJS.Timeout | null = null;
  private reading = false;
  private changedSince = false;
  private stopped = false;
  /** What was last sent, by policy id ('' for overall), to send only counts that moved. */
  private readonly lastSent = new Map<string, string>();

  constructor(
    private readonly compliance: ComplianceService,
    private readonly events: HubEvents,
  ) {}

  onModuleInit(): void {
    this.events.on('compliance.changed', () => this.changed());
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /** Notes a change; the counts are read once the interval has passed (and not twice at once). */
  private changed(): void {
    this.changedSince = true;
    if (this.timer || this.reading || this.stopped) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.publish();
    }, PROGRESS_INTERVAL_MS);
  }

  private async publish(): Promise<void> {
    this.changedSince = false;
    this.reading = true;
    try {
      const summary = await this.compliance.summary();
      const events: ComplianceProgressEvent[] = [
        { devices: summary.devices, ...summary.byStatus },
        ...summary.byPolicy.map(
          ({ policyId, devices, pending, applied, partial, failed, none }) => ({
            policyId,
            devices,
            pending,
            applied,
            partial,
            failed,
            none,
          }),
        ),
      ];
      for (const event of events) {
        const key = event.policyId ?? '';
        const counts = JSON.stringify(event);
        if (this.lastSent.get(key) !== counts) {
          this.lastSent.set(key, counts);
          this.events.emit('compliance.progress', event);
        }
      }
    } catch (error) {
      this.logger.error(`Reading compliance counts failed: ${String(error)}`);
    } finally {
      this.reading = false;
    }
    // Changes that came while reading: one more reading, after the interval.
    if (this.changedSince) {
      this.changed();
    }
  }
}
