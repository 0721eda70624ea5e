// The class's grid, live (issue 12): the tiles and the running session are one TanStack Query
// entry keyed by the API path (GET /api/classes/:id/session). While the /staff connection is
// open that entry is filled by `class.watch`, whose acknowledgement carries the same
// `{session, tiles}`; the hub sends `class.tile` and `class.session` on the same socket from just
// before it reads them, so a tile can arrive beside the acknowledgement, and the watch is then
// made again (classSessionQuery). Without a connection the entry is read with the GET, and a
// (re)connection watches again (the hub forgets a socket's watches when it goes).
import {
  CLASS_REFUSALS,
  writeLive,
  type ClassDto,
  type ClassSessionView,
  type ClassTile,
  type ClassWatchAck,
} from '@app/hub-api';
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, ApiError } from '../api/client';
import { emitWithAck, isStaffSocketLive, useLiveStatus, useStaffEvent } from '../api/staff-socket';

export const CLASSES_PATH = '/api/classes';
export const classPath = (classId: string) => `/api/classes/${classId}`;
export const sessionPath = (classId: string) => `/api/classes/${classId}/session`;

/** A refused watch in the words the API uses for the same refusal (CLASS_REFUSALS). */
function watchRefusal(ack: Exclude<ClassWatchAck, { ok: true }>): ApiError {
  switch (ack.error) {
    case 'forbidden':
      return new ApiError(403, `${CLASS_REFUSALS.forbidden}.`);
    case 'not_found':
      return new ApiError(404, `${CLASS_REFUSALS.not_found}.`);
    case 'unavailable':
      return new ApiError(503, 'The hub could not read the class just now. Try again in a moment.');
    default:
      return new ApiError(400, 'That is not a class the hub knows.');
  }
}

/** How many `class.tile` events each open class page has been sent (a watch in flight compares). */
const tilesHeard = new Map<string, number>();
/** How many watches a read of the grid makes at most while tiles keep arriving. */
const WATCH_TRIES = 5;

/**
 * The query of a class's session and tiles: watched over /staff when the connection is open,
 * read with GET /api/classes/:id/session otherwise.
 *
 * @throws ApiError 403 for a class that is not the teacher's, 404 for no such class
 */
export function classSessionQuery(classId: string) {
  return queryOptions({
    queryKey: [sessionPath(classId)],
    queryFn: async ({ signal }): Promise<ClassSessionView> => {
      if (isStaffSocketLive()) {
        try {
          for (let attempt = 1; ; attempt += 1) {
            const heard = tilesHeard.get(classId) ?? 0;
            const ack = await emitWithAck('class.watch', { classId });
            if (!ack.ok) {
              throw watchRefusal(ack);
            }
            // A tile that arrived while the hub answered may be older or newer than the
            // answer's: watch again until an answer comes with none beside it (a few times).
            if ((tilesHeard.get(classId) ?? 0) === heard || attempt === WATCH_TRIES) {
              return { session: ack.session, tiles: ack.tiles };
            }
          }
        } catch (error) {
          if (error instanceof ApiError) {
            throw error;
          }
          // The connection dropped or the hub did not answer in time: read it once instead.
        }
      }
      return api<ClassSessionView>(sessionPath(classId), { signal });
    },
  });
}

/**
 * The class's session and tiles, kept true to the live events while the page is open: each
 * `class.tile` replaces its tile in place; `class.session` sets the session (null once ended) and
 * makes the class list read again. Unwatches when the page closes.
 */
export function useClassSession(classId: string) {
  const queryClient = useQueryClient();
  const live = useLiveStatus();
  const key = [sessionPath(classId)];
  // Always fetched on opening, even when the cache is fresh: that fetch is what watches.
  const query = useQuery({ ...classSessionQuery(classId), refetchOnMount: 'always' });

  // Connected again (or for the first time after the page read the grid with a GET): watch
  // again, since the hub forgot this socket's watches when it went.
  const before = useRef(live);
  useEffect(() => {
    if (live === 'live' && before.current !== 'live') {
      void queryClient.invalidateQueries({ queryKey: [sessionPath(classId)] });
    }
    before.current = live;
  }, [live, classId]);
  useEffect(
    () => () => {
      if (isStaffSocketLive()) {
        emitWithAck('class.unwatch', { classId }).catch(() => undefined);
      }
    },
    [classId],
  );

  useStaffEvent('class.tile', (event) => {
    if (event.classId !== classId) {
      return;
    }
    tilesHeard.set(classId, (tilesHeard.get(classId) ?? 0) + 1);
    const view = queryClient.getQueryData<ClassSessionView>(key);
    if (!view) {
      return; // the watch in flight answers with the grid, and watches again if need be
    }
    const known = view.tiles.some((tile) => tile.deviceId === event.tile.deviceId);
    if (known) {
      queryClient.setQueryData<ClassSessionView>(key, {
        ...view,
        tiles: replaceTile(view.tiles, event.tile),
      });
    } else {
      // A tablet that joined the class (its group grew): read the whole grid again.
      void queryClient.invalidateQueries({ queryKey: key });
    }
  });
  useStaffEvent('class.tablets', (event) => {
    // ICT changed the class's tablets or its group (or the group's members changed): a tablet
    // that left sends no tile, so the grid is read (and watched) again.
    if (event.classId === classId) {
      void queryClient.invalidateQueries({ queryKey: key });
    }
  });
  useStaffEvent('class.unwatched', (event) => {
    // No longer this person's class: the grid gives way to the refusal, in the API's words.
    if (event.classId === classId) {
      void queryClient.resetQueries({ queryKey: key, exact: true });
      void queryClient.resetQueries({ queryKey: [classPath(classId)], exact: true });
    }
  });
  useStaffEvent('class.session', (event) => {
    if (event.classId !== classId) {
      return;
    }
    const session = event.session.endedAt ? null : event.session;
    writeLive<ClassSessionView>(queryClient, key, (view) => (view ? { ...view, session } : view));
    writeLive<ClassDto>(queryClient, [classPath(classId)], (dto) =>
      dto ? { ...dto, session } : dto,
    );
    void queryClient.invalidateQueries({ queryKey: [CLASSES_PATH], exact: true });
  });
  return query;
}

function replaceTile(tiles: ClassTile[], next: ClassTile): ClassTile[] {
  return tiles.map((tile) => (tile.deviceId === next.deviceId ? next : tile));
}
