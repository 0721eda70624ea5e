// Groups many small writes that arrive together into one transaction. Each caller's promise
// settles when its own write is committed, so nothing is reported done before it is on disk;
// while one batch commits, the next one gathers.
import type { TransactionRunner, Tx } from './transaction-runner';

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class BatchWriter<T> {
  private queue: Waiting<T>[] = [];
  private running = false;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly write: (tx: Tx, items: T[]) => Promise<void>,
    private readonly maxBatch = 1000,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.tx.run((tx) =>
          this.write(
            tx,
            batch.map((waiting) => waiting.item),
          ),
        );
        batch.forEach((waiting) => waiting.resolve());
      } catch (error) {
        batch.forEach((waiting) => waiting.reject(error));
      }
    }
    this.running = false;
  }
}
