// A teacher's class (issue 12): the lesson (running or not), the action bar, and the grid of its
// tablets, live through `class.watch` on the one /staff connection. Teachers open their own
// classes; ICT any. The class's name and timetable come from GET /api/classes/:id, the session
// and tiles from the watch (class-live.ts).
import type { ClassDto } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router-dom';
import { apiQuery } from '../api/client';
import { Button, ErrorMessage, Link, Page, StatusMessage } from '../ui';
import { ClassActionBar, useStartLesson } from './class-actions';
import { ClassGrid } from './class-grid';
import { classPath, useClassSession } from './class-live';
import { sessionWords, timetableWords } from './class-words';

export default function ClassPage() {
  const { classId = '' } = useParams();
  const found = useQuery(apiQuery<ClassDto>(classPath(classId))).data ?? null;
  const view = useClassSession(classId);
  const start = useStartLesson(classId);
  const session = view.data?.session ?? null;
  const present = view.data?.tiles.filter((tile) => !tile.absent).length ?? 0;

  return (
    <Page title={found ? found.name : 'Class'}>
      <p className="back-link">
        <Link href="/classes">My classes</Link>
      </p>
      <ErrorMessage error={view.error} title="Could not open the class." />
      {found ? <p className="class-timetable">Lessons: {timetableWords(found.timetable)}</p> : null}
      {view.data ? (
        <>
          <div className="class-lesson">
            <p className="class-lesson-state" role="status">
              {sessionWords(session)}
            </p>
            {session ? null : (
              <Button variant="primary" onPress={() => start.mutate()} isPending={start.isPending}>
                Start lesson
              </Button>
            )}
          </div>
          <ErrorMessage error={start.error} title="Could not start the lesson." />
          {session ? <ClassActionBar classId={classId} present={present} /> : null}
          <ClassGrid classId={classId} view={view.data} />
        </>
      ) : view.isPending ? (
        <StatusMessage>Loading the class…</StatusMessage>
      ) : null}
    </Page>
  );
}
