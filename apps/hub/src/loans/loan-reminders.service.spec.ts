import { LoanRemindersService, reminderText } from './loan-reminders.service';

describe(LoanRemindersService.name, () => {
  describe('reminderText', () => {
    const LONDON = 'Europe/London';
    // The desk lends "until Monday": due at 23:59 that day (check-out-panel.tsx).
    const loan = {
      assetTag: 'LOAN-004',
      kind: 'laptop' as const,
      dueAt: '2026-03-09T23:59:00.000Z',
    };

    it("counts an overdue loan's days as Overdue loans does: calendar days in the school's zone", () => {
      // The first weekly reminder, at 08:00 a week later: Overdue loans says 7 days.
      const words = reminderText(
        loan,
        { step: 'overdue', week: 1, day: '2026-03-16' },
        LONDON,
        new Date('2026-03-16T08:00:00.000Z'),
      );
      expect(words.subject).toBe('LOAN-004 is overdue');
      expect(words.text).toBe(
        'The laptop LOAN-004 was due back on Monday 9 March 2026 and is 7 days overdue. Please return it to the school office.',
      );
    });
  });
});
