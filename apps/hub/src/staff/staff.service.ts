// Staff accounts: ICT creates, changes and disables them (never deletes: loans and the audit
// log point at people). The first start creates `admin` with every role.
import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  UnauthorizedException,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { StaffRefusal } from '@app/hub-api';
import { staffTarget } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { codedConflict } from '../common/coded-refusal';
import { changedMeanwhile, isUnchangedSince } from '../common/changed-meanwhile';
import { HubEvents } from '../common/hub-events';
import { hashToken } from '../common/token-hash';
import { STAFF_ROLES, StaffPrincipal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { AuthService } from './auth.service';
import { hashPassword } from './password-hashing';
import { TransactionRunner } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { CreateStaffDto, StaffAccountDto, UpdateStaffDto } from './dto/staff.dto';
import { describePasswordProblems, generatePassword, passwordProblems } from './password-rules';
import { framedBlock } from './plain-block';
import { StaffAccountEntity } from './staff.entities';
import { StaffRepository } from './staff.repository';

/** An account as the API shows it: no password hash, no name key; dates as ISO 8601 text. */
export function toStaffAccountDto(
  account: Omit<StaffAccountEntity, 'nameKey' | 'nameSortKey'>,
): StaffAccountDto {
  return {
    id: account.id,
    username: account.username,
    displayName: account.displayName,
    roles: account.roles,
    disabled: account.disabled,
    email: account.email ?? null,
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}

/**
 * Refuses an account change whose author is no longer an enabled ICT account, read (and locked)
 * inside the change's own transaction. The request was let in as ICT when it arrived; without
 * this, two ICT staff disabling each other (or taking each other's ict role) at the same moment
 * both succeeded and left the school with no one who can manage accounts, which only ICT can
 * undo.
 *
 * @param actor the author's account as read in the transaction (undefined: not found)
 * @throws ConflictException 409 when it is disabled or no longer holds the ict role
 */
function mustStillBeIct(actor: StaffAccountEntity | undefined): void {
  if (!actor || actor.disabled || !actor.roles.includes('ict')) {
    throw new ConflictException(
      'Nothing was changed: your own account was disabled or lost the ict role at the same moment',
    );
  }
}

@Injectable()
export class StaffService implements OnApplicationBootstrap {
  private readonly logger = new Logger(StaffService.name);

  constructor(
    private readonly staff: StaffRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: HubEvents,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly auth: AuthService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureFirstAdmin();
  }

  /**
   * On a hub with no accounts, creates `admin` with every role. A generated password is printed
   * once, as a framed plain-text block on stdout that stands apart from the JSON log (issue 8
   * item 20). A second hub racing on the same database loses quietly (unique username).
   *
   * @throws Error naming HUB_ADMIN_PASSWORD when the configured password breaks the rule
   */
  async ensureFirstAdmin(): Promise<void> {
    if ((await this.staff.countAccounts()) > 0) {
      return;
    }
    let password = this.config.adminPassword;
    if (password) {
      const problems = passwordProblems(password, this.config.auth.passwordMinLength);
      if (problems.length > 0) {
        throw new Error(
          `HUB_ADMIN_PASSWORD: ${describePasswordProblems('the password', problems)}`,
        );
      }
    } else {
      password = generatePassword();
    }
    const now = this.clock.now();
    const account: Omit<StaffAccountEntity, 'nameKey' | 'nameSortKey'> = {
      id: randomUUID(),
      username: 'admin',
      displayName: 'Administrator',
      passwordHash: await hashPassword(password, this.config.auth.passwordHash),
      roles: [...STAFF_ROLES],
      disabled: false,
      email: null,
      createdAt: now,
      updatedAt: now,
      passwordChangedAt: now,
    };
    try {
      await this.tx.run(async (tx) => {
        await this.staff.insertAccount(tx, account);
        await this.audit.record(tx, {
          actor: { kind: 'system' },
          action: 'staff.created',
          target: staffTarget(account),
          detail: { username: 'admin', roles: account.roles },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        return;
      }
      throw error;
    }
    if (!this.config.adminPassword) {
      // Printed once, to the console only (not the structured log), for the person installing the hub.
      process.stdout.write(
        framedBlock([
          'Created the first account of this hub.',
          '',
          '  username: admin',
          `  password: ${password}`,
          '',
          'Sign in and change it now (PATCH /api/staff/me/password): it is not shown again.',
          'Lost it? On this server run: npm run admin -- reset-password admin',
        ]),
      );
    }
    this.logger.log('Created the first admin account');
  }

  private checkPassword(field: string, password: string): void {
    const problems = passwordProblems(password, this.config.auth.passwordMinLength);
    if (problems.length > 0) {
      throw new BadRequestException(describePasswordProblems(field, problems));
    }
  }

  /**
   * Creates an account. Two requests for one username at once give one account and a 409 for
   * the other (issue 8 item 3): the unique key decides, not the read before it.
   *
   * @throws BadRequestException 400 for a password that breaks the rule
   * @throws ConflictException 409 with `code` `username_taken` (STAFF_REFUSALS) when the username
   *   is taken; without a code when the actor's own account was disabled or lost the ict role
   *   meanwhile
   */
  async create(actor: StaffPrincipal, input: CreateStaffDto): Promise<StaffAccountDto> {
    this.checkPassword('password', input.password);
    const code: StaffRefusal = 'username_taken';
    const taken = () => codedConflict(code, `username ${input.username} is already taken`);
    if (await this.staff.findByUsername(input.username)) {
      throw taken();
    }
    const now = this.clock.now();
    const account: Omit<StaffAccountEntity, 'nameKey' | 'nameSortKey'> = {
      id: randomUUID(),
      username: input.username,
      displayName: input.displayName.trim(),
      passwordHash: await hashPassword(input.password, this.config.auth.passwordHash),
      roles: input.roles,
      disabled: false,
      email: input.email ?? null,
      createdAt: now,
      updatedAt: now,
      passwordChangedAt: now,
    };
    try {
      await this.tx.run(async (tx) => {
        mustStillBeIct((await this.staff.lockAccounts(tx, [actor.id]))[0]);
        await this.staff.insertAccount(tx, account);
        await this.audit.record(tx, {
          actor,
          action: 'staff.created',
          target: staffTarget(account),
          detail: { username: account.username, roles: account.roles },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw taken();
      }
      throw error;
    }
    return toStaffAccountDto(account);
  }

  async list(page: number, pageSize: number, includeDisabled: boolean) {
    const [accounts, total] = await this.staff.findPage(
      (page - 1) * pageSize,
      pageSize,
      includeDisabled,
    );
    return { items: accounts.map(toStaffAccountDto), total, page, pageSize };
  }

  async get(id: string): Promise<StaffAccountDto> {
    return toStaffAccountDto(await this.mustFind(id));
  }

  private async mustFind(id: string): Promise<StaffAccountEntity> {
    const account = await this.staff.findById(id);
    if (!account) {
      throw new NotFoundException(`No staff account ${id}`);
    }
    return account;
  }

  /**
   * ICT changes an account: display name, roles, password, disabled. Only the columns that
   * change are written, from a read made inside the transaction, after the (slow) password hash:
   * a change made meanwhile by someone else is kept (issue 8 item 2). Enabling or disabling is
   * conditional on the state it starts from.
   *
   * @throws NotFoundException 404 for an unknown id
   * @throws ConflictException 409 for ICT disabling themselves or dropping their own ict role,
   *   when someone else enabled or disabled the account at the same moment, or when the actor's
   *   own account was disabled or lost the ict role meanwhile (so two ICT staff disabling each
   *   other at once never leave the school with no ICT account); 409 `changed_meanwhile` when
   *   `input.updatedAt` is given and is not the account's `updatedAt` (checked under the row
   *   lock; nothing is written or audited)
   */
  async update(actor: StaffPrincipal, id: string, input: UpdateStaffDto): Promise<StaffAccountDto> {
    await this.mustFind(id);
    if (input.password !== undefined) {
      this.checkPassword('password', input.password);
    }
    if (
      actor.id === id &&
      (input.disabled === true || (input.roles && !input.roles.includes('ict')))
    ) {
      throw new ConflictException(
        'You cannot disable your own account or remove your own ict role',
      );
    }
    // The slow step comes first, outside the transaction; nothing read before it is written back.
    const passwordHash =
      input.password !== undefined
        ? await hashPassword(input.password, this.config.auth.passwordHash)
        : undefined;
    const now = this.clock.now();
    let changedAny = false;
    const updated = await this.tx.run(async (tx) => {
      const locked = await this.staff.lockAccounts(tx, [id, actor.id]);
      const account = locked.find((row) => row.id === id);
      if (!account) {
        throw new NotFoundException(`No staff account ${id}`);
      }
      mustStillBeIct(locked.find((row) => row.id === actor.id));
      // Read with the row held: roles made from an older read would put back, whole, the list
      // someone else saved since (the Roles dialog sends them all).
      if (!isUnchangedSince(input.updatedAt, account.updatedAt)) {
        throw changedMeanwhile(`The account of ${account.displayName} (${account.username})`);
      }
      const changes: Parameters<StaffRepository['updateAccountWhere']>[3] = {};
      const changed: string[] = [];
      if (input.displayName !== undefined && input.displayName.trim() !== account.displayName) {
        changes.displayName = input.displayName.trim();
        changed.push('displayName');
      }
      // The same roles in another order are no change (the console's roles dialog saved as is).
      if (
        input.roles !== undefined &&
        [...input.roles].sort().join() !== [...account.roles].sort().join()
      ) {
        changes.roles = input.roles;
        changed.push('roles');
      }
      if (input.email !== undefined && input.email !== account.email) {
        changes.email = input.email;
        changed.push('email');
      }
      if (passwordHash !== undefined) {
        changes.passwordHash = passwordHash;
        changes.passwordChangedAt = now;
        changed.push('password');
      }
      const disabling = input.disabled === true && !account.disabled;
      if (input.disabled !== undefined && input.disabled !== account.disabled) {
        changes.disabled = input.disabled;
        changed.push('disabled');
      }
      if (changed.length === 0) {
        return account;
      }
      changes.updatedAt = now;
      const written = await this.staff.updateAccountWhere(
        tx,
        id,
        changes.disabled !== undefined ? { disabled: account.disabled } : {},
        changes,
      );
      if (!written) {
        throw new ConflictException(
          `Staff account ${id} was enabled or disabled by someone else at the same moment; read it again`,
        );
      }
      if (disabling || passwordHash !== undefined) {
        await this.staff.revokeSessions(tx, id, now);
      }
      changedAny = true;
      const after = (await this.staff.findByIdIn(tx, id)) ?? account;
      await this.audit.record(tx, {
        actor,
        action: disabling ? 'staff.disabled' : 'staff.updated',
        target: staffTarget(after),
        detail: {
          changed,
          roles: after.roles,
          disabled: after.disabled,
          ...(after.displayName !== account.displayName
            ? { previousDisplayName: account.displayName }
            : {}),
        },
      });
      return after;
    });
    if (changedAny) {
      // Live connections follow: dropped if the sign-in ended, moved if the roles changed.
      this.events.emit('staff.changed', { staffId: id });
    }
    return toStaffAccountDto(updated);
  }

  /**
   * A person changes their own password. The new hash is written only if the account still has
   * the password that was checked and is still enabled: ICT disabling the account (or resetting
   * its password) while the hash is being made wins (issue 8 item 2). This session stays; the
   * others end.
   *
   * @throws UnauthorizedException 401 when the current password is wrong
   * @throws HttpException 429 while the username is locked after too many wrong passwords (wrong
   *   current passwords here count with wrong passwords at sign-in)
   * @throws BadRequestException 400 for a new password that breaks the rule
   * @throws ConflictException 409 when the account was disabled or its password changed meanwhile
   */
  async changeOwnPassword(
    actor: StaffPrincipal,
    currentPassword: string,
    newPassword: string,
    currentToken: string,
  ): Promise<void> {
    const account = await this.mustFind(actor.id);
    // Counted with sign-ins of this username: the same slow-down and lock (429).
    if (!(await this.auth.checkPasswordCounted(account, currentPassword))) {
      throw new UnauthorizedException('The current password is wrong');
    }
    this.checkPassword('newPassword', newPassword);
    const newHash = await hashPassword(newPassword, this.config.auth.passwordHash);
    const now = this.clock.now();
    const session = await this.staff.findSessionByHash(hashToken(currentToken));
    await this.tx.run(async (tx) => {
      const written = await this.staff.updateAccountWhere(
        tx,
        account.id,
        { passwordHash: account.passwordHash, disabled: false },
        { passwordHash: newHash, passwordChangedAt: now, updatedAt: now },
      );
      if (!written) {
        throw new ConflictException(
          'The password was not changed: the account was disabled or its password was changed meanwhile',
        );
      }
      // Other sign-ins end; the one that changed the password stays.
      await this.staff.revokeSessions(tx, account.id, now, session?.id);
      await this.audit.record(tx, {
        actor,
        action: 'staff.password_changed',
        target: staffTarget(account),
      });
    });
    this.events.emit('staff.changed', { staffId: account.id });
  }
}
