// On everyone's home page (issue 13): what they have on loan from the office (GET
// /api/staff/me/loans) with when each is due, and the reminders the hub sent them about it (GET
// /api/reminders gives each person their own; office staff and ICT read everyone's on the desk's
// screens, so here it is asked for by the reader's own id).
import type { Loan, Page as ApiPage, Reminder, ReminderStep } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { daysWords, ErrorMessage, formatDay, formatTime, StatusMessage } from '../ui';

const REMINDERS_SHOWN = 5;

const STEP_WORDS: Record<ReminderStep, string> = {
  before_due: 'Due in two school days',
  due: 'Due today',
  overdue: 'Overdue',
};

export function MyLoans({ userId }: { userId: string }) {
  const loans = useQuery(apiQuery<ApiPage<Loan>>('/api/staff/me/loans', { pageSize: 50 }));
  const reminders = useQuery(
    apiQuery<ApiPage<Reminder>>('/api/reminders', {
      borrowerId: userId,
      pageSize: REMINDERS_SHOWN,
    }),
  );
  const open = (loans.data?.items ?? []).filter((loan) => loan.status !== 'returned');
  return (
    <>
      <h2>Your loans</h2>
      <ErrorMessage error={loans.error} title="Could not read your loans." />
      {!loans.data ? (
        loans.isPending ? (
          <StatusMessage>Loading your loans…</StatusMessage>
        ) : null
      ) : open.length === 0 ? (
        <p className="status-message">You have nothing on loan from the office.</p>
      ) : (
        <ul className="my-loans">
          {open.map((loan) => (
            <li key={loan.id} className={loan.status === 'overdue' ? 'my-loan-overdue' : undefined}>
              <strong>{loan.assetTag}</strong>:{' '}
              {loan.status === 'overdue'
                ? `was due ${formatDay(loan.dueAt)}, ${daysWords(loan.daysOverdue)} overdue. Please bring it to the school office.`
                : `due back ${formatDay(loan.dueAt)}.`}
            </li>
          ))}
        </ul>
      )}
      {reminders.data?.items.length ? (
        <>
          <h2>Your reminders</h2>
          <ul className="my-reminders">
            {reminders.data.items.map((reminder) => (
              <li key={reminder.id}>
                <span className="my-reminder-when">
                  {STEP_WORDS[reminder.step] ?? reminder.step}, {formatTime(reminder.sentAt)}
                </span>
                <span>{reminder.message}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <ErrorMessage error={reminders.error} title="Could not read your reminders." />
    </>
  );
}
