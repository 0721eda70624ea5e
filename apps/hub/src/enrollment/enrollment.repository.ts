// Database access for enrolment tokens.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Tx } from '../database/transaction-runner';
import { EnrollmentTokenEntity } from './enrollment-token.entity';

@Injectable()
export class EnrollmentRepository {
  constructor(
    @InjectRepository(EnrollmentTokenEntity)
    private readonly tokens: Repository<EnrollmentTokenEntity>,
  ) {}

  async insertToken(tx: Tx, token: EnrollmentTokenEntity): Promise<void> {
    await tx.insert(EnrollmentTokenEntity, token);
  }

  findByHash(tokenHash: string): Promise<EnrollmentTokenEntity | null> {
    return this.tokens.findOneBy({ tokenHash });
  }

  findById(id: string): Promise<EnrollmentTokenEntity | null> {
    return this.tokens.findOneBy({ id });
  }

  list(): Promise<EnrollmentTokenEntity[]> {
    return this.tokens.find({ order: { createdAt: 'DESC' }, take: 500 });
  }

  /** Takes one use of a token if it has one left; false when another request took the last. */
  async takeUse(tx: Tx, id: string): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(EnrollmentTokenEntity)
      .set({ uses: () => 'uses + 1' })
      .where('id = :id AND uses < max_uses AND revoked_at IS NULL', { id })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /**
   * Revokes a token that is not revoked yet; false when it already was (the first revocation's
   * time stays). Conditional, so two revocations at once give one change and one audit entry.
   */
  async revoke(tx: Tx, id: string, at: Date): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(EnrollmentTokenEntity)
      .set({ revokedAt: at })
      .where('id = :id AND revoked_at IS NULL', { id })
      .execute();
    return (result.affected ?? 0) === 1;
  }
}
