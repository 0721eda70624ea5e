// Splits long id lists for `IN (...)` queries: bound parameters per statement stay well under
// the database's limit.
export const IN_LIST_SIZE = 500;

export function chunks<T>(items: readonly T[], size = IN_LIST_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}
