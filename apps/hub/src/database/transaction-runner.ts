// Runs a unit of work in one database transaction. Services hand the `Tx` to repositories and
// never touch TypeORM themselves.
//
// SQLite has one connection, so its transactions are queued here rather than interleaved on it.
// A statement sent on that connection while a transaction is open runs inside it: it would see
// the transaction's uncommitted rows and be rolled back with it (issue 8, item 5: the audit
// retention's delete was one such statement). So on SQLite every statement that does not belong
// to a queued unit of work (a repository read, a retention delete, a PRAGMA) is queued too: the
// connection's query method is wrapped once, here, and a statement is let straight through only
// when it is made from inside `run` or `between`, which an AsyncLocalStorage tells. No
// repository can reach the connection around the queue by accident.
import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** An open transaction, passed from a service to the repositories that take part in it. */
export type Tx = EntityManager;

@Injectable()
export class TransactionRunner {
  private tail: Promise<unknown> = Promise.resolve();
  /**
   * The queued unit of work a statement comes from, if any: while it runs, its statements go
   * straight to the connection. Work it started that outlives it (a timer, a batched read, an
   * event handler) carries the same store, so the unit is marked ended when it settles and such
   * late statements are queued like any other.
   */
  private readonly inQueue = new AsyncLocalStorage<{ running: boolean }>();
  private readonly queued: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.queued = dataSource.options.type === 'sqlite';
    if (this.queued) {
      this.queueStrayStatements();
    }
  }

  /**
   * Runs `work` in one transaction and resolves with its result once committed; rejects with
   * whatever `work` threw, after rolling back. On SQLite, units of work run one after another.
   */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (!this.queued) {
      return this.dataSource.transaction(work);
    }
    return this.enqueue(() => this.dataSource.transaction(work));
  }

  /**
   * Runs `work` on the connection between two queued transactions, outside any: for statements
   * SQLite refuses inside a transaction (a WAL checkpoint).
   */
  between<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.queued) {
      return work(this.dataSource.manager);
    }
    return this.enqueue(() => work(this.dataSource.manager));
  }

  /** The manager for reads outside a transaction; on SQLite each of its statements is queued. */
  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => {
      const unit = { running: true };
      return this.inQueue.run(unit, work).finally(() => {
        unit.running = false;
      });
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * TypeORM's SQLite driver keeps a single query runner for its single connection; every
   * manager, repository and query builder sends its statements through that runner's `query`.
   * Statements from outside a queued unit of work wait for the queue.
   */
  private queueStrayStatements(): void {
    const runner: QueryRunner = this.dataSource.driver.createQueryRunner('master');
    const direct = runner.query.bind(runner) as QueryRunner['query'];
    runner.query = ((...args: Parameters<QueryRunner['query']>) =>
      this.inQueue.getStore()?.running
        ? direct(...args)
        : this.enqueue(() => direct(...args))) as QueryRunner['query'];
  }
}
