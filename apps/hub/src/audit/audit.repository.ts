// Reads and appends audit entries. There is deliberately no update; deletion is retention only.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { bulkInsert } from '../database/bulk-insert';
import type { Tx } from '../database/transaction-runner';
import { AuditEntryEntity } from './audit-entry.entity';

export interface AuditFilter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
}

@Injectable()
export class AuditRepository {
  constructor(
    @InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>,
  ) {}

  async append(tx: Tx, rows: Omit<AuditEntryEntity, 'seq'>[]): Promise<void> {
    await bulkInsert(tx, AuditEntryEntity, rows);
  }

  async find(
    filter: AuditFilter,
    offset: number,
    limit: number,
  ): Promise<[AuditEntryEntity[], number]> {
    const query = this.entries.createQueryBuilder('e');
    if (filter.actor) {
      query.andWhere('(e.actor_id = :actor OR e.actor_label = :actor)', { actor: filter.actor });
    }
    if (filter.action) {
      // "device.lock" matches exactly; "command." matches every action under that prefix.
      if (filter.action.endsWith('.')) {
        query.andWhere('e.action LIKE :prefix', { prefix: `${filter.action}%` });
      } else {
        query.andWhere('e.action = :action', { action: filter.action });
      }
    }
    if (filter.targetType) {
      query.andWhere('e.target_type = :targetType', { targetType: filter.targetType });
    }
    if (filter.targetId) {
      query.andWhere('e.target_id = :targetId', { targetId: filter.targetId });
    }
    if (filter.from) {
      query.andWhere('e.at >= :from', { from: filter.from.toISOString() });
    }
    if (filter.to) {
      query.andWhere('e.at < :to', { to: filter.to.toISOString() });
    }
    return query.orderBy('e.seq', 'DESC').skip(offset).take(limit).getManyAndCount();
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    const result = await this.entries
      .createQueryBuilder()
      .delete()
      .where('at < :cutoff', { cutoff: cutoff.toISOString() })
      .execute();
    return result.affected ?? 0;
  }
}
