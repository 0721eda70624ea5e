// "Your classes" on everyone's home page (the shell's landing page composes it): the classes a
// teacher teaches (GET /api/classes, kept to those naming the reader among their teachers, since
// ICT reads every class) with their lessons and whether one is running. Each opens its own page.
import type { ClassDto } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { ErrorMessage, Link, StatusMessage } from '../ui';
import { sessionWords, timetableWords } from './class-words';

/** "Your classes": the classes whose teachers include `userId`, by name. */
export function MyClasses({ userId }: { userId: string }) {
  const classes = useQuery(apiQuery<ClassDto[]>('/api/classes'));
  const mine = (classes.data ?? [])
    .filter((item) => item.teacherIds.includes(userId))
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      <h2>Your classes</h2>
      <ErrorMessage error={classes.error} title="Could not read your classes." />
      {!classes.data ? (
        classes.isPending ? (
          <StatusMessage>Loading your classes…</StatusMessage>
        ) : null
      ) : mine.length === 0 ? (
        <p className="status-message">You teach no classes yet. ICT sets classes up.</p>
      ) : (
        <ul className="my-work">
          {mine.map((item) => (
            <li key={item.id}>
              <Link href={`/classes/${item.id}`}>{item.name}</Link>
              <span>{sessionWords(item.session)}</span>
              <span className="my-work-detail">Lessons: {timetableWords(item.timetable)}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
