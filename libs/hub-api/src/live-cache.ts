// Writing a live /staff event into a cached query (TanStack Query) without losing it to a fetch.

/** The part of TanStack Query's `QueryClient` that `writeLive` uses (kept structural, so this
 * library needs no React types). */
export interface LiveQueryCache {
  setQueryData<T>(
    key: readonly unknown[],
    updater: T | ((old: T | undefined) => T | undefined),
  ): unknown;
  isFetching(filters: { queryKey: readonly unknown[]; exact: boolean }): number;
  invalidateQueries(filters: { queryKey: readonly unknown[]; exact: boolean }): Promise<void>;
}

/**
 * Writes a live event into the cached query `key` (an exact key). A fetch of that query already
 * in flight read the hub before the event, and would overwrite it when it lands (a device shown
 * online again after it went offline): that fetch is dropped and the query fetched again, so
 * what is shown last is never older than the event.
 */
export function writeLive<T>(
  queryClient: LiveQueryCache,
  key: readonly unknown[],
  updater: T | ((old: T | undefined) => T | undefined),
): void {
  queryClient.setQueryData<T>(key, updater);
  if (queryClient.isFetching({ queryKey: key, exact: true }) > 0) {
    void queryClient.invalidateQueries({ queryKey: key, exact: true });
  }
}
