// Who accepted the current acceptable use policy, and when (GET /api/aup/acceptances). The hub
// answers with staff ids; each is named from the log's own `aup.accepted` entries for that
// version, which the same roles (safeguarding, ICT) may read, with the name as it was then.
import type { AupAcceptances, AupCurrent, AuditEntry, Page as ListPage } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { Button, DataTable, ErrorMessage, StatusMessage } from '../ui';

/** An ISO time as the school reads it: "1 Dec 2026, 09:15". */
function when(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function AupAcceptancesSection({ onShowAll }: { onShowAll: () => void }) {
  const acceptances = useQuery(apiQuery<AupAcceptances>('/api/aup/acceptances'));
  const current = useQuery(apiQuery<AupCurrent>('/api/aup'));
  const version = acceptances.data?.version ?? null;
  const names = useQuery({
    ...apiQuery<ListPage<AuditEntry>>('/api/audit', {
      action: 'aup.accepted',
      targetType: 'aup',
      targetId: version ?? '',
      pageSize: 500,
    }),
    enabled: version !== null,
  });
  const byStaff = new Map<string, AuditEntry>();
  for (const entry of names.data?.items ?? []) {
    if (entry.actorId && !byStaff.has(entry.actorId)) {
      byStaff.set(entry.actorId, entry);
    }
  }
  const data = acceptances.data;
  return (
    <section className="aup-acceptances" aria-labelledby="aup-acceptances-title">
      <h2 id="aup-acceptances-title">Acceptable use policy: who accepted it</h2>
      <ErrorMessage error={acceptances.error} title="Could not read the acceptances." />
      {!data ? (
        acceptances.isPending ? (
          <StatusMessage>Loading acceptances…</StatusMessage>
        ) : null
      ) : data.version === null ? (
        <p>No acceptable use policy has been published yet.</p>
      ) : (
        <>
          <p>
            The current version is <code className="aup-version">{data.version.slice(0, 12)}</code>
            {current.data?.version === data.version
              ? `, published ${when(current.data.publishedAt)}`
              : ''}
            . {data.items.length.toLocaleString('en-GB')}{' '}
            {data.items.length === 1 ? 'person has' : 'people have'} accepted it.
          </p>
          <DataTable
            label="Acceptances of the current acceptable use policy"
            columns={[
              {
                id: 'who',
                name: 'Who',
                isRowHeader: true,
                cell: (row) => {
                  const entry = byStaff.get(row.staffId);
                  return (
                    <span className="staff-name">
                      {entry?.actorName ?? entry?.actor ?? `Staff id ${row.staffId}`}
                      {entry?.actorName && entry.actor ? (
                        <span className="staff-username">{entry.actor}</span>
                      ) : null}
                    </span>
                  );
                },
              },
              { id: 'version', name: 'Version', cell: () => data.version?.slice(0, 12) },
              { id: 'when', name: 'Accepted', cell: (row) => when(row.acceptedAt) },
            ]}
            rows={data.items}
            rowKey={(row) => row.staffId}
            emptyText="Nobody has accepted this version yet."
          />
        </>
      )}
      <p className="aup-history">
        Acceptances of earlier versions are in the log as the action aup.accepted.
      </p>
      <Button onPress={onShowAll}>Show every acceptance in the log</Button>
    </section>
  );
}
