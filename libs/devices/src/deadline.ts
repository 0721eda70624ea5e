// A time limit on a request that holds on a Node 20 hub or agent (issue 14: an agent never hangs
// when its hub freezes). Node 20's AbortSignal.any() gives a signal that can be garbage-collected
// while fetch() still waits on it, and then it never aborts (nodejs/node#55428): a receipt
// request to a frozen hub, under memory pressure, waited for ever. One AbortController, held by
// this function until the work settles, does not have that fault.

/**
 * Runs `work` with a signal that aborts after `ms` milliseconds, or as soon as `outer` aborts,
 * and stops waiting for it then even if `work` does not notice the signal.
 *
 * @returns what `work` returns
 * @throws what `work` throws; a DOMException named TimeoutError after `ms`; `outer`'s reason
 *   when it aborts first
 */
export async function withDeadline<T>(
  ms: number,
  outer: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const follow = () => controller.abort(outer?.reason);
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')),
    ms,
  );
  const stopped = new Promise<never>((_resolve, reject) =>
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
      once: true,
    }),
  );
  if (outer?.aborted) {
    follow();
  } else {
    outer?.addEventListener('abort', follow, { once: true });
  }
  try {
    return await Promise.race([work(controller.signal), stopped]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', follow);
  }
}
