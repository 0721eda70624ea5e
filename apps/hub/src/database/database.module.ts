// The database: SQLite in WAL mode by default, or PostgreSQL (HUB_DB=postgres://..., issue 10),
// with the same migrations run at start, never synchronize. What differs between the two stays
// in this folder: the transaction queue (transaction-runner.ts), SQLite's PRAGMAs and WAL
// checkpoints (sqlite-tuning.ts), row locks (row-lock.ts), unique violations, and the SQL
// dialect helpers (dialect.ts). And the lease that lets one hub of a cluster run the scheduled
// work (scheduled-work-lease.ts).
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import sqlite3 from 'sqlite3';
import { prepareDataDir } from '../config/data-dir';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { HubLeasesRepository } from './hub-leases.repository';
import { MIGRATIONS } from './migrations';
import { ScheduledWorkLease } from './scheduled-work-lease';
import { SqliteTuning } from './sqlite-tuning';
import { TransactionRunner } from './transaction-runner';

/**
 * sqlite3 as TypeORM should load it. TypeORM always calls `sqlite3.verbose()`, which wraps
 * every call to capture a stack trace and format its arguments (SQL parameters included):
 * most of the hub's CPU under load. The plain module keeps its errors and drops that.
 */
const quietSqlite3: typeof sqlite3 = Object.assign(Object.create(sqlite3) as typeof sqlite3, {
  verbose: () => sqlite3,
});

/**
 * Connections the hub keeps to PostgreSQL. Transactions run side by side there (no queue), so
 * this bounds how many are open at once; the rest wait for a free connection in `pg`'s pool.
 */
const POSTGRES_POOL_SIZE = 10;

/**
 * SQLite's codes for a database file another process holds at this moment (another hub starting
 * on the same file, an admin command writing to it): the failure to open it that a later try
 * mends, once that process lets go.
 */
const SQLITE_BUSY_CODES: ReadonlySet<string> = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

/**
 * Whether TypeORM's module tries again to open the database and run its migrations after `error`
 * at start (its `toRetry`): only while the SQLite file is busy. A full disk, a permission
 * refused, a folder that is not there, a damaged file or a migration that fails is the same on
 * the next try, so the start stops at once and main.ts says why in one line, rather than after
 * nine tries 3 s apart (about 30 s of silence).
 *
 * @param error what TypeORM's DataSource.initialize threw: sqlite3's error (`code`
 *   `SQLITE_FULL`…), a QueryFailedError carrying it, or an errno error from the file system
 */
export function isWorthRetrying(error: unknown): boolean {
  const failed = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = failed?.driverError?.code ?? failed?.code;
  return typeof code === 'string' && SQLITE_BUSY_CODES.has(code);
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [HUB_CONFIG],
      useFactory: (config: HubConfig): TypeOrmModuleOptions => {
        // Private before SQLite opens it (issue 8 item 15): see prepareDataDir.
        prepareDataDir(config);
        const common = {
          autoLoadEntities: true,
          synchronize: false,
          migrations: MIGRATIONS,
          migrationsRun: true,
          migrationsTransactionMode: 'each' as const,
          logging: false,
        };
        if (config.database.type === 'postgres') {
          return {
            ...common,
            type: 'postgres',
            url: config.database.url,
            poolSize: POSTGRES_POOL_SIZE,
            applicationName: 'classroom-device-hub',
            // One attempt: a hub that cannot reach its database says so at once (start-up fails
            // with the driver's message) rather than retrying for half a minute.
            retryAttempts: 1,
          };
        }
        return {
          ...common,
          type: 'sqlite',
          driver: quietSqlite3,
          database: config.database.path,
          enableWAL: true,
          busyErrorRetry: 50,
          toRetry: isWorthRetrying,
        };
      },
    }),
  ],
  providers: [TransactionRunner, SqliteTuning, HubLeasesRepository, ScheduledWorkLease],
  exports: [TransactionRunner, ScheduledWorkLease],
})
export class DatabaseModule {}
