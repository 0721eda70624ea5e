// Reads and appends audit entries. There is deliberately no update; deletion is retention only.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository, SelectQueryBuilder } from 'typeorm';
import { bulkInsert } from '../database/bulk-insert';
import type { Tx } from '../database/transaction-runner';
import { AuditEntryEntity } from './audit-entry.entity';

export interface AuditFilter {
  /**
   * The Person filter as typed: an entry matches when its actor's id or username is this text
   * (as typed or lower-cased), or its actor is one of `actorStaffIds`.
   */
  actor?: string;
  /**
   * The staff accounts the `actor` text names by part of their name or username (the service
   * finds them, see AuditService.peopleNamed); only read when `actor` is given.
   */
  actorStaffIds?: readonly string[];
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
}

/** A member of staff as the audit reader may name them: their account's id and names now. */
export interface AuditPersonRow {
  id: string;
  username: string;
  displayName: string;
}

/** `text` with LIKE's wildcards (and the escape character) escaped, for `LIKE … ESCAPE '\'`. */
function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, (c) => `\\${c}`);
}

@Injectable()
export class AuditRepository {
  constructor(
    @InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>,
  ) {}

  async append(tx: Tx, rows: Omit<AuditEntryEntity, 'seq'>[]): Promise<void> {
    await bulkInsert(tx, AuditEntryEntity, rows);
  }

  /** One page of matching entries, newest first, and how many match in all (for the reader). */
  async find(
    filter: AuditFilter,
    offset: number,
    limit: number,
  ): Promise<[AuditEntryEntity[], number]> {
    return this.filtered(filter)
      .orderBy('e.seq', 'DESC')
      .skip(offset)
      .take(limit)
      .getManyAndCount();
  }

  /**
   * Up to `limit` matching entries older than entry `beforeSeq` (all of them when null), newest
   * first: keyset paging for the CSV export, so each page costs the same however deep it is, and
   * entries appended meanwhile (higher `seq`) are never read, let alone twice (issue 8 item 22).
   */
  async findBefore(
    filter: AuditFilter,
    beforeSeq: number | null,
    limit: number,
  ): Promise<AuditEntryEntity[]> {
    const query = this.filtered(filter);
    if (beforeSeq !== null) {
      query.andWhere('e.seq < :beforeSeq', { beforeSeq });
    }
    return query.orderBy('e.seq', 'DESC').limit(limit).getMany();
  }

  /**
   * How many matching entries there are up to entry `atMostSeq`, inclusive: the rows of a CSV
   * export whose first page begins at that entry (what `findBefore` pages through from there).
   */
  async countUpTo(filter: AuditFilter, atMostSeq: number): Promise<number> {
    return this.filtered(filter).andWhere('e.seq <= :atMostSeq', { atMostSeq }).getCount();
  }

  /**
   * Every member of staff the log names as having acted (at least one entry with them as its
   * actor), with their account's username and display name as they are now: what the audit
   * reader's Person filter may name, and nothing the log itself does not already show its
   * reader (no roles, email or disabled state). One probe of the (actor_id, at) index per
   * account; a school has hundreds of staff, not the log's millions of entries.
   */
  async staffWhoActed(): Promise<AuditPersonRow[]> {
    return this.entries.manager
      .createQueryBuilder()
      .from('staff_accounts', 's')
      .select('s.id', 'id')
      .addSelect('s.username', 'username')
      .addSelect('s.display_name', 'displayName')
      .where(
        "EXISTS (SELECT 1 FROM audit_entries a WHERE a.actor_id = s.id AND a.actor_type = 'staff')",
      )
      .getRawMany<AuditPersonRow>();
  }

  private filtered(filter: AuditFilter): SelectQueryBuilder<AuditEntryEntity> {
    const query = this.entries.createQueryBuilder('e');
    if (filter.actor) {
      // Usernames and the hub's ids are lower case, so "Tariq" finds tariq as signing in does; the
      // text as typed is kept too, for a shell user written with capitals.
      const actors = [...new Set([filter.actor, filter.actor.toLowerCase()])];
      const staffIds = [...new Set(filter.actorStaffIds ?? [])];
      query.andWhere(
        new Brackets((where) => {
          where
            .where('e.actor_id IN (:...actors)', { actors })
            .orWhere('e.actor_label IN (:...actors)', { actors });
          if (staffIds.length > 0) {
            // Ids, not names: every entry by the people named, whatever they were called when
            // it was written; the (actor_id, at) index finds them.
            where.orWhere("(e.actor_type = 'staff' AND e.actor_id IN (:...staffIds))", {
              staffIds,
            });
          }
        }),
      );
    }
    if (filter.action) {
      // "device.lock" matches exactly; "command." matches every action under that prefix (its
      // "_" a letter, not LIKE's any-one-character).
      if (filter.action.endsWith('.')) {
        query.andWhere("e.action LIKE :prefix ESCAPE '\\'", {
          prefix: `${escapeLike(filter.action)}%`,
        });
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
    return query;
  }

  /**
   * Deletes the entries written before `cutoff` (retention), inside `tx` when given: all of them,
   * or with `limit` only the oldest `limit`, so that a retention that has years to delete can do
   * it a slice per unit of work rather than holding the database in one long statement.
   *
   * @returns how many were deleted
   */
  async deleteOlderThan(cutoff: Date, tx?: Tx, limit?: number): Promise<number> {
    const entries = tx ? tx.getRepository(AuditEntryEntity) : this.entries;
    const deletion = entries.createQueryBuilder().delete();
    if (limit === undefined) {
      deletion.where('at < :cutoff');
    } else {
      // The same SQL on SQLite and PostgreSQL (neither takes DELETE ... LIMIT portably).
      const oldest = entries
        .createQueryBuilder('old')
        .select('old.seq')
        .where('old.at < :cutoff')
        .orderBy('old.seq', 'ASC')
        .limit(limit);
      deletion.where(`seq IN (${oldest.getQuery()})`);
    }
    const result = await deletion.setParameters({ cutoff: cutoff.toISOString() }).execute();
    return result.affected ?? 0;
  }
}
