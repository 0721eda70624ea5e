// Two lanes for sending commands, so that a teacher's lock for 30 tablets does not wait behind a
// policy change reaching 5,000 (issue 12, "share the loop fairly"). Sends of a small fan-out
// (the urgent lane) go at once; sends of a large one (the bulk lane) go a slice at a time, one
// slice per turn of the event loop, so that between two slices the hub reads its sockets and
// HTTP requests and serves the urgent lane. The slices are large enough that the fan-out itself
// takes about as long as before: only the order changes, not the work.

/**
 * Sends of the bulk lane let through per turn of the event loop. Each costs about 0.1 ms, so a
 * turn holds the loop about 25 ms. 250 rather than 100: once the claims stopped holding the sends
 * back, a policy change's 5,000 sends took 0.68 s in turns of 100 and 0.55 s in turns of 250
 * (bench:policy 99% 0.96-1.0 s against 0.83-0.93 s), and a class lock issued meanwhile still
 * reached its 30 tablets within p99 74-121 ms (bench:classroom; docs/decisions.md).
 */
export const BULK_SENDS_PER_TURN = 250;

/**
 * Hands out turns to send. `turn(false)` (bulk) resolves in first-come order, at most
 * `perTurn` per turn of the event loop (a `setImmediate` between slices, so that I/O callbacks
 * run between them); `turn(true)` (urgent) resolves at once.
 */
export class DeliveryLanes {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  /** @param perTurn bulk sends let through per turn of the event loop (at least 1). */
  constructor(private readonly perTurn = BULK_SENDS_PER_TURN) {}

  /**
   * Waits for the caller's turn to send.
   * @param urgent true for a send of a small fan-out (a class, one device): no wait.
   * @returns a promise that resolves when the caller may send; never rejects.
   */
  turn(urgent: boolean): Promise<void> {
    if (urgent) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.letThrough());
      }
    });
  }

  /** Bulk sends waiting for a turn (for the operating figures and tests). */
  get queued(): number {
    return this.waiting.length;
  }

  private letThrough(): void {
    const slice = this.waiting.splice(0, Math.max(1, this.perTurn));
    for (const resolve of slice) {
      resolve();
    }
    if (this.waiting.length > 0) {
      setImmediate(() => this.letThrough());
    } else {
      this.scheduled = false;
    }
  }
}
