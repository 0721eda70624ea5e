// ICT: the hub's operating figures (GET /api/metrics), read again every 10 seconds: devices
// connected, whether the hub keeps up (event-loop delay, said in words as well as numbers),
// memory, and the command queue by status in the hub's words with what each means.
import type { HubMetrics } from '@app/hub-api';
import type { StaffCommandStatus } from '@app/devices/staff-events';
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { DataTable, ErrorMessage, Page, StatusMessage } from '../ui';

const REFRESH_MS = 10_000;

/** The statuses in the order a command passes through them, with what each means. */
const COMMAND_STATUSES: { status: StaffCommandStatus; words: string; meaning: string }[] = [
  { status: 'pending', words: 'Pending', meaning: 'Waiting for the device to connect' },
  { status: 'sent', words: 'Sent', meaning: 'Sent; the device has not answered yet' },
  { status: 'acknowledged', words: 'Acknowledged', meaning: 'The device did it' },
  { status: 'error', words: 'Error', meaning: 'The device tried and could not' },
  { status: 'not_now', words: 'Not now', meaning: 'The device could not do it at that moment' },
  { status: 'expired', words: 'Expired', meaning: 'The device did not answer in time' },
  { status: 'cancelled', words: 'Cancelled', meaning: 'Replaced or withdrawn before it ran' },
];

/**
 * How the hub is keeping up, from the 99th percentile of its event-loop delay: under 100 ms
 * nobody notices, under 500 ms answers feel slow, beyond that it is overloaded (the console's
 * own thresholds: docs/decisions.md, "Operating figures in words").
 */
function keepingUp(p99: number): { words: string; className: string } {
  if (p99 < 100) {
    return { words: 'Keeping up', className: 'health-good' };
  }
  if (p99 < 500) {
    return { words: 'Busy: pages may feel slow', className: 'health-warn' };
  }
  return { words: 'Overloaded: tell whoever runs the hub', className: 'health-bad' };
}

const count = (value: number) => value.toLocaleString('en-GB');

export default function OperatingFiguresPage() {
  const metrics = useQuery({
    ...apiQuery<HubMetrics>('/api/metrics'),
    refetchInterval: REFRESH_MS,
  });
  const data = metrics.data;
  const health = data ? keepingUp(data.eventLoopDelayMs.p99) : null;
  const known = new Set<string>(COMMAND_STATUSES.map((row) => row.status));
  const commandRows = data
    ? [
        ...COMMAND_STATUSES.map((row) => ({ ...row, count: data.commands[row.status] ?? 0 })),
        // A status this console does not know yet still shows, by its own name.
        ...Object.entries(data.commands)
          .filter(([status]) => !known.has(status))
          .map(([status, value]) => ({ status, words: status, meaning: '', count: value })),
      ]
    : [];
  const waiting = data ? (data.commands.pending ?? 0) + (data.commands.sent ?? 0) : 0;
  return (
    <Page title="Operating figures">
      <ErrorMessage error={metrics.error} title="Could not read the figures." />
      {!data || !health ? (
        metrics.isPending ? (
          <StatusMessage>Loading…</StatusMessage>
        ) : null
      ) : (
        <>
          <p className="figures-updated">
            Read at {new Date(metrics.dataUpdatedAt).toLocaleTimeString('en-GB')}; read again every{' '}
            {REFRESH_MS / 1000} seconds.
          </p>
          <dl className="figure-cards">
            <div className="figure-card">
              <dt>Devices connected now</dt>
              <dd className="figure-number">{count(data.connectedDevices)}</dd>
              <dd className="figure-note">Tablets and laptops with a live link to the hub</dd>
            </div>
            <div className={`figure-card ${health.className}`}>
              <dt>Responsiveness</dt>
              <dd className="figure-words">{health.words}</dd>
              <dd className="figure-note">
                Event-loop delay: median {data.eventLoopDelayMs.p50} ms, 99th percentile{' '}
                {data.eventLoopDelayMs.p99} ms, longest {data.eventLoopDelayMs.max} ms
              </dd>
            </div>
            <div className="figure-card">
              <dt>Memory in use</dt>
              <dd className="figure-number">{count(data.rssMb)} MB</dd>
              <dd className="figure-note">Of which {count(data.heapUsedMb)} MB JavaScript heap</dd>
            </div>
            <div className="figure-card">
              <dt>Commands waiting</dt>
              <dd className="figure-number">{count(waiting)}</dd>
              <dd className="figure-note">Pending or sent, not yet answered</dd>
            </div>
          </dl>
          <h2>Commands by status</h2>
          <DataTable
            label="Commands by status"
            columns={[
              { id: 'status', name: 'Status', isRowHeader: true, cell: (row) => row.words },
              { id: 'count', name: 'Commands', cell: (row) => count(row.count) },
              { id: 'meaning', name: 'What it means', cell: (row) => row.meaning },
            ]}
            rows={commandRows}
            rowKey={(row) => row.status}
            emptyText="No commands yet."
          />
        </>
      )}
    </Page>
  );
}
