// ICT: the hub's operating figures (GET /api/metrics): connected devices, memory, event-loop
// delay and commands by status, read again every 10 seconds.
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { DataTable, ErrorMessage, Page, StatusMessage } from '../ui';

interface Metrics {
  connectedDevices: number;
  rssMb: number;
  heapUsedMb: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  commands: Record<string, number>;
}

export default function OperatingFiguresPage() {
  const metrics = useQuery({ ...apiQuery<Metrics>('/api/metrics'), refetchInterval: 10_000 });
  const data = metrics.data;
  return (
    <Page title="Operating figures">
      <ErrorMessage error={metrics.error} title="Could not read the figures." />
      {!data ? (
        metrics.isPending ? (
          <StatusMessage>Loading…</StatusMessage>
        ) : null
      ) : (
        <>
          <dl className="facts">
            <div>
              <dt>Devices connected now</dt>
              <dd>{data.connectedDevices.toLocaleString('en-GB')}</dd>
            </div>
            <div>
              <dt>Memory in use</dt>
              <dd>
                {data.rssMb} MB (heap {data.heapUsedMb} MB)
              </dd>
            </div>
            <div>
              <dt>Event-loop delay</dt>
              <dd>
                median {data.eventLoopDelayMs.p50} ms, 99th percentile {data.eventLoopDelayMs.p99}{' '}
                ms, longest {data.eventLoopDelayMs.max} ms
              </dd>
            </div>
          </dl>
          <h2>Commands by status</h2>
          <DataTable
            label="Commands by status"
            columns={[
              {
                id: 'status',
                name: 'Status',
                isRowHeader: true,
                cell: (row) => row.status.replace('_', ' '),
              },
              { id: 'count', name: 'Commands', cell: (row) => row.count.toLocaleString('en-GB') },
            ]}
            rows={Object.entries(data.commands).map(([status, count]) => ({ status, count }))}
            rowKey={(row) => row.status}
            emptyText="No commands yet."
          />
        </>
      )}
    </Page>
  );
}
