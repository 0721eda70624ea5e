// ICT: one device group. Rename it (PATCH /api/groups/:id; a taken name is said beside the
// name), add devices found by the hub's own search (GET /api/devices?search=), and take devices
// out (DELETE /api/groups/:id/members/:deviceId). The members are read a page at a time
// (GET /api/devices?groupId=), so a group of 5,000 devices is still quick.
import type { DeviceGroupDetail, GroupMemberDevice, Page as ApiPage } from '@app/hub-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useParams } from 'react-router-dom';
import { api, ApiError, apiQuery } from '../api/client';
import {
  Button,
  DataTable,
  ErrorMessage,
  Link,
  Page,
  Pager,
  SearchPicker,
  StatusMessage,
  TextField,
  useSettled,
} from '../ui';
import { addDeviceErrorOf, deviceName, groupFieldOf } from './group-errors';

const MEMBERS_PER_PAGE = 25;
const MATCHES_SHOWN = 20;

export default function GroupPage() {
  const { groupId = '' } = useParams();
  const groupPath = `/api/groups/${groupId}`;
  const group = useQuery(apiQuery<DeviceGroupDetail>(groupPath));
  return (
    <Page title={group.data ? `Group: ${group.data.name}` : 'Group'}>
      <p>
        <Link href="/groups">All groups</Link>
      </p>
      <ErrorMessage error={group.error} title="Could not read the group." />
      {group.data ? (
        <>
          <RenameForm group={group.data} />
          <AddMember group={group.data} />
          <Members group={group.data} />
        </>
      ) : group.isPending ? (
        <StatusMessage>Loading the group…</StatusMessage>
      ) : null}
    </Page>
  );
}

/** After a change: the group, the list of groups and the device lists read again. */
function useRefreshGroup(groupId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: [`/api/groups/${groupId}`] }),
      queryClient.invalidateQueries({ queryKey: ['/api/groups'] }),
      queryClient.invalidateQueries({ queryKey: ['/api/devices'] }),
    ]);
}

function RenameForm({ group }: { group: DeviceGroupDetail }) {
  const refresh = useRefreshGroup(group.id);
  const [name, setName] = useState(group.name);
  const [description, setDescription] = useState(group.description ?? '');
  const [nameProblem, setNameProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: { name?: string; description?: string }) =>
      api(`/api/groups/${group.id}`, { method: 'PATCH', body }),
    onSuccess: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setNameProblem('A group needs a name.');
      return;
    }
    setNameProblem(null);
    save.mutate({
      ...(name.trim() !== group.name ? { name: name.trim() } : {}),
      ...(description.trim() !== (group.description ?? '')
        ? { description: description.trim() }
        : {}),
    });
  };
  const field = groupFieldOf(save.error);
  const message = (save.error as ApiError | null)?.message ?? null;
  const changed = name.trim() !== group.name || description.trim() !== (group.description ?? '');
  return (
    <form className="form" onSubmit={submit} aria-labelledby="rename-heading">
      <h2 id="rename-heading">Name and description</h2>
      <TextField
        label="Name"
        value={name}
        onChange={(value) => {
          setName(value);
          save.reset();
        }}
        maxLength={128}
        isRequired
        errorMessage={nameProblem ?? (field === 'name' ? message : null)}
      />
      <TextField
        label="Description (optional)"
        value={description}
        onChange={setDescription}
        maxLength={500}
        errorMessage={field === 'description' ? message : null}
      />
      {field ? null : <ErrorMessage error={save.error} title="Could not save the group." />}
      {save.isSuccess && !changed ? <StatusMessage>Saved.</StatusMessage> : null}
      <Button type="submit" isPending={save.isPending} isDisabled={!changed}>
        Save name and description
      </Button>
    </form>
  );
}

function AddMember({ group }: { group: DeviceGroupDetail }) {
  const refresh = useRefreshGroup(group.id);
  const [search, setSearch] = useState('');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const settled = useSettled(search.trim(), 250);
  const matches = useQuery({
    ...apiQuery<ApiPage<GroupMemberDevice>>('/api/devices', {
      search: settled,
      status: 'active',
      pageSize: MATCHES_SHOWN,
    }),
    enabled: settled !== '',
  });
  const members = new Set(group.deviceIds);
  const items = (settled ? (matches.data?.items ?? []) : [])
    .filter((device) => !members.has(device.id))
    .map((device) => ({
      id: device.id,
      label: deviceName(device),
      detail: [
        `serial ${device.serialNumber}`,
        device.assetTag ? `asset tag ${device.assetTag}` : null,
        device.online ? 'online' : 'offline',
      ]
        .filter(Boolean)
        .join(', '),
    }));
  const picked = items.find((item) => item.id === selectedId) ?? null;

  const add = useMutation({
    mutationFn: (deviceId: string) =>
      api<DeviceGroupDetail>(`/api/groups/${group.id}/members`, {
        method: 'POST',
        body: { deviceIds: [deviceId] },
      }),
    onSuccess: async () => {
      setAdded(picked?.label ?? 'The device');
      setSearch('');
      setSelectedId(null);
      await refresh();
    },
  });

  // Beside the picker only a 400 about the devices; a 404 for the group itself is the form's.
  const addDeviceError = addDeviceErrorOf(add.error);

  return (
    <form
      className="form"
      aria-labelledby="add-member-heading"
      onSubmit={(event) => {
        event.preventDefault();
        if (selectedId) {
          add.mutate(selectedId);
        }
      }}
    >
      <h2 id="add-member-heading">Add a device</h2>
      <SearchPicker
        label="Find a device"
        description="Type part of its name, serial number or asset tag, then choose it."
        search={search}
        onSearchChange={(value) => {
          setSearch(value);
          setAdded(null);
          add.reset();
        }}
        items={items}
        selectedId={selectedId}
        onSelectedChange={setSelectedId}
        emptyText={
          !settled
            ? 'Type to search.'
            : matches.isFetching
              ? 'Searching…'
              : 'No device outside this group matches.'
        }
        errorMessage={addDeviceError}
      />
      <ErrorMessage error={matches.error} title="Could not search the devices." />
      {addDeviceError ? null : <ErrorMessage error={add.error} title="Could not add the device." />}
      {added ? <StatusMessage>{added} was added to the group.</StatusMessage> : null}
      <Button type="submit" variant="primary" isDisabled={!picked} isPending={add.isPending}>
        Add to group
      </Button>
    </form>
  );
}

function Members({ group }: { group: DeviceGroupDetail }) {
  const refresh = useRefreshGroup(group.id);
  const [page, setPage] = useState(1);
  const members = useQuery(
    apiQuery<ApiPage<GroupMemberDevice>>('/api/devices', {
      groupId: group.id,
      page,
      pageSize: MEMBERS_PER_PAGE,
    }),
  );
  const [removeError, setRemoveError] = useState<unknown>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [removed, setRemoved] = useState<string | null>(null);

  const remove = async (device: GroupMemberDevice) => {
    setRemoving(device.id);
    setRemoveError(null);
    setRemoved(null);
    try {
      await api(`/api/groups/${group.id}/members/${device.id}`, { method: 'DELETE' });
      setRemoved(`${deviceName(device)} was taken out of the group.`);
      await refresh();
    } catch (error) {
      setRemoveError(error);
    } finally {
      setRemoving(null);
    }
  };

  const data = members.data;
  // The last device of the last page removed: go back a page rather than show an empty one.
  useEffect(() => {
    if (data && data.items.length === 0 && page > 1) {
      setPage(page - 1);
    }
  }, [data, page]);

  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">Devices in this group</h2>
      <ErrorMessage error={members.error} title="Could not read the devices in this group." />
      <ErrorMessage error={removeError} title="Could not take the device out." />
      {removed ? <StatusMessage>{removed}</StatusMessage> : null}
      {data ? (
        <>
          <DataTable
            label="Devices in this group"
            rows={data.items}
            rowKey={(device) => device.id}
            emptyText="No devices in this group yet."
            columns={[
              {
                id: 'name',
                name: 'Device',
                isRowHeader: true,
                cell: (device) => <Link href={`/devices/${device.id}`}>{deviceName(device)}</Link>,
              },
              { id: 'serial', name: 'Serial number', cell: (device) => device.serialNumber },
              { id: 'asset', name: 'Asset tag', cell: (device) => device.assetTag ?? '' },
              {
                id: 'online',
                name: 'Online',
                cell: (device) =>
                  device.status === 'revoked' ? 'Revoked' : device.online ? 'Online' : 'Offline',
              },
              {
                id: 'actions',
                name: 'Actions',
                cell: (device) => (
                  <Button
                    aria-label={`Remove ${deviceName(device)} from the group`}
                    onPress={() => void remove(device)}
                    isPending={removing === device.id}
                  >
                    Remove
                  </Button>
                ),
              },
            ]}
          />
          {data.total > MEMBERS_PER_PAGE ? (
            <Pager
              label="Pages of devices in this group"
              page={page}
              pageSize={MEMBERS_PER_PAGE}
              total={data.total}
              noun="devices"
              onPageChange={setPage}
            />
          ) : null}
        </>
      ) : members.isPending ? (
        <StatusMessage>Loading the devices…</StatusMessage>
      ) : null}
    </section>
  );
}
