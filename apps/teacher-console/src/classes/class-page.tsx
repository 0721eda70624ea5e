// A teacher's class (issue 12): the lesson (running or not), the action bar, and the grid of its
// tablets, live through `class.watch` on the one /staff connection. Teachers open their own
// classes; ICT any. The class's name and timetable come from GET /api/classes/:id, the session
// and tiles from the watch (class-live.ts).
import type { ClassDto, ClassSession } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router-dom';
import { apiQuery } from '../api/client';
import { useStaffEvent } from '../api/staff-socket';
import { Button, ErrorMessage, Link, Page, StatusMessage } from '../ui';
import { ClassActionBar, useStartLesson } from './class-actions';
import { ClassGrid } from './class-grid';
import { classPath, useClassSession } from './class-live';
import { endedWords, sessionWords, timetableWords } from './class-words';

export default function ClassPage() {
  const { classId = '' } = useParams();
  const found = useQuery(apiQuery<ClassDto>(classPath(classId))).data ?? null;
  const view = useClassSession(classId);
  const start = useStartLesson(classId);
  const session = view.data?.session ?? null;
  const present = view.data?.tiles.filter((tile) => !tile.absent).length ?? 0;
  // The lesson that ended while the page was open (its end time came, a colleague or this page
  // ended it): the action bar and any dialog of it close with it, so the page says why.
  const [ended, setEnded] = useState<ClassSession | null>(null);
  useStaffEvent('class.session', (event) => {
    if (event.classId === classId) {
      setEnded(event.session.endedAt ? event.session : null);
    }
  });
  const lessonState = useLessonStateFocus(view.data ? session !== null : null);

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
            <p className="class-lesson-state" role="status" ref={lessonState} tabIndex={-1}>
              {sessionWords(session)}
            </p>
            {session ? null : (
              <Button
                variant="primary"
                onPress={() => {
                  setEnded(null);
                  start.mutate();
                }}
                isPending={start.isPending}
              >
                Start lesson
              </Button>
            )}
          </div>
          {!session && ended ? <StatusMessage>{endedWords(ended)}</StatusMessage> : null}
          <ErrorMessage error={start.error} title="Could not start the lesson." />
          {session ? (
            <ClassActionBar classId={classId} present={present} onEnded={setEnded} />
          ) : null}
          <ClassGrid classId={classId} view={view.data} />
        </>
      ) : view.isPending ? (
        <StatusMessage>Loading the class…</StatusMessage>
      ) : null}
    </Page>
  );
}

/**
 * The lesson's state line, which takes the focus when a lesson starts or ends while the focus was
 * on a button that went with it ("Start lesson", or "End the lesson" in the bar's dialog): the
 * focus would fall to the page's start, and a keyboard user would tab through the navigation
 * again to reach "Lock all". From the state line the next Tab reaches the lesson's first button.
 * Focus that is still somewhere on the page is left where it is.
 *
 * @param running whether a lesson runs; null until the class's session is read (no move then)
 */
function useLessonStateFocus(running: boolean | null) {
  const line = useRef<HTMLParagraphElement>(null);
  const before = useRef<boolean | null>(null);
  useEffect(() => {
    const changed = before.current !== null && running !== null && before.current !== running;
    before.current = running;
    if (!changed) {
      return;
    }
    // After the dialog that closed with the bar has tried to give the focus back.
    const frame = requestAnimationFrame(() => {
      const active = document.activeElement;
      if (!active || active === document.body) {
        line.current?.focus();
      }
    });
    return () => cancelAnimationFrame(frame);
  }, [running]);
  return line;
}
