// Who accepted the current acceptable use policy, and when (GET /api/aup/acceptances). The hub
// names each person from their account, so an acceptance is named whether it was made at sign-in
// or in person at the office desk (with the clerk who saw it), and however long ago: the log's
// own entries go with the audit retention, the acceptances do not.
import type { AupAcceptancePerson, AupAcceptances, AupCurrent } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { Button, DataTable, ErrorMessage, StatusMessage } from '../ui';

/** An ISO time as the school reads it: "1 Dec 2026, 09:15". */
function when(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** "Ann Clarke (office)", or the id when the hub knows no such account. */
function nameOf(person: AupAcceptancePerson): string {
  if (person.displayName === null) {
    return `Staff id ${person.staffId}`;
  }
  return person.username && person.username !== person.displayName
    ? `${person.displayName} (${person.username})`
    : person.displayName;
}

export function AupAcceptancesSection({ onShowAll }: { onShowAll: () => void }) {
  const acceptances = useQuery(apiQuery<AupAcceptances>('/api/aup/acceptances'));
  const current = useQuery(apiQuery<AupCurrent>('/api/aup'));
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
                cell: (row) => (
                  <span className="staff-name">
                    {row.displayName ?? `Staff id ${row.staffId}`}
                    {row.displayName && row.username ? (
                      <span className="staff-username">{row.username}</span>
                    ) : null}
                  </span>
                ),
              },
              { id: 'version', name: 'Version', cell: () => data.version?.slice(0, 12) },
              {
                id: 'when',
                name: 'Accepted',
                cell: (row) =>
                  row.witnessedBy
                    ? `${when(row.acceptedAt)}, at the desk, witnessed by ${nameOf(row.witnessedBy)}`
                    : when(row.acceptedAt),
              },
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
