// A trip's kit as a table that shows at a glance which devices are back and which are not: each
// row's state in words with a mark (✓ back, ↗ out, ✕ lost), whether it is online, when it was last
// seen and the photos it has waiting. The columns are a list (KIT_COLUMNS), so another screen's
// part (photos stored, from the photos feature) is one more entry, and the actions column comes
// from the page.
import type { Trip, TripKitDevice } from '@app/hub-api';
import type { ComponentType, ReactNode } from 'react';
import { DataTable, formatTime, type DataColumn } from '../ui';
import { KIT_STATUS_MARKS, KIT_STATUS_WORDS } from './trip-words';

/** One kit device with the trip it belongs to, for columns that need the trip (photos). */
export interface KitRow {
  trip: Trip;
  device: TripKitDevice;
}

function KitStatus({ device }: { device: TripKitDevice }) {
  return (
    <span className={`kit-status kit-status-${device.status}`}>
      <span className="kit-status-mark" aria-hidden="true">
        {KIT_STATUS_MARKS[device.status]}
      </span>
      {KIT_STATUS_WORDS[device.status] ?? device.status}
    </span>
  );
}

function Online({ device }: { device: TripKitDevice }) {
  if (!device.deviceId) {
    return <span className="status-message">Not enrolled</span>;
  }
  return (
    <span className={device.online ? 'online-state online-state-on' : 'online-state'}>
      <span className="online-mark" aria-hidden="true" />
      {device.online ? 'Online' : 'Offline'}
    </span>
  );
}

/** The kit table's columns, in order. Add a column by adding an entry. */
export const KIT_COLUMNS: DataColumn<KitRow>[] = [
  {
    id: 'assetTag',
    name: 'Asset tag',
    isRowHeader: true,
    cell: ({ device }) => (
      <div className="device-name">
        <span className="kit-tag">{device.assetTag}</span>
        {device.model ? <span className="kit-model">{device.model}</span> : null}
      </div>
    ),
  },
  { id: 'status', name: 'State', cell: ({ device }) => <KitStatus device={device} /> },
  { id: 'online', name: 'Online', cell: ({ device }) => <Online device={device} /> },
  {
    id: 'lastSeen',
    name: 'Last seen',
    cell: ({ device }) =>
      device.deviceId ? formatTime(device.lastSeenAt) : <span aria-label="Not enrolled">—</span>,
  },
  {
    id: 'pendingPhotos',
    name: 'Photos waiting',
    cell: ({ device }) =>
      device.pendingPhotos === null
        ? 'Not known'
        : device.pendingPhotos === 0
          ? 'None'
          : `${device.pendingPhotos} waiting`,
  },
];

/** One kit device's photos stored for the trip: a part of the photos feature, given by the shell. */
export type StoredPhotoCountPart = ComponentType<{ tripId: string; deviceId: string | null }>;

/** The "Photos stored" column, from the photos feature's count (KitTableProps.storedPhotos). */
function storedPhotosColumn(StoredCount: StoredPhotoCountPart): DataColumn<KitRow> {
  return {
    id: 'storedPhotos',
    name: 'Photos stored',
    cell: ({ trip, device }) => <StoredCount tripId={trip.id} deviceId={device.deviceId} />,
  };
}

export interface KitTableProps {
  trip: Trip;
  /** The last column: what can be done with a device (Mark lost). */
  actions?: (row: KitRow) => ReactNode;
  /**
   * Each device's photos stored for the trip (the photos feature's count, which this feature
   * does not import: the shell composes the two); without it the column is left out.
   */
  storedPhotos?: StoredPhotoCountPart;
}

/** Devices still out first, then lost, then back, each group by asset tag. */
const ORDER: Record<TripKitDevice['status'], number> = { out: 0, ready: 1, lost: 2, back: 3 };

export function KitTable({ trip, actions, storedPhotos }: KitTableProps) {
  const rows = trip.kit
    .map((device) => ({ trip, device }))
    .sort(
      (a, b) =>
        ORDER[a.device.status] - ORDER[b.device.status] ||
        a.device.assetTag.localeCompare(b.device.assetTag),
    );
  const columns = [
    ...KIT_COLUMNS,
    ...(storedPhotos ? [storedPhotosColumn(storedPhotos)] : []),
    ...(actions ? [{ id: 'actions', name: 'Actions', cell: actions }] : []),
  ];
  return (
    <DataTable
      label="Kit"
      rows={rows}
      rowKey={(row) => row.device.assetId}
      emptyText="This trip has no kit."
      columns={columns}
    />
  );
}
