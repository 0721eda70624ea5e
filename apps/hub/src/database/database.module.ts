// The database: SQLite in WAL mode by default, migrations run at start, never synchronize.
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { MIGRATIONS } from './migrations';
import { TransactionRunner } from './transaction-runner';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [HUB_CONFIG],
      useFactory: (config: HubConfig) => {
        fs.mkdirSync(path.dirname(config.database.path), { recursive: true });
        return {
          type: 'sqlite' as const,
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
  providers: [TransactionRunner],
  exports: [TransactionRunner],
})
export class DatabaseModule {}
