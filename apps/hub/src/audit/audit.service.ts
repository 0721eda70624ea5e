// The audit log: every state-changing staff action and every command staff send to devices is
// written here, in the same transaction as the change itself, and read by safeguarding and ICT.
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DailyTask, DAY_MS } from '../common/daily-task';
import { currentCorrelationId } from '../common/request-context';
import type { Principal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import type { Tx } from '../database/transaction-runner';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditFilter, AuditRepository } from './audit.repository';

/**
 * Who made a change: a signed-in principal, the hub itself, or someone at the server's shell
 * (the admin command, issue 8 item 20), named by their operating-system user.
 */
export type AuditActor = Principal | { kind: 'system' } | { kind: 'shell'; osUser: string };

export interface AuditRecord {
  actor: AuditActor;
  action: string;
  targetType?: string;
  targetId?: string;
  detail?: Record<string, unknown>;
}

export interface AuditEntryView {
  id: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actor: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  detail: Record<string, unknown> | null;
  correlationId: string | null;
}

// Keys that must never reach the log, whatever a caller passes in `detail`.
const SECRET_KEY = /pass(word)?|token|secret|proof|private|key|csr|bytes/i;

export function scrubDetail(
  detail: Record<string, unknown> | undefined,
): Record<string, unknown> | null {
  if (!detail) {
    return null;
  }
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(detail)) {
    if (SECRET_KEY.test(key)) {
      continue;
    }
    clean[key] =
      value && typeof value === 'object' && !Array.isArray(value)
        ? scrubDetail(value as Record<string, unknown>)
        : value;
  }
  return clean;
}

export function toAuditEntryView(entry: AuditEntryEntity): AuditEntryView {
  return {
    id: entry.seq,
    at: entry.at.toISOString(),
    actorType: entry.actorType,
    actorId: entry.actorId,
    actor: entry.actorLabel,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    detail: entry.detail ? (JSON.parse(entry.detail) as Record<string, unknown>) : null,
    correlationId: entry.correlationId,
  };
}

@Injectable()
export class AuditService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private readonly daily = new DailyTask(this.logger, 'Audit retention', () =>
    this.applyRetention(),
  );

  constructor(
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** Appends entries within the caller's transaction, so the log and the change stand or fall together. */
  async record(tx: Tx, ...records: AuditRecord[]): Promise<void> {
    if (records.length === 0) {
      return;
    }
    const at = this.clock.now();
    const correlationId = currentCorrelationId();
    await this.repository.append(
      tx,
      records.map((record) => {
        const detail = scrubDetail(record.detail);
        return {
          at,
          actorType: record.actor.kind,
          actorId:
            record.actor.kind === 'system' || record.actor.kind === 'shell'
              ? null
              : record.actor.id,
          actorLabel:
            record.actor.kind === 'staff'
              ? record.actor.username
              : record.actor.kind === 'system'
                ? 'hub'
                : record.actor.kind === 'shell'
                  ? record.actor.osUser.slice(0, 128)
                  : null,
          action: record.action,
          targetType: record.targetType ?? null,
          targetId: record.targetId ?? null,
          detail: detail ? JSON.stringify(detail) : null,
          correlationId,
        };
      }),
    );
  }

  async find(filter: AuditFilter, page: number, pageSize: number) {
    const [entries, total] = await this.repository.find(filter, (page - 1) * pageSize, pageSize);
    return { items: entries.map(toAuditEntryView), total, page, pageSize };
  }

  /**
   * Every matching entry, newest first, `pageSize` at a time (for the CSV export). Pages by key:
   * each page is the entries below the last `seq` read, so the export is linear, and what it
   * covers is fixed by its first page: entries appended while it runs come after that page's
   * newest and are left out, never duplicated (issue 8 item 22).
   */
  async *findAll(filter: AuditFilter, pageSize = 1000): AsyncGenerator<AuditEntryView> {
    let beforeSeq: number | null = null;
    for (;;) {
      const entries = await this.repository.findBefore(filter, beforeSeq, pageSize);
      for (const entry of entries) {
        yield toAuditEntryView(entry);
      }
      if (entries.length < pageSize) {
        return;
      }
      beforeSeq = entries[entries.length - 1].seq;
    }
  }

  onModuleInit(): void {
    this.daily.start({ now: false });
  }

  onApplicationShutdown(): void {
    this.daily.stop();
  }

  /** Deletes entries older than the retention setting (GDPR: kept only as long as needed). */
  async applyRetention(): Promise<number> {
    const cutoff = new Date(this.clock.nowMs() - this.config.auditRetentionDays * DAY_MS);
    const removed = await this.repository.deleteOlderThan(cutoff);
    if (removed > 0) {
      this.logger.log(`Removed ${removed} audit entries past the retention period`);
    }
    return removed;
  }
}
