// All database access for staff accounts, sessions, throttles and the AUP.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, In, IsNull, Repository } from 'typeorm';
import { BatchLoader } from '../database/batch-loader';
import { chunks } from '../database/chunks';
import { inCodePointOrder } from '../database/dialect';
import { nameKeysOf } from '../database/name-search';
import { forUpdate } from '../database/row-lock';
import type { Tx } from '../database/transaction-runner';
import {
  AupAcceptanceEntity,
  AupVersionEntity,
  LoginThrottleEntity,
  StaffAccountEntity,
  StaffSessionEntity,
} from './staff.entities';

/**
 * Rows by one unique column, the keys asked for in the same tick read together (one `IN` read
 * per chunk); null for a key with no row.
 */
function rowsBy<E extends object, K extends keyof E & string>(
  repository: Repository<E>,
  column: K,
): BatchLoader<string, E | null> {
  return new BatchLoader<string, E | null>(async (keys) => {
    const out = new Map<string, E>();
    for (const part of chunks(keys)) {
      for (const row of await repository.findBy({ [column]: In(part) } as FindOptionsWhere<E>)) {
        out.set(String(row[column]), row);
      }
    }
    return out;
  }, null);
}

@Injectable()
export class StaffRepository {
  constructor(
    @InjectRepository(StaffAccountEntity) private readonly accounts: Repository<StaffAccountEntity>,
    @InjectRepository(StaffSessionEntity) private readonly sessions: Repository<StaffSessionEntity>,
    @InjectRepository(AupVersionEntity) private readonly aupVersions: Repository<AupVersionEntity>,
    @InjectRepository(AupAcceptanceEntity)
    private readonly acceptances: Repository<AupAcceptanceEntity>,
  ) {
    this.sessionsByHash = rowsBy(this.sessions, 'tokenHash');
    this.accountsById = rowsBy(this.accounts, 'id');
  }

  // The reads every staff request makes (issue 12: a hundred teachers' requests at the start of
  // a lesson), each answered with one read for all the requests of the same moment.
  private readonly sessionsByHash: BatchLoader<string, StaffSessionEntity | null>;
  private readonly accountsById: BatchLoader<string, StaffAccountEntity | null>;
  private readonly currentAupByStaff = new BatchLoader<
    string,
    { hash: string; accepted: boolean } | null
  >(async (staffIds) => {
    const current = await this.aupVersions
      .createQueryBuilder('aup')
      .select('aup.hash', 'hash')
      .orderBy('aup.published_seq', 'DESC', 'NULLS LAST')
      .addOrderBy('aup.seq', 'DESC')
      .limit(1)
      .getRawOne<{ hash: string }>();
    if (!current) {
      return new Map();
    }
    const accepted = await this.acceptedBy(current.hash, staffIds);
    return new Map(staffIds.map((id) => [id, { hash: current.hash, accepted: accepted.has(id) }]));
  }, null);

  /**
   * A staff request's session by its token's hash, read together with the other requests' of
   * the same moment (one read for all). Read only: the entity may be shared by those requests.
   */
  sessionForRequest(tokenHash: string): Promise<StaffSessionEntity | null> {
    return this.sessionsByHash.load(tokenHash);
  }

  /** A staff request's account, read as `sessionForRequest` is. Read only. */
  accountForRequest(id: string): Promise<StaffAccountEntity | null> {
    return this.accountsById.load(id);
  }

  countAccounts(): Promise<number> {
    return this.accounts.count();
  }

  findById(id: string): Promise<StaffAccountEntity | null> {
    return this.accounts.findOneBy({ id });
  }

  findByUsername(username: string): Promise<StaffAccountEntity | null> {
    return this.accounts.findOneBy({ username });
  }

  /**
   * A page of accounts by username (ASCII by its rule), compared by code point on both databases
   * (`inCodePointOrder`: a PostgreSQL server's own collation would put "ann_b" before "ann-b").
   */
  findPage(
    offset: number,
    limit: number,
    includeDisabled: boolean,
  ): Promise<[StaffAccountEntity[], number]> {
    const query = this.accounts.createQueryBuilder('a');
    if (!includeDisabled) {
      query.where('a.disabled = :disabled', { disabled: false });
    }
    return query
      .orderBy(inCodePointOrder(query.connection.driver, 'a.username'), 'ASC')
      .skip(offset)
      .take(limit)
      .getManyAndCount();
  }

  /**
   * Inserts a new account, its `nameKey` and `nameSortKey` made here from its display name;
   * a taken username fails with a unique violation (see isUniqueViolation).
   */
  async insertAccount(
    tx: Tx,
    account: Omit<StaffAccountEntity, 'nameKey' | 'nameSortKey'>,
  ): Promise<void> {
    await tx.insert(StaffAccountEntity, { ...account, ...nameKeysOf(account.displayName) });
  }

  /**
   * Writes only the given columns of one account, and only while `condition` still holds (for
   * example the password hash that was checked, or `disabled: false`). Never a whole entity read
   * before a slow step: a change made meanwhile by someone else survives (issue 8 item 2).
   * A new `displayName` writes its `nameKey` and `nameSortKey` too.
   *
   * @returns whether the row was changed (false: no such account, or the condition failed)
   */
  async updateAccountWhere(
    tx: Tx,
    id: string,
    condition: Partial<Pick<StaffAccountEntity, 'passwordHash' | 'disabled'>>,
    changes: Partial<
      Pick<
        StaffAccountEntity,
        | 'displayName'
        | 'roles'
        | 'passwordHash'
        | 'disabled'
        | 'updatedAt'
        | 'passwordChangedAt'
        | 'email'
      >
    >,
  ): Promise<boolean> {
    const keyed =
      changes.displayName === undefined
        ? changes
        : { ...changes, ...nameKeysOf(changes.displayName) };
    const result = await tx.update(StaffAccountEntity, { id, ...condition }, keyed);
    return (result.affected ?? 0) > 0;
  }

  /**
   * Whether the account still has this password hash and is enabled, taking the row's write
   * lock on PostgreSQL (a no-op update) so that a password change or a disable that commits
   * meanwhile waits for this transaction, and its session revocation then covers what this one
   * creates. On SQLite the transaction queue already orders them.
   */
  async lockIfStillValid(tx: Tx, id: string, passwordHash: string): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(StaffAccountEntity)
      .set({ passwordHash: () => 'password_hash' })
      .where('id = :id AND password_hash = :passwordHash AND disabled = :disabled', {
        id,
        passwordHash,
        disabled: false,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  findByIdIn(tx: Tx, id: string): Promise<StaffAccountEntity | null> {
    return tx.findOneBy(StaffAccountEntity, { id });
  }

  /**
   * Reads these accounts inside `tx` and locks their rows until it ends (PostgreSQL; SQLite's
   * transactions already run one at a time), in id order, so that two changes locking the same
   * two accounts (two ICT staff changing each other) take turns instead of deadlocking.
   *
   * @returns the accounts found, in id order (an unknown id is left out)
   */
  lockAccounts(tx: Tx, ids: readonly string[]): Promise<StaffAccountEntity[]> {
    return forUpdate(
      tx
        .createQueryBuilder(StaffAccountEntity, 'account')
        .where('account.id IN (:...ids)', { ids: [...new Set(ids)] })
        .orderBy('account.id', 'ASC'),
    ).getMany();
  }

  async insertSession(tx: Tx, session: StaffSessionEntity): Promise<void> {
    await tx.insert(StaffSessionEntity, session);
  }

  findSessionByHash(tokenHash: string): Promise<StaffSessionEntity | null> {
    return this.sessions.findOneBy({ tokenHash });
  }

  async revokeSessions(tx: Tx, staffId: string, at: Date, exceptId?: string): Promise<void> {
    const query = tx
      .createQueryBuilder()
      .update(StaffSessionEntity)
      .set({ revokedAt: at })
      .where('staff_id = :staffId AND revoked_at IS NULL', { staffId });
    if (exceptId) {
      query.andWhere('id <> :exceptId', { exceptId });
    }
    await query.execute();
  }

  /**
   * Ends the session whose token has this hash, if it has not ended already: one conditional
   * update, so of several sign-outs of one session at the same moment exactly one ends it.
   *
   * @returns whether this call ended it (false: no such session, or it had ended already)
   */
  async revokeSessionByHash(tx: Tx, tokenHash: string, at: Date): Promise<boolean> {
    const result = await tx.update(
      StaffSessionEntity,
      { tokenHash, revokedAt: IsNull() },
      { revokedAt: at },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Counts one sign-in attempt for `username` with an atomic increment and says what it was
   * (issue 8 item 1). Attempts made while the username is locked are not counted; the first
   * attempt after a lock has ended, or after a quiet spell since `staleBefore`, starts the count
   * again at 1. The attempt that brings the count
   * to `lockAfter` sets the lock, until `lockUntil`.
   *
   * Portable: the row is created if missing (insert or ignore), then one conditional UPDATE
   * increments it, then it is read back in the same transaction. On PostgreSQL the UPDATE holds
   * the row's lock until commit, so concurrent attempts are counted one after another; on SQLite
   * the transaction queue does the same.
   *
   * @returns `attempt`: this attempt's number (1-based) when it was counted, or `null` when the
   *   username was already locked; `lockedUntil`: the lock in force after this attempt, if any
   */
  async countAttempt(
    tx: Tx,
    username: string,
    now: Date,
    lockAfter: number,
    lockUntil: Date,
    staleBefore: Date,
  ): Promise<{ attempt: number | null; lockedUntil: Date | null }> {
    await tx
      .createQueryBuilder()
      .insert()
      .into(LoginThrottleEntity)
      .values({ username, failures: 0, lastFailureAt: now, lockedUntil: null })
      .orIgnore()
      .execute();
    // A lock that has ended, or failures older than `staleBefore`, count as none: the count
    // starts again (so the clean-up that deletes such rows changes nothing anyone sees).
    const nextCount =
      'CASE WHEN locked_until IS NULL AND last_failure_at >= :staleBefore THEN failures + 1 ELSE 1 END';
    const counted = await tx
      .createQueryBuilder()
      .update(LoginThrottleEntity)
      .set({
        failures: () => nextCount,
        lockedUntil: () => `CASE WHEN ${nextCount} >= :lockAfter THEN :lockUntil ELSE NULL END`,
        lastFailureAt: now,
      })
      .where('username = :username AND (locked_until IS NULL OR locked_until <= :now)', {
        username,
        now: now.toISOString(),
      })
      .setParameters({
        lockAfter,
        lockUntil: lockUntil.toISOString(),
        staleBefore: staleBefore.toISOString(),
      })
      .execute();
    const row = await tx.findOneBy(LoginThrottleEntity, { username });
    return {
      attempt: (counted.affected ?? 0) > 0 && row ? row.failures : null,
      lockedUntil: row?.lockedUntil ?? null,
    };
  }

  /**
   * Deletes throttle rows that no longer hold anything back: no lock in force and no attempt
   * since `staleBefore`. Bounds the table, which gains a row for any username anyone guesses
   * (issue 8 item 21).
   *
   * @returns how many rows were removed
   */
  async deleteStaleThrottles(tx: Tx, now: Date, staleBefore: Date): Promise<number> {
    const result = await tx
      .createQueryBuilder()
      .delete()
      .from(LoginThrottleEntity)
      .where('last_failure_at < :staleBefore', { staleBefore: staleBefore.toISOString() })
      .andWhere('(locked_until IS NULL OR locked_until <= :now)', { now: now.toISOString() })
      .execute();
    return result.affected ?? 0;
  }

  /**
   * Deletes sessions that can no longer be used: expired, or revoked, before `before`.
   *
   * @returns how many rows were removed
   */
  async deleteEndedSessions(tx: Tx, before: Date): Promise<number> {
    const result = await tx
      .createQueryBuilder()
      .delete()
      .from(StaffSessionEntity)
      .where('expires_at <= :before OR revoked_at <= :before', { before: before.toISOString() })
      .execute();
    return result.affected ?? 0;
  }

  async clearThrottle(tx: Tx, username: string): Promise<void> {
    await tx.delete(LoginThrottleEntity, { username });
  }

  /** The version published last (a republished older text counts from its republication). */
  currentAup(tx?: Tx): Promise<AupVersionEntity | null> {
    // NULLS LAST: never-published versions after the rest, as SQLite sorts NULL in DESC order.
    return (tx ? tx.getRepository(AupVersionEntity) : this.aupVersions).findOne({
      where: {},
      order: { publishedSeq: { direction: 'DESC', nulls: 'LAST' }, seq: 'DESC' },
    });
  }

  /** The next publication number, read inside the publishing transaction. */
  async nextAupPublishedSeq(tx: Tx): Promise<number> {
    const row = await tx
      .createQueryBuilder(AupVersionEntity, 'aup')
      .select('MAX(aup.published_seq)', 'max')
      .getRawOne<{ max: number | string | null }>();
    return Number(row?.max ?? 0) + 1;
  }

  /**
   * Makes AUP publications take turns until this transaction ends: on PostgreSQL a lock on the
   * versions table that other publishers wait for while readers go on (SHARE ROW EXCLUSIVE
   * conflicts with itself and with writes); SQLite's transactions already run one at a time.
   * Without it two publications at once could both read the same next publication number
   * (issue 8 item 3).
   */
  async lockAupPublication(tx: Tx): Promise<void> {
    if (tx.connection.driver.options.type === 'postgres') {
      await tx.query('LOCK TABLE aup_versions IN SHARE ROW EXCLUSIVE MODE');
    }
  }

  /** Makes an already published text the current version again. */
  async republishAup(tx: Tx, hash: string, publishedSeq: number, at: Date): Promise<void> {
    await tx.update(AupVersionEntity, { hash }, { publishedSeq, publishedAt: at });
  }

  /**
   * The current version's hash and whether this member of staff accepted it: the AUP gate asks
   * on every staff request, so the requests of the same moment share two reads.
   *
   * @returns null when no version has been published
   */
  currentAupFor(staffId: string): Promise<{ hash: string; accepted: boolean } | null> {
    return this.currentAupByStaff.load(staffId);
  }

  /** Which of these accounts accepted this version. */
  async acceptedBy(aupHash: string, staffIds: readonly string[]): Promise<Set<string>> {
    if (staffIds.length === 0) {
      return new Set();
    }
    const rows = await this.acceptances.find({
      select: { staffId: true },
      where: { aupHash, staffId: In([...staffIds]) },
    });
    return new Set(rows.map((row) => row.staffId));
  }

  findAupByHash(hash: string, tx?: Tx): Promise<AupVersionEntity | null> {
    return (tx ? tx.getRepository(AupVersionEntity) : this.aupVersions).findOneBy({ hash });
  }

  async insertAup(tx: Tx, version: Omit<AupVersionEntity, 'seq'>): Promise<void> {
    await tx.insert(AupVersionEntity, version);
  }

  findAcceptance(staffId: string, aupHash: string): Promise<AupAcceptanceEntity | null> {
    return this.acceptances.findOneBy({ staffId, aupHash });
  }

  async insertAcceptance(tx: Tx, acceptance: AupAcceptanceEntity): Promise<void> {
    await tx.insert(AupAcceptanceEntity, acceptance);
  }

  /** An acceptance read inside a transaction (a loan's AUP gate, issue 13). */
  findAcceptanceIn(tx: Tx, staffId: string, aupHash: string): Promise<AupAcceptanceEntity | null> {
    return tx.getRepository(AupAcceptanceEntity).findOneBy({ staffId, aupHash });
  }

  /**
   * Inserts an acceptance unless this account already accepted that version (the unique key on
   * staff and version decides, on both databases, without aborting the transaction).
   *
   * @returns the acceptance now on record: this one, or the one that was there first
   */
  async insertAcceptanceIfAbsent(
    tx: Tx,
    acceptance: AupAcceptanceEntity,
  ): Promise<AupAcceptanceEntity> {
    await tx
      .createQueryBuilder()
      .insert()
      .into(AupAcceptanceEntity)
      .values(acceptance)
      .orIgnore()
      .execute();
    return (await this.findAcceptanceIn(tx, acceptance.staffId, acceptance.aupHash)) ?? acceptance;
  }

  /** The accounts with these ids, read in chunks; an id with no account is left out. */
  async findByIds(ids: readonly string[]): Promise<StaffAccountEntity[]> {
    const found: StaffAccountEntity[] = [];
    for (const part of chunks([...new Set(ids)])) {
      found.push(...(await this.accounts.findBy({ id: In(part) })));
    }
    return found;
  }

  findAcceptances(aupHash: string): Promise<AupAcceptanceEntity[]> {
    return this.acceptances.find({ where: { aupHash }, order: { acceptedAt: 'ASC' } });
  }
}
