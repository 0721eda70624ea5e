import {
  daysOverdue,
  isSchoolDay,
  latestReminderDue,
  localDate,
  schoolDaysBefore,
} from './loan-calendar';

const LONDON = 'Europe/London';

describe('loan-calendar', () => {
  it('counts school days Monday to Friday', () => {
    expect(isSchoolDay('2026-03-06')).toBe(true); // Friday
    expect(isSchoolDay('2026-03-07')).toBe(false); // Saturday
    expect(schoolDaysBefore('2026-03-09', 2)).toBe('2026-03-05'); // Monday -> Thursday
    expect(schoolDaysBefore('2026-03-11', 2)).toBe('2026-03-09'); // Wednesday -> Monday
  });

  it('takes local dates in the school zone, across a clock change', () => {
    expect(localDate(new Date('2026-03-28T23:30:00Z'), LONDON)).toBe('2026-03-28');
    expect(localDate(new Date('2026-03-29T23:30:00Z'), LONDON)).toBe('2026-03-30'); // BST
  });

  it('gives the latest step reached, never one before the loan was issued', () => {
    const loan = {
      issuedAt: new Date('2026-03-02T09:00:00Z'),
      dueAt: new Date('2026-03-09T15:00:00Z'),
    };
    expect(latestReminderDue(loan, new Date('2026-03-05T07:59:00Z'), LONDON)).toBeNull();
    expect(latestReminderDue(loan, new Date('2026-03-05T08:00:00Z'), LONDON)).toEqual({
      step: 'before_due',
      week: 0,
      day: '2026-03-05',
    });
    expect(latestReminderDue(loan, new Date('2026-03-09T08:00:00Z'), LONDON)?.step).toBe('due');
    expect(latestReminderDue(loan, new Date('2026-03-16T07:00:00Z'), LONDON)?.step).toBe('due');
    expect(latestReminderDue(loan, new Date('2026-03-16T08:00:00Z'), LONDON)).toEqual({
      step: 'overdue',
      week: 1,
      day: '2026-03-16',
    });
    const late = { issuedAt: new Date('2026-03-08T10:00:00Z'), dueAt: loan.dueAt };
    expect(latestReminderDue(late, new Date('2026-03-08T12:00:00Z'), LONDON)).toBeNull();
  });

  it('counts days overdue from the due date, at least 1 once past it', () => {
    const due = new Date('2026-03-09T15:00:00Z');
    expect(daysOverdue(due, new Date('2026-03-09T14:00:00Z'), LONDON)).toBe(0);
    expect(daysOverdue(due, new Date('2026-03-09T16:00:00Z'), LONDON)).toBe(1);
    expect(daysOverdue(due, new Date('2026-03-12T10:00:00Z'), LONDON)).toBe(3);
  });
});
