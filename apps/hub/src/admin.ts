// ICT's commands from the server's shell (issue 8 item 20), run as `npm run admin -- COMMAND`.
// They open the hub's own database from the same HUB_* settings as the hub, whether or not the
// hub is running, and need no sign-in: being able to run them on the server is the permission.
//
//   reset-password USER   sets a new password (HUB_NEW_PASSWORD, or a generated one), ends the
//                         account's sessions, clears its sign-in lock, audits the shell user
import 'reflect-metadata';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { AuditModule } from './audit/audit.module';
import { Clock, SystemClock } from './common/clock';
import { ConfigError, HUB_CONFIG, HubConfig, loadHubConfig } from './config/hub-config';
import { DatabaseModule } from './database/database.module';
import { framedBlock } from './staff/plain-block';
import { ShellCommandError, StaffShellService } from './staff/staff-shell.service';
import { STAFF_ENTITIES } from './staff/staff.entities';
import { StaffRepository } from './staff/staff.repository';

const USAGE = 'Usage: npm run admin -- reset-password USERNAME   (HUB_NEW_PASSWORD to choose it)';

/** Where the commands write: the console, or a test's buffers. */
export interface AdminOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Only what the shell commands need: configuration, database, audit log, staff accounts. */
@Module({})
class AdminModule {
  static forConfig(config: HubConfig): DynamicModule {
    return {
      module: AdminModule,
      global: true,
      imports: [DatabaseModule, AuditModule, TypeOrmModule.forFeature(STAFF_ENTITIES)],
      providers: [
        { provide: HUB_CONFIG, useValue: config },
        { provide: Clock, useClass: SystemClock },
        StaffRepository,
        StaffShellService,
      ],
      exports: [HUB_CONFIG, Clock],
    };
  }
}

function shellUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * Runs one admin command and returns the process exit code: 0 done, 1 refused (a bad setting,
 * no hub database there, unknown account, weak password), 2 not a command.
 *
 * @param args the words after `npm run admin --`
 * @param env the HUB_* settings, as the hub reads them, plus HUB_NEW_PASSWORD
 */
export async function runAdmin(
  args: string[],
  env: Record<string, string | undefined>,
  output: AdminOutput,
): Promise<number> {
  const [command, username, ...rest] = args;
  if (command !== 'reset-password' || !username || rest.length > 0) {
    output.err(`${USAGE}\n`);
    return 2;
  }
  let config: HubConfig;
  try {
    config = loadHubConfig(env);
  } catch (error) {
    output.err(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    return 1;
  }
  if (!fs.existsSync(config.database.path)) {
    // Opening it would make an empty database: the settings are not the hub's.
    output.err(
      `There is no hub database at ${config.database.path}: run this with the hub's HUB_DATA_DIR (or HUB_DB)\n`,
    );
    return 1;
  }
  const newPassword = env.HUB_NEW_PASSWORD === '' ? undefined : env.HUB_NEW_PASSWORD;
  const app = await NestFactory.createApplicationContext(AdminModule.forConfig(config), {
    logger: false,
  });
  try {
    const result = await app
      .get(StaffShellService)
      .resetPasswordFromShell(username, newPassword, shellUser());
    const name = username.trim().toLowerCase();
    output.out(
      framedBlock([
        `Set a new password for "${name}".`,
        '',
        `  username: ${name}`,
        `  password: ${newPassword === undefined ? result.password : '(the one in HUB_NEW_PASSWORD)'}`,
        '',
        'Every session of this account has ended and any sign-in lock is cleared.',
        'Ask them to change it after signing in (PATCH /api/staff/me/password).',
        ...(result.disabled
          ? ['This account is disabled: ICT can enable it with PATCH /api/staff/:id.']
          : []),
      ]),
    );
    return 0;
  } catch (error) {
    if (error instanceof ShellCommandError) {
      output.err(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  // Files the command makes (a WAL) are for this user only, as the hub's are (issue 8 item 15).
  process.umask(0o077);
  runAdmin(
    process.argv.slice(2),
    // eslint-disable-next-line no-restricted-properties -- read once here, as main.ts does
    process.env,
    {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    },
  )
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      process.stderr.write(
        `The command failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    });
}
