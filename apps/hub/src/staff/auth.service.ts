// Signing in and out: argon2 password checks, bearer sessions stored only as hashes, and
// throttling that slows repeated failures and then locks the account for a while.
import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { StaffAuthenticator } from '../common/access';
import { Clock } from '../common/clock';
import { hashToken } from '../common/token-hash';
import type { StaffPrincipal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { AuditService } from '../audit/audit.service';
import { TransactionRunner } from '../database/transaction-runner';
import { LoginThrottleEntity, StaffAccountEntity } from './staff.entities';
import { StaffRepository } from './staff.repository';

export interface LoginResult {
  accessToken: string;
  expiresAt: string;
  user: { id: string; username: string; displayName: string; roles: string[] };
}

const WRONG_CREDENTIALS = 'Wrong username or password';

export function toPrincipal(account: StaffAccountEntity): StaffPrincipal {
  return {
    kind: 'staff',
    id: account.id,
    username: account.username,
    displayName: account.displayName,
    roles: account.roles,
  };
}

@Injectable()
export class AuthService extends StaffAuthenticator {
  // A real argon2 hash to check against when the username is unknown, so both cases take as long.
  private readonly decoyHash = argon2.hash(randomBytes(16).toString('hex'));

  constructor(
    private readonly staff: StaffRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {
    super();
  }

  async login(rawUsername: string, password: string): Promise<LoginResult> {
    const username = rawUsername.trim().toLowerCase();
    const now = this.clock.now();
    const throttle = await this.staff.findThrottle(username);
    if (throttle?.lockedUntil && throttle.lockedUntil > now) {
      throw new HttpException(
        {
          statusCode: HttpStatus.TOO_MANY_REQUESTS,
          message: `Too many failed sign-ins: try again after ${throttle.lockedUntil.toISOString()}`,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const failures = throttle && !throttle.lockedUntil ? throttle.failures : 0;
    const over = failures - this.config.auth.slowAfterFailures + 1;
    if (over > 0) {
      await sleep(Math.min(over, 10) * this.config.auth.slowDelayMs);
    }

    const account = await this.staff.findByUsername(username);
    const passwordOk = account
      ? await argon2.verify(account.passwordHash, password)
      : await argon2.verify(await this.decoyHash, password).then(() => false);
    if (!account || !passwordOk || account.disabled) {
      await this.recordFailure(username, failures + 1, account);
      throw new UnauthorizedException(WRONG_CREDENTIALS);
    }

    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.config.auth.sessionHours * 3600 * 1000);
    const principal = toPrincipal(account);
    await this.tx.run(async (tx) => {
      const sessionId = randomUUID();
      if (throttle) {
        await this.staff.clearThrottle(tx, username);
      }
      if (this.config.auth.oneSessionPerAccount) {
        await this.staff.revokeSessions(tx, account.id, now);
      }
      await this.staff.insertSession(tx, {
        id: sessionId,
        tokenHash: hashToken(token),
        staffId: account.id,
        createdAt: now,
        expiresAt,
        revokedAt: null,
      });
      await this.audit.record(tx, {
        actor: principal,
        action: 'staff.signed_in',
        targetType: 'staff',
        targetId: account.id,
      });
    });
    return {
      accessToken: token,
      expiresAt: expiresAt.toISOString(),
      user: {
        id: account.id,
        username: account.username,
        displayName: account.displayName,
        roles: account.roles,
      },
    };
  }

  private async recordFailure(
    username: string,
    failures: number,
    account: StaffAccountEntity | null,
  ): Promise<void> {
    const now = this.clock.now();
    const lock = failures >= this.config.auth.lockAfterFailures;
    const row: LoginThrottleEntity = {
      username,
      failures: lock ? 0 : failures,
      lastFailureAt: now,
      lockedUntil: lock ? new Date(now.getTime() + this.config.auth.lockMinutes * 60 * 1000) : null,
    };
    await this.tx.run(async (tx) => {
      await this.staff.saveThrottle(tx, row);
      if (lock && account) {
        await this.audit.record(tx, {
          actor: { kind: 'system' },
          action: 'staff.locked_out',
          targetType: 'staff',
          targetId: account.id,
          detail: { minutes: this.config.auth.lockMinutes },
        });
      }
    });
  }

  async logout(principal: StaffPrincipal, token: string): Promise<void> {
    const session = await this.staff.findSessionByHash(hashToken(token));
    if (!session) {
      return;
    }
    await this.tx.run(async (tx) => {
      await this.staff.revokeSession(tx, session.id, this.clock.now());
      await this.audit.record(tx, {
        actor: principal,
        action: 'staff.signed_out',
        targetType: 'staff',
        targetId: principal.id,
      });
    });
  }

  async authenticate(token: string): Promise<StaffPrincipal | null> {
    if (token.length > 128) {
      return null;
    }
    const session = await this.staff.findSessionByHash(hashToken(token));
    if (!session || session.revokedAt || session.expiresAt <= this.clock.now()) {
      return null;
    }
    const account = await this.staff.findById(session.staffId);
    if (!account || account.disabled) {
      return null;
    }
    return toPrincipal(account);
  }
}
