// SQLite settings the TypeORM driver has no option for, and the WAL checkpoints. On PostgreSQL
// (HUB_DB=postgres://...) none of this applies and it does nothing: the server tunes itself.
//
// In WAL mode `synchronous = NORMAL` keeps every committed transaction across a killed process
// (the WAL is in the OS cache) and skips an fsync per commit; only a power cut can lose the last
// moments, never consistency.
//
// SQLite normally checkpoints (copies the WAL back into the database file and fsyncs it) inside
// whichever commit pushes the WAL past 1,000 pages. A policy fan-out to 5,000 devices writes
// several thousand pages, so that commit paid a checkpoint of 0.3 to 1 s while every other write
// waited behind it. Here the hub's own connection never checkpoints by itself; a second
// connection to the same file copies the WAL back every second, on another thread, without
// blocking the writer (PASSIVE). After a quiet moment the hub's next write starts the WAL again
// from the beginning, as SQLite does once everything in it is copied. A hub that never stops
// writing (presence, answers) never has that moment, and its WAL grew without end; so once the
// WAL passes 64 MB, the hub's own connection, between two transactions, copies the little the
// second connection has not yet, which lets its next write start the WAL again.
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import { HUB_CONFIG, HubConfig, sqliteFile } from '../config/hub-config';
import { TransactionRunner } from './transaction-runner';

const CHECKPOINT_EVERY_MS = 1000;
/** WAL pages (4 KiB, so 64 MB) after which the hub's own connection makes the WAL restart. */
const RESTART_AFTER_PAGES = 16_384;
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
  /** The checkpoint after the running one, shared by every call made while that one runs. */
  private next: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
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
    this.checkpointer = await openDatabase(sqliteFile(this.config.database));
    await run(this.checkpointer, 'PRAGMA synchronous = NORMAL');
    await run(this.checkpointer, 'PRAGMA busy_timeout = 5000');
    this.timer = setInterval(() => void this.checkpoint(), CHECKPOINT_EVERY_MS);
    this.timer.unref();
  }

  /**
   * Copies what the WAL holds back into the database file, as far as readers allow: resolves
   * once a checkpoint that began after this call has run (never rejects; one that fails is
   * logged and tried again a second later). A call made while one is running does not join it,
   * since that one may have begun before the caller's last commit: it waits for the next, which
   * every call made meanwhile shares.
   */
  checkpoint(): Promise<void> {
    if (!this.checkpointer) {
      return Promise.resolve();
    }
    if (this.running) {
      this.next ??= this.running.then(() => {
        this.next = null;
        return this.checkpoint();
      });
      return this.next;
    }
    const db = this.checkpointer;
    this.running = this.copyBack(db)
      .catch((error: unknown) => {
        // A checkpoint that could not run is tried again; the WAL keeps every commit meanwhile.
        this.logger.warn(`WAL checkpoint did not run: ${String(error)}`);
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async copyBack(db: sqlite3.Database): Promise<void> {
    const result = await get<{ busy: number; log: number; checkpointed: number }>(
      db,
      'PRAGMA wal_checkpoint(PASSIVE)',
    );
    if (result && result.log >= RESTART_AFTER_PAGES && !this.stopping) {
      await this.tx.between((manager) => manager.query('PRAGMA wal_checkpoint(PASSIVE)'));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
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

function get<T>(db: sqlite3.Database, sql: string): Promise<T | undefined> {
  return new Promise((resolve, reject) =>
    db.get(sql, (error: Error | null, row: T | undefined) =>
      error ? reject(error) : resolve(row),
    ),
  );
}

function run(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) =>
    db.run(sql, (error) => (error ? reject(error) : resolve())),
  );
}
