// "My classes" (issue 12): the classes a teacher teaches (ICT sees every class), each with its
// lesson times, whether a lesson is running, and "Start lesson" when none is. A class opens by its
// name; starting a lesson opens it too.
import type { ClassDto } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { apiQuery } from '../api/client';
import { useSession } from '../auth/session';
import { Button, DataTable, ErrorMessage, Link, Page, StatusMessage } from '../ui';
import { useStartLesson } from './class-actions';
import { CLASSES_PATH } from './class-live';
import { sessionWords, timetableWords } from './class-words';

export default function ClassesPage() {
  const classes = useQuery(apiQuery<ClassDto[]>(CLASSES_PATH));
  const { allows } = useSession();
  const ict = allows(['ict']);
  return (
    <Page
      title="My classes"
      actions={
        ict ? (
          <Link className="page-action-link" href="/manage-classes">
            Manage classes
          </Link>
        ) : undefined
      }
    >
      <ErrorMessage error={classes.error} title="Could not read your classes." />
      {classes.data ? (
        <DataTable
          label="Classes"
          rows={[...classes.data].sort((a, b) => a.name.localeCompare(b.name))}
          rowKey={(item) => item.id}
          emptyText={
            ict
              ? 'There are no classes yet. Make one under Manage classes.'
              : 'You have no classes yet. ICT sets classes up.'
          }
          columns={[
            {
              id: 'name',
              name: 'Class',
              isRowHeader: true,
              cell: (item) => <Link href={`/classes/${item.id}`}>{item.name}</Link>,
            },
            { id: 'timetable', name: 'Lessons', cell: (item) => timetableWords(item.timetable) },
            { id: 'now', name: 'Now', cell: (item) => sessionWords(item.session) },
            {
              id: 'start',
              name: 'Lesson',
              cell: (item) => <LessonCell item={item} />,
            },
          ]}
        />
      ) : classes.isPending ? (
        <StatusMessage>Loading your classes…</StatusMessage>
      ) : null}
    </Page>
  );
}

/** "Start lesson" for a class with none running (then its page), or "Open" for one running. */
function LessonCell({ item }: { item: ClassDto }) {
  const navigate = useNavigate();
  const start = useStartLesson(item.id);
  if (item.session) {
    return (
      <Link
        className="button button-secondary"
        href={`/classes/${item.id}`}
        aria-label={`Open ${item.name}`}
      >
        Open
      </Link>
    );
  }
  return (
    <div className="row-action-with-error">
      <Button
        variant="primary"
        aria-label={`Start lesson: ${item.name}`}
        onPress={() =>
          start.mutate(undefined, { onSuccess: () => void navigate(`/classes/${item.id}`) })
        }
        isPending={start.isPending}
      >
        Start lesson
      </Button>
      <ErrorMessage error={start.error} />
    </div>
  );
}
