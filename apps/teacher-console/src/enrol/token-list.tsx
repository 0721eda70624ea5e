// The enrolment tokens ICT has made (GET /api/enrollment-tokens: never the tokens themselves),
// with how far each is used, when it expires, and Revoke for those still usable.
import type { DeviceGroup, EnrolmentTokenView, School } from '@app/hub-api';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiQuery } from '../api/client';
import { ConfirmDialog, DataTable, ErrorMessage, StatusMessage } from '../ui';
import { schoolDateTime } from './school-time';

/** A token's state in words: the hub says only whether it is usable, the rest follows. */
function tokenState(token: EnrolmentTokenView, now: number): string {
  if (token.usable) {
    return 'Usable';
  }
  if (token.uses >= token.maxUses) {
    return 'Used up';
  }
  if (Date.parse(token.expiresAt) <= now) {
    return 'Expired';
  }
  return 'Revoked';
}

export function TokenList() {
  const queryClient = useQueryClient();
  const tokens = useQuery(apiQuery<EnrolmentTokenView[]>('/api/enrollment-tokens'));
  const groups = useQuery(apiQuery<DeviceGroup[]>('/api/groups'));
  const school = useQuery({ ...apiQuery<School>('/api/school'), staleTime: Infinity });
  const groupNames = new Map((groups.data ?? []).map((group) => [group.id, group.name]));
  const now = Date.now();

  const revoke = async (token: EnrolmentTokenView) => {
    await api(`/api/enrollment-tokens/${token.id}`, { method: 'DELETE' });
    await queryClient.invalidateQueries({ queryKey: ['/api/enrollment-tokens'] });
  };

  if (!tokens.data) {
    return tokens.isPending ? (
      <StatusMessage>Loading the tokens…</StatusMessage>
    ) : (
      <ErrorMessage error={tokens.error} title="Could not read the tokens." />
    );
  }
  return (
    <DataTable
      label="Enrolment tokens"
      rows={tokens.data}
      rowKey={(token) => token.id}
      emptyText="No tokens made yet."
      columns={[
        {
          id: 'label',
          name: 'Label',
          isRowHeader: true,
          cell: (token) =>
            token.label ?? `Made ${schoolDateTime(token.createdAt, school.data?.timeZone)}`,
        },
        {
          id: 'groups',
          name: 'Groups',
          cell: (token) =>
            token.groupIds.length === 0
              ? 'None'
              : token.groupIds.map((id) => groupNames.get(id) ?? 'a removed group').join(', '),
        },
        {
          id: 'uses',
          name: 'Used',
          cell: (token) =>
            `${token.uses.toLocaleString('en-GB')} of ${token.maxUses.toLocaleString('en-GB')}`,
        },
        {
          id: 'expires',
          name: 'Expires',
          cell: (token) => schoolDateTime(token.expiresAt, school.data?.timeZone),
        },
        {
          id: 'state',
          name: 'State',
          cell: (token) => tokenState(token, now) + (token.reenrol ? ' (re-enrolment)' : ''),
        },
        {
          id: 'actions',
          name: 'Actions',
          cell: (token) =>
            token.usable ? (
              <ConfirmDialog
                triggerLabel="Revoke"
                title="Revoke this enrolment token?"
                confirmLabel="Revoke token"
                onConfirm={() => revoke(token)}
              >
                No more devices can enrol with {token.label ? `“${token.label}”` : 'this token'}.
                Devices already enrolled with it stay enrolled.
              </ConfirmDialog>
            ) : null,
        },
      ]}
    />
  );
}
