// Groups items by a key in one pass. Spreading the list into a new array for every item (as the
// hot paths once did) is quadratic: 5,000 answers in one batch meant 12.5 million copies.

export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) {
      group.push(item);
    } else {
      groups.set(key, [item]);
    }
  }
  return groups;
}
