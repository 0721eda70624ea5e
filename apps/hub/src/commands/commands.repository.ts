// Database access for the command queue.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { bulkInsert } from '../database/bulk-insert';
import { chunks } from '../database/chunks';
import { getManyPlain } from '../database/plain-rows';
import { forUpdate } from '../database/row-lock';
import type { Tx } from '../database/transaction-runner';
import {
  CommandEntity,
  CommandStatus,
  DeliverableCommand,
  FINAL_STATUSES,
  OPEN_STATUSES,
} from './command.entity';

const CHUNK = 200;
/**
 * Commands one claim statement takes: 1,000 ids and four more values, well inside SQLite's
 * 32,766 and PostgreSQL's 65,535 parameters.
 */
const CLAIM_CHUNK = 1000;

type RawDeliverable = Omit<DeliverableCommand, 'seq' | 'issuedAt' | 'expiresAt'> & {
  seq: number | string;
  issuedAt: string;
  expiresAt: string | null;
};

function toDeliverable(row: RawDeliverable): DeliverableCommand {
  return {
    seq: Number(row.seq),
    id: row.id,
    deviceId: row.deviceId,
    type: row.type,
    payload: row.payload,
    issuedAt: new Date(row.issuedAt),
    expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt),
  };
}
/**
 * Open commands, in the words of the open-commands index (migration 1764300000000). A query that
 * repeats it exactly may use that small index; any other wording falls back to the history.
 */
const sqlList = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');
const OPEN = `status IN (${sqlList(OPEN_STATUSES)})`;
const OPEN_C = `c.${OPEN}`;
/**
 * The same commands, for queries that find them by id. Worded as NOT IN on purpose: with no
 * statistics SQLite takes `status IN (...)` for a narrow condition and walked every open command
 * through the (status, expiry) index instead of looking the ids up, 50 ms a batch once a school
 * had tens of thousands of commands waiting for offline devices.
 */
const NOT_FINAL = `status NOT IN (${sqlList(FINAL_STATUSES)})`;
const FINAL = `status IN (${sqlList(FINAL_STATUSES)})`;
/** Open and never sent, or answered `not_now` (nobody waits for an answer to it). */
const UNSENT = `status <> 'sent'`;

/** A command a conditional update changed: enough to audit it and to follow up on it. */
export interface ChangedCommand {
  id: string;
  deviceId: string;
  type: string;
}

@Injectable()
export class CommandsRepository {
  constructor(
    @InjectRepository(CommandEntity) private readonly commands: Repository<CommandEntity>,
  ) {}

  /** Inserts many commands in the caller's transaction (multi-row inserts, not one save each). */
  async insertMany(tx: Tx, rows: Omit<CommandEntity, 'seq'>[]): Promise<void> {
    await bulkInsert(tx, CommandEntity, rows);
  }

  findById(id: string): Promise<CommandEntity | null> {
    return this.commands.findOneBy({ id });
  }

  /**
   * Open commands in issue order, skipping any `not_now` whose retry time has not come: what to
   * deliver next. Only the columns delivery uses, read as plain rows: a policy change reads
   * thousands at once.
   */
  private deliverableQuery(now: Date) {
    return (
      this.commands
        .createQueryBuilder('c')
        .select('c.seq', 'seq')
        .addSelect('c.id', 'id')
        .addSelect('c.device_id', 'deviceId')
        .addSelect('c.type', 'type')
        .addSelect('c.payload', 'payload')
        .addSelect('c.issued_at', 'issuedAt')
        .addSelect('c.expires_at', 'expiresAt')
        // Written so the (device, status, seq) index narrows by status too, not only by device.
        .where(`${OPEN_C} AND (c.status <> 'not_now' OR c.next_attempt_at <= :now)`, {
          now: now.toISOString(),
        })
    );
  }

  /**
   * One device's next commands to deliver, one after another. Sorted here rather than by the
   * database: asked to order by seq, SQLite walks the device's whole history in seq order
   * instead of seeking its few open commands.
   */
  async findDeliverable(deviceId: string, now: Date, limit: number): Promise<DeliverableCommand[]> {
    const rows = await this.deliverableQuery(now)
      .andWhere('c.device_id = :deviceId', { deviceId })
      .getRawMany<RawDeliverable>();
    return rows
      .map(toDeliverable)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
  }

  /** The deliverable commands of many devices in one query per chunk, grouped by device. */
  async findDeliverableForDevices(
    deviceIds: readonly string[],
    now: Date,
  ): Promise<Map<string, DeliverableCommand[]>> {
    const byDevice = new Map<string, DeliverableCommand[]>();
    for (const part of chunks(deviceIds)) {
      const rows = await this.deliverableQuery(now)
        .andWhere('c.device_id IN (:...ids)', { ids: part })
        .orderBy('c.seq', 'ASC')
        .getRawMany<RawDeliverable>();
      for (const row of rows) {
        const list = byDevice.get(row.deviceId) ?? [];
        list.push(toDeliverable(row));
        byDevice.set(row.deviceId, list);
      }
    }
    return byDevice;
  }

  /** When each device's earliest `not_now` command may be tried again (devices with none are left out). */
  async nextRetryTimes(deviceIds: readonly string[]): Promise<Map<string, Date>> {
    const times = new Map<string, Date>();
    for (const part of chunks(deviceIds)) {
      const rows = await this.commands
        .createQueryBuilder('c')
        .select('c.device_id', 'deviceId')
        .addSelect('MIN(c.next_attempt_at)', 'at')
        .where(`c.device_id IN (:...ids) AND ${OPEN_C} AND c.status = 'not_now'`, {
          ids: part,
        })
        .groupBy('c.device_id')
        .getRawMany<{ deviceId: string; at: string }>();
      rows.forEach((row) => times.set(row.deviceId, new Date(row.at)));
    }
    return times;
  }

  /** A device's open commands in issue order (sorted here, as in findDeliverable). */
  async openForDevice(deviceId: string): Promise<CommandEntity[]> {
    const rows = await getManyPlain(
      this.commands.createQueryBuilder('c').where(`c.device_id = :deviceId AND ${OPEN_C}`, {
        deviceId,
      }),
    );
    return rows.sort((a, b) => a.seq - b.seq).slice(0, 500);
  }

  /**
   * Open commands of these types for a device (to avoid queueing a duplicate restore). Pass the
   * transaction that decides on the count, so that the count and the insert are one unit.
   */
  /**
   * How many open commands of these types each device has (issue 12: a class tile is `pending`
   * while one is): one query per 500 devices, on the open-commands index. Devices with none are
   * left out. In `tx` when given.
   */
  async openCountsByDevice(
    deviceIds: readonly string[],
    types: readonly string[],
    tx?: Tx,
  ): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const part of chunks(deviceIds)) {
      const rows = await (
        tx ? tx.createQueryBuilder(CommandEntity, 'c') : this.commands.createQueryBuilder('c')
      )
        .select('c.device_id', 'deviceId')
        .addSelect('COUNT(*)', 'open')
        .where(`c.device_id IN (:...ids) AND ${OPEN_C} AND c.type IN (:...types)`, {
          ids: part,
          types,
        })
        .groupBy('c.device_id')
        .getRawMany<{ deviceId: string; open: number | string }>();
      rows.forEach((row) => counts.set(row.deviceId, Number(row.open)));
    }
    return counts;
  }

  countOpenOfTypes(deviceId: string, types: readonly string[], tx?: Tx): Promise<number> {
    return (tx ? tx.createQueryBuilder(CommandEntity, 'c') : this.commands.createQueryBuilder('c'))
      .where(`c.device_id = :deviceId AND ${OPEN_C} AND c.type IN (:...types)`, {
        deviceId,
        types,
      })
      .getCount();
  }

  /**
   * When the newest command of these types for a device was answered `error`: its answer time,
   * else null (none, or the newest was answered otherwise or not yet). The restore of a desired
   * lock waits a while after such an answer instead of following every report (issue 8).
   */
  async newestErrorAnswerOfTypes(
    deviceId: string,
    types: readonly string[],
    tx: Tx,
  ): Promise<Date | null> {
    const newest = await tx
      .createQueryBuilder(CommandEntity, 'c')
      .select(['c.seq', 'c.status', 'c.answeredAt'])
      .where('c.device_id = :deviceId AND c.type IN (:...types)', { deviceId, types })
      .orderBy('c.seq', 'DESC')
      .limit(1)
      .getOne();
    return newest?.status === 'error' ? newest.answeredAt : null;
  }

  findPageForDevice(
    deviceId: string,
    status: CommandStatus | undefined,
    offset: number,
    limit: number,
  ) {
    return this.commands.findAndCount({
      where: status ? { deviceId, status } : { deviceId },
      order: { seq: 'DESC' },
      skip: offset,
      take: limit,
    });
  }

  /**
   * Changes the commands matching `condition` (no table alias; `:name` parameters) to `changes`
   * and returns exactly those it changed, in issue order: they are read and locked, then updated
   * under the same condition, in the caller's transaction (see database/row-lock.ts). A status
   * change that depends on the current status is decided here, never by a read in one statement
   * and a write in the next (issue 8 items 8 and 9).
   */
  private async changeWhere(
    tx: Tx,
    condition: string,
    params: Record<string, unknown>,
    changes: Partial<Omit<CommandEntity, 'attempts'>> & { attempts?: () => string },
  ): Promise<ChangedCommand[]> {
    const rows = await forUpdate(
      tx
        .createQueryBuilder(CommandEntity, 'c')
        .select('c.seq', 'seq')
        .addSelect('c.id', 'id')
        .addSelect('c.device_id', 'deviceId')
        .addSelect('c.type', 'type')
        .where(condition, params),
    ).getRawMany<ChangedCommand & { seq: number | string }>();
    if (rows.length === 0) {
      return [];
    }
    for (const part of chunks(rows, CHUNK)) {
      await tx
        .createQueryBuilder()
        .update(CommandEntity)
        .set(changes)
        .where(`id IN (:...changedIds) AND ${NOT_FINAL}`, { changedIds: part.map((r) => r.id) })
        .execute();
    }
    return rows
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map(({ id, deviceId, type }) => ({ id, deviceId, type }));
  }

  /**
   * Claims commands for the hub `hub` and marks them sent, in the caller's transaction: only those
   * still open (a command retired since it was fetched, by a newer lock or an expiry, is left
   * alone: issue 8 item 8) and not claimed by another hub whose claim still runs (issue 10: two
   * hubs that both see a device connect never both send it a command). A claim lasts until
   * `until` (when the answer is overdue); the one left by a dead hub then runs out, and the
   * command is sent again, which the device answers from its journal (protocol section 3).
   *
   * One conditional `UPDATE ... RETURNING` per 1,000 commands (CLAIM_CHUNK): no read before it,
   * because the statement's own condition is the check (on PostgreSQL an UPDATE re-checks its
   * WHERE on a row another transaction changed meanwhile, so two hubs never both claim one). A
   * policy change's 5,000 claims are five statements rather than fifty: on SQLite each
   * statement waits a turn of the event loop that the change's sends keep busy, and the sends
   * wait for the claims (bench:policy, docs/decisions.md). The claim costs a second read only
   * when some command was not claimed.
   *
   * A command answered `not_now` whose retry time has not come is not claimed either: fetched
   * for sending by one hub while another sent it and had that answer, it would otherwise be sent
   * again at once, not after the retry interval (protocol section 3: no sooner than 30 s).
   *
   * @returns `sent`: the ids now claimed by `hub` and marked sent (only those may be sent);
   *   `heldElsewhere`: the ids still open but claimed by another hub, to try again later (not
   *   those answered `not_now` and not yet due: they are skipped, and tried when due)
   */
  async claimAndMarkSent(
    tx: Tx,
    ids: readonly string[],
    at: Date,
    claim: { hub: string; until: Date },
  ): Promise<{ sent: string[]; heldElsewhere: string[] }> {
    const sent: string[] = [];
    const runner = tx.queryRunner;
    if (!runner) {
      throw new Error('claimAndMarkSent runs inside a transaction');
    }
    const driver = tx.connection.driver;
    const atText = at.toISOString();
    for (const part of chunks(ids, CLAIM_CHUNK)) {
      const params: unknown[] = [];
      const p = (value: unknown): string => {
        params.push(value);
        return driver.createParameter(`p${params.length}`, params.length - 1);
      };
      // Placeholders are numbered in the order they are written (SQLite's `?` go by position).
      // Begun with WITH: TypeORM's SQLite runner collects rows only from a statement that does
      // not begin with UPDATE (see insert-returning.ts).
      const sql =
        `WITH claim (at) AS (SELECT ${p(atText)}) UPDATE commands SET status = 'sent', ` +
        `sent_at = (SELECT at FROM claim), attempts = attempts + 1, claimed_by = ${p(claim.hub)}, ` +
        `claimed_until = ${p(claim.until.toISOString())} ` +
        `WHERE id IN (${part.map((id) => p(id)).join(', ')}) AND ${NOT_FINAL} ` +
        `AND (status <> 'not_now' OR next_attempt_at <= (SELECT at FROM claim)) ` +
        `AND (claimed_by IS NULL OR claimed_by = ${p(claim.hub)} ` +
        `OR claimed_until <= (SELECT at FROM claim)) RETURNING id`;
      const result = await runner.query(sql, params, true);
      sent.push(...(result.records as { id: string }[]).map((row) => row.id));
    }
    if (sent.length === ids.length) {
      return { sent, heldElsewhere: [] };
    }
    const claimed = new Set(sent);
    const heldElsewhere: string[] = [];
    for (const part of chunks(
      ids.filter((id) => !claimed.has(id)),
      CHUNK,
    )) {
      const rows = await tx
        .createQueryBuilder(CommandEntity, 'c')
        .select('c.id', 'id')
        .where(
          `c.id IN (:...ids) AND c.${NOT_FINAL}` +
            " AND (c.status <> 'not_now' OR c.next_attempt_at <= :at)",
          { ids: part, at: atText },
        )
        .getRawMany<{ id: string }>();
      heldElsewhere.push(...rows.map((row) => row.id));
    }
    return { sent, heldElsewhere };
  }

  /**
   * Gives up `hub`'s claim on these commands (its connection to the device is gone, or the
   * answer is overdue), so that the hub the device reconnects to may send them at once rather
   * than when the claim runs out. A claim another hub has taken since is left alone.
   */
  async releaseClaims(tx: Tx, ids: readonly string[], hub: string): Promise<void> {
    for (const part of chunks(ids, CHUNK)) {
      await tx
        .createQueryBuilder()
        .update(CommandEntity)
        .set({ claimedBy: null, claimedUntil: null })
        .where('id IN (:...ids) AND claimed_by = :hub', { ids: part, hub })
        .execute();
    }
  }

  /**
   * Gives up every claim `hub` holds (a clean shutdown), or with `hub` null every claim at all:
   * a SQLite hub at start, the only hub its file ever has, whose earlier run's claims are stale.
   * Only open commands carry claims, and those few through the open-commands index.
   */
  async releaseAllClaims(tx: Tx, hub: string | null): Promise<number> {
    const result = await tx
      .createQueryBuilder()
      .update(CommandEntity)
      .set({ claimedBy: null, claimedUntil: null })
      .where(
        hub === null ? `${OPEN} AND claimed_by IS NOT NULL` : `${OPEN} AND claimed_by = :hub`,
        { hub },
      )
      .execute();
    return result.affected ?? 0;
  }

  /**
   * Records the same answer for many commands, skipping any that already have a final one;
   * returns the ids it recorded.
   */
  async recordAnswers(
    tx: Tx,
    ids: readonly string[],
    changes: {
      status: CommandStatus;
      answeredAt: Date;
      detail: string | null;
      nextAttemptAt: Date | null;
    },
  ): Promise<string[]> {
    const recorded: string[] = [];
    for (const part of chunks(ids, CHUNK)) {
      // Answered: nobody waits for it any more, and a `not_now` may be retried by any hub.
      const changed = await this.changeWhere(
        tx,
        `id IN (:...ids) AND ${NOT_FINAL}`,
        { ids: part },
        { ...changes, claimedBy: null, claimedUntil: null },
      );
      recorded.push(...changed.map((row) => row.id));
    }
    return recorded;
  }

  /**
   * Commands due to expire: past their expiry and not waiting for an answer (pending, or
   * answered `not_now`). A sent command is left to its answer, which is recorded even if it
   * comes after the expiry (issue 8 item 9).
   */
  async findExpired(now: Date, limit: number): Promise<string[]> {
    const rows = await this.commands
      .createQueryBuilder('c')
      .select('c.id', 'id')
      .where(
        "c.status IN ('pending', 'not_now') AND c.expires_at IS NOT NULL AND c.expires_at <= :now",
        { now: now.toISOString() },
      )
      .orderBy('c.seq', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  /**
   * Expires these commands where they are still open and past their expiry, and returns those
   * it expired (only they are audited, issue 8 item 9). `unsentOnly` leaves sent commands to
   * their answer (the sweep); delivery passes false for a command it was about to send again,
   * whose earlier send went unanswered on a connection that is gone.
   */
  async markExpired(
    tx: Tx,
    ids: readonly string[],
    at: Date,
    unsentOnly = true,
  ): Promise<ChangedCommand[]> {
    const expired: ChangedCommand[] = [];
    for (const part of chunks(ids, CHUNK)) {
      expired.push(
        ...(await this.changeWhere(
          tx,
          `id IN (:...ids) AND ${NOT_FINAL}${unsentOnly ? ` AND ${UNSENT}` : ''}` +
            ' AND expires_at IS NOT NULL AND expires_at <= :at',
          { ids: part, at: at.toISOString() },
          { status: 'expired', answeredAt: at },
        )),
      );
    }
    return expired;
  }

  /**
   * Retires the open, unsent commands of these types for these devices (a newer command
   * replaces them, issue 8 item 8) and returns those it retired. A sent command is left to its
   * answer: the device already has it, and the newer command follows it.
   */
  async supersedeOpen(
    tx: Tx,
    deviceIds: readonly string[],
    types: readonly string[],
    at: Date,
    detail: string,
  ): Promise<ChangedCommand[]> {
    const retired: ChangedCommand[] = [];
    for (const part of chunks(deviceIds, CHUNK)) {
      retired.push(
        ...(await this.changeWhere(
          tx,
          `device_id IN (:...deviceIds) AND ${OPEN} AND ${UNSENT} AND type IN (:...types)`,
          { deviceIds: part, types },
          { status: 'expired', answeredAt: at, detail },
        )),
      );
    }
    return retired;
  }

  /**
   * Retires those of these commands that are answered `not_now` and that a newer command of one
   * of `replacers` for the same device has replaced: they were on their way when it was issued,
   * so `supersedeOpen` left them to their answer, and a retry would now overtake the newer one
   * (issue 8 item 8). Returns each retired command with the newest command that replaced it.
   */
  async retireOvertaken(
    tx: Tx,
    ids: readonly string[],
    replacers: readonly string[],
    at: Date,
  ): Promise<(ChangedCommand & { by: string; byType: string })[]> {
    if (ids.length === 0 || replacers.length === 0) {
      return [];
    }
    const newest = new Map<string, { by: string; byType: string; bySeq: number }>();
    for (const part of chunks(ids, CHUNK)) {
      const rows = await tx
        .createQueryBuilder(CommandEntity, 'c')
        .innerJoin(
          CommandEntity,
          'n',
          'n.device_id = c.device_id AND n.seq > c.seq AND n.type IN (:...replacers)',
          { replacers },
        )
        .select('c.id', 'id')
        .addSelect('n.id', 'by')
        .addSelect('n.type', 'byType')
        .addSelect('n.seq', 'bySeq')
        .where("c.id IN (:...ids) AND c.status = 'not_now'", { ids: part })
        .getRawMany<{ id: string; by: string; byType: string; bySeq: number | string }>();
      for (const row of rows) {
        const known = newest.get(row.id);
        if (!known || Number(row.bySeq) > known.bySeq) {
          newest.set(row.id, { by: row.by, byType: row.byType, bySeq: Number(row.bySeq) });
        }
      }
    }
    const retired: (ChangedCommand & { by: string; byType: string })[] = [];
    const byType = new Map<string, string[]>();
    for (const [id, { byType: type }] of newest) {
      byType.set(type, [...(byType.get(type) ?? []), id]);
    }
    for (const [type, typeIds] of byType) {
      const changed = await this.changeWhere(
        tx,
        "id IN (:...ids) AND status = 'not_now'",
        { ids: typeIds },
        {
          status: 'expired',
          answeredAt: at,
          nextAttemptAt: null,
          detail: `replaced by a newer ${type}`,
        },
      );
      for (const row of changed) {
        const by = newest.get(row.id) as { by: string; byType: string };
        retired.push({ ...row, by: by.by, byType: by.byType });
      }
    }
    return retired;
  }

  /**
   * Cancels every open command of a device, sent ones included (status `cancelled`): the
   * enrolment they were queued for has ended (revoked, or re-enrolled: protocol 1.1 section 1,
   * issue 8 items 11 and 21). Returns the cancelled ids in issue order; the caller audits them.
   */
  async cancelOpenForDevice(tx: Tx, deviceId: string, at: Date = new Date()): Promise<string[]> {
    const cancelled = await this.changeWhere(
      tx,
      `device_id = :deviceId AND ${OPEN}`,
      { deviceId },
      { status: 'cancelled', answeredAt: at, detail: 'the enrolment it was queued for ended' },
    );
    return cancelled.map((row) => row.id);
  }

  /** How many commands are in each status (operating figures). */
  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.commands
      .createQueryBuilder('c')
      .select('c.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('c.status')
      .getRawMany<{ status: string; count: number | string }>();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }

  /** Deletes answered and expired commands older than `cutoff`; open ones are never touched. */
  async deleteFinishedBefore(tx: Tx, cutoff: Date): Promise<number> {
    const result = await tx
      .createQueryBuilder()
      .delete()
      .from(CommandEntity)
      .where(`${FINAL} AND answered_at < :cutoff`, {
        cutoff: cutoff.toISOString(),
      })
      .execute();
    return result.affected ?? 0;
  }
}
