// ICT: one device (GET /api/devices/:id): who it is, whether it is online and when it was last
// seen, what it reported beside what the hub wants it to be, its battery and compliance, the
// resolved policy setting by setting with the profile that decided each (GET …/policy), and
// its commands with their status in the hub's words, all changing live from /staff events.
import type { DeviceCommand, DeviceDetail, DevicePolicy, Page as ApiPage } from '@app/hub-api';
import type { SettingPath } from '@app/policy/settings';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { apiQuery } from '../api/client';
import { DataTable, ErrorMessage, Link, Page, Pager, StatusMessage } from '../ui';
import { DeviceActions } from './device-actions';
import { commandsPath, devicePath, policyPath, useLiveDevice } from './device-live';
import {
  COMMAND_STATUS_WORDS,
  COMMAND_TYPE_WORDS,
  COMPLIANCE_WORDS,
  decidedByWords,
  deviceLabel,
  formatTime,
  LOCK_REASON_WORDS,
  PLATFORM_LABELS,
  SETTING_LABELS,
  settingValueWords,
} from './device-words';
import { OnlineState } from './online-state';

const COMMANDS_PAGE_SIZE = 20;

interface GroupName {
  id: string;
  name: string;
}

export default function DeviceDetailPage() {
  const { deviceId = '' } = useParams();
  const device = useQuery(apiQuery<DeviceDetail>(devicePath(deviceId)));
  useLiveDevice(deviceId);
  const data = device.data;
  return (
    <Page title={data ? deviceLabel(data) : 'Device'}>
      <p className="back-link">
        <Link href="/devices">All devices</Link>
      </p>
      <ErrorMessage error={device.error} title="Could not read this device." />
      {!data ? (
        device.isPending ? (
          <StatusMessage>Loading the device…</StatusMessage>
        ) : null
      ) : (
        <>
          <DeviceActions device={data} />
          <Identity device={data} />
          <h2>State</h2>
          <StateTable device={data} />
          <Battery device={data} />
          <h2>Compliance</h2>
          <Compliance device={data} />
          <h2>Policy</h2>
          <PolicyTable deviceId={data.id} />
          <h2>Commands</h2>
          <Commands deviceId={data.id} />
        </>
      )}
    </Page>
  );
}

function Identity({ device }: { device: DeviceDetail }) {
  const groups = useQuery(apiQuery<GroupName[]>('/api/groups'));
  const groupNames = device.groupIds.map(
    (id) => groups.data?.find((group) => group.id === id)?.name ?? '…',
  );
  return (
    <dl className="facts device-facts">
      <div>
        <dt>Online</dt>
        <dd>{device.status === 'revoked' ? 'Revoked' : <OnlineState online={device.online} />}</dd>
      </div>
      <div>
        <dt>Last seen</dt>
        <dd>{formatTime(device.lastSeenAt)}</dd>
      </div>
      <div>
        <dt>Name</dt>
        <dd>{device.name ?? 'No name'}</dd>
      </div>
      <div>
        <dt>Serial number</dt>
        <dd>{device.serialNumber}</dd>
      </div>
      <div>
        <dt>Asset tag</dt>
        <dd>{device.assetTag ?? 'None'}</dd>
      </div>
      <div>
        <dt>Platform and model</dt>
        <dd>
          {PLATFORM_LABELS[device.platform] ?? device.platform}
          {device.model ? `, ${device.model}` : ''}
          {device.osVersion ? ` (${device.osVersion})` : ''}
        </dd>
      </div>
      <div>
        <dt>Groups</dt>
        <dd>{groupNames.length ? groupNames.join(', ') : 'None'}</dd>
      </div>
      <div>
        <dt>Enrolled</dt>
        <dd>{formatTime(device.enrolledAt)}</dd>
      </div>
      {device.revokedAt ? (
        <div>
          <dt>Revoked</dt>
          <dd>{formatTime(device.revokedAt)}</dd>
        </div>
      ) : null}
    </dl>
  );
}

interface StateRow {
  what: string;
  desired: string;
  reported: string;
  matches: boolean | null;
}

function StateTable({ device }: { device: DeviceDetail }) {
  const reported = device.reportedState as {
    locked?: boolean;
    appLock?: string | null;
    policyVersion?: string | null;
  } | null;
  const desired = device.desiredState;
  const lockWords = desired.lock
    ? `Locked: ${LOCK_REASON_WORDS[desired.lock.reason] ?? desired.lock.reason}${
        desired.lock.message ? ` ("${desired.lock.message}")` : ''
      }`
    : 'Unlocked';
  const rows: StateRow[] = [
    {
      what: 'Screen',
      desired: lockWords,
      reported: reported ? (reported.locked ? 'Locked' : 'Unlocked') : 'Not reported',
      matches: reported ? Boolean(reported.locked) === desired.locked : null,
    },
    {
      what: 'Kept in one app',
      desired: desired.appLock ?? 'No',
      reported: reported ? (reported.appLock ?? 'No') : 'Not reported',
      matches: reported ? (reported.appLock ?? null) === desired.appLock : null,
    },
    {
      what: 'Policy version',
      desired: shortVersion(device.compliance.desiredVersion),
      reported: reported ? shortVersion(reported.policyVersion ?? null) : 'Not reported',
      matches:
        reported && device.compliance.desiredVersion
          ? reported.policyVersion === device.compliance.desiredVersion
          : null,
    },
  ];
  return (
    <>
      <DataTable
        label="Reported state beside desired state"
        rows={rows}
        rowKey={(row) => row.what}
        emptyText="Nothing to compare."
        columns={[
          { id: 'what', name: 'What', isRowHeader: true, cell: (row) => row.what },
          { id: 'desired', name: 'The hub wants', cell: (row) => row.desired },
          { id: 'reported', name: 'The device reported', cell: (row) => row.reported },
          {
            id: 'matches',
            name: 'Matches',
            cell: (row) =>
              row.matches === null ? 'Not known yet' : row.matches ? 'Yes' : 'Not yet',
          },
        ]}
      />
      <p className="status-message">Last report: {formatTime(device.reportedAt, 'none yet')}</p>
    </>
  );
}

function shortVersion(version: string | null): string {
  return version ? version.slice(0, 12) : 'None';
}

function Battery({ device }: { device: DeviceDetail }) {
  const state = device.reportedState as {
    battery?: number;
    charging?: boolean;
    storageFreeMb?: number;
    agentVersion?: string;
  } | null;
  return (
    <dl className="facts device-facts">
      <div>
        <dt>Battery</dt>
        <dd>
          {typeof state?.battery === 'number'
            ? `${Math.round(state.battery)}%${state.charging ? ', charging' : ''}`
            : 'Not reported'}
        </dd>
      </div>
      <div>
        <dt>Free storage</dt>
        <dd>
          {typeof state?.storageFreeMb === 'number'
            ? `${(state.storageFreeMb / 1024).toFixed(1)} GB`
            : 'Not reported'}
        </dd>
      </div>
      <div>
        <dt>Agent version</dt>
        <dd>{state?.agentVersion ?? 'Not reported'}</dd>
      </div>
    </dl>
  );
}

function Compliance({ device }: { device: DeviceDetail }) {
  const compliance = device.compliance;
  return (
    <dl className="facts device-facts">
      <div>
        <dt>Status</dt>
        <dd>{COMPLIANCE_WORDS[compliance.status]}</dd>
      </div>
      <div>
        <dt>Since</dt>
        <dd>{formatTime(compliance.since, '—')}</dd>
      </div>
      {compliance.detail ? (
        <div>
          <dt>The device said</dt>
          <dd>{compliance.detail}</dd>
        </div>
      ) : null}
      {compliance.unenforced.length ? (
        <div>
          <dt>Settings it cannot enforce</dt>
          <dd>
            {compliance.unenforced
              .map((path) => SETTING_LABELS[path as SettingPath] ?? path)
              .join(', ')}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

function PolicyTable({ deviceId }: { deviceId: string }) {
  const policy = useQuery(apiQuery<DevicePolicy>(policyPath(deviceId)));
  if (policy.error) {
    return <ErrorMessage error={policy.error} title="Could not read the policy." />;
  }
  if (!policy.data) {
    return <StatusMessage>Loading the policy…</StatusMessage>;
  }
  const { settings, decidedBy } = policy.data;
  const rows = (Object.keys(SETTING_LABELS) as SettingPath[]).map((path) => {
    const [section, key] = path.split('.') as [string, string];
    return { path, value: settings[section]?.[key], decision: decidedBy[path] };
  });
  return (
    <DataTable
      label="Resolved policy"
      rows={rows}
      rowKey={(row) => row.path}
      emptyText="No settings."
      columns={[
        {
          id: 'setting',
          name: 'Setting',
          isRowHeader: true,
          cell: (row) => SETTING_LABELS[row.path],
        },
        { id: 'value', name: 'Value', cell: (row) => settingValueWords(row.path, row.value) },
        { id: 'decidedBy', name: 'Decided by', cell: (row) => decidedByWords(row.decision) },
      ]}
    />
  );
}

function Commands({ deviceId }: { deviceId: string }) {
  const [page, setPage] = useState(1);
  const commands = useQuery({
    ...apiQuery<ApiPage<DeviceCommand>>(commandsPath(deviceId), {
      page,
      pageSize: COMMANDS_PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
  });
  if (commands.error) {
    return <ErrorMessage error={commands.error} title="Could not read the commands." />;
  }
  const data = commands.data;
  if (!data) {
    return <StatusMessage>Loading the commands…</StatusMessage>;
  }
  return (
    <>
      <DataTable
        label="Commands"
        rows={data.items}
        rowKey={(command) => command.id}
        emptyText="No commands sent to this device yet."
        columns={[
          {
            id: 'type',
            name: 'Command',
            isRowHeader: true,
            cell: (command) => COMMAND_TYPE_WORDS[command.type] ?? command.type,
          },
          {
            id: 'status',
            name: 'Status',
            cell: (command) => (
              <span className={`command-status command-status-${command.status}`}>
                {COMMAND_STATUS_WORDS[command.status] ?? command.status}
                {command.detail ? `: ${command.detail}` : ''}
              </span>
            ),
          },
          { id: 'issued', name: 'Issued', cell: (command) => formatTime(command.issuedAt) },
          {
            id: 'answered',
            name: 'Answered',
            cell: (command) => formatTime(command.answeredAt, '—'),
          },
        ]}
      />
      {data.total > data.pageSize ? (
        <Pager
          label="Command pages"
          page={data.page}
          pageSize={data.pageSize}
          total={data.total}
          noun="commands"
          onPageChange={setPage}
        />
      ) : null}
    </>
  );
}
