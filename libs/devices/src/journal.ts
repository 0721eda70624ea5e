// The command journal: the final answer a device gave to each command id, so that a command
// delivered again (after a lost acknowledgement or a reconnection) is answered without acting twice.

import type { CommandAnswer } from './protocol';

/** How many answers a journal keeps by default: far more than a device has pending at once. */
export const JOURNAL_CAPACITY = 1000;

export interface CommandJournal {
  get(id: string): CommandAnswer | undefined;
  /** Records a final answer (`acknowledged` or `error`); never called for `not_now`. */
  record(id: string, answer: CommandAnswer): void | Promise<void>;
}

/** A journal in memory, keeping the newest `capacity` answers. */
export class MemoryJournal implements CommandJournal {
  private readonly answers = new Map<string, CommandAnswer>();

  constructor(readonly capacity = JOURNAL_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('journal capacity must be a positive integer');
    }
  }

  get size(): number {
    return this.answers.size;
  }

  get(id: string): CommandAnswer | undefined {
    const answer = this.answers.get(id);
    return answer && { ...answer };
  }

  record(id: string, answer: CommandAnswer): void {
    // Re-inserting moves the id to the newest end of the Map's order.
    this.answers.delete(id);
    this.answers.set(id, { ...answer });
    while (this.answers.size > this.capacity) {
      const oldest = this.answers.keys().next().value as string;
      this.answers.delete(oldest);
    }
  }

  /** Every entry, oldest first (used to persist a journal). */
  entries(): Array<[string, CommandAnswer]> {
    return [...this.answers.entries()].map(([id, answer]) => [id, { ...answer }]);
  }
}
