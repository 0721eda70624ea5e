// Signing in and out: argon2 password checks, bearer sessions stored only as hashes, and
// throttling that slows repeated failures and then locks the account for a while.
import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SIGN_IN_ENDED, StaffAuthenticator } from '../common/access';
import { Clock } from '../common/clock';
import { spokenTimeFrom } from '../common/local-time';
import { HubEvents } from '../common/hub-events';
import { hashToken } from '../common/token-hash';
import type { StaffPrincipal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { hashPassword, verifyPassword } from './password-hashing';
import { staffTarget } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import { TransactionRunner } from '../database/transaction-runner';
import { USERNAME_PATTERN } from './dto/staff.dto';
import { StaffAccountEntity } from './staff.entities';
import { StaffRepository } from './staff.repository';

export interface LoginResult {
  accessToken: string;
  expiresAt: string;
  user: { id: string; username: string; displayName: string; roles: string[] };
}

const WRONG_CREDENTIALS = 'Wrong username or password';

/**
 * The 429 of a locked username, read at `now`. It says when the lock ends on the school's clock
 * (`HUB_TIME_ZONE`) in words, "try again after 14:33" (with the day when that is not today there),
 * not in RFC 3339: only a person reads it, on the sign-in page or Change password, and UTC reads
 * an hour early in British summer time. The minute is rounded up, so trying at the minute shown
 * never meets the lock again.
 */
function tooManyFailures(lockedUntil: Date, now: Date, timeZone: string): HttpException {
  const reopens = new Date(Math.ceil(lockedUntil.getTime() / 60_000) * 60_000);
  return new HttpException(
    {
      statusCode: HttpStatus.TOO_MANY_REQUESTS,
      message: `Too many failed sign-ins: try again after ${spokenTimeFrom(reopens, now, timeZone)}`,
    },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}

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
  /**
   * A real hash, at the configured cost, to check against when the username is unknown, so both
   * cases take as long.
   */
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly staff: StaffRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: HubEvents,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {
    super();
    this.decoyHash = hashPassword(randomBytes(16).toString('hex'), config.auth.passwordHash);
  }

  /**
   * Signs a member of staff in and returns a bearer token.
   *
   * Every attempt is counted first, with an atomic increment, and what to do is decided from
   * that count (issue 8 item 1): the slow-down before the password check, and the lock once the
   * count reaches HUB_LOGIN_LOCK_AFTER. So however many attempts arrive at once, no more than
   * that many passwords are ever checked before the lock. A good sign-in clears the count.
   *
   * With HUB_ONE_SESSION_PER_ACCOUNT, the account's other sign-ins end, and their /staff
   * connections are dropped at once.
   *
   * @throws HttpException 429 while the username is locked (unknown usernames lock the same way)
   * @throws UnauthorizedException 401 for a wrong username or password, or a disabled account
   */
  async login(rawUsername: string, password: string): Promise<LoginResult> {
    const username = rawUsername.trim().toLowerCase();
    if (!USERNAME_PATTERN.test(username)) {
      // No account can have this name. It is not counted: a throttle row would only grow the
      // table (issue 8 item 21), and lower-casing can lengthen text past the column ('İ' is two
      // characters in lower case), which PostgreSQL refuses with an error, a 500. The password
      // is still checked against the decoy, so the answer takes as long as any other.
      await verifyPassword(await this.decoyHash, password);
      throw new UnauthorizedException(WRONG_CREDENTIALS);
    }
    const now = this.clock.now();
    const attempt = await this.countAttempt(username, now);

    const account = await this.staff.findByUsername(username);
    const passwordOk = account
      ? await verifyPassword(account.passwordHash, password)
      : await verifyPassword(await this.decoyHash, password).then(() => false);
    if (!account || !passwordOk || account.disabled) {
      if (account) {
        await this.auditLockOut(attempt, account);
      }
      throw new UnauthorizedException(WRONG_CREDENTIALS);
    }

    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.config.auth.sessionHours * 3600 * 1000);
    const principal = toPrincipal(account);
    const signedIn = await this.tx.run(async (tx) => {
      // The password was checked against what was read before the (slow) check: a password
      // change or a disable that committed meanwhile wins, and no session outlives it (item 2).
      if (!(await this.staff.lockIfStillValid(tx, account.id, account.passwordHash))) {
        return false;
      }
      await this.staff.clearThrottle(tx, username);
      if (this.config.auth.oneSessionPerAccount) {
        await this.staff.revokeSessions(tx, account.id, now);
      }
      await this.staff.insertSession(tx, {
        id: randomUUID(),
        tokenHash: hashToken(token),
        staffId: account.id,
        createdAt: now,
        expiresAt,
        revokedAt: null,
      });
      await this.audit.record(tx, {
        actor: principal,
        action: 'staff.signed_in',
        target: staffTarget(account),
      });
      return true;
    });
    if (!signedIn) {
      throw new UnauthorizedException(WRONG_CREDENTIALS);
    }
    if (this.config.auth.oneSessionPerAccount) {
      // The sign-ins this one ended lose their live connections now, as a sign-out's do.
      this.events.emit('staff.changed', { staffId: account.id });
    }
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

  /**
   * Checks the password of someone already signed in (changing their own password needs the
   * current one), counted in the same throttle as signing in with that username: the same
   * slow-down and lock, so a sign-in left open on a shared iPad cannot be used to try password
   * after password without limit. A right password clears the count, as a sign-in does.
   *
   * @returns whether `password` is the account's password
   * @throws HttpException 429 while the username is locked, at sign-in and here alike
   */
  async checkPasswordCounted(account: StaffAccountEntity, password: string): Promise<boolean> {
    const attempt = await this.countAttempt(account.username, this.clock.now());
    if (!(await verifyPassword(account.passwordHash, password))) {
      await this.auditLockOut(attempt, account);
      return false;
    }
    await this.tx.run((tx) => this.staff.clearThrottle(tx, account.username));
    return true;
  }

  /**
   * Counts one password attempt for `username` before its password is checked, with an atomic
   * increment, then waits the slow-down that count has earned (issue 8 item 1).
   *
   * @returns this attempt's number since the count last started
   * @throws HttpException 429 while the username is locked
   */
  private async countAttempt(username: string, now: Date): Promise<number> {
    const lockMs = this.config.auth.lockMinutes * 60 * 1000;
    const lockUntil = new Date(now.getTime() + lockMs);
    // Failures are forgotten after as long a quiet spell as a lock lasts (see StaffCleanupService).
    const staleBefore = new Date(now.getTime() - lockMs);
    const { attempt, lockedUntil } = await this.tx.run((tx) =>
      this.staff.countAttempt(
        tx,
        username,
        now,
        this.config.auth.lockAfterFailures,
        lockUntil,
        staleBefore,
      ),
    );
    if (attempt === null) {
      throw tooManyFailures(lockedUntil ?? lockUntil, now, this.config.timeZone);
    }
    // Attempt n follows n - 1 failures: each one past HUB_LOGIN_SLOW_AFTER waits a step longer.
    const over = attempt - this.config.auth.slowAfterFailures;
    if (over > 0) {
      await sleep(Math.min(over, 10) * this.config.auth.slowDelayMs);
    }
    return attempt;
  }

  /** Audits `staff.locked_out` when the failed attempt `attempt` was the one that set the lock. */
  private async auditLockOut(attempt: number, account: StaffAccountEntity): Promise<void> {
    if (attempt < this.config.auth.lockAfterFailures) {
      return;
    }
    await this.tx.run((tx) =>
      this.audit.record(tx, {
        actor: { kind: 'system' },
        action: 'staff.locked_out',
        target: staffTarget(account),
        detail: { minutes: this.config.auth.lockMinutes },
      }),
    );
  }

  /**
   * Ends the sign-in behind `token` and audits `staff.signed_out`. The end is one conditional
   * update and only the request that made it writes the entry: several sign-outs of one sign-in
   * at the same moment (a double tap, two tabs) are one sign-out in the log, and the others
   * change nothing.
   */
  async logout(principal: StaffPrincipal, token: string): Promise<void> {
    const ended = await this.tx.run(async (tx) => {
      if (!(await this.staff.revokeSessionByHash(tx, hashToken(token), this.clock.now()))) {
        return false;
      }
      await this.audit.record(tx, {
        actor: principal,
        action: 'staff.signed_out',
        target: staffTarget(principal),
      });
      return true;
    });
    if (ended) {
      this.events.emit('staff.changed', { staffId: principal.id });
    }
  }

  /**
   * Why `token` signs nobody in (see StaffAuthenticator): disabled, expired, ended, or not a
   * sign-in the hub gave out at all.
   */
  async whySignInEnded(token: string): Promise<string> {
    const judged = await this.judge(token);
    return 'refusal' in judged ? judged.refusal : SIGN_IN_ENDED.notValid;
  }

  async authenticate(token: string): Promise<StaffPrincipal | null> {
    const judged = await this.judge(token);
    return 'principal' in judged ? judged.principal : null;
  }

  /**
   * The one check of a bearer token behind `authenticate` and `whySignInEnded`: its session
   * (read by the hash of the token; a token over 128 characters is none the hub gave out) and
   * its account, in the order that gives the refusal a person can act on (disabled first).
   */
  private async judge(token: string): Promise<{ principal: StaffPrincipal } | { refusal: string }> {
    const session =
      token.length > 128 ? null : await this.staff.sessionForRequest(hashToken(token));
    if (!session) {
      return { refusal: SIGN_IN_ENDED.notValid };
    }
    const account = await this.staff.accountForRequest(session.staffId);
    if (!account) {
      return { refusal: SIGN_IN_ENDED.notValid };
    }
    if (account.disabled) {
      return { refusal: SIGN_IN_ENDED.disabled };
    }
    if (session.revokedAt) {
      return { refusal: SIGN_IN_ENDED.ended };
    }
    if (session.expiresAt <= this.clock.now()) {
      return { refusal: SIGN_IN_ENDED.expired };
    }
    return { principal: toPrincipal(account) };
  }
}
