// A trip's photos on its own page (issue 14: "On the trip screen: each kit device's photos
// waiting and photos stored"): the newest thumbnails, the store's state, and a link to all of the
// trip's photos on the Photos screen; and the kit table's "Photos stored" cell. The trips feature
// renders these two (its kit table's columns are a list), so the photo routes stay in photos/.
import type { PhotoPage } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { ErrorMessage, Link, StatusMessage } from '../ui';
import { useDevicePhotoCounts } from './device-photo-counts';
import { PhotoGallery } from './photo-gallery';
import { PhotoStoreNotice } from './photo-store-state';
import { photoCount, PHOTOS_PATH } from './photo-words';

/** Thumbnails on a trip's page: the newest; the rest are on the Photos screen. */
const LATEST = 12;

export interface TripPhotosProps {
  trip: { id: string; name: string };
}

/**
 * The trip's newest photos as thumbnails (opening the full picture), how many there are, and a
 * link to them all at `/photos?trip=<id>`; with the store's state in words above them.
 */
export function TripPhotos({ trip }: TripPhotosProps) {
  const photos = useQuery({
    ...apiQuery<PhotoPage>(PHOTOS_PATH, { tripId: trip.id, page: 1, pageSize: LATEST }),
    refetchInterval: 30_000,
  });
  const data = photos.data;
  return (
    <section className="trip-photos" aria-labelledby="trip-photos-heading">
      <h2 id="trip-photos-heading">Photos</h2>
      <PhotoStoreNotice />
      <ErrorMessage error={photos.error} title="Could not read the trip's photos." />
      {!data ? (
        photos.isPending ? (
          <StatusMessage>Loading the trip&apos;s photos…</StatusMessage>
        ) : null
      ) : data.total === 0 ? (
        <p className="status-message">
          No photos from this trip have reached the hub yet. The kit&apos;s devices upload them when
          they are on the school&apos;s network.
        </p>
      ) : (
        <>
          <p className="status-message">
            {photoCount(data.total)} from this trip
            {data.total > data.items.length ? `; the newest ${data.items.length} are here` : ''}.
          </p>
          <PhotoGallery
            photos={data.items}
            byDay={false}
            label={`Newest photos from ${trip.name}`}
          />
          <p>
            <Link className="page-action-link" href={`/photos?trip=${encodeURIComponent(trip.id)}`}>
              All photos from this trip, by day
            </Link>
          </p>
        </>
      )}
    </section>
  );
}

/**
 * The kit table's "Photos stored" cell: this device's photos of this trip in the store, and any
 * waiting at the hub for the store. Every row reads the one query for the trip (TanStack Query
 * shares it), GET /api/photos/devices?tripId=.
 */
export function StoredPhotoCount({
  tripId,
  deviceId,
}: {
  tripId: string;
  deviceId: string | null;
}) {
  const counts = useDevicePhotoCounts({ tripId }, deviceId !== null);
  if (!deviceId) {
    return <span aria-label="Not enrolled">—</span>;
  }
  if (counts.error) {
    return <span>Not known</span>;
  }
  if (!counts.data) {
    return <span>…</span>;
  }
  const row = counts.data.find((item) => item.deviceId === deviceId);
  const stored = row?.storedPhotos ?? 0;
  const waiting = row?.waitingPhotos ?? 0;
  return (
    <span>
      {stored === 0 ? 'None' : `${stored.toLocaleString('en-GB')} stored`}
      {waiting > 0 ? `, ${waiting.toLocaleString('en-GB')} waiting for the store` : ''}
    </span>
  );
}
