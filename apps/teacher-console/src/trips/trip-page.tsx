// Trip leader (their own trips) and ICT (all): one trip (GET /api/trips/:id). "Check out" hands
// the whole kit to the leaders in one step (the hub refuses with 409, naming the assets, if any is
// not available, and then nothing goes). Back at school each device is checked in by scanning
// its tag into the scan box; one that did not come back is marked lost (and locked if enrolled).
// "Close trip" stays disabled, with the reason beside it, until every device is back or lost; a
// planned trip (its kit never out) can be closed at once, which calls it off.
// Until the trip is closed its kit can change: a device is added by scanning or typing its tag
// into "Asset tag to add to the kit" (on a trip that is out it goes out at once, so the hub
// refuses one on loan, lost or on another trip, saying why), and taken out by its row's "Remove
// from kit" (one that is out is checked in as it leaves, and stays listed as back).
// Online state and last seen change live from the /staff socket's device.presence.
import { tripKitPath, writeLive, type Trip, type TripKitDevice } from '@app/hub-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type ComponentType } from 'react';
import { useParams } from 'react-router-dom';
import { api, apiQuery } from '../api/client';
import { useStaffEvent } from '../api/staff-socket';
import {
  Button,
  ConfirmDialog,
  ErrorMessage,
  formatTime,
  formatTimeRange,
  Link,
  Page,
  ScanBox,
  StatusMessage,
  useFocusWhenDropped,
} from '../ui';
import { KitTable, type KitRow, type StoredPhotoCountPart } from './kit-table';
import {
  closeBlocker,
  closeWords,
  kitCountWords,
  tripPath,
  TRIP_STATUS_WORDS,
  TRIPS_PATH,
} from './trip-words';

/**
 * The photos feature's parts on a trip's page, given by the shell (routes.tsx) so that trips
 * never imports photos (engineering.md: nothing imported across features).
 */
export interface TripPhotoParts {
  /** The trip's newest photos and the store's state. */
  Section: ComponentType<{ trip: Trip }>;
  /** One kit device's photos stored for the trip. */
  StoredCount: StoredPhotoCountPart;
}

export interface TripPageProps {
  /** The photos feature's parts; without them the page shows no photos. */
  photos?: TripPhotoParts;
}

/** A trip's page: its kit, check-out and check-in, closing, and (given `photos`) its photos. */
export default function TripPage({ photos }: TripPageProps) {
  const { tripId = '' } = useParams();
  const path = tripPath(tripId);
  const client = useQueryClient();
  const trip = useQuery({ ...apiQuery<Trip>(path), refetchInterval: 30_000 });
  useStaffEvent('device.presence', (event) => {
    writeLive<Trip>(client, [path], (current) =>
      current && current.kit.some((device) => device.deviceId === event.deviceId)
        ? {
            ...current,
            kit: current.kit.map((device) =>
              device.deviceId === event.deviceId
                ? {
                    ...device,
                    online: event.online,
                    lastSeenAt: event.lastSeenAt ?? device.lastSeenAt,
                  }
                : device,
            ),
          }
        : current,
    );
  });
  const data = trip.data;
  return (
    <Page title={data ? `Trip: ${data.name}` : 'Trip'}>
      <p className="back-link">
        <Link href="/trips">All trips</Link>
      </p>
      <ErrorMessage error={trip.error} title="Could not read this trip." />
      {!data ? (
        trip.isPending ? (
          <StatusMessage>Loading the trip…</StatusMessage>
        ) : null
      ) : (
        <TripDetail trip={data} photos={photos} />
      )}
    </Page>
  );
}

/** The label of the box a device is added to the kit by (a second scan box on the page). */
const ADD_BOX_LABEL = 'Asset tag to add to the kit';

/** What "Remove from kit" will do to this device, said before it is done. */
function removeWords(device: TripKitDevice): string {
  return device.status === 'out'
    ? `${device.assetTag} is checked in as it leaves the kit: it is available again, the trip's settings come off it, and it stays listed as back.`
    : `${device.assetTag} will not go on this trip. It stays in the register.`;
}

function TripDetail({ trip, photos }: { trip: Trip; photos?: TripPhotoParts }) {
  const client = useQueryClient();
  const path = tripPath(trip.id);
  const scanBox = useRef<HTMLInputElement>(null);
  const [done, setDone] = useState<string | null>(null);
  // The step's button often goes with it (Check out, Close trip, a row's Mark lost): its words
  // take the focus then, so the next Tab goes on from here.
  const doneLine = useFocusWhenDropped(done);
  /** Every step answers with the trip as it is now: put it straight into the cache. */
  const settle = async (next: Trip, message: string) => {
    client.setQueryData([path], next);
    setDone(message);
    await client.invalidateQueries({ queryKey: [TRIPS_PATH], exact: false, refetchType: 'none' });
  };
  /**
   * A refused step (another leader or tab checked the device in first, added to the kit, closed
   * the trip): the trip is read again, so the kit shows what the hub's words say, not the state
   * this page last saw.
   */
  const readAgain = () => void client.invalidateQueries({ queryKey: [path] });
  const checkOut = useMutation({
    mutationFn: () => api<Trip>(`${path}/check-out`, { method: 'POST' }),
    onSuccess: (next) =>
      settle(
        next,
        `Kit checked out: ${next.kit.length} ${next.kit.length === 1 ? 'device' : 'devices'} out.`,
      ),
    onError: readAgain,
  });
  const checkIn = useMutation({
    mutationFn: (assetTag: string) =>
      api<Trip>(`${path}/check-in`, { method: 'POST', body: { assetTag } }),
    onSuccess: async (next, scanned) => {
      // The tag as its label spells it, whatever case it was typed in.
      const assetTag =
        next.kit.find((device) => device.assetTag.toLowerCase() === scanned.toLowerCase())
          ?.assetTag ?? scanned;
      await settle(next, `${assetTag} is back. ${kitCountWords(next.kitCounts)}.`);
      scanBox.current?.focus();
    },
    onError: () => {
      scanBox.current?.focus();
      readAgain();
    },
  });
  const close = async () => {
    const next = await api<Trip>(`${path}/close`, { method: 'POST' });
    await settle(
      next,
      trip.status === 'planned'
        ? 'The trip is called off and closed: its kit never went out.'
        : 'The trip is closed.',
    );
  };
  const markLost = async (assetTag: string) => {
    const next = await api<Trip>(`${path}/lost`, { method: 'POST', body: { assetTag } });
    await settle(next, `${assetTag} is marked lost.`);
  };
  const addBox = useRef<HTMLInputElement>(null);
  const addToKit = useMutation({
    mutationFn: (assetTag: string) =>
      api<Trip>(tripKitPath(trip.id), { method: 'POST', body: { assetTag } }),
    onSuccess: async (next, typed) => {
      const added = next.kit.find(
        (device) => device.assetTag.toLowerCase() === typed.toLowerCase(),
      );
      const assetTag = added?.assetTag ?? typed;
      await settle(
        next,
        added?.status === 'out'
          ? `${assetTag} is added to the kit and checked out. ${kitCountWords(next.kitCounts)}.`
          : `${assetTag} is added to the kit. ${kitCountWords(next.kitCounts)}.`,
      );
      addBox.current?.focus();
    },
    onError: () => {
      addBox.current?.focus();
      readAgain();
    },
  });
  const removeFromKit = async (device: TripKitDevice) => {
    const next = await api<Trip>(tripKitPath(trip.id, device.assetTag), { method: 'DELETE' });
    await settle(
      next,
      device.status === 'out'
        ? `${device.assetTag} is checked in and taken out of the kit. ${kitCountWords(next.kitCounts)}.`
        : `${device.assetTag} is out of the kit. ${kitCountWords(next.kitCounts)}.`,
    );
  };

  const blocker = closeBlocker(trip.status, trip.kitCounts);
  const kitActions = (row: KitRow) => {
    const { device } = row;
    const canMarkLost = trip.status === 'out' && device.status === 'out';
    const canRemove = device.status === 'ready' || device.status === 'out';
    if (!canMarkLost && !canRemove) {
      return null;
    }
    return (
      <div className="row-actions">
        {canRemove ? (
          <ConfirmDialog
            triggerLabel="Remove from kit"
            title={`Remove ${device.assetTag} from the kit?`}
            confirmLabel="Remove from kit"
            onConfirm={() => removeFromKit(device)}
            onClosedAfterFailure={readAgain}
          >
            {removeWords(device)}
          </ConfirmDialog>
        ) : null}
        {canMarkLost ? (
          <ConfirmDialog
            triggerLabel="Mark lost"
            title={`Mark ${device.assetTag} lost?`}
            confirmLabel="Mark lost"
            onConfirm={() => markLost(device.assetTag)}
            onClosedAfterFailure={readAgain}
          >
            {device.deviceId
              ? `${device.assetTag} will be locked with a message to bring it to the school office, until ICT unlocks it.`
              : `${device.assetTag} will be listed as lost.`}
          </ConfirmDialog>
        ) : null}
      </div>
    );
  };

  return (
    <>
      <dl className="facts device-facts">
        <div>
          <dt>Status</dt>
          <dd>{TRIP_STATUS_WORDS[trip.status]}</dd>
        </div>
        <div>
          <dt>Kit</dt>
          <dd>{kitCountWords(trip.kitCounts)}</dd>
        </div>
        <div>
          <dt>Dates</dt>
          <dd>{formatTimeRange(trip.startsAt, trip.endsAt)}</dd>
        </div>
        <div>
          <dt>Leaders</dt>
          <dd>{trip.leaders.map((leader) => leader.displayName).join(', ') || 'None'}</dd>
        </div>
        <div>
          <dt>Short name</dt>
          <dd>{trip.shortName}</dd>
        </div>
        {trip.checkedOutAt ? (
          <div>
            <dt>Checked out</dt>
            <dd>{formatTime(trip.checkedOutAt)}</dd>
          </div>
        ) : null}
      </dl>

      {trip.status === 'planned' ? (
        <div className="trip-step">
          <p>
            Check out the whole kit to the leaders in one step. If any device is not available, none
            go and the hub names it.
          </p>
          <Button
            variant="primary"
            onPress={() => checkOut.mutate()}
            isPending={checkOut.isPending}
          >
            Check out
          </Button>
          <ErrorMessage error={checkOut.error} title="The kit was not checked out." />
        </div>
      ) : null}

      {trip.status === 'out' ? (
        <div className="trip-step">
          <ScanBox
            focusRef={scanBox}
            description="Scan each device as it comes back to check it in."
            actionLabel="Check in"
            isPending={checkIn.isPending}
            onScan={(tag) => {
              setDone(null);
              checkIn.mutate(tag);
            }}
          />
          <ErrorMessage
            error={checkIn.error}
            title={`Could not check in ${checkIn.variables ?? ''}.`}
          />
        </div>
      ) : null}
      {done ? (
        <p className="desk-done" role="status" tabIndex={-1} ref={doneLine}>
          <span aria-hidden="true">✓ </span>
          {done}
        </p>
      ) : null}

      <h2>Kit</h2>
      {trip.status !== 'closed' ? (
        <div className="trip-step">
          <ScanBox
            label={ADD_BOX_LABEL}
            focusRef={addBox}
            description={
              trip.status === 'out'
                ? 'The kit is out: a device added goes out at once with it, so it must be available.'
                : 'Scan or type the tag of a device to take on this trip.'
            }
            actionLabel="Add to kit"
            isPending={addToKit.isPending}
            onScan={(tag) => {
              setDone(null);
              addToKit.mutate(tag);
            }}
          />
          <ErrorMessage
            error={addToKit.error}
            title={`Could not add ${addToKit.variables ?? ''} to the kit.`}
          />
        </div>
      ) : null}
      <KitTable
        trip={trip}
        actions={trip.status !== 'closed' ? kitActions : undefined}
        storedPhotos={photos?.StoredCount}
      />

      {trip.status !== 'closed' ? (
        <div className="trip-close">
          <ConfirmDialog
            triggerLabel="Close trip"
            title={`Close ${trip.name}?`}
            confirmLabel="Close trip"
            variant="primary"
            isDisabled={Boolean(blocker)}
            onConfirm={close}
            onClosedAfterFailure={readAgain}
          >
            {closeWords(trip.status)}
          </ConfirmDialog>
          {blocker ? (
            <p className="desk-blocked" id="close-trip-reason">
              {blocker}
            </p>
          ) : null}
        </div>
      ) : null}

      {photos ? <photos.Section trip={trip} /> : null}
    </>
  );
}
