// Per device, photos still on the device, waiting at the hub, and stored (issue 14: "Staff also
// see, per device, how many photos are waiting (from the device's pendingPhotos)"), from
// GET /api/photos/devices: by trip (its kit and any device with photos for it) or by device ids.
import type { DevicePhotoCounts } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { apiQuery, type ApiQuery } from '../api/client';
import { DataTable, ErrorMessage, StatusMessage } from '../ui';
import { PHOTO_DEVICES_PATH } from './photo-words';

/** How often the counts are read again: devices report `pendingPhotos` as they upload. */
const COUNTS_REFRESH_MS = 30_000;

/** The counts for `query` (`{ tripId }` or `{ deviceId: [...] }`), kept fresh while shown. */
export function useDevicePhotoCounts(query: ApiQuery, enabled = true) {
  return useQuery({
    ...apiQuery<DevicePhotoCounts[]>(PHOTO_DEVICES_PATH, query),
    enabled,
    refetchInterval: COUNTS_REFRESH_MS,
  });
}

/** "3 on the device", "None", or "Not reported" for a device that never said. */
export function pendingWords(pending: number | null): string {
  if (pending === null) {
    return 'Not reported';
  }
  return pending === 0 ? 'None' : `${pending.toLocaleString('en-GB')} on the device`;
}

/** A table of the devices' photo counts; `emptyText` when there are none. */
export function DevicePhotoTable({ query, emptyText }: { query: ApiQuery; emptyText: string }) {
  const counts = useDevicePhotoCounts(query);
  if (counts.error) {
    return <ErrorMessage error={counts.error} title="Could not read the photos per device." />;
  }
  if (!counts.data) {
    return <StatusMessage>Loading the photos per device…</StatusMessage>;
  }
  return (
    <DataTable
      label="Photos per device"
      rows={[...counts.data].sort((a, b) => a.deviceTag.localeCompare(b.deviceTag))}
      rowKey={(row) => row.deviceId}
      emptyText={emptyText}
      columns={[
        {
          id: 'device',
          name: 'Device',
          isRowHeader: true,
          cell: (row) => (
            <div className="device-name">
              <span>{row.deviceName ?? row.deviceTag}</span>
              {row.deviceName ? <span className="device-serial">{row.deviceTag}</span> : null}
            </div>
          ),
        },
        {
          id: 'pending',
          name: 'Waiting to upload',
          cell: (row) => pendingWords(row.pendingPhotos),
        },
        {
          id: 'waiting',
          name: 'Waiting at the hub for the store',
          cell: (row) =>
            row.waitingPhotos === 0 ? 'None' : row.waitingPhotos.toLocaleString('en-GB'),
        },
        {
          id: 'stored',
          name: 'Stored',
          cell: (row) => row.storedPhotos.toLocaleString('en-GB'),
        },
      ]}
    />
  );
}
