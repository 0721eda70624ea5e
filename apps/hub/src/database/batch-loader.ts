// Answers many single-key reads asked for in the same tick with one query: ten thousand
// devices reconnecting at once become a few dozen `IN (...)` reads instead of ten thousand.
export class BatchLoader<K, V> {
  private waiting = new Map<
    K,
    { resolve: (value: V) => void; reject: (error: unknown) => void }[]
  >();

  /** `loadMany` returns a value for every key it knows; `fallback` answers the rest. */
  constructor(
    private readonly loadMany: (keys: K[]) => Promise<Map<K, V>>,
    private readonly fallback: V,
  ) {}

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      if (this.waiting.size === 0) {
        setImmediate(() => void this.flush());
      }
      const list = this.waiting.get(key);
      if (list) {
        list.push({ resolve, reject });
      } else {
        this.waiting.set(key, [{ resolve, reject }]);
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    try {
      const values = await this.loadMany([...batch.keys()]);
      for (const [key, waiters] of batch) {
        const value = values.has(key) ? (values.get(key) as V) : this.fallback;
        waiters.forEach((waiter) => waiter.resolve(value));
      }
    } catch (error) {
      for (const waiters of batch.values()) {
        waiters.forEach((waiter) => waiter.reject(error));
      }
    }
  }
}
