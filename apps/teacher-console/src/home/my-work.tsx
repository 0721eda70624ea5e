// On everyone's home page: the classes a teacher teaches (GET /api/classes, kept to those naming
// the reader among their teachers, since ICT reads every class) with their lessons and whether one
// is running, and the trips a trip leader leads that are not closed yet (GET /api/trips?mine=true),
// with their days and how much kit is back. Each opens its own page.
import type { ClassDto, Page as ApiPage, TripSummary } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { sessionWords, timetableWords } from '../classes/class-words';
import { kitCountWords, TRIP_STATUS_WORDS } from '../trips/trip-words';
import { ErrorMessage, formatDayRange, Link, StatusMessage } from '../ui';

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

/** "Your trips": the planned and out trips the reader leads, soonest first. */
export function MyTrips() {
  const trips = useQuery(
    apiQuery<ApiPage<TripSummary>>('/api/trips', { mine: true, pageSize: 50 }),
  );
  const open = (trips.data?.items ?? [])
    .filter((trip) => trip.status !== 'closed')
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  return (
    <>
      <h2>Your trips</h2>
      <ErrorMessage error={trips.error} title="Could not read your trips." />
      {!trips.data ? (
        trips.isPending ? (
          <StatusMessage>Loading your trips…</StatusMessage>
        ) : null
      ) : open.length === 0 ? (
        <p className="status-message">You lead no trips that are planned or out.</p>
      ) : (
        <ul className="my-work">
          {open.map((trip) => (
            <li key={trip.id}>
              <Link href={`/trips/${trip.id}`}>{trip.name}</Link>
              <span>
                {formatDayRange(trip.startsAt, trip.endsAt)}. {TRIP_STATUS_WORDS[trip.status]}.
              </span>
              <span className="my-work-detail">Kit: {kitCountWords(trip.kitCounts)}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
