// The acceptable use policy staff accept before first use: versioned by the SHA-256 of its
// text, with who accepted which version and when.
import { ConflictException, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import * as fs from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import type { StaffPrincipal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { TransactionRunner } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { DEFAULT_AUP_TEXT } from './default-aup';
import { StaffRepository } from './staff.repository';

export function aupVersionOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

@Injectable()
export class AupService implements OnApplicationBootstrap {
  constructor(
    private readonly staff: StaffRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /**
   * Makes HUB_AUP_FILE (or the built-in text on a new hub) the current version if it is not.
   * A text published before, and since replaced, becomes current again (issue 8 item 20).
   *
   * @throws Error naming HUB_AUP_FILE when the file cannot be read
   */
  async onApplicationBootstrap(): Promise<void> {
    let text: string;
    if (this.config.aupFile) {
      try {
        text = fs.readFileSync(this.config.aupFile, 'utf8');
      } catch {
        throw new Error(`HUB_AUP_FILE: cannot read ${this.config.aupFile}`);
      }
    } else if (await this.staff.currentAup()) {
      return;
    } else {
      text = DEFAULT_AUP_TEXT;
    }
    const current = await this.staff.currentAup();
    if (current?.hash !== aupVersionOf(text)) {
      await this.publish({ kind: 'system' }, text);
    }
  }

  async current(staffId: string) {
    const version = await this.staff.currentAup();
    if (!version) {
      throw new ConflictException('No acceptable use policy has been published');
    }
    const acceptance = await this.staff.findAcceptance(staffId, version.hash);
    return {
      version: version.hash,
      text: version.text,
      publishedAt: (version.publishedAt ?? version.createdAt).toISOString(),
      acceptedAt: acceptance ? acceptance.acceptedAt.toISOString() : null,
    };
  }

  /**
   * Makes `text` the current AUP version: a new version, or an older one made current again
   * (audited as `aup.republished`; acceptances of that exact text still count). Two requests
   * publishing one text at once both get the version that won (issue 8 item 3).
   *
   * @returns the version (SHA-256 of the text) and when it became current
   * @throws ConflictException 409 when the text is already the current version
   */
  async publish(actor: StaffPrincipal | { kind: 'system' }, text: string) {
    const hash = aupVersionOf(text);
    const current = await this.staff.currentAup();
    if (current?.hash === hash) {
      throw new ConflictException('This text is already the current version');
    }
    const existing = await this.staff.findAupByHash(hash);
    const now = this.clock.now();
    try {
      await this.tx.run(async (tx) => {
        const publishedSeq = await this.staff.nextAupPublishedSeq(tx);
        if (existing) {
          await this.staff.republishAup(tx, hash, publishedSeq, now);
        } else {
          await this.staff.insertAup(tx, {
            hash,
            text,
            createdBy: actor.kind === 'staff' ? actor.id : null,
            createdAt: now,
            publishedSeq,
            publishedAt: now,
          });
        }
        await this.audit.record(tx, {
          actor,
          action: existing ? 'aup.republished' : 'aup.published',
          targetType: 'aup',
          targetId: hash,
        });
      });
    } catch (error) {
      const winner = isUniqueViolation(error) ? await this.staff.currentAup() : null;
      if (winner?.hash === hash) {
        return {
          version: hash,
          publishedAt: (winner.publishedAt ?? winner.createdAt).toISOString(),
        };
      }
      throw error;
    }
    return { version: hash, publishedAt: now.toISOString() };
  }

  /**
   * Records that a member of staff accepted the current version. Accepting again, or twice at
   * once, gives the first acceptance's time to both (issue 8 item 3).
   *
   * @throws ConflictException 409 when `version` is not the current version
   */
  async accept(actor: StaffPrincipal, version: string) {
    const current = await this.staff.currentAup();
    if (!current || current.hash !== version) {
      throw new ConflictException('That is not the current AUP version; read GET /api/aup again');
    }
    const existing = await this.staff.findAcceptance(actor.id, version);
    if (existing) {
      return { version, acceptedAt: existing.acceptedAt.toISOString() };
    }
    const acceptedAt = this.clock.now();
    try {
      await this.tx.run(async (tx) => {
        await this.staff.insertAcceptance(tx, {
          id: randomUUID(),
          staffId: actor.id,
          aupHash: version,
          acceptedAt,
        });
        await this.audit.record(tx, {
          actor,
          action: 'aup.accepted',
          targetType: 'aup',
          targetId: version,
        });
      });
    } catch (error) {
      const first = isUniqueViolation(error)
        ? await this.staff.findAcceptance(actor.id, version)
        : null;
      if (first) {
        return { version, acceptedAt: first.acceptedAt.toISOString() };
      }
      throw error;
    }
    return { version, acceptedAt: acceptedAt.toISOString() };
  }

  /** Whether a member of staff has accepted the current version (loans require it). */
  async hasAcceptedCurrent(staffId: string): Promise<boolean> {
    const current = await this.staff.currentAup();
    return current !== null && (await this.staff.findAcceptance(staffId, current.hash)) !== null;
  }

  async acceptances() {
    const current = await this.staff.currentAup();
    if (!current) {
      return { version: null, items: [] };
    }
    const rows = await this.staff.findAcceptances(current.hash);
    return {
      version: current.hash,
      items: rows.map((row) => ({
        staffId: row.staffId,
        acceptedAt: row.acceptedAt.toISOString(),
      })),
    };
  }
}
