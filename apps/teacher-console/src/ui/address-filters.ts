// Filters kept in the page's address (?q=…&online=…), so a filtered list can be bookmarked and
// Back returns to it.
import { useCallback } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';

/** Changes to some filters: a key with an empty string is removed from the address. */
export type FilterChange = Record<string, string>;

/**
 * The address's filters, and a function that changes some of them.
 *
 * A change is merged into the address as it is at the moment of the change (`window.location`),
 * never into the copy a render saw: a search typed, then another filter picked before the typing
 * pause ended, keeps both (React Router's `setSearchParams(fn)` hands `fn` the render's copy, and
 * its navigations render in a transition, so that copy can be a step behind). Any change that
 * does not set `page` goes back to the first page. The address is replaced, not pushed, so Back
 * leaves the list rather than stepping through each filter.
 *
 * @returns `[params, change]`: the current `URLSearchParams`, and `change(next)`.
 */
export function useAddressFilters(): [URLSearchParams, (next: FilterChange) => void] {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const change = useCallback(
    (next: FilterChange) => {
      const merged = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(next)) {
        if (value) {
          merged.set(key, value);
        } else {
          merged.delete(key);
        }
      }
      if (!('page' in next)) {
        merged.delete('page');
      }
      const search = merged.toString();
      void navigate({ search: search ? `?${search}` : '' }, { replace: true });
    },
    [navigate],
  );
  return [params, change];
}
