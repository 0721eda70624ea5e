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
//
// The queue has two lanes (issue 12): background work (the batched writes of thousands of
// devices' sends, answers and compliance) waits while a person's request is waiting, so a
// teacher's lock does not queue behind a policy change's batches; after 8 units of the first
// lane in a row, one background unit goes, so the batches are never starved.
import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** An open transaction, passed from a service to the repositories that take part in it. */
export type Tx = EntityManager;

/**
 * PostgreSQL's SQLSTATEs for a transaction it rolled back to break a deadlock (`40P01`) or a
 * serialization conflict (`40001`): the transaction did nothing, and running it again is the
 * documented remedy (PostgreSQL manual, 13.2 and Appendix A).
 */
const RETRYABLE_STATES = new Set(['40P01', '40001']);
/** Tries of one unit of work on PostgreSQL before its error is given to the caller. */
const MAX_TRIES = 5;

/** Units of the first lane run in a row, at most, while background work waits. */
const FIRST_LANE_RUN = 8;

/** Requests of `runBatch` in one batch, at most. */
const MAX_BATCH = 100;

/** What a batch answers for one request: its value, or its own error. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** One request of a batch, as `runBatch`'s work sees it. */
export interface BatchRequest<I> {
  input: I;
  /** Runs `fn` in the request's caller's async context, on the batch's transaction. */
  within<T>(fn: () => Promise<T>): Promise<T>;
}

type BatchWork = (
  tx: Tx,
  requests: Array<BatchRequest<unknown>>,
) => Promise<Array<Settled<unknown>>>;

/** A request of `runBatch` waiting for its batch. */
interface WaitingRequest {
  input: unknown;
  /** The caller's async context, which `within` runs in. */
  caller: AsyncResource;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Thrown to roll back a batch in which every request was refused. */
class NothingSucceeded extends Error {}

/** How a unit of work is queued on SQLite. */
export interface RunOptions {
  /**
   * Batched work for many devices that no person is waiting on at this moment: on SQLite it
   * waits while a person's request waits (at most 8 of those in a row). Ignored on PostgreSQL.
   */
  background?: boolean;
}

/** Set while background work runs: see runAsBackgroundWork. */
const backgroundWork = new AsyncLocalStorage<boolean>();

/**
 * Runs `fn` as background work: on SQLite every unit of work and every statement it starts,
 * however deep and however late (a guard's read, a batch it joins, a worker it wakes), is
 * queued in the background lane, as with `{ background: true }`. For the requests of devices
 * that nobody stands waiting for (a photo's upload and its receipt, issue 14): a teacher's lock
 * goes ahead of them. Ignored on PostgreSQL.
 */
export function runAsBackgroundWork<T>(fn: () => T): T {
  return backgroundWork.run(true, fn);
}

/** Whether `error` (TypeORM's QueryFailedError, or the pg error itself) is worth one more try. */
export function isRetryableConflict(error: unknown): boolean {
  const fields = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = fields?.driverError?.code ?? fields?.code;
  return typeof code === 'string' && RETRYABLE_STATES.has(code);
}

@Injectable()
export class TransactionRunner {
  /** Units waiting to start, by lane; one runs at a time. */
  private readonly firstLane: Array<() => void> = [];
  private readonly backgroundLane: Array<() => void> = [];
  private running = false;
  /** First-lane units started in a row while background units waited. */
  private firstInARow = 0;
  /**
   * The queued unit of work a statement comes from, if any: while it runs, its statements go
   * straight to the connection. Work it started that outlives it (a timer, a batched read, an
   * event handler) carries the same store, so the unit is marked ended when it settles and such
   * late statements are queued like any other.
   */
  private readonly inQueue = new AsyncLocalStorage<{ running: boolean }>();
  private readonly queued: boolean;
  /** Requests of `runBatch` waiting for their batch, by group (SQLite). */
  private readonly batches = new Map<string, WaitingRequest[]>();

  constructor(private readonly dataSource: DataSource) {
    this.queued = dataSource.options.type === 'sqlite';
    if (this.queued) {
      this.queueStrayStatements();
    }
  }

  /**
   * Runs `work` in one transaction and resolves with its result once committed; rejects with
   * whatever `work` threw, after rolling back. On SQLite, units of work run one after another.
   * On PostgreSQL, transactions run side by side; one that PostgreSQL rolls back to break a
   * deadlock (two batches touching the same device rows in different orders, e.g. presence and
   * compliance under a policy push) is run again, up to 5 tries in all, after a short random
   * wait, so no write is lost to it. `work` must therefore only touch the database through `tx`
   * and keep its other effects until it returns (as every unit of work here does).
   * @param options `background: true` for batched work no person waits on (SQLite's lanes).
   */
  async run<T>(work: (tx: Tx) => Promise<T>, options: RunOptions = {}): Promise<T> {
    if (this.queued) {
      return this.enqueue(() => this.dataSource.transaction(work), options.background === true);
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        if (attempt >= MAX_TRIES || !isRetryableConflict(error)) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  /**
   * Runs the requests of one kind that are waiting at the same moment as one batch in one
   * transaction ("group commit"): `work` gets them all, in the order they were asked for, and
   * answers each with its own value or error. On SQLite, where a hundred classes locking at the
   * start of a lesson would otherwise queue a hundred transactions of some fifteen statements
   * each one after another (issue 12), the batch shares its reads and writes; at most 100
   * requests make one batch, and the rest wait for the next, queued at once. On PostgreSQL,
   * where transactions run side by side, each request is a batch of one.
   *
   * Everything the batch wrote commits together; when no request succeeded, the transaction is
   * rolled back. `work` must check each request before it writes anything, so that one refused
   * request leaves nothing behind. `within(fn)` runs `fn` in the request's caller's async
   * context (its correlation id for the audit log) on the batch's transaction.
   * @param group the kind of request, e.g. `class.action`; other kinds are not taken along
   * @throws the request's own error as `work` answered it, or the transaction's error
   */
  runBatch<I, R>(
    group: string,
    input: I,
    work: (tx: Tx, requests: Array<BatchRequest<I>>) => Promise<Array<Settled<R>>>,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const request: WaitingRequest = {
        input,
        caller: new AsyncResource('BatchedRequest'),
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      if (!this.queued) {
        void this.runBatchOf([request], work as BatchWork);
        return;
      }
      let waiting = this.batches.get(group);
      if (!waiting) {
        waiting = [];
        this.batches.set(group, waiting);
      }
      waiting.push(request);
      if (waiting.length === 1) {
        void this.runBatchOf(group, work as BatchWork);
      }
    });
  }

  /** Runs one batch: the given requests, or on SQLite those of `group` waiting when it starts. */
  private async runBatchOf(from: string | WaitingRequest[], work: BatchWork): Promise<void> {
    let taken: WaitingRequest[] = [];
    let answers: Array<Settled<unknown>> = [];
    try {
      await this.run(async (tx) => {
        if (typeof from === 'string') {
          const waiting = this.batches.get(from) ?? [];
          taken = waiting.splice(0, MAX_BATCH);
          if (waiting.length === 0) {
            this.batches.delete(from);
          } else {
            void this.runBatchOf(from, work); // the rest in the next batch, queued now
          }
        } else {
          taken = from;
        }
        const unit = this.inQueue.getStore();
        answers = await work(
          tx,
          taken.map((request) => ({
            input: request.input,
            within: <T>(fn: () => Promise<T>) =>
              request.caller.runInAsyncScope(() => (unit ? this.inQueue.run(unit, fn) : fn())),
          })),
        );
        if (answers.every((answer) => !answer.ok)) {
          throw new NothingSucceeded();
        }
      });
    } catch (error) {
      if (!(error instanceof NothingSucceeded)) {
        taken.forEach((request) => request.reject(error));
        return;
      }
    }
    taken.forEach((request, index) => {
      const answer = answers[index];
      if (answer?.ok) {
        request.resolve(answer.value);
      } else {
        request.reject(answer ? answer.error : new Error('The batch gave no answer'));
      }
    });
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

  /** Units waiting to start on SQLite, by lane (none on PostgreSQL): what waits behind what. */
  waiting(): { first: number; background: number } {
    return { first: this.firstLane.length, background: this.backgroundLane.length };
  }

  /** The manager for reads outside a transaction; on SQLite each of its statements is queued. */
  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  private enqueue<T>(work: () => Promise<T>, background = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Run in the caller's async context: the unit starts from whichever unit ended before it,
      // and must see its own caller's AsyncLocalStorage (the request's correlation id and actor
      // for the audit log), not that one's. `runInAsyncScope` rather than `AsyncResource.bind`,
      // whose bound function builds two deprecation wrappers each time (0.5 s of a policy
      // change's 3 s of hub CPU went there).
      const caller = new AsyncResource('TransactionUnit');
      const start = () =>
        caller.runInAsyncScope(() => {
          const unit = { running: true };
          this.inQueue
            .run(unit, work)
            .then(resolve, reject)
            .finally(() => {
              unit.running = false;
              this.running = false;
              this.startNext();
            });
        });
      (background || backgroundWork.getStore() === true
        ? this.backgroundLane
        : this.firstLane
      ).push(start);
      if (!this.running) {
        // As before the lanes: the unit starts on a later tick, never inside its caller.
        this.running = true;
        queueMicrotask(() => this.startNext(true));
      }
    });
  }

  /** Starts the next unit: the first lane's, unless 8 of those have gone while background waited. */
  private startNext(reserved = false): void {
    if (this.running && !reserved) {
      return;
    }
    const takeBackground =
      this.backgroundLane.length > 0 &&
      (this.firstLane.length === 0 || this.firstInARow >= FIRST_LANE_RUN);
    const start = takeBackground ? this.backgroundLane.shift() : this.firstLane.shift();
    if (!start) {
      this.running = false;
      return;
    }
    this.firstInARow =
      takeBackground || this.backgroundLane.length === 0 ? 0 : this.firstInARow + 1;
    this.running = true;
    start();
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
