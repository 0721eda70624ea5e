// The audit log: every state-changing staff action and every command staff send to devices is
// written here, in the same transaction as the change itself, and read by safeguarding and ICT.
import { auditActionWords, nameKeyOf, type AuditPerson, type Page } from '@app/hub-api';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DailyTask, DAY_MS } from '../common/daily-task';
import { formatLocalTime } from '../common/local-time';
import { currentCorrelationId } from '../common/request-context';
import type { StaffPrincipal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { ScheduledWorkLease } from '../database/scheduled-work-lease';
import { TransactionRunner, type Tx } from '../database/transaction-runner';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditDeviceActor, AuditTarget, fitLabel } from './audit-labels';
import { describeAuditDetail } from './audit-text';
import { AuditFilter, AuditPersonRow, AuditRepository } from './audit.repository';

/**
 * Who made a change: a signed-in member of staff, a device (named as it is now, see
 * `deviceActor`), the hub itself, or someone at the server's shell (the admin command, issue 8
 * item 20), named by their operating-system user.
 */
export type AuditActor =
  StaffPrincipal | AuditDeviceActor | { kind: 'system' } | { kind: 'shell'; osUser: string };

/**
 * One entry to append. `target` is required, with its label as it is now (build it with
 * `deviceTarget`, `staffTarget`, ... from audit-labels.ts), or null for an entry about the hub
 * itself: a name left out would be a name lost for good (issue 9).
 */
export interface AuditRecord {
  actor: AuditActor;
  action: string;
  target: AuditTarget | null;
  detail?: Record<string, unknown>;
  /**
   * The correlation id of the request the entry is for, when written on its behalf by another
   * (a batch of class actions, issue 12); by default the current request's.
   */
  correlationId?: string | null;
}

/** An entry as the API answers it (see dto/audit-entry.dto.ts for each field). */
export interface AuditEntryView {
  id: number;
  at: string;
  atLocal: string;
  actorType: string;
  actorId: string | null;
  actor: string | null;
  actorName: string | null;
  action: string;
  actionText: string;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  detail: Record<string, unknown> | null;
  detailText: string;
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

/**
 * An entry as staff read it. `at` stays UTC; `atLocal` and the times in `detailText` are in
 * `timeZone` (`HUB_TIME_ZONE`) with their offset. Entries older than issue 9 have null names.
 */
export function toAuditEntryView(entry: AuditEntryEntity, timeZone: string): AuditEntryView {
  const detail = entry.detail ? (JSON.parse(entry.detail) as Record<string, unknown>) : null;
  return {
    id: entry.seq,
    at: entry.at.toISOString(),
    atLocal: formatLocalTime(entry.at, timeZone),
    actorType: entry.actorType,
    actorId: entry.actorId,
    actor: entry.actorLabel,
    actorName: entry.actorName,
    action: entry.action,
    actionText: auditActionWords(entry.action),
    targetType: entry.targetType,
    targetId: entry.targetId,
    targetLabel: entry.targetLabel,
    detail,
    detailText: describeAuditDetail(entry.action, detail, timeZone),
    correlationId: entry.correlationId,
  };
}

/** The actor's username (or shell user, or `hub`): what the `actor` filter matches. */
function actorLabelOf(actor: AuditActor): string | null {
  switch (actor.kind) {
    case 'staff':
      return actor.username;
    case 'system':
      return 'hub';
    case 'shell':
      return actor.osUser.slice(0, 128);
    case 'device':
      return null;
  }
}

/** The actor as a person reads it: a display name, a device's name and asset tag. */
function actorNameOf(actor: AuditActor): string | null {
  switch (actor.kind) {
    case 'staff':
      return actor.displayName;
    case 'device':
      return actor.label;
    case 'system':
      return 'hub';
    case 'shell':
      return `${actor.osUser} (server shell)`;
  }
}

/**
 * The filters of an export as its `audit.exported` entry keeps them: those given, as the export
 * used them (times as UTC instants, as every time in a detail is; the rest as typed).
 */
function exportedFilters(filter: AuditFilter): Record<string, string> {
  const used: Record<string, string | undefined> = {
    actor: filter.actor,
    action: filter.action,
    targetType: filter.targetType,
    targetId: filter.targetId,
    from: filter.from?.toISOString(),
    to: filter.to?.toISOString(),
  };
  return Object.fromEntries(
    // An empty filter is none, as the repository reads it.
    Object.entries(used).filter((pair): pair is [string, string] => Boolean(pair[1])),
  );
}

/**
 * Whether the audit reader's Person filter text names `person`: it is their id (any capitals, as
 * a copied id may be), or it is part of their display name or username. Names are compared as
 * `nameKeyOf` reads them (any capitals, including "Ø" and "ø", compatibility forms and inner
 * spaces as one), in JavaScript rather than SQL, so SQLite (whose LOWER() folds only A-Z) and
 * PostgreSQL answer alike; `%` and `_` are letters here, never patterns.
 *
 * @param person a member of staff who acted in the log (AuditRepository.staffWhoActed)
 * @param text the filter as typed, e.g. "patel", "Mrs Patel", an id
 */
export function personNamedBy(person: AuditPersonRow, text: string): boolean {
  const wanted = nameKeyOf(text);
  if (wanted === '') {
    return false;
  }
  return (
    person.id === text.trim().toLowerCase() ||
    nameKeyOf(person.displayName).includes(wanted) ||
    nameKeyOf(person.username).includes(wanted)
  );
}

/** People in the order a list of names is read: by display name, then username. */
const byName = new Intl.Collator('en-GB', { sensitivity: 'base', numeric: true });

/** Audit entries deleted per unit of work by the retention (see `applyRetention`). */
export const RETENTION_BATCH = 5000;

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
    private readonly lease: ScheduledWorkLease,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * Appends entries within the caller's transaction, so the log and the change stand or fall
   * together. Names and labels are stored as given (cut to 255 characters), never looked up.
   */
  async record(tx: Tx, ...records: AuditRecord[]): Promise<void> {
    if (records.length === 0) {
      return;
    }
    const at = this.clock.now();
    const current = currentCorrelationId();
    await this.repository.append(
      tx,
      records.map((record) => {
        const detail = scrubDetail(record.detail);
        const { actor, target } = record;
        return {
          at,
          actorType: actor.kind,
          actorId: actor.kind === 'system' || actor.kind === 'shell' ? null : actor.id,
          actorLabel: actorLabelOf(actor),
          actorName: fitLabel(actorNameOf(actor)),
          action: record.action,
          targetType: target?.type ?? null,
          targetId: target?.id ?? null,
          targetLabel: fitLabel(target?.label),
          detail: detail ? JSON.stringify(detail) : null,
          correlationId: record.correlationId === undefined ? current : record.correlationId,
        };
      }),
    );
  }

  /**
   * The staff who acted in the log that `text` names (`personNamedBy`; every one of them when
   * `text` is empty or left out), ordered by display name then username.
   */
  async peopleNamed(text: string | undefined): Promise<AuditPerson[]> {
    const everyone = await this.repository.staffWhoActed();
    const named = text?.trim()
      ? everyone.filter((person) => personNamedBy(person, text))
      : everyone;
    return named
      .map(({ id, username, displayName }) => ({ id, username, displayName }))
      .sort(
        (a, b) =>
          byName.compare(a.displayName, b.displayName) || byName.compare(a.username, b.username),
      );
  }

  /**
   * GET /api/audit/people: a page of the staff the Person filter `search` would find entries
   * by (see `peopleNamed`), for the console's type-ahead.
   */
  async people(
    search: string | undefined,
    page: number,
    pageSize: number,
  ): Promise<Page<AuditPerson>> {
    const named = await this.peopleNamed(search);
    return {
      items: named.slice((page - 1) * pageSize, page * pageSize),
      total: named.length,
      page,
      pageSize,
    };
  }

  /**
   * `filter` with the staff its Person text names: when several match ("Patel"), entries by
   * every one of them, as a safeguarding lead searching a surname expects to see all who bear it
   * (each entry says who); the console's type-ahead picks one by id.
   */
  private async withPeople(filter: AuditFilter): Promise<AuditFilter> {
    if (!filter.actor) {
      return filter;
    }
    const people = await this.peopleNamed(filter.actor);
    return { ...filter, actorStaffIds: people.map((person) => person.id) };
  }

  async find(query: AuditFilter, page: number, pageSize: number) {
    const filter = await this.withPeople(query);
    const [entries, total] = await this.repository.find(filter, (page - 1) * pageSize, pageSize);
    return {
      items: entries.map((entry) => toAuditEntryView(entry, this.config.timeZone)),
      total,
      page,
      pageSize,
    };
  }

  /**
   * Every matching entry, newest first, `pageSize` at a time (for the CSV export). Pages by key:
   * each page is the entries below the last `seq` read, so the export is linear, and what it
   * covers is fixed by its first page: entries appended while it runs come after that page's
   * newest and are left out, never duplicated (issue 8 item 22).
   */
  async *findAll(query: AuditFilter, pageSize = 1000): AsyncGenerator<AuditEntryView> {
    const filter = await this.withPeople(query);
    yield* this.pagesFrom(
      filter,
      await this.repository.findBefore(filter, null, pageSize),
      pageSize,
    );
  }

  /**
   * Starts `actor`'s export of the log (the CSV download): fixes what it covers (its first page,
   * as `findAll`), counts its rows, and writes `audit.exported` with the filters and that count,
   * all before the caller sends a row. Who took a copy of the log, and what, is in the log even
   * when the download is then cut short or the hub stops part-way; a hub that cannot write the
   * entry refuses the export rather than hand out an unrecorded copy. The entry comes after every
   * row the export covers, so it is never in its own export; the next export that matches it
   * has it.
   *
   * @returns the entries to send, newest first
   */
  async startExport(
    actor: StaffPrincipal,
    query: AuditFilter,
    pageSize = 1000,
  ): Promise<AsyncGenerator<AuditEntryView>> {
    const filter = await this.withPeople(query);
    const first = await this.repository.findBefore(filter, null, pageSize);
    const rows =
      first.length < pageSize
        ? first.length
        : await this.repository.countUpTo(filter, first[0].seq);
    await this.tx.run((tx) =>
      this.record(tx, {
        actor,
        action: 'audit.exported',
        target: null,
        detail: { filters: exportedFilters(filter), rows },
      }),
    );
    return this.pagesFrom(filter, first, pageSize);
  }

  /** `first`, then each page below it, as `findAll` reads them. */
  private async *pagesFrom(
    filter: AuditFilter,
    first: AuditEntryEntity[],
    pageSize: number,
  ): AsyncGenerator<AuditEntryView> {
    let entries = first;
    for (;;) {
      for (const entry of entries) {
        yield toAuditEntryView(entry, this.config.timeZone);
      }
      if (entries.length < pageSize) {
        return;
      }
      entries = await this.repository.findBefore(filter, entries[entries.length - 1].seq, pageSize);
    }
  }

  onModuleInit(): void {
    this.daily.start(this.lease);
  }

  onApplicationShutdown(): void {
    this.daily.stop();
  }

  /**
   * Deletes entries older than the retention setting (GDPR: kept only as long as needed). The log
   * is otherwise append-only, so the deletion leaves its own entry, written in the same
   * transaction: `audit.entries_removed` by the hub, with how many went, the cut-off time and
   * HUB_AUDIT_RETENTION_DAYS. Whoever reads the log then sees why it starts where it does, rather
   * than a gap no entry explains (as a restore writes `hub.restored`).
   *
   * The entries go `batchSize` at a time, oldest first, each slice its own unit of work in the
   * background lane: lowering the setting on a hub with years of entries deletes millions of rows
   * (900,000 took 4.3 s in one statement on SQLite, with every request waiting), and slices let
   * staff and devices in between. The entry saying so is written with the last slice. Should the
   * hub stop part-way, the slices already deleted stay deleted and the next run's entry counts
   * only what it deleted itself.
   *
   * @param batchSize entries deleted per unit of work (at least 1)
   * @returns how many entries were deleted
   */
  async applyRetention(batchSize = RETENTION_BATCH): Promise<number> {
    const cutoff = new Date(this.clock.nowMs() - this.config.auditRetentionDays * DAY_MS);
    const slices = Math.max(1, Math.floor(batchSize));
    let removed = 0;
    for (;;) {
      const slice = await this.tx.run(
        async (tx) => {
          const count = await this.repository.deleteOlderThan(cutoff, tx, slices);
          if (count < slices && removed + count > 0) {
            await this.record(tx, {
              actor: { kind: 'system' },
              action: 'audit.entries_removed',
              target: null,
              detail: {
                removed: removed + count,
                before: cutoff.toISOString(),
                retentionDays: this.config.auditRetentionDays,
              },
            });
          }
          return count;
        },
        { background: true },
      );
      removed += slice;
      if (slice < slices) {
        break;
      }
    }
    if (removed > 0) {
      this.logger.log(`Removed ${removed} audit entries past the retention period`);
    }
    return removed;
  }
}
