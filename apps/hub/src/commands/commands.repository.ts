// Database access for the command queue.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { Tx } from '../database/transaction-runner';
import { CommandEntity, CommandStatus } from './command.entity';

const CHUNK = 200;
const OPEN: CommandStatus[] = ['pending', 'sent', 'not_now'];

@Injectable()
export class CommandsRepository {
  constructor(@InjectRepository(CommandEntity) private readonly commands: Repository<CommandEntity>) {}

  /** Inserts many commands in the caller's transaction (multi-row inserts, not one save each). */
  async insertMany(tx: Tx, rows: Omit<CommandEntity, 'seq'>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await tx.insert(CommandEntity, rows.slice(i, i + CHUNK));
    }
  }

  findById(id: string): Promise<CommandEntity | null> {
    return this.commands.findOneBy({ id });
  }

  /**
   * The device's next command to deliver: the oldest open one, skipping a `not_now` whose
   * retry time has not come.
   */
  findNextDeliverable(deviceId: string, now: Date): Promise<CommandEntity | null> {
    return this.commands
      .createQueryBuilder('c')
      .where('c.device_id = :deviceId', { deviceId })
      .andWhere(
        "(c.status IN ('pending', 'sent') OR (c.status = 'not_now' AND c.next_attempt_at <= :now))",
        { now: now.toISOString() },
      )
      .orderBy('c.seq', 'ASC')
      .limit(1)
      .getOne();
  }

  /** When the device's earliest `not_now` command may be tried again. */
  async nextRetryAt(deviceId: string): Promise<Date | null> {
    const row = await this.commands
      .createQueryBuilder('c')
      .select('MIN(c.next_attempt_at)', 'at')
      .where("c.device_id = :deviceId AND c.status = 'not_now'", { deviceId })
      .getRawOne<{ at: string | null }>();
    return row?.at ? new Date(row.at) : null;
  }

  openForDevice(deviceId: string): Promise<CommandEntity[]> {
    return this.commands.find({ where: { deviceId, status: In(OPEN) }, order: { seq: 'ASC' }, take: 500 });
  }

  /** Open commands of these types for a device (to avoid queueing a duplicate restore). */
  countOpenOfTypes(deviceId: string, types: readonly string[]): Promise<number> {
    return this.commands.count({ where: { deviceId, status: In(OPEN), type: In([...types]) } });
  }

  findPageForDevice(deviceId: string, status: CommandStatus | undefined, offset: number, limit: number) {
    return this.commands.findAndCount({
      where: status ? { deviceId, status } : { deviceId },
      order: { seq: 'DESC' },
      skip: offset,
      take: limit,
    });
  }

  async markSent(tx: Tx, id: string, at: Date): Promise<void> {
    await tx
      .createQueryBuilder()
      .update(CommandEntity)
      .set({ status: 'sent', sentAt: at, attempts: () => 'attempts + 1' })
      .where('id = :id', { id })
      .execute();
  }

  /** Records an answer unless the command already has a final one; true when it was recorded. */
  async recordAnswer(
    tx: Tx,
    id: string,
    changes: { status: CommandStatus; answeredAt: Date; detail: string | null; nextAttemptAt: Date | null },
  ): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(CommandEntity)
      .set(changes)
      .where("id = :id AND status IN ('pending', 'sent', 'not_now')", { id })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Open commands whose expiry has passed. */
  findExpired(now: Date, limit: number): Promise<CommandEntity[]> {
    return this.commands
      .createQueryBuilder('c')
      .where("c.status IN ('pending', 'sent', 'not_now') AND c.expires_at IS NOT NULL AND c.expires_at <= :now", {
        now: now.toISOString(),
      })
      .orderBy('c.seq', 'ASC')
      .limit(limit)
      .getMany();
  }

  async markExpired(tx: Tx, ids: readonly string[], at: Date): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await tx
        .createQueryBuilder()
        .update(CommandEntity)
        .set({ status: 'expired', answeredAt: at })
        .where("id IN (:...ids) AND status IN ('pending', 'sent', 'not_now')", { ids: ids.slice(i, i + CHUNK) })
        .execute();
    }
  }

  /** Retires open, undelivered commands of a type that a newer one replaces. */
  async supersedeOpen(tx: Tx, deviceIds: readonly string[], type: string, at: Date, detail: string): Promise<void> {
    for (let i = 0; i < deviceIds.length; i += CHUNK) {
      await tx
        .createQueryBuilder()
        .update(CommandEntity)
        .set({ status: 'expired', answeredAt: at, detail })
        .where("type = :type AND status IN ('pending', 'not_now') AND device_id IN (:...ids)", {
          type,
          ids: deviceIds.slice(i, i + CHUNK),
        })
        .execute();
    }
  }
}
