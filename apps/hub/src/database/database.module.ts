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
        };
      },
    }),
  ],
  providers: [TransactionRunner, SqliteTuning, HubLeasesRepository, ScheduledWorkLease],
  exports: [TransactionRunner, ScheduledWorkLease],
})
export class DatabaseModule {}
