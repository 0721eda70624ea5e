// SQLite settings the TypeORM driver has no option for, and the WAL checkpoints.
//
// In WAL mode `synchronous = NORMAL` keeps every committed transaction across a killed process
// (the WAL is in the OS cache) and skips an fsync per commit; only a power cut can lose the last
// moments, never consistency.
//
// SQLite normally checkpoints (copies the WAL back into the database file and fsyncs it) inside
// whichever commit pushes the WAL past 1,000 pages. A policy fan-out to 5,000 devices writes
// several thousand pages, so that commit paid a checkpoint of 0.3 to 1 s while every other write
// waited behind it. Here the hub's own connection never checkpoints; a second connection to the
// same file does it every second, on another thread, without blocking the writer (PASSIVE).
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';

const CHECKPOINT_EVERY_MS = 1000;
/** After a checkpoint, a WAL larger than this is cut back to it. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/** Pages kept in memory (negative: KiB). The default 2 MB made large fan-outs re-read indexes. */
const CACHE_KIB = 64 * 1024;

@Injectable()
export class SqliteTuning implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SqliteTuning.name);
  private checkpointer: sqlite3.Database | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.dataSource.options.type !== 'sqlite') {
      return;
    }
    await this.dataSource.query('PRAGMA synchronous = NORMAL');
    await this.dataSource.query('PRAGMA foreign_keys = ON');
    await this.dataSource.query(`PRAGMA cache_size = -${CACHE_KIB}`);
    await this.dataSource.query(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    await this.dataSource.query('PRAGMA wal_autocheckpoint = 0');
    this.checkpointer = await openDatabase(this.config.database.path);
    await run(this.checkpointer, 'PRAGMA synchronous = NORMAL');
    await run(this.checkpointer, 'PRAGMA busy_timeout = 5000');
    this.timer = setInterval(() => void this.checkpoint(), CHECKPOINT_EVERY_MS);
    this.timer.unref();
  }

  /** Copies what the WAL holds back into the database file, as far as readers allow. */
  checkpoint(): Promise<void> {
    const db = this.checkpointer;
    if (!db || this.running) {
      return this.running ?? Promise.resolve();
    }
    this.running = run(db, 'PRAGMA wal_checkpoint(PASSIVE)')
      .catch((error: unknown) => {
        // A checkpoint that could not run is tried again; the WAL keeps every commit meanwhile.
        this.logger.warn(`WAL checkpoint did not run: ${String(error)}`);
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    const db = this.checkpointer;
    this.checkpointer = null;
    if (db) {
      await this.running;
      await new Promise<void>((resolve) => db.close(() => resolve()));
    }
  }
}

function openDatabase(file: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (error) =>
      error ? reject(error) : resolve(db),
    );
  });
}

function run(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) =>
    db.run(sql, (error) => (error ? reject(error) : resolve())),
  );
}
