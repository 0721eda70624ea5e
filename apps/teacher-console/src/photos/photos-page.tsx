// ICT, safeguarding and trip leaders: the photos that reached the school's store (issue 14), by
// trip and by day, as thumbnails that open the full picture; the store's state in words; and per
// device, the photos waiting to upload. ICT and safeguarding see every photo; a trip leader sees
// the photos of the trips they lead (the hub refuses others), so for them a trip is always chosen.
// The trip, day and page live in the address (`/photos?trip=…&day=2026-06-12`), so a trip's page
// links straight here and Back returns to the same view.
import type { Page as ApiPage, PhotoDay, PhotoPage, TripSummary } from '@app/hub-api';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError, apiQuery, failureWords } from '../api/client';
import { useSession } from '../auth/session';
import { ErrorMessage, Page, Pager, Select, StatusMessage, useAddressFilters } from '../ui';
import { DevicePhotoTable } from './device-photo-counts';
import { PhotoGallery } from './photo-gallery';
import { PhotoStoreNotice } from './photo-store-state';
import { dayWords, PHOTO_DAYS_PATH, photoCount, PHOTOS_PATH } from './photo-words';

/** Thumbnails a page: a whole number of rows at 2 to 8 across; few enough to fetch at once. */
const PAGE_SIZE = 48;
/** Trips listed in the filter: a school's current and recent trips. */
const TRIPS_LISTED = 100;
const TRIPS_PATH = '/api/trips';
const ANY = '';

/** Who sees every photo, not only their own trips' (the hub's rule for GET /api/photos). */
const SEE_ALL_ROLES = ['ict', 'safeguarding'] as const;

export default function PhotosPage() {
  const { allows } = useSession();
  const seesAll = allows(SEE_ALL_ROLES);
  const [params, change] = useAddressFilters();
  const tripId = params.get('trip') ?? ANY;
  const day = params.get('day') ?? ANY;
  const page = Math.max(1, Number(params.get('page')) || 1);

  const trips = useQuery(apiQuery<ApiPage<TripSummary>>(TRIPS_PATH, { pageSize: TRIPS_LISTED }));
  // A trip leader sees only their trips' photos: start at their first trip that is out, else the
  // first they lead.
  const firstTrip =
    trips.data?.items.find((trip) => trip.status === 'out') ?? trips.data?.items[0] ?? null;
  useEffect(() => {
    if (!seesAll && !tripId && firstTrip) {
      change({ trip: firstTrip.id });
    }
  }, [seesAll, tripId, firstTrip?.id]);

  const canList = seesAll || tripId !== ANY;
  const days = useQuery({
    ...apiQuery<PhotoDay[]>(PHOTO_DAYS_PATH, { tripId }),
    enabled: canList,
  });
  const photos = useQuery({
    ...apiQuery<PhotoPage>(PHOTOS_PATH, { tripId, day, page, pageSize: PAGE_SIZE }),
    enabled: canList,
    // The old page stays on screen while the next one loads: no flash of "Loading".
    placeholderData: keepPreviousData,
  });

  const tripOptions = [
    ...(seesAll ? [{ value: ANY, label: 'Every trip, and photos without one' }] : []),
    ...(trips.data?.items ?? []).map((trip) => ({
      value: trip.id,
      label: `${trip.name} (${trip.shortName})`,
    })),
  ];
  // A trip opened by its link but not among those listed (an old trip) still shows by its id.
  if (tripId && !tripOptions.some((option) => option.value === tripId)) {
    tripOptions.push({ value: tripId, label: photos.data?.items[0]?.tripShortName ?? 'This trip' });
  }
  const dayOptions = [
    { value: ANY, label: 'Every day' },
    ...(days.data ?? []).map((item) => ({
      value: item.day,
      label: `${dayWords(item.day)} (${photoCount(item.count)})`,
    })),
  ];
  if (day && !dayOptions.some((option) => option.value === day)) {
    dayOptions.push({ value: day, label: dayWords(day) });
  }

  const data = photos.data;
  const noTrips = !seesAll && trips.data?.items.length === 0;
  return (
    <Page title="Photos">
      <PhotoStoreNotice />
      {noTrips ? (
        <p className="status-message">
          You lead no trips, so there are no photos for you here. Photos taken on a trip&apos;s
          devices appear here for the trip&apos;s leaders.
        </p>
      ) : (
        <>
          <form className="device-filters" role="search" onSubmit={(e) => e.preventDefault()}>
            {tripOptions.length > 0 ? (
              <Select
                label="Trip"
                value={tripId}
                onChange={(value) => change({ trip: value, day: '' })}
                options={tripOptions}
                errorMessage={
                  // An account that may not list trips (403) still sees every photo by day.
                  trips.error && !(trips.error instanceof ApiError && trips.error.status === 403)
                    ? failureWords('Could not read the trips.', trips.error)
                    : null
                }
              />
            ) : null}
            <Select
              label="Day taken"
              value={day}
              onChange={(value) => change({ day: value })}
              options={dayOptions}
              isDisabled={!canList}
              errorMessage={
                days.error ? failureWords('Could not read the days.', days.error) : null
              }
            />
          </form>

          <ErrorMessage error={photos.error} title="Could not read the photos." />
          {!canList ? (
            trips.isPending ? (
              <StatusMessage>Loading your trips…</StatusMessage>
            ) : null
          ) : !data ? (
            photos.isPending ? (
              <StatusMessage>Loading photos…</StatusMessage>
            ) : null
          ) : data.items.length === 0 ? (
            <p className="status-message">
              {tripId || day
                ? 'No photos from this trip or day have reached the hub yet.'
                : 'No photos have reached the hub yet.'}
            </p>
          ) : (
            <>
              <PhotoGallery
                photos={data.items}
                dayTotals={new Map((days.data ?? []).map((item) => [item.day, item.count]))}
              />
              <Pager
                label="Photo pages"
                page={data.page}
                pageSize={data.pageSize}
                total={data.total}
                noun={['photo', 'photos']}
                onPageChange={(next) => change({ page: String(next) })}
              />
            </>
          )}

          {tripId ? (
            <>
              <h2>Photos per device</h2>
              <DevicePhotoTable
                query={{ tripId }}
                emptyText="This trip has no devices and no photos yet."
              />
            </>
          ) : seesAll && data && data.items.length > 0 ? (
            <>
              <h2>Photos per device</h2>
              <p className="status-message">The devices that took the photos on this page.</p>
              <DevicePhotoTable
                query={{ deviceId: [...new Set(data.items.map((photo) => photo.deviceId))].sort() }}
                emptyText="No devices."
              />
            </>
          ) : null}
        </>
      )}
    </Page>
  );
}
