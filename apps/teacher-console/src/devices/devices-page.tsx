// ICT: the school's devices (GET /api/devices), a page at a time from the hub however many there
// are: search by name, serial or asset tag; filter by group, platform and online; each row's
// online state changes live (device.presence) and is said in words. A device opens by its name.
// The filters live in the address, so a filtered list can be bookmarked and Back returns to it.
import type { Device, Page as ApiPage } from '@app/hub-api';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { apiQuery, failureWords } from '../api/client';
import {
  DataTable,
  ErrorMessage,
  Link,
  Page,
  Pager,
  Select,
  StatusMessage,
  TextField,
  useAddressFilters,
} from '../ui';
import { DEVICES_PATH, useLiveDeviceList } from './device-live';
import { COMPLIANCE_WORDS, deviceLabel, formatTime, PLATFORM_LABELS } from './device-words';
import { OnlineState } from './online-state';

/** Rows a page: enough to scan on an iPad, few enough to fetch at once. */
const PAGE_SIZE = 50;
/** How long typing pauses before the search goes to the hub. */
const SEARCH_PAUSE_MS = 300;

interface GroupName {
  id: string;
  name: string;
}

const ANY = '';

export default function DevicesPage() {
  const [params, change] = useAddressFilters();
  const search = params.get('q') ?? '';
  const groupId = params.get('group') ?? ANY;
  const platform = params.get('platform') ?? ANY;
  const online = params.get('online') ?? ANY;
  const page = Math.max(1, Number(params.get('page')) || 1);

  const [typed, setTyped] = useState(search);
  useEffect(() => {
    if (typed.trim() === search) {
      return;
    }
    const timer = setTimeout(() => change({ q: typed.trim() }), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [typed, search]);

  const groups = useQuery(apiQuery<GroupName[]>('/api/groups'));
  const devices = useQuery({
    ...apiQuery<ApiPage<Device>>(DEVICES_PATH, {
      search,
      groupId,
      platform,
      online,
      page,
      pageSize: PAGE_SIZE,
    }),
    // The old page stays on screen while the next one loads: no flash of "Loading".
    placeholderData: keepPreviousData,
  });
  useLiveDeviceList();

  const data = devices.data;
  const filtered = Boolean(search || groupId || platform || online);
  return (
    <Page title="Devices">
      <form className="device-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <TextField
          label="Search"
          description="Name, serial number or asset tag"
          type="search"
          value={typed}
          onChange={setTyped}
        />
        <Select
          label="Group"
          value={groupId}
          onChange={(value) => change({ group: value })}
          options={[
            { value: ANY, label: 'All groups' },
            ...(groups.data ?? []).map((group) => ({ value: group.id, label: group.name })),
          ]}
          errorMessage={
            groups.error ? failureWords('Could not read the groups.', groups.error) : null
          }
        />
        <Select
          label="Platform"
          value={platform}
          onChange={(value) => change({ platform: value })}
          options={[
            { value: ANY, label: 'All platforms' },
            ...Object.entries(PLATFORM_LABELS).map(([value, label]) => ({ value, label })),
          ]}
        />
        <Select
          label="Online"
          value={online}
          onChange={(value) => change({ online: value })}
          options={[
            { value: ANY, label: 'Online or offline' },
            { value: 'true', label: 'Online now' },
            { value: 'false', label: 'Offline' },
          ]}
        />
      </form>

      <ErrorMessage error={devices.error} title="Could not read the devices." />
      {!data ? (
        devices.isPending ? (
          <StatusMessage>Loading devices…</StatusMessage>
        ) : null
      ) : (
        <>
          <DataTable
            label="Devices"
            rows={data.items}
            rowKey={(device) => device.id}
            emptyText={
              filtered ? 'No devices match these filters.' : 'No devices are enrolled yet.'
            }
            columns={[
              {
                id: 'device',
                name: 'Device',
                isRowHeader: true,
                cell: (device) => (
                  <div className="device-name">
                    <Link href={`/devices/${device.id}`}>{deviceLabel(device)}</Link>
                    {device.name ? (
                      <span className="device-serial">{device.serialNumber}</span>
                    ) : null}
                  </div>
                ),
              },
              { id: 'assetTag', name: 'Asset tag', cell: (device) => device.assetTag ?? '—' },
              {
                id: 'platform',
                name: 'Platform',
                cell: (device) => PLATFORM_LABELS[device.platform] ?? device.platform,
              },
              {
                id: 'online',
                name: 'Online',
                cell: (device) =>
                  device.status === 'revoked' ? (
                    <span className="device-revoked">Revoked</span>
                  ) : (
                    <OnlineState online={device.online} />
                  ),
              },
              {
                id: 'lastSeen',
                name: 'Last seen',
                cell: (device) => formatTime(device.lastSeenAt),
              },
              {
                id: 'compliance',
                name: 'Policy',
                cell: (device) => COMPLIANCE_WORDS[device.compliance.status],
              },
            ]}
          />
          <Pager
            label="Device list pages"
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            noun="devices"
            onPageChange={(next) => change({ page: String(next) })}
          />
        </>
      )}
    </Page>
  );
}
