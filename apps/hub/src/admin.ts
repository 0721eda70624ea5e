// ICT's commands from the server's shell (issue 8 item 20), run as `npm run admin -- COMMAND`.
// They open the hub's own database from the same HUB_* settings as the hub, whether or not the
// hub is running, and need no sign-in: being able to run them on the server is the permission.
//
//   reset-password USER   sets a new password (HUB_NEW_PASSWORD, or a generated one), ends the
//                         account's sessions, clears its sign-in lock, audits the shell user
//   backup FILE [--force] copies the hub, running or not, into one file (backup/hub-backup.ts)
//   restore FILE          puts a backup in place of a stopped hub's data (backup/hub-restore.ts)
//   copy-to-postgres URL  copies a stopped SQLite hub into an empty PostgreSQL database
//                         (database/copy-to-postgres.ts), for a hub that becomes several
import 'reflect-metadata';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditEntryEntity } from './audit/audit-entry.entity';
import { AuditRepository } from './audit/audit.repository';
import { AuditService } from './audit/audit.service';
import { BackupManifest, BadBackupError } from './backup/backup-archive';
import { backUpHub, BackupRefusedError } from './backup/hub-backup';
import { restoreHub } from './backup/hub-restore';
import { whyHubIsRunning } from './backup/hub-running';
import { NotAHubDatabaseError } from './backup/sqlite-file';
import { Clock, SystemClock } from './common/clock';
import { PathRefusedError } from './common/file-system-refusal';
import { spokenTime } from './common/local-time';
import { HubInstance } from './common/hub-instance';
import {
  ConfigError,
  HUB_CONFIG,
  HubConfig,
  loadHubConfig,
  postgresUrl,
  redactUrl,
  sqliteFile,
} from './config/hub-config';
import { copySqliteToPostgres, CopyRefusedError, CopyResult } from './database/copy-to-postgres';
import { DatabaseModule } from './database/database.module';
import { describeDatabase, hubDatabaseExists } from './database/hub-database';
import { TransactionRunner } from './database/transaction-runner';
import { framedBlock } from './staff/plain-block';
import { ShellCommandError, StaffShellService } from './staff/staff-shell.service';
import { STAFF_ENTITIES } from './staff/staff.entities';
import { StaffRepository } from './staff/staff.repository';

const USAGE = [
  'Usage: npm run admin -- reset-password USERNAME   (HUB_NEW_PASSWORD to choose it)',
  '       npm run admin -- backup FILE [--force]      a copy of the hub, running or not, in FILE',
  "       npm run admin -- restore FILE               FILE in place of this hub's data (hub stopped)",
  '       npm run admin -- copy-to-postgres URL       this SQLite hub into an empty PostgreSQL database (hub stopped)',
  "Run them with the hub's HUB_* settings (at least HUB_DATA_DIR or HUB_DB, and HUB_PORT).",
].join('\n');

/** Where the commands write: the console, or a test's buffers. */
export interface AdminOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * Only what the shell commands need: configuration, database, audit log, staff accounts. The
 * audit log's service and repository, not AuditModule: that also records the hub's own start
 * and stop, which a shell command is not.
 */
@Module({})
class AdminModule {
  static forConfig(config: HubConfig): DynamicModule {
    return {
      module: AdminModule,
      global: true,
      imports: [DatabaseModule, TypeOrmModule.forFeature([...STAFF_ENTITIES, AuditEntryEntity])],
      providers: [
        { provide: HUB_CONFIG, useValue: config },
        { provide: Clock, useClass: SystemClock },
        // DatabaseModule's scheduled-work lease names the process holding it.
        HubInstance,
        AuditRepository,
        AuditService,
        StaffRepository,
        StaffShellService,
      ],
      exports: [HUB_CONFIG, Clock, HubInstance],
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

const COMMANDS = ['reset-password', 'backup', 'restore', 'copy-to-postgres'] as const;
type AdminCommand = (typeof COMMANDS)[number];

/** A command's words after its name, checked: null when they do not fit the command. */
function parseArgs(
  args: string[],
): { command: AdminCommand; target: string; force: boolean } | null {
  const [command, ...rest] = args;
  const force = command === 'backup' && rest.includes('--force');
  const words = rest.filter((word) => !(force && word === '--force'));
  if (
    !COMMANDS.includes(command as AdminCommand) ||
    words.length !== 1 ||
    words[0] === '' ||
    words[0].startsWith('--')
  ) {
    return null;
  }
  return { command: command as AdminCommand, target: words[0], force };
}

/**
 * When a backup was taken, for the person at the command line: on the school's clock in words
 * (`HUB_TIME_ZONE`), then the manifest's own RFC 3339 UTC stamp to match it by, "14:20 on Tuesday
 * 15 June 2027 (2027-06-15T13:20:10.000Z)". UTC alone reads an hour early in British summer time.
 */
function takenAt(manifest: BackupManifest, timeZone: string): string {
  return `${spokenTime(new Date(manifest.createdAt), timeZone)} (${manifest.createdAt})`;
}

/**
 * Runs one admin command and returns the process exit code: 0 done, 1 refused (a bad setting,
 * no hub database there, unknown account, weak password; a backup file that exists, a hub that
 * is running, a damaged backup or one from a newer hub), 2 not a command.
 *
 * @param args the words after `npm run admin --`
 * @param env the HUB_* settings, as the hub reads them, plus HUB_NEW_PASSWORD
 * @param clock the time a backup is stamped with and restored files are renamed by
 */
export async function runAdmin(
  args: string[],
  env: Record<string, string | undefined>,
  output: AdminOutput,
  clock: Clock = new SystemClock(),
): Promise<number> {
  const parsed = parseArgs(args);
  if (!parsed) {
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
  if (parsed.command !== 'reset-password' && config.database.type !== 'sqlite') {
    output.err(
      parsed.command === 'copy-to-postgres'
        ? `copy-to-postgres copies a SQLite hub; this hub is on PostgreSQL already (HUB_DB)\n`
        : `${parsed.command} copies a SQLite hub; this hub is on PostgreSQL (HUB_DB): back that database up with pg_dump, and the CA folder (${config.caDir}) with it (docs/deploy.md)\n`,
    );
    return 1;
  }
  try {
    if (parsed.command === 'backup') {
      return await backup(config, env, parsed.target, parsed.force, clock, output);
    }
    if (parsed.command === 'restore') {
      return await restore(config, parsed.target, clock, output);
    }
    if (parsed.command === 'copy-to-postgres') {
      return await copyToPostgres(config, parsed.target, output);
    }
    return await resetPassword(config, parsed.target, env, output);
  } catch (error) {
    if (
      error instanceof ShellCommandError ||
      error instanceof BackupRefusedError ||
      error instanceof BadBackupError ||
      error instanceof NotAHubDatabaseError ||
      error instanceof CopyRefusedError ||
      error instanceof PathRefusedError ||
      // A path of the settings the database module refused (prepareDataDir), named with it.
      error instanceof ConfigError
    ) {
      output.err(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function resetPassword(
  config: HubConfig,
  username: string,
  env: Record<string, string | undefined>,
  output: AdminOutput,
): Promise<number> {
  if (!(await hubDatabaseExists(config.database))) {
    // Opening it would make an empty database: the settings are not the hub's.
    output.err(
      `There is no hub database at ${describeDatabase(config.database)}: run this with the hub's HUB_DATA_DIR (or HUB_DB)\n`,
    );
    return 1;
  }
  const newPassword = env.HUB_NEW_PASSWORD === '' ? undefined : env.HUB_NEW_PASSWORD;
  const app = await NestFactory.createApplicationContext(AdminModule.forConfig(config), {
    logger: false,
    // A module that cannot start throws here and is said; by default Nest would end the
    // process with exit code 1 and, its logger off, nothing said at all.
    abortOnError: false,
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
  } finally {
    await app.close();
  }
}

async function backup(
  config: HubConfig,
  env: Record<string, string | undefined>,
  file: string,
  force: boolean,
  clock: Clock,
  output: AdminOutput,
): Promise<number> {
  const schoolName = env.HUB_SCHOOL_NAME?.trim() ? config.schoolName : null;
  const result = await backUpHub(config, env, file, { force, clock, schoolName });
  const { manifest } = result;
  for (const warning of result.warnings) {
    output.err(`Warning: ${warning}\n`);
  }
  output.out(
    [
      `Backed up the hub to ${result.file} (${result.bytes} bytes, readable by this user only).`,
      `  taken at:        ${takenAt(manifest, config.timeZone)}`,
      `  hub version:     ${manifest.hubVersion}`,
      `  migration level: ${manifest.migration.timestamp} (${manifest.migration.name})`,
      ...(manifest.schoolName === null ? [] : [`  school:          ${manifest.schoolName}`]),
      `  files:           ${Object.keys(manifest.files).join(', ')}`,
      `  settings kept:   ${Object.keys(manifest.settings).join(', ') || '(none set)'}`,
      'It holds password hashes, Wi-Fi passwords and the CA key: keep it as safe as the server.',
      `The store (${config.storeDir}) is not in it: back that up with the school's own files.`,
      '',
    ].join('\n'),
  );
  return 0;
}

/**
 * Writes `hub.restored` (actor: the shell user) into the restored database, so that the log
 * itself says it was rewound to the backup's time. Opening it runs this hub's migrations, as
 * its next start would.
 */
async function auditRestore(config: HubConfig, manifest: BackupManifest, file: string) {
  const app = await NestFactory.createApplicationContext(AdminModule.forConfig(config), {
    logger: false,
    // A failure is reported (the files are restored by then), not a silent process.exit.
    abortOnError: false,
  });
  try {
    await app.get(TransactionRunner).run((tx) =>
      app.get(AuditService).record(tx, {
        actor: { kind: 'shell', osUser: shellUser() },
        action: 'hub.restored',
        target: null,
        detail: {
          from: file,
          takenAt: manifest.createdAt,
          madeByVersion: manifest.hubVersion,
          migration: manifest.migration.name,
        },
      }),
    );
  } finally {
    await app.close();
  }
}

async function restore(
  config: HubConfig,
  file: string,
  clock: Clock,
  output: AdminOutput,
): Promise<number> {
  const result = await restoreHub(config, file, { clock });
  const { manifest } = result;
  const settings = Object.entries(manifest.settings).map(([name, value]) => `    ${name}=${value}`);
  output.out(
    [
      `Restored the backup ${path.resolve(file)}.`,
      `  taken at:        ${takenAt(manifest, config.timeZone)}`,
      `  hub version:     ${manifest.hubVersion}`,
      `  migration level: ${manifest.migration.timestamp} (${manifest.migration.name})` +
        (manifest.migration.name === result.hubLevel.name
          ? ''
          : `, brought up to this hub's ${result.hubLevel.timestamp}`),
      ...(manifest.schoolName === null ? [] : [`  school:          ${manifest.schoolName}`]),
      `  contents:        ${Object.entries(result.counts)
        .map(([table, count]) => `${count} ${table.replace(/_/g, ' ')}`)
        .join(', ')}`,
      'Written (readable by this user only):',
      ...result.restored.map((target) => `    ${target}`),
      ...(result.movedAside.length === 0
        ? ['Nothing was in the way.']
        : [
            'Moved aside (delete them once the restored hub works):',
            ...result.movedAside.map(({ from, to }) => `    ${from} -> ${to}`),
          ]),
      ...(manifest.aupFile !== null && config.aupFile === null
        ? [
            `The backup's AUP text (from ${manifest.aupFile}) is in ${path.join(config.dataDir, 'aup.txt')}:`,
            `set HUB_AUP_FILE=${path.join(config.dataDir, 'aup.txt')} for the hub to keep it as its AUP.`,
          ]
        : []),
      ...(settings.length === 0
        ? []
        : ['The hub that made it had these settings (secrets are never kept):', ...settings]),
      'The audit log says so (hub.restored): what happened after the backup was taken is not in it.',
      'Start the hub with the same settings. Devices reconnect with the certificates they have.',
      '',
    ].join('\n'),
  );
  try {
    await auditRestore(config, manifest, path.resolve(file));
  } catch (error) {
    output.err(
      `The files are restored, but hub.restored could not be written to its audit log: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  return 0;
}

/**
 * Copies this SQLite hub into the empty PostgreSQL database at `url`, then writes
 * `hub.copied_to_postgres` (actor: the shell user) into the copy's audit log, so that its log
 * says where its history before that line came from.
 */
async function copyToPostgres(config: HubConfig, url: string, output: AdminOutput) {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    output.err(`copy-to-postgres needs a postgres:// URL, got '${redactUrl(url)}'\n`);
    return 1;
  }
  try {
    postgresUrl(url);
  } catch (error) {
    output.err(`The PostgreSQL URL ${(error as Error).message.replace(/^HUB_DB: /, '')}\n`);
    return 1;
  }
  const file = sqliteFile(config.database);
  const running = await whyHubIsRunning(config);
  if (running) {
    output.err(
      `Stop the hub before copying it (what it wrote after the copy would be lost): ${running}\n`,
    );
    return 1;
  }
  const result = await copySqliteToPostgres(file, url, path.dirname(file));
  output.out(describeCopy(config, file, url, result));
  try {
    await auditCopy({ ...config, database: { type: 'postgres', url } }, file, result);
  } catch (error) {
    output.err(
      `The data is copied, but hub.copied_to_postgres could not be written to its audit log: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  return 0;
}

function describeCopy(config: HubConfig, file: string, url: string, result: CopyResult): string {
  const width = Math.max(...result.tables.map((t) => t.table.length));
  return [
    `Copied the hub in ${file} to ${redactUrl(url)}, in one transaction.`,
    `  migration level: ${result.migration.timestamp} (${result.migration.name})`,
    ...(result.broughtUpToDate.length === 0
      ? []
      : [
          `  brought up to it first (on a copy; the SQLite file is unchanged): ${result.broughtUpToDate.join(', ')}`,
        ]),
    'Rows copied, by table:',
    ...result.tables.map(({ table, rows }) => `  ${table.padEnd(width)}  ${rows}`),
    `  ${'total'.padEnd(width)}  ${result.tables.reduce((sum, t) => sum + t.rows, 0)}`,
    'Sequences set past the highest id copied (new rows continue from):',
    ...result.sequences.map(({ table, column, next }) => `  ${table}.${column}: ${next}`),
    `The SQLite file is unchanged. Start the hub with HUB_DB=${redactUrl(url)}, keeping its CA`,
    `(${config.caDir}): give every hub of the school a copy of it (HUB_CA_DIR) and one store`,
    `(HUB_STORE_DIR, ${config.storeDir}). See docs/deploy.md, "Several hubs".`,
    '',
  ].join('\n');
}

async function auditCopy(config: HubConfig, file: string, result: CopyResult): Promise<void> {
  const app = await NestFactory.createApplicationContext(AdminModule.forConfig(config), {
    logger: false,
    // A failure is reported (the data is copied by then), not a silent process.exit.
    abortOnError: false,
  });
  try {
    await app.get(TransactionRunner).run((tx) =>
      app.get(AuditService).record(tx, {
        actor: { kind: 'shell', osUser: shellUser() },
        action: 'hub.copied_to_postgres',
        target: null,
        detail: {
          from: file,
          migration: result.migration.name,
          rows: Object.fromEntries(result.tables.map(({ table, rows }) => [table, rows])),
        },
      }),
    );
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
