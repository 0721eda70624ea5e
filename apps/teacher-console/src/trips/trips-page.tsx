// Trip leaders: "My trips" (GET /api/trips gives a leader the trips they lead); ICT sees every
// trip. Each row says how much of its kit is back, so a trip still missing devices stands out.
// Planned and out trips come first; closed ones are one filter away.
import type { Page as ApiPage, TripStatus, TripSummary } from '@app/hub-api';
import { TRIP_STATUSES } from '@app/hub-api';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { useSession } from '../auth/session';
import {
  DataTable,
  ErrorMessage,
  formatDayRange,
  Link,
  Page,
  Pager,
  Select,
  StatusMessage,
  useAddressFilters,
} from '../ui';
import { kitCountWords, TRIP_STATUS_WORDS, TRIPS_PATH } from './trip-words';

const PAGE_SIZE = 50;

const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  ...TRIP_STATUSES.map((status) => ({ value: status, label: TRIP_STATUS_WORDS[status] })),
];

export default function TripsPage() {
  const { allows } = useSession();
  const [params, change] = useAddressFilters();
  const status = params.get('status') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const known = (TRIP_STATUSES as readonly string[]).includes(status);
  const trips = useQuery({
    ...apiQuery<ApiPage<TripSummary>>(TRIPS_PATH, {
      status: known ? (status as TripStatus) : undefined,
      page,
      pageSize: PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
  });
  const ict = allows(['ict']);
  const data = trips.data;
  return (
    <Page
      title={ict ? 'Trips' : 'My trips'}
      actions={
        <Link className="page-action-link" href="/trips/new">
          New trip
        </Link>
      }
    >
      <form className="device-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <Select
          label="Status"
          value={known ? status : ''}
          onChange={(value) => change({ status: value })}
          options={STATUS_OPTIONS}
        />
      </form>
      <ErrorMessage error={trips.error} title="Could not read the trips." />
      {!data ? (
        trips.isPending ? (
          <StatusMessage>Loading trips…</StatusMessage>
        ) : null
      ) : (
        <>
          <DataTable
            label={ict ? 'Trips' : 'My trips'}
            rows={data.items}
            rowKey={(trip) => trip.id}
            emptyText={
              ict ? 'No trips yet.' : 'You lead no trips yet. ICT or a trip leader can add one.'
            }
            columns={[
              {
                id: 'name',
                name: 'Trip',
                isRowHeader: true,
                cell: (trip) => <Link href={`/trips/${trip.id}`}>{trip.name}</Link>,
              },
              {
                id: 'dates',
                name: 'Dates',
                cell: (trip) => formatDayRange(trip.startsAt, trip.endsAt),
              },
              { id: 'status', name: 'Status', cell: (trip) => TRIP_STATUS_WORDS[trip.status] },
              { id: 'kit', name: 'Kit', cell: (trip) => kitCountWords(trip.kitCounts) },
              {
                id: 'leaders',
                name: 'Leaders',
                cell: (trip) => trip.leaders.map((leader) => leader.displayName).join(', '),
              },
            ]}
          />
          <Pager
            label="Trip pages"
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            noun={['trip', 'trips']}
            onPageChange={(next) => change({ page: String(next) })}
          />
        </>
      )}
    </Page>
  );
}
