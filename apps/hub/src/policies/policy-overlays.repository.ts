// Database access for policy overlays (issue 12). Only this file touches their table.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, Not, IsNull, Repository } from 'typeorm';
import { chunks } from '../database/chunks';
import { bulkInsert } from '../database/bulk-insert';
import type { Tx } from '../database/transaction-runner';
import { OverlaySourceKind, PolicyOverlayEntity } from './policy-overlay.entity';

@Injectable()
export class PolicyOverlaysRepository {
  constructor(
    @InjectRepository(PolicyOverlayEntity)
    private readonly overlays: Repository<PolicyOverlayEntity>,
  ) {}

  /** Every overlay in force (they are few: one per device per running source). */
  all(): Promise<PolicyOverlayEntity[]> {
    return this.overlays.find({ order: { appliedAt: 'ASC', id: 'ASC' } });
  }

  /** A source's overlays, on all its devices or only on `deviceIds`. */
  async ofSource(
    kind: OverlaySourceKind,
    sourceId: string,
    deviceIds?: readonly string[],
  ): Promise<PolicyOverlayEntity[]> {
    if (deviceIds === undefined) {
      return this.overlays.findBy({ sourceKind: kind, sourceId });
    }
    const found: PolicyOverlayEntity[] = [];
    for (const part of chunks(deviceIds)) {
      found.push(
        ...(await this.overlays.findBy({ sourceKind: kind, sourceId, deviceId: In(part) })),
      );
    }
    return found;
  }

  /** The overlays of one kind of source (every class session, say) on these devices. */
  async ofKindOn(
    kind: OverlaySourceKind,
    deviceIds: readonly string[],
    tx?: Tx,
  ): Promise<PolicyOverlayEntity[]> {
    const found: PolicyOverlayEntity[] = [];
    for (const part of chunks(deviceIds)) {
      found.push(
        ...(await (tx ?? this.overlays.manager).findBy(PolicyOverlayEntity, {
          sourceKind: kind,
          deviceId: In(part),
        })),
      );
    }
    return found;
  }

  /** Overlays whose expiry has passed, oldest first, at most `limit`. */
  expired(now: Date, limit: number): Promise<PolicyOverlayEntity[]> {
    return this.overlays.find({
      where: { expiresAt: LessThanOrEqual(now.toISOString()) as never },
      order: { expiresAt: 'ASC' },
      take: limit,
    });
  }

  /** The earliest expiry to come, or null when no overlay expires. */
  async nextExpiry(): Promise<Date | null> {
    const next = await this.overlays.findOne({
      where: { expiresAt: Not(IsNull()) as never },
      order: { expiresAt: 'ASC' },
    });
    return next?.expiresAt ?? null;
  }

  /** Deletes a source's overlays on these devices (any there are) and inserts `rows` in their place. */
  async replace(
    tx: Tx,
    kind: OverlaySourceKind,
    sourceId: string,
    rows: readonly PolicyOverlayEntity[],
  ): Promise<void> {
    for (const part of chunks(rows.map((row) => row.deviceId))) {
      await tx.delete(PolicyOverlayEntity, { sourceKind: kind, sourceId, deviceId: In(part) });
    }
    await bulkInsert(tx, PolicyOverlayEntity, rows);
  }

  /**
   * Deletes these overlays where they still exist; with `expiredBy`, only those whose expiry is
   * at or before it (a conditional delete: one renewed meanwhile stays).
   *
   * @returns the overlays deleted
   */
  async deleteByIds(
    tx: Tx,
    overlays: readonly PolicyOverlayEntity[],
    expiredBy?: Date,
  ): Promise<PolicyOverlayEntity[]> {
    const deleted: PolicyOverlayEntity[] = [];
    for (const part of chunks(overlays)) {
      const ids = part.map((overlay) => overlay.id);
      const still = await tx.findBy(PolicyOverlayEntity, {
        id: In(ids),
        ...(expiredBy ? { expiresAt: LessThanOrEqual(expiredBy.toISOString()) as never } : {}),
      });
      if (still.length === 0) {
        continue;
      }
      await tx.delete(PolicyOverlayEntity, { id: In(still.map((overlay) => overlay.id)) });
      deleted.push(...still);
    }
    return deleted;
  }
}
