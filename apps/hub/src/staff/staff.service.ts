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
import * as argon2 from 'argon2';
import { randomBytes, randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { hashToken } from '../common/token-hash';
import { STAFF_ROLES, StaffPrincipal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { TransactionRunner } from '../database/transaction-runner';
import { CreateStaffDto, StaffAccountDto, UpdateStaffDto } from './dto/staff.dto';
import { describePasswordProblems, passwordProblems } from './password-rules';
import { StaffAccountEntity } from './staff.entities';
import { StaffRepository } from './staff.repository';

export function toStaffAccountDto(account: StaffAccountEntity): StaffAccountDto {
  return {
    id: account.id,
    username: account.username,
    displayName: account.displayName,
    roles: account.roles,
    disabled: account.disabled,
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}

@Injectable()
export class StaffService implements OnApplicationBootstrap {
  private readonly logger = new Logger(StaffService.name);

  constructor(
    private readonly staff: StaffRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureFirstAdmin();
  }

  /** On a hub with no accounts, creates `admin` with every role. */
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
      // Base64url gives letters and digits; the suffix guarantees every class the rule asks for.
      password = `${randomBytes(12).toString('base64url')}-Aa1`;
    }
    const now = this.clock.now();
    const account: StaffAccountEntity = {
      id: randomUUID(),
      username: 'admin',
      displayName: 'Administrator',
      passwordHash: await argon2.hash(password),
      roles: [...STAFF_ROLES],
      disabled: false,
      createdAt: now,
      updatedAt: now,
      passwordChangedAt: now,
    };
    await this.tx.run(async (tx) => {
      await this.staff.saveAccount(tx, account);
      await this.audit.record(tx, {
        actor: { kind: 'system' },
        action: 'staff.created',
        targetType: 'staff',
        targetId: account.id,
        detail: { username: 'admin', roles: account.roles },
      });
    });
    if (!this.config.adminPassword) {
      // Printed once, to the console only (not the structured log), for the person installing the hub.
      process.stdout.write(
        `\nCreated the first account: username "admin", password "${password}".\n` +
          'Sign in and change it now (PATCH /api/staff/me/password); it is not shown again.\n\n',
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

  async create(actor: StaffPrincipal, input: CreateStaffDto): Promise<StaffAccountDto> {
    this.checkPassword('password', input.password);
    if (await this.staff.findByUsername(input.username)) {
      throw new ConflictException(`username ${input.username} is already taken`);
    }
    const now = this.clock.now();
    const account: StaffAccountEntity = {
      id: randomUUID(),
      username: input.username,
      displayName: input.displayName.trim(),
      passwordHash: await argon2.hash(input.password),
      roles: input.roles,
      disabled: false,
      createdAt: now,
      updatedAt: now,
      passwordChangedAt: now,
    };
    await this.tx.run(async (tx) => {
      await this.staff.saveAccount(tx, account);
      await this.audit.record(tx, {
        actor,
        action: 'staff.created',
        targetType: 'staff',
        targetId: account.id,
        detail: { username: account.username, roles: account.roles },
      });
    });
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

  async update(actor: StaffPrincipal, id: string, input: UpdateStaffDto): Promise<StaffAccountDto> {
    const account = await this.mustFind(id);
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
    const now = this.clock.now();
    const changed: string[] = [];
    if (input.displayName !== undefined && input.displayName.trim() !== account.displayName) {
      account.displayName = input.displayName.trim();
      changed.push('displayName');
    }
    if (input.roles !== undefined) {
      account.roles = input.roles;
      changed.push('roles');
    }
    if (input.password !== undefined) {
      account.passwordHash = await argon2.hash(input.password);
      account.passwordChangedAt = now;
      changed.push('password');
    }
    const disabling = input.disabled === true && !account.disabled;
    if (input.disabled !== undefined && input.disabled !== account.disabled) {
      account.disabled = input.disabled;
      changed.push('disabled');
    }
    if (changed.length === 0) {
      return toStaffAccountDto(account);
    }
    account.updatedAt = now;
    await this.tx.run(async (tx) => {
      await this.staff.saveAccount(tx, account);
      if (disabling || changed.includes('password')) {
        await this.staff.revokeSessions(tx, account.id, now);
      }
      await this.audit.record(tx, {
        actor,
        action: disabling ? 'staff.disabled' : 'staff.updated',
        targetType: 'staff',
        targetId: account.id,
        detail: { changed, roles: account.roles, disabled: account.disabled },
      });
    });
    return toStaffAccountDto(account);
  }

  async changeOwnPassword(
    actor: StaffPrincipal,
    currentPassword: string,
    newPassword: string,
    currentToken: string,
  ): Promise<void> {
    const account = await this.mustFind(actor.id);
    if (!(await argon2.verify(account.passwordHash, currentPassword))) {
      throw new UnauthorizedException('The current password is wrong');
    }
    this.checkPassword('newPassword', newPassword);
    const now = this.clock.now();
    account.passwordHash = await argon2.hash(newPassword);
    account.passwordChangedAt = now;
    account.updatedAt = now;
    const session = await this.staff.findSessionByHash(hashToken(currentToken));
    await this.tx.run(async (tx) => {
      await this.staff.saveAccount(tx, account);
      // Other sign-ins end; the one that changed the password stays.
      await this.staff.revokeSessions(tx, account.id, now, session?.id);
      await this.audit.record(tx, {
        actor,
        action: 'staff.password_changed',
        targetType: 'staff',
        targetId: account.id,
      });
    });
  }
}
