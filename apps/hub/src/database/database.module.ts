// The database: SQLite in WAL mode by default, migrations run at start, never synchronize.
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import sqlite3 from 'sqlite3';
import { prepareDataDir } from '../config/data-dir';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { MIGRATIONS } from './migrations';
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

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [HUB_CONFIG],
      useFactory: (config: HubConfig) => {
        // Private before SQLite opens it (issue 8 item 15): see prepareDataDir.
        prepareDataDir(config);
        return {
          type: 'sqlite' as const,
          driver: quietSqlite3,
          database: config.database.path,
          enableWAL: true,
          busyErrorRetry: 50,
          autoLoadEntities: true,
          synchronize: false,
          migrations: MIGRATIONS,
          migrationsRun: true,
          migrationsTransactionMode: 'each' as const,
          logging: false,
        };
      },
    }),
  ],
  providers: [TransactionRunner, SqliteTuning],
  exports: [TransactionRunner],
})
export class DatabaseModule {}
