// The audit log's day filters (a file .tsx so that the unit suite runs it: the console's plain .ts
// files are its own, under Vite).
import { daysProblem } from './audit-filters';

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
