// Runs a unit of work in one database transaction. Services hand the `Tx` to repositories and
// never touch TypeORM themselves. SQLite has one connection, so its transactions are queued
// here rather than interleaved on it.
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** An open transaction, passed from a service to the repositories that take part in it. */
export type Tx = EntityManager;

@Injectable()
export class TransactionRunner {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.dataSource.options.type !== 'sqlite') {
      return this.dataSource.transaction(work);
    }
    const result = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Runs `work` on the connection between two queued transactions, outside any: for statements
   * SQLite refuses inside a transaction (a WAL checkpoint).
   */
  between<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = this.tail.then(() => work(this.dataSource.manager));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** The manager for reads outside a transaction. */
  get reader(): EntityManager {
    return this.dataSource.manager;
  }
}
