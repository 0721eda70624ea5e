import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ProofKeyCache } from './proof-key-cache';

describe(ProofKeyCache.name, () => {
  const keyA = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const keyB = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const parser = (key: KeyObject) => {
    const parse = jest.fn(() => key);
    return parse;
  };

  it('parses a key once per certificate, and again for a new certificate of the same device', () => {
    const cache = new ProofKeyCache(10);
    const parseA = parser(keyA);
    expect(cache.keyFor('device-1', 'serial-1', parseA)).toBe(keyA);
    expect(cache.keyFor('device-1', 'serial-1', parseA)).toBe(keyA);
    expect(parseA).toHaveBeenCalledTimes(1);
    // Re-enrolled: the old certificate's key is replaced, not kept beside the new one.
    expect(cache.keyFor('device-1', 'serial-2', parser(keyB))).toBe(keyB);
    expect(cache.size).toBe(1);
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const cache = new ProofKeyCache(3);
    for (const id of ['a', 'b', 'c']) {
      cache.keyFor(id, `serial-${id}`, parser(keyA));
    }
    cache.keyFor('a', 'serial-a', parser(keyA)); // a is now the most recent
    cache.keyFor('d', 'serial-d', parser(keyA));
    expect(cache.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].filter((id) => cache.has(id))).toEqual(['a', 'c', 'd']);
    for (let i = 0; i < 1000; i += 1) {
      cache.keyFor(`device-${i}`, 'serial', parser(keyA));
    }
    expect(cache.size).toBe(3);
  });

  it("drops a revoked device's key", () => {
    const cache = new ProofKeyCache(3);
    cache.keyFor('a', 'serial-a', parser(keyA));
    cache.drop('a');
    expect(cache.has('a')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('refuses a capacity below one', () => {
    expect(() => new ProofKeyCache(0)).toThrow(RangeError);
  });
});
