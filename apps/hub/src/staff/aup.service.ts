// The acceptable use policy staff accept before using the hub: versioned by the SHA-256 of its
// text, with who accepted which version and when. It is a gate (issue 9): until an account
// accepts the current version, the access guard and the /staff namespace refuse it.
import { ConflictException, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import * as fs from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import type { AupAcceptances } from '@app/hub-api';
import { aupTarget } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import { AupGate } from '../common/access';
import { Clock } from '../common/clock';
import { refusingPath } from '../common/file-system-refusal';
import { HubEvents } from '../common/hub-events';
import { firstLineNotUtf8 } from '../common/utf8-text';
import type { StaffPrincipal } from '../common/roles';
import { ConfigError, HUB_CONFIG, HubConfig } from '../config/hub-config';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { DEFAULT_AUP_TEXT } from './default-aup';
import type { AupVersionEntity } from './staff.entities';
import { StaffRepository } from './staff.repository';

export function aupVersionOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What an account that has not accepted `version` is told, on HTTP (403) and on /staff. */
export function aupRequiredMessage(version: string): string {
  return (
    `Accept the acceptable use policy (version ${version}) before using the hub: ` +
    'GET /api/aup, then POST /api/staff/me/aup-acceptance with its version'
  );
}

@Injectable()
export class AupService extends AupGate implements OnApplicationBootstrap {
  constructor(
    private readonly staff: StaffRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: HubEvents,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {
    super();
  }

  /**
   * The AUP gate (issue 9): one query per staff request. With HUB_REQUIRE_AUP off, or no
   * version published (the hub publishes one at start, so only a hub still starting), nothing
   * is refused.
   *
   * @returns null to let the account through, else the message for its 403 or connect_error
   */
  async refusal(staffId: string): Promise<string | null> {
    const version = await this.versionToAccept(staffId);
    return version ? aupRequiredMessage(version) : null;
  }

  /**
   * @returns the current version's hash when this account must accept it before going on,
   *   null when it may go on (accepted, HUB_REQUIRE_AUP off, or nothing published yet)
   */
  async versionToAccept(staffId: string): Promise<string | null> {
    if (!this.config.requireAup) {
      return null;
    }
    const current = await this.staff.currentAupFor(staffId);
    return current && !current.accepted ? current.hash : null;
  }

  /** Which of these accounts have accepted `version` (the /staff namespace after a publish). */
  acceptedBy(version: string, staffIds: readonly string[]): Promise<Set<string>> {
    return this.staff.acceptedBy(version, staffIds);
  }

  /**
   * Makes HUB_AUP_FILE (or the built-in text on a new hub) the current version if it is not.
   * A text published before, and since replaced, becomes current again (issue 8 item 20).
   *
   * @throws ConfigError naming HUB_AUP_FILE, the file and why (nothing there, a folder, not for
   *   this user) when it cannot be read, and the first line that is not UTF-8 when it is not
   *   UTF-8 text
   */
  async onApplicationBootstrap(): Promise<void> {
    let text: string;
    if (this.config.aupFile) {
      const file = this.config.aupFile;
      const bytes = refusingPath(
        'read',
        file,
        file,
        () => fs.readFileSync(file),
        (problem) => new ConfigError('HUB_AUP_FILE', problem),
      );
      // Word's plain text is Windows-1252 unless told otherwise: read as UTF-8, every curly
      // apostrophe of the text staff accept would be published as U+FFFD.
      const line = firstLineNotUtf8(bytes);
      if (line !== null) {
        throw new ConfigError(
          'HUB_AUP_FILE',
          `${file} is not UTF-8 text (line ${line} is not): save it as UTF-8 ` +
            '(in Word, Plain Text with the encoding Unicode (UTF-8))',
        );
      }
      text = bytes.toString('utf8');
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
   * (audited as `aup.republished`; acceptances of that exact text still count). Publishing the
   * text that is already current changes nothing and answers the same, so `PUT /api/aup` is
   * idempotent (RFC 9110 9.2.2) and two publications of one text, at once or one after the
   * other, both get the same answer (issue 8 item 3). Publications take turns: a table lock on
   * PostgreSQL, the transaction queue on SQLite.
   *
   * @returns the version (SHA-256 of the text) and when it became current
   */
  async publish(actor: StaffPrincipal | { kind: 'system' }, text: string) {
    const hash = aupVersionOf(text);
    const now = this.clock.now();
    let already: AupVersionEntity | null = null;
    await this.tx.run(async (tx) => {
      await this.staff.lockAupPublication(tx);
      const current = await this.staff.currentAup(tx);
      if (current?.hash === hash) {
        already = current;
        return;
      }
      const existing = await this.staff.findAupByHash(hash, tx);
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
        target: aupTarget(hash),
        detail: { version: hash },
      });
    });
    const current = already as AupVersionEntity | null;
    if (current) {
      return {
        version: hash,
        publishedAt: (current.publishedAt ?? current.createdAt).toISOString(),
      };
    }
    // Everyone who has not accepted this exact text is gated again from the next request; the
    // /staff namespace drops their live connections.
    this.events.emit('aup.published', { version: hash });
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
          witnessedBy: null,
        });
        // Who (the actor), which version (target and detail) and when (the entry's time and
        // the acceptance's own, which the gate counts).
        await this.audit.record(tx, {
          actor,
          action: 'aup.accepted',
          target: aupTarget(version),
          detail: { version, acceptedAt: acceptedAt.toISOString() },
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

  /**
   * The AUP gate of a loan (issue 13: staff accept the AUP before they use school equipment),
   * read inside the loan's transaction.
   *
   * @returns the current version and whether `staffId` accepted it; null when the school does not
   *   require acceptance (HUB_REQUIRE_AUP off) or nothing is published
   */
  async loanGate(tx: Tx, staffId: string): Promise<{ version: string; accepted: boolean } | null> {
    if (!this.config.requireAup) {
      return null;
    }
    const current = await this.staff.currentAup(tx);
    if (!current) {
      return null;
    }
    const accepted = await this.staff.findAcceptanceIn(tx, staffId, current.hash);
    return { version: current.hash, accepted: accepted !== null };
  }

  /**
   * Records, inside the caller's transaction (a loan's, issue 13), that `borrower` accepted AUP
   * `version` in person at the desk, witnessed by `witness` (the office clerk): the text's hash,
   * the time and the witness are stored, and `aup.accepted_at_desk` is audited with the clerk as
   * actor. An acceptance already on record is kept as it was.
   *
   * @returns when the acceptance on record was made
   */
  async acceptAtDesk(
    tx: Tx,
    witness: StaffPrincipal,
    borrower: { id: string; displayName: string; username: string },
    version: string,
  ): Promise<Date> {
    const acceptedAt = this.clock.now();
    const onRecord = await this.staff.insertAcceptanceIfAbsent(tx, {
      id: randomUUID(),
      staffId: borrower.id,
      aupHash: version,
      acceptedAt,
      witnessedBy: witness.id,
    });
    if (
      onRecord.witnessedBy === witness.id &&
      onRecord.acceptedAt.getTime() === acceptedAt.getTime()
    ) {
      await this.audit.record(tx, {
        actor: witness,
        action: 'aup.accepted_at_desk',
        target: aupTarget(version),
        detail: {
          version,
          acceptedAt: acceptedAt.toISOString(),
          borrowerId: borrower.id,
          borrower: `${borrower.displayName} (${borrower.username})`,
          witnessedBy: witness.id,
        },
      });
    }
    return onRecord.acceptedAt;
  }

  /** Whether a member of staff has accepted the current version (loans require it). */
  async hasAcceptedCurrent(staffId: string): Promise<boolean> {
    const current = await this.staff.currentAup();
    return current !== null && (await this.staff.findAcceptance(staffId, current.hash)) !== null;
  }

  /**
   * Who accepted the current version and when, oldest first, each named from their account (and
   * the clerk who witnessed an acceptance at the desk, issue 13). The names come from the accounts,
   * not from the audit log, whose `aup.accepted` entries go with HUB_AUDIT_RETENTION_DAYS while
   * the acceptances themselves are kept.
   */
  async acceptances(): Promise<AupAcceptances> {
    const current = await this.staff.currentAup();
    if (!current) {
      return { version: null, items: [] };
    }
    const rows = await this.staff.findAcceptances(current.hash);
    const accounts = new Map(
      (
        await this.staff.findByIds(
          rows.flatMap((row) => (row.witnessedBy ? [row.staffId, row.witnessedBy] : [row.staffId])),
        )
      ).map((account) => [account.id, account]),
    );
    const person = (id: string) => ({
      staffId: id,
      username: accounts.get(id)?.username ?? null,
      displayName: accounts.get(id)?.displayName ?? null,
    });
    return {
      version: current.hash,
      items: rows.map((row) => ({
        ...person(row.staffId),
        acceptedAt: row.acceptedAt.toISOString(),
        witnessedBy: row.witnessedBy ? person(row.witnessedBy) : null,
      })),
    };
  }
}
