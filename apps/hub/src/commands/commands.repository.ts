// Database access for the command queue.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { bulkInsert } from '../database/bulk-insert';
import { chunks } from '../database/chunks';
import { getManyPlain } from '../database/plain-rows';
import type { Tx } from '../database/transaction-runner';
import {
  CommandEntity,
  CommandStatus,
  DeliverableCommand,
  FINAL_STATUSES,
  OPEN_STATUSES,
} from './command.entity';

const CHUNK = 200;

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

  /** Open commands of these types for a device (to avoid queueing a duplicate restore). */
  countOpenOfTypes(deviceId: string, types: readonly string[]): Promise<number> {
    return this.commands
      .createQueryBuilder('c')
      .where(`c.device_id = :deviceId AND ${OPEN_C} AND c.type IN (:...types)`, {
        deviceId,
        types,
      })
      .getCount();
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

  /** Marks commands as sent (one statement for many); a command with a final answer stays as it is. */
  async markSent(tx: Tx, ids: readonly string[], at: Date): Promise<void> {
    for (const part of chunks(ids, CHUNK)) {
      await tx
        .createQueryBuilder()
        .update(CommandEntity)
        .set({ status: 'sent', sentAt: at, attempts: () => 'attempts + 1' })
        .where(`id IN (:...ids) AND ${NOT_FINAL}`, {
          ids: part,
        })
        .execute();
    }
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
      const open = await tx
        .createQueryBuilder(CommandEntity, 'c')
        .select('c.id', 'id')
        .where(`c.id IN (:...ids) AND c.${NOT_FINAL}`, { ids: part })
        .getRawMany<{ id: string }>();
      if (open.length === 0) {
        continue;
      }
      const openIds = open.map((row) => row.id);
      await tx
        .createQueryBuilder()
        .update(CommandEntity)
        .set(changes)
        .where('id IN (:...ids)', { ids: openIds })
        .execute();
      recorded.push(...openIds);
    }
    return recorded;
  }

  /** Open commands whose expiry has passed. */
  findExpired(now: Date, limit: number): Promise<CommandEntity[]> {
    return this.commands
      .createQueryBuilder('c')
      .where(
        "c.status IN ('pending', 'sent', 'not_now') AND c.expires_at IS NOT NULL AND c.expires_at <= :now",
        {
          now: now.toISOString(),
        },
      )
      .orderBy('c.seq', 'ASC')
      .limit(limit)
      .getMany();
  }

  async markExpired(tx: Tx, ids: readonly string[], at: Date): Promise<void> {
    for (const part of chunks(ids, CHUNK)) {
      await tx
        .createQueryBuilder()
        .update(CommandEntity)
        .set({ status: 'expired', answeredAt: at })
        .where(`id IN (:...ids) AND ${NOT_FINAL}`, {
          ids: part,
        })
        .execute();
    }
  }

  /** Retires open, undelivered commands of a type that a newer one replaces. */
  async supersedeOpen(
    tx: Tx,
    deviceIds: readonly string[],
    type: string,
    at: Date,
    detail: string,
  ): Promise<void> {
    for (const part of chunks(deviceIds, CHUNK)) {
      await tx
        .createQueryBuilder()
        .update(CommandEntity)
        .set({ status: 'expired', answeredAt: at, detail })
        .where(`type = :type AND ${OPEN} AND status <> 'sent' AND device_id IN (:...ids)`, {
          type,
          ids: part,
        })
        .execute();
    }
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
