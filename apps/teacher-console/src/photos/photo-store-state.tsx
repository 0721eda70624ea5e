// The school's photo store in plain words (issue 14): available, or unavailable with why and how
// many photos wait at the hub for it. Read from GET /api/photos/store every 30 s, as the store is
// a network share that can go away and come back while the page is open.
import type { PhotoStoreState as StoreState } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { formatTime } from '../ui';
import { PHOTO_STORE_PATH, storeStateWords } from './photo-words';

/** How often the store's state is read again while a photo screen is open. */
const STORE_REFRESH_MS = 30_000;

/** The store's state, for any screen that shows photos. */
export function usePhotoStoreState() {
  return useQuery({ ...apiQuery<StoreState>(PHOTO_STORE_PATH), refetchInterval: STORE_REFRESH_MS });
}

/**
 * A box saying whether the store takes photos now. Unavailable is said first in words, with a
 * bar and a "!" mark beside it: never by colour alone. Nothing while loading; a failed read says
 * so in words.
 */
export function PhotoStoreNotice() {
  const store = usePhotoStoreState();
  if (store.error) {
    return (
      <p className="photo-store photo-store-unknown" role="status">
        <strong>The photo store&apos;s state could not be read.</strong> The hub may be busy; it is
        read again in a moment.
      </p>
    );
  }
  if (!store.data) {
    return null;
  }
  const { headline, detail } = storeStateWords(store.data);
  const available = store.data.available;
  return (
    <div
      className={`photo-store ${available ? 'photo-store-ok' : 'photo-store-down'}`}
      role="status"
    >
      <span className="photo-store-mark" aria-hidden="true">
        {available ? '✓' : '!'}
      </span>
      <p>
        <strong>{headline}</strong> {detail}{' '}
        <span className="photo-store-checked">
          Checked {formatTime(store.data.checkedAt, 'not yet')}.
        </span>
      </p>
    </div>
  );
}
