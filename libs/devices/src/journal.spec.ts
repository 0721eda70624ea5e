// The in-memory command journal: answers kept by id, oldest forgotten first.

import { MemoryJournal } from './journal';

describe(MemoryJournal.name, () => {
  it('returns the answer recorded for an id', () => {
    const journal = new MemoryJournal();
    journal.record('a', { status: 'error', detail: 'no kiosk mode' });
    expect(journal.get('a')).toEqual({ status: 'error', detail: 'no kiosk mode' });
    expect(journal.get('b')).toBeUndefined();
  });

  it('keeps only the newest entries', () => {
    const journal = new MemoryJournal(3);
    for (const id of ['a', 'b', 'c', 'd']) {
      journal.record(id, { status: 'acknowledged' });
    }
    expect(journal.get('a')).toBeUndefined();
    expect(journal.entries().map(([id]) => id)).toEqual(['b', 'c', 'd']);
  });

  it('cannot be changed through what it returns', () => {
    const journal = new MemoryJournal();
    journal.record('a', { status: 'acknowledged' });
    const answer = journal.get('a');
    if (answer) {
      answer.status = 'error';
    }
    expect(journal.get('a')).toEqual({ status: 'acknowledged' });
  });

  it('refuses a capacity below one', () => {
    expect(() => new MemoryJournal(0)).toThrow(RangeError);
  });
});
