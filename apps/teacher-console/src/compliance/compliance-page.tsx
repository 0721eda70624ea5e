// ICT: how many devices run their policy (applied, partial, pending, failed), overall and by
// policy; each number opens the devices behind it. A push in progress shows its progress live
// ("4,212 of 5,000 applied") from the /staff event `compliance.progress`, which carries the
// same counts as GET /api/compliance and updates that query's cache: no second store.
import {
  writeLive,
  type ComplianceDevice,
  type ComplianceSummary,
  type Page as ApiPage,
} from '@app/hub-api';
import type { ComplianceProgressEvent } from '@app/devices/staff-events';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { useStaffEvent } from '../api/staff-socket';
import {
  DataTable,
  ErrorMessage,
  Link,
  Page,
  Pager,
  StatusMessage,
  useAddressFilters,
} from '../ui';

type Status = 'applied' | 'partial' | 'pending' | 'failed' | 'none';

/** The statuses in the order shown, with their words (never colour alone). */
const STATUSES: { status: Status; label: string; meaning: string }[] = [
  { status: 'applied', label: 'Applied', meaning: 'runs every setting' },
  { status: 'partial', label: 'Partial', meaning: 'applied, some settings not enforced' },
  { status: 'pending', label: 'Pending', meaning: 'sent, not yet answered' },
  { status: 'failed', label: 'Failed', meaning: 'could not apply it' },
  { status: 'none', label: 'No policy yet', meaning: 'not planned yet' },
];

const PAGE_SIZE = 50;
const number = (n: number) => n.toLocaleString('en-GB');
const WHEN = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** Folds a progress event into the summary the page shows. */
function withProgress(
  summary: ComplianceSummary | undefined,
  event: ComplianceProgressEvent,
): ComplianceSummary | undefined {
  if (!summary) {
    return summary;
  }
  const { policyId, devices, pending, applied, partial, failed, none } = event;
  const counts = { pending, applied, partial, failed, none };
  if (policyId === undefined) {
    return { ...summary, devices, byStatus: counts };
  }
  return {
    ...summary,
    byPolicy: summary.byPolicy.map((p) =>
      p.policyId === policyId ? { ...p, ...counts, devices } : p,
    ),
  };
}

/** "4,212 of 5,000 applied": devices that took their policy (applied or partial) of all. */
function Progress({
  label,
  counts,
}: {
  label: string;
  counts: ComplianceSummary['byStatus'] & { devices: number };
}) {
  const done = counts.applied + counts.partial;
  const inProgress = counts.pending > 0;
  return (
    <div className="compliance-progress">
      <p className="compliance-progress-words" aria-live="polite">
        <strong>
          {number(done)} of {number(counts.devices)} applied
        </strong>
        {inProgress ? ` · ${number(counts.pending)} still to answer` : ''}
        {counts.failed > 0 ? ` · ${number(counts.failed)} failed` : ''}
      </p>
      {inProgress ? (
        <progress
          className="compliance-bar"
          max={Math.max(counts.devices, 1)}
          value={done}
          aria-label={`${label}: policy push in progress`}
        />
      ) : null}
    </div>
  );
}

export default function CompliancePage() {
  const queryClient = useQueryClient();
  const [params, change] = useAddressFilters();
  const summary = useQuery(apiQuery<ComplianceSummary>('/api/compliance'));
  useStaffEvent('compliance.progress', (event) => {
    writeLive<ComplianceSummary>(queryClient, ['/api/compliance'], (current) =>
      withProgress(current, event),
    );
    void queryClient.invalidateQueries({ queryKey: ['/api/compliance/devices'] });
  });

  const status = (params.get('status') ?? undefined) as Status | undefined;
  const policyId = params.get('policyId') ?? undefined;
  const page = Number(params.get('page') ?? '1') || 1;
  const open = status !== undefined || policyId !== undefined;
  const data = summary.data;
  const policyName = data?.byPolicy.find((p) => p.policyId === policyId)?.name;
  const href = (query: { status?: Status; policyId?: string }) => {
    const search = new URLSearchParams();
    if (query.status) {
      search.set('status', query.status);
    }
    if (query.policyId) {
      search.set('policyId', query.policyId);
    }
    return `/compliance?${search.toString()}#devices`;
  };

  return (
    <Page title="Compliance">
      <ErrorMessage error={summary.error} title="Could not read compliance." />
      {!data ? (
        summary.isPending ? (
          <StatusMessage>Loading…</StatusMessage>
        ) : null
      ) : (
        <>
          <Progress label="All devices" counts={{ ...data.byStatus, devices: data.devices }} />
          <h2>By status</h2>
          <ul className="compliance-counts" aria-label="Devices by status">
            {STATUSES.map(({ status: s, label, meaning }) => (
              <li key={s}>
                <Link
                  href={href({ status: s })}
                  className="compliance-count"
                  aria-current={status === s && !policyId ? 'true' : undefined}
                >
                  <span className="compliance-count-number">{number(data.byStatus[s])}</span>
                  <span className="compliance-count-label">{label}</span>
                  <span className="compliance-count-meaning">{meaning}</span>
                </Link>
              </li>
            ))}
          </ul>
          <h2>By policy</h2>
          <DataTable
            label="Devices by policy"
            columns={[
              {
                id: 'policy',
                name: 'Policy',
                isRowHeader: true,
                cell: (p: ComplianceSummary['byPolicy'][number]) => (
                  <Link href={`/policies/${p.policyId}`}>{p.name}</Link>
                ),
              },
              {
                id: 'devices',
                name: 'Devices',
                cell: (p) => (
                  <Link
                    href={href({ policyId: p.policyId })}
                    className="count-link"
                    aria-label={`${number(p.devices)} devices reached by ${p.name}`}
                  >
                    {number(p.devices)}
                  </Link>
                ),
              },
              ...STATUSES.filter((s) => s.status !== 'none').map(({ status: s, label }) => ({
                id: s,
                name: label,
                cell: (p: ComplianceSummary['byPolicy'][number]) => (
                  <Link
                    href={href({ status: s, policyId: p.policyId })}
                    className="count-link"
                    aria-label={`${number(p[s])} ${label.toLowerCase()} of ${p.name}`}
                  >
                    {number(p[s])}
                  </Link>
                ),
              })),
            ]}
            rows={data.byPolicy}
            rowKey={(p) => p.policyId}
            emptyText="No policies."
          />
          {open ? (
            <ComplianceDevices
              status={status}
              policyId={policyId}
              title={`${status ? (STATUSES.find((s) => s.status === status)?.label ?? status) : 'All'} devices${policyName ? ` of ${policyName}` : ''}`}
              page={page}
              onPageChange={(next) => change({ page: String(next) })}
            />
          ) : null}
        </>
      )}
    </Page>
  );
}

function ComplianceDevices({
  status,
  policyId,
  title,
  page,
  onPageChange,
}: {
  status?: Status;
  policyId?: string;
  title: string;
  page: number;
  onPageChange: (page: number) => void;
}) {
  const devices = useQuery({
    ...apiQuery<ApiPage<ComplianceDevice>>('/api/compliance/devices', {
      status,
      policyId,
      page,
      pageSize: PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
  });
  const data = devices.data;
  return (
    <section aria-labelledby="devices" className="compliance-devices">
      <h2 id="devices" tabIndex={-1}>
        {title}
      </h2>
      <ErrorMessage error={devices.error} title="Could not read the devices." />
      {data ? (
        <>
          <DataTable
            label={title}
            columns={[
              {
                id: 'device',
                name: 'Device',
                isRowHeader: true,
                cell: (d: ComplianceDevice) => (
                  <Link href={`/devices/${d.id}`}>{d.name ?? d.serialNumber}</Link>
                ),
              },
              { id: 'serial', name: 'Serial', cell: (d) => d.serialNumber },
              {
                id: 'status',
                name: 'Status',
                cell: (d) => STATUSES.find((s) => s.status === d.status)?.label ?? d.status,
              },
              {
                id: 'since',
                name: 'Since',
                cell: (d) => (d.since ? WHEN.format(new Date(d.since)) : '—'),
              },
              {
                id: 'detail',
                name: 'Detail',
                cell: (d) =>
                  d.unenforced.length > 0
                    ? `Not enforced: ${d.unenforced.join(', ')}`
                    : (d.detail ?? ''),
              },
            ]}
            rows={data.items}
            rowKey={(d) => d.id}
            emptyText="No devices."
          />
          {data.total > PAGE_SIZE ? (
            <Pager
              page={page}
              pageSize={PAGE_SIZE}
              total={data.total}
              noun="devices"
              onPageChange={onPageChange}
              label={`${title} pages`}
            />
          ) : null}
        </>
      ) : devices.isPending ? (
        <StatusMessage>Loading…</StatusMessage>
      ) : null}
    </section>
  );
}
