// SQLite settings the TypeORM driver has no option for. In WAL mode `synchronous = NORMAL`
// keeps every committed transaction across a killed process (the WAL is in the OS cache) and
// skips an fsync per commit; only a power cut can lose the last moments, never consistency.
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Injectable()
export class SqliteTuning implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    if (this.dataSource.options.type === 'sqlite') {
      await this.dataSource.query('PRAGMA synchronous = NORMAL');
      await this.dataSource.query('PRAGMA foreign_keys = ON');
    }
  }
}
