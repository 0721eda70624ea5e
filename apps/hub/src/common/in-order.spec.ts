import { InOrderPerKey } from './in-order';

/** A promise and the means to settle it from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('InOrderPerKey', () => {
  it('runs the steps of one key in start order when the later read finishes first', async () => {
    const order = new InOrderPerKey<string>();
    const seen: string[] = [];
    const first = deferred<string>();
    const second = deferred<string>();
    const a = order.run('tablet', first.promise, (value) => seen.push(value));
    const b = order.run('tablet', second.promise, (value) => seen.push(value));
    second.resolve('newer');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
    first.resolve('older');
    await Promise.all([a, b]);
    expect(seen).toEqual(['older', 'newer']);
    expect(order.size).toBe(0);
  });

  it('holds no key back for another, and a failure does not hold up the next step', async () => {
    const order = new InOrderPerKey<string>();
    const seen: string[] = [];
    const slow = deferred<string>();
    const failing = order.run('one', Promise.reject(new Error('read failed')), () => 'never');
    const held = order.run('one', Promise.resolve('after the failure'), (v) => seen.push(v));
    const other = order.run('two', slow.promise, (v) => seen.push(v));
    const quick = order.run('three', Promise.resolve('three'), (v) => seen.push(v));
    await expect(failing).rejects.toThrow('read failed');
    await Promise.all([held, quick]);
    expect([...seen].sort()).toEqual(['after the failure', 'three']);
    slow.resolve('two');
    await other;
    expect(seen[2]).toBe('two');
  });

  it('runs a step with nothing to read after the earlier steps of its key (after)', async () => {
    const order = new InOrderPerKey<string>();
    const seen: string[] = [];
    const slow = deferred<string>();
    const first = order.run('watch', slow.promise, (value) => seen.push(value));
    const second = order.after('watch', () => seen.push('unwatch'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
    slow.resolve('watch');
    await Promise.all([first, second]);
    expect(seen).toEqual(['watch', 'unwatch']);
  });
});
