// A policy's revisions, newest first: who changed what and when, and going back to an earlier
// revision (after a confirmation; the hub makes it a new revision, so nothing is lost).
import type { Page as ApiPage, Policy, PolicyRevision, StaffAccount } from '@app/hub-api';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiQuery } from '../api/client';
import { ConfirmDialog, DataTable, ErrorMessage, StatusMessage } from '../ui';
import { settingLabel } from './policy-form';

const WHEN = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** "Camera allowed, Which settings are enforced"; the hub's note first ("rolled back to …"). */
function whatChanged(revision: PolicyRevision): string {
  const changed = revision.changed.map(settingLabel);
  const note = revision.note ? revision.note.charAt(0).toUpperCase() + revision.note.slice(1) : '';
  if (changed.length === 0) {
    return note || 'Name or description only';
  }
  return note ? `${note}: ${changed.join(', ')}` : changed.join(', ');
}

export function PolicyHistory({ policy }: { policy: Policy }) {
  const queryClient = useQueryClient();
  const revisions = useQuery(apiQuery<PolicyRevision[]>(`/api/policies/${policy.id}/revisions`));
  // Names for who changed it; accounts are never deleted, so disabled ones are asked for too.
  const staff = useQuery(
    apiQuery<ApiPage<StaffAccount>>('/api/staff', { pageSize: 500, includeDisabled: 'true' }),
  );
  const nameOf = (revision: PolicyRevision) => {
    if (revision.changedBy.type === 'system') {
      return 'The hub';
    }
    const person = staff.data?.items.find((s) => s.id === revision.changedBy.id);
    return person ? `${person.displayName} (${person.username})` : 'A member of staff';
  };
  const rollback = async (revision: number) => {
    const updated = await api<Policy>(`/api/policies/${policy.id}/rollback`, {
      method: 'POST',
      body: { revision },
    });
    queryClient.setQueryData([`/api/policies/${policy.id}`], updated);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ['/api/policies'] }),
      queryClient.invalidateQueries({ queryKey: [`/api/policies/${policy.id}/revisions`] }),
      queryClient.invalidateQueries({ queryKey: ['/api/compliance'] }),
    ]);
  };
  if (revisions.isPending) {
    return <StatusMessage>Loading the history…</StatusMessage>;
  }
  return (
    <>
      <ErrorMessage error={revisions.error} title="Could not read the history." />
      <ErrorMessage error={staff.error} title="Could not read who made the changes." />
      <DataTable
        label="Revision history"
        columns={[
          {
            id: 'revision',
            name: 'Revision',
            isRowHeader: true,
            cell: (r: PolicyRevision) =>
              r.revision === policy.revision ? `${r.revision} (current)` : String(r.revision),
          },
          { id: 'when', name: 'When', cell: (r) => WHEN.format(new Date(r.changedAt)) },
          { id: 'who', name: 'Who', cell: nameOf },
          { id: 'what', name: 'What changed', cell: whatChanged },
          {
            id: 'rollback',
            name: 'Go back',
            cell: (r) =>
              r.revision === policy.revision ? null : (
                <ConfirmDialog
                  triggerLabel={`Roll back to revision ${r.revision}`}
                  title={`Roll back to revision ${r.revision}?`}
                  confirmLabel="Roll back"
                  variant="primary"
                  onConfirm={() => rollback(r.revision)}
                >
                  <p>
                    {policy.name} goes back to its settings of revision {r.revision} (
                    {WHEN.format(new Date(r.changedAt))}) as a new revision, {policy.revision + 1}.
                    Every device it reaches gets them straight away.
                  </p>
                </ConfirmDialog>
              ),
          },
        ]}
        rows={revisions.data ?? []}
        rowKey={(r) => r.revision}
        emptyText="No revisions."
      />
    </>
  );
}
