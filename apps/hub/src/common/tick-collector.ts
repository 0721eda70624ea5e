// Collects what many callers add within one turn of the event loop and hands it over once, at
// the turn's end (setImmediate): devices that connected in the same tick (a reconnect storm), or
// commands announced in the same tick (a hundred classes' actions committed together), are then
// served with one read instead of one each (issues 10 and 12).

/**
 * Keys added within one tick, each with a value merged from every add of that key; `flush`
 * receives them (in the order first added) once the tick's other callbacks have run.
 */
export class TickCollector<K, V> {
  private pending = new Map<K, V>();

  /**
   * @param merge the value of a key added again in the same tick, from the one before
   * @param flush what is done with the tick's keys; it must not throw (log its own errors)
   */
  constructor(
    private readonly merge: (before: V, added: V) => V,
    private readonly flush: (items: ReadonlyMap<K, V>) => void,
  ) {}

  add(key: K, value: V): void {
    if (this.pending.size === 0) {
      setImmediate(() => {
        const items = this.pending;
        this.pending = new Map();
        this.flush(items);
      });
    }
    const before = this.pending.get(key);
    this.pending.set(key, before === undefined ? value : this.merge(before, value));
  }
}
