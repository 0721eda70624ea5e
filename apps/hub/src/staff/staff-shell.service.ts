// What ICT may do from the server's shell, without signing in (issue 8 item 20): set a new
// password for an account whose password is lost, used by `npm run admin -- reset-password`.
import { Inject, Injectable } from '@nestjs/common';
import { staffTarget } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { hashPassword } from './password-hashing';
import { TransactionRunner } from '../database/transaction-runner';
import { describePasswordProblems, generatePassword, passwordProblems } from './password-rules';
import { StaffRepository } from './staff.repository';

/** A problem the shell command reports in one line (unknown account, weak password). */
export class ShellCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellCommandError';
  }
}

@Injectable()
export class StaffShellService {
  constructor(
    private readonly staff: StaffRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /**
   * Sets a new password from the server's shell (`npm run admin -- reset-password USER`, issue 8
   * item 20): ends every session of the account, clears its sign-in lock and audits the shell
   * user as the actor. The account's other columns (disabled, roles) are left as they are.
   *
   * @param password the new password, or undefined to generate one that meets the rule
   * @returns the password that was set
   * @throws ShellCommandError naming the problem for an unknown username or a password that breaks the rule
   */
  async resetPasswordFromShell(
    rawUsername: string,
    password: string | undefined,
    osUser: string,
  ): Promise<{ password: string; disabled: boolean }> {
    const username = rawUsername.trim().toLowerCase();
    const account = await this.staff.findByUsername(username);
    if (!account) {
      throw new ShellCommandError(`There is no staff account with the username '${username}'`);
    }
    const newPassword = password ?? generatePassword(this.config.auth.passwordMinLength);
    const problems = passwordProblems(newPassword, this.config.auth.passwordMinLength);
    if (problems.length > 0) {
      throw new ShellCommandError(describePasswordProblems('the new password', problems));
    }
    const passwordHash = await hashPassword(newPassword, this.config.auth.passwordHash);
    const now = this.clock.now();
    await this.tx.run(async (tx) => {
      await this.staff.updateAccountWhere(
        tx,
        account.id,
        {},
        { passwordHash, passwordChangedAt: now, updatedAt: now },
      );
      await this.staff.revokeSessions(tx, account.id, now);
      await this.staff.clearThrottle(tx, username);
      await this.audit.record(tx, {
        actor: { kind: 'shell', osUser },
        action: 'staff.password_reset',
        target: staffTarget(account),
        detail: { username, via: 'shell' },
      });
    });
    const after = await this.staff.findById(account.id);
    return { password: newPassword, disabled: after?.disabled ?? account.disabled };
  }
}
