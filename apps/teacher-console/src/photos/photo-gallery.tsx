// Photos as thumbnails, a grid per day, opening the full picture in a dialog (issue 14). Each
// day's grid is a React Aria GridList laid out as a grid: Tab reaches it, the arrow keys move
// between thumbnails in two dimensions, Enter or a tap opens one. The dialog steps to the
// previous and next photo of the list and gives the photo's facts in words.
import type { Photo } from '@app/hub-api';
import { useMemo, useState } from 'react';
import { GridList, GridListItem } from 'react-aria-components';
import { Button, Dialog } from '../ui';
import { PhotoImage } from './photo-image';
import {
  dayWords,
  photoDevice,
  photoCount,
  photoLabel,
  photoStatusWords,
  sizeWords,
  takenClock,
} from './photo-words';

export interface PhotoGalleryProps {
  /** Newest first, as the hub lists them. */
  photos: readonly Photo[];
  /** A heading per day (the Photos screen); off for a short strip on a trip's page. */
  byDay?: boolean;
  /** The grid's accessible name when not by day ("Latest photos from Zoo trip"). */
  label?: string;
  /** The heading level of each day's heading. */
  dayHeadingLevel?: 2 | 3;
  /** How many photos each day has in all (GET /api/photos/days), said beside its heading. */
  dayTotals?: ReadonlyMap<string, number>;
}

/** The photos as grids of thumbnails (one per day, or one), and the full-picture dialog. */
export function PhotoGallery({
  photos,
  byDay = true,
  label = 'Photos',
  dayHeadingLevel = 2,
  dayTotals,
}: PhotoGalleryProps) {
  const [openSha, setOpenSha] = useState<string | null>(null);
  const groups = useMemo(() => {
    if (!byDay) {
      return [{ day: null, label, photos }];
    }
    const days: { day: string | null; label: string; photos: Photo[] }[] = [];
    for (const photo of photos) {
      const last = days[days.length - 1];
      if (last?.day === photo.day) {
        last.photos.push(photo);
      } else {
        days.push({
          day: photo.day,
          label: `Photos taken ${dayWords(photo.day)}`,
          photos: [photo],
        });
      }
    }
    return days;
  }, [photos, byDay, label]);
  const index = photos.findIndex((photo) => photo.sha256 === openSha);
  const open = index >= 0 ? photos[index] : null;
  const DayHeading = dayHeadingLevel === 2 ? 'h2' : 'h3';

  return (
    <>
      {groups.map((group) => (
        <section key={group.day ?? 'all'} className="photo-day">
          {group.day ? (
            <DayHeading className="photo-day-heading">
              {dayWords(group.day)}{' '}
              <span className="photo-day-count">
                ({photoCount(dayTotals?.get(group.day) ?? group.photos.length)})
              </span>
            </DayHeading>
          ) : null}
          <GridList
            aria-label={group.label}
            layout="grid"
            className="photo-grid"
            items={group.photos}
            onAction={(key) => setOpenSha(String(key))}
          >
            {(photo) => (
              <GridListItem id={photo.sha256} textValue={photoLabel(photo)} className="photo-tile">
                <PhotoImage
                  path={photo.thumbnailUrl}
                  alt={photoLabel(photo)}
                  lazy
                  className="photo-thumb"
                />
                <span className="photo-caption" aria-hidden="true">
                  <span>{takenClock(photo)}</span>
                  <span className="photo-caption-device">{photoDevice(photo)}</span>
                </span>
                {photo.status === 'waiting' ? (
                  <span className="photo-waiting">Waiting for the store</span>
                ) : null}
              </GridListItem>
            )}
          </GridList>
        </section>
      ))}
      {open ? (
        <PhotoDialog
          photo={open}
          position={`${index + 1} of ${photos.length}`}
          onPrevious={index > 0 ? () => setOpenSha(photos[index - 1].sha256) : null}
          onNext={index < photos.length - 1 ? () => setOpenSha(photos[index + 1].sha256) : null}
          onClose={() => setOpenSha(null)}
        />
      ) : null}
    </>
  );
}

interface PhotoDialogProps {
  photo: Photo;
  /** "3 of 48". */
  position: string;
  onPrevious: (() => void) | null;
  onNext: (() => void) | null;
  onClose: () => void;
}

/** The full picture with its facts; Previous / Next step through the list, Escape closes. */
function PhotoDialog({ photo, position, onPrevious, onNext, onClose }: PhotoDialogProps) {
  // Browsers other than Safari cannot show HEIC: the hub's JPEG preview stands in for it.
  const heic = photo.contentType === 'image/heic';
  return (
    <Dialog
      title={`Photo taken at ${takenClock(photo)} on ${dayWords(photo.day)}`}
      isOpen
      onOpenChange={(isOpen) => {
        if (!isOpen) {
          onClose();
        }
      }}
    >
      <div className="photo-dialog">
        <PhotoImage
          // A new photo is a new picture: its own frame, not the last one's.
          key={photo.sha256}
          path={heic ? photo.thumbnailUrl : photo.pictureUrl}
          alt={`The full picture: ${photoLabel(photo)}`}
          className="photo-full"
          unavailableText="The hub could not give this picture. Try again later."
          sayWhy
        />
        {heic ? (
          <p className="status-message">
            This photo is a HEIC file, which this browser cannot show: this is a smaller preview.
          </p>
        ) : null}
        <dl className="facts photo-facts">
          <div>
            <dt>Taken</dt>
            <dd>
              {dayWords(photo.day)}, {takenClock(photo)}
            </dd>
          </div>
          <div>
            <dt>Device</dt>
            <dd>
              {photoDevice(photo)}
              {photo.deviceName ? ` (${photo.deviceTag})` : ''}
            </dd>
          </div>
          <div>
            <dt>Trip</dt>
            <dd>{photo.tripShortName ?? 'None'}</dd>
          </div>
          <div>
            <dt>Where it is</dt>
            <dd>{photoStatusWords(photo)}</dd>
          </div>
          <div>
            <dt>Name in the store</dt>
            <dd className="photo-stored-name">{photo.storedName}</dd>
          </div>
          <div>
            <dt>Size</dt>
            <dd>{sizeWords(photo.sizeBytes)}</dd>
          </div>
        </dl>
        <div className="dialog-actions photo-dialog-actions">
          <Button onPress={() => onPrevious?.()} isDisabled={!onPrevious}>
            Previous photo
          </Button>
          <span className="photo-position" aria-live="polite">
            Photo {position}
          </span>
          <Button onPress={() => onNext?.()} isDisabled={!onNext}>
            Next photo
          </Button>
          <Button onPress={onClose}>Close</Button>
        </div>
      </div>
    </Dialog>
  );
}
