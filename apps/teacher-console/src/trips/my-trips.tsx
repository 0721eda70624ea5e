// "Your trips" on everyone's home page (the shell's landing page composes it): the trips a trip
// leader leads that are not closed yet (GET /api/trips?mine=true), with their days, their status
// and how much kit is back. Each opens its own page.
import type { Page as ApiPage, TripSummary } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { ErrorMessage, formatDayRange, Link, StatusMessage } from '../ui';
import { kitCountWords, TRIP_STATUS_WORDS } from './trip-words';

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
