import { BACKGROUND_BATCH, BatchWriter } from './batch-writer';
import type { TransactionRunner, Tx } from './transaction-runner';

/** Runs each unit of work at once, as one transaction would: all BatchWriter asks of it. */
const runner = { run: <T>(work: (tx: Tx) => Promise<T>) => work({} as Tx) };

describe('BatchWriter', () => {
  it('puts urgent writes in the next batch ahead of ones already waiting, within the size', async () => {
    const batches: string[][] = [];
    const writer = new BatchWriter<string>(
      runner as unknown as TransactionRunner,
      (_tx, items) => {
        batches.push(items);
        return Promise.resolve();
      },
      3,
    );
    const writes = [
      writer.add('bulk-1'),
      writer.add('bulk-2'),
      writer.add('bulk-3'),
      writer.add('bulk-4'),
      writer.add('class-1', true),
      writer.add('class-2', true),
    ];
    await Promise.all(writes);
    expect(batches).toEqual([
      ['class-1', 'class-2', 'bulk-1'],
      ['bulk-2', 'bulk-3', 'bulk-4'],
    ]);
  });

  it('rejects every write of a batch whose transaction failed, and goes on with the next', async () => {
    let calls = 0;
    const writer = new BatchWriter<string>(
      runner as unknown as TransactionRunner,
      () => (calls++ === 0 ? Promise.reject(new Error('disk full')) : Promise.resolve()),
      2,
    );
    const results = await Promise.allSettled([writer.add('a'), writer.add('b'), writer.add('c')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('keeps a batch of only background writes to BACKGROUND_BATCH, however many wait', async () => {
    const sizes: number[] = [];
    const writer = new BatchWriter<number>(
      runner as unknown as TransactionRunner,
      (_tx, items) => {
        sizes.push(items.length);
        return Promise.resolve();
      },
      1000,
    );
    await Promise.all(Array.from({ length: BACKGROUND_BATCH * 2 + 1 }, (_, i) => writer.add(i)));
    expect(sizes).toEqual([BACKGROUND_BATCH, BACKGROUND_BATCH, 1]);
  });
});
