// Groups many small writes that arrive together into one transaction. Each caller's promise
// settles when its own write is committed, so nothing is reported done before it is on disk;
// while one batch commits, the next one gathers. An urgent write (a class's lock among a
// policy change's thousands) goes into the next batch ahead of the others, and a batch of only
// non-urgent writes runs in the transaction queue's background lane (issue 12).
import type { TransactionRunner, Tx } from './transaction-runner';

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes in a background batch at most: about 25 ms of SQLite work on this machine, the longest
 * a teacher's request waits for a batch already running (issue 12).
 */
export const BACKGROUND_BATCH = 250;

/**
 * Batches writes: `add(item)` resolves once the batch holding `item` is committed, and rejects
 * with that transaction's error. Batches hold at most `maxBatch` items, urgent ones first; a batch of
 * non-urgent items only holds at most `backgroundBatch` (BACKGROUND_BATCH unless given).
 */
export class BatchWriter<T> {
  private queue: Waiting<T>[] = [];
  private urgent: Waiting<T>[] = [];
  private running = false;

  /**
   * @param write writes one batch in the transaction it is given
   * @param maxBatch items in one batch, at most
   * @param backgroundBatch items in a batch of non-urgent items only, at most: keep it to about
   *   25 ms of SQLite work (a write as cheap as a claim may take more items than an answer)
   */
  constructor(
    private readonly tx: TransactionRunner,
    private readonly write: (tx: Tx, items: T[]) => Promise<void>,
    private readonly maxBatch = 1000,
    private readonly backgroundBatch = BACKGROUND_BATCH,
  ) {}

  /**
   * Queues a write for the next batch.
   * @param urgent true to go ahead of the non-urgent writes already waiting.
   */
  add(item: T, urgent = false): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      (urgent ? this.urgent : this.queue).push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.urgent.length + this.queue.length > 0) {
      const batch = this.urgent.splice(0, this.maxBatch);
      // A batch with no urgent write is background work: on SQLite a person's request goes first,
      // and waits at most for one background batch already running, so those are kept small.
      const background = batch.length === 0;
      const room = background ? Math.min(this.maxBatch, this.backgroundBatch) : this.maxBatch;
      batch.push(...this.queue.splice(0, room - batch.length));
      try {
        await this.tx.run(
          (tx) =>
            this.write(
              tx,
              batch.map((waiting) => waiting.item),
            ),
          { background },
        );
        batch.forEach((waiting) => waiting.resolve());
      } catch (error) {
        batch.forEach((waiting) => waiting.reject(error));
      }
    }
    this.running = false;
  }
}
