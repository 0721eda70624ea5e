// Work started for one key finishes in the order it was started, though the reads it waits on
// may finish in any order: two state reports of one device each wait for a gathered read of the
// device, and on PostgreSQL (a pool of connections) the later read can come back first.

/**
 * Runs `then` steps in start order per key. `run(key, read, then)` starts `read` at once (reads of
 * different calls overlap) and calls `then` with its value only after every earlier call's
 * `then` for the same key has finished (or failed). Keys with nothing in flight hold no memory.
 */
export class InOrderPerKey<K> {
  private readonly last = new Map<K, Promise<void>>();

  /**
   * @returns what `then` returns, once it has run
   * @throws what `read` or `then` throws (a failure does not hold up later calls)
   */
  async run<V, R>(key: K, read: Promise<V>, then: (value: V) => R | Promise<R>): Promise<R> {
    const earlier = this.last.get(key);
    const done = (async () => {
      const value = await read;
      if (earlier) {
        await earlier;
      }
      return then(value);
    })();
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.last.set(key, settled);
    void settled.then(() => {
      if (this.last.get(key) === settled) {
        this.last.delete(key);
      }
    });
    return done;
  }

  /**
   * Runs `step` after every earlier call's step for the same key, with nothing to read first.
   * @returns what `step` returns, once it has run
   * @throws what `step` throws (a failure does not hold up later calls)
   */
  after<R>(key: K, step: () => R | Promise<R>): Promise<R> {
    return this.run(key, Promise.resolve(), step);
  }

  /** How many keys have work in flight (for tests). */
  get size(): number {
    return this.last.size;
  }
}
