// All database access for staff accounts, sessions, throttles and the AUP.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import type { Tx } from '../database/transaction-runner';
import {
  AupAcceptanceEntity,
  AupVersionEntity,
  LoginThrottleEntity,
  StaffAccountEntity,
  StaffSessionEntity,
} from './staff.entities';

@Injectable()
export class StaffRepository {
  constructor(
    @InjectRepository(StaffAccountEntity) private readonly accounts: Repository<StaffAccountEntity>,
    @InjectRepository(StaffSessionEntity) private readonly sessions: Repository<StaffSessionEntity>,
    @InjectRepository(LoginThrottleEntity)
    private readonly throttles: Repository<LoginThrottleEntity>,
    @InjectRepository(AupVersionEntity) private readonly aupVersions: Repository<AupVersionEntity>,
    @InjectRepository(AupAcceptanceEntity)
    private readonly acceptances: Repository<AupAcceptanceEntity>,
  ) {}

  countAccounts(): Promise<number> {
    return this.accounts.count();
  }

  findById(id: string): Promise<StaffAccountEntity | null> {
    return this.accounts.findOneBy({ id });
  }

  findByUsername(username: string): Promise<StaffAccountEntity | null> {
    return this.accounts.findOneBy({ username });
  }

  findPage(
    offset: number,
    limit: number,
    includeDisabled: boolean,
  ): Promise<[StaffAccountEntity[], number]> {
    return this.accounts.findAndCount({
      where: includeDisabled ? {} : { disabled: false },
      order: { username: 'ASC' },
      skip: offset,
      take: limit,
    });
  }

  async saveAccount(tx: Tx, account: StaffAccountEntity): Promise<void> {
    await tx.save(StaffAccountEntity, account);
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

  async revokeSession(tx: Tx, sessionId: string, at: Date): Promise<void> {
    await tx.update(StaffSessionEntity, { id: sessionId, revokedAt: IsNull() }, { revokedAt: at });
  }

  findThrottle(username: string): Promise<LoginThrottleEntity | null> {
    return this.throttles.findOneBy({ username });
  }

  async saveThrottle(tx: Tx, throttle: LoginThrottleEntity): Promise<void> {
    await tx.save(LoginThrottleEntity, throttle);
  }

  async clearThrottle(tx: Tx, username: string): Promise<void> {
    await tx.delete(LoginThrottleEntity, { username });
  }

  currentAup(): Promise<AupVersionEntity | null> {
    return this.aupVersions.findOne({ where: {}, order: { seq: 'DESC' } });
  }

  findAupByHash(hash: string): Promise<AupVersionEntity | null> {
    return this.aupVersions.findOneBy({ hash });
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

  findAcceptances(aupHash: string): Promise<AupAcceptanceEntity[]> {
    return this.acceptances.find({ where: { aupHash }, order: { acceptedAt: 'ASC' } });
  }
}
