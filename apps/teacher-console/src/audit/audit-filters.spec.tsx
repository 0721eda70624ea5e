// The audit log's day filters, and what the page says about whom its Person filter took in (a
// file .tsx so that the unit suite runs it: the console's plain .ts files are its own, under Vite).
import { daysProblem, peopleWords } from './audit-filters';

describe('daysProblem', () => {
  it('says plainly when the last day comes before the first, rather than showing an empty log', () => {
    expect(daysProblem({ fromDate: '2026-12-05', toDate: '2026-12-02' })).toBe(
      'The last day (2026-12-02) comes before the first (2026-12-05): swap them.',
    );
  });

  it('takes one day, days in order, and either day alone', () => {
    for (const [fromDate, toDate] of [
      ['2026-12-02', '2026-12-02'],
      ['2026-12-02', '2026-12-05'],
      ['2026-12-02', ''],
      ['', '2026-12-02'],
      ['', ''],
    ]) {
      expect([fromDate, toDate, daysProblem({ fromDate, toDate })]).toEqual([
        fromDate,
        toDate,
        null,
      ]);
    }
  });
});

describe('peopleWords', () => {
  const anita = { id: 'a', username: 'apatel', displayName: 'Mrs Anita Patel' };
  const raj = { id: 'r', username: 'rpatel', displayName: 'Mr Raj Patel' };
  const priya = { id: 'p', username: 'ppatel', displayName: 'Priya Patel' };

  it('names each person the filter took in, with their username', () => {
    expect(peopleWords([anita], 1)).toBe('Person filter: Mrs Anita Patel (apatel).');
    expect(peopleWords([raj, anita], 2)).toBe(
      'Person filter: Mr Raj Patel (rpatel) and Mrs Anita Patel (apatel).',
    );
    expect(peopleWords([raj, anita, priya], 3)).toBe(
      'Person filter: Mr Raj Patel (rpatel), Mrs Anita Patel (apatel) and Priya Patel (ppatel).',
    );
  });

  it('counts those past the names read, and says nothing when the text names nobody', () => {
    expect(peopleWords([raj, anita], 45)).toBe(
      'Person filter: Mr Raj Patel (rpatel), Mrs Anita Patel (apatel) and 43 more.',
    );
    expect(peopleWords([], 0)).toBeNull();
  });
});
