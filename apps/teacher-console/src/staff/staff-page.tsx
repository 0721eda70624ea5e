// ICT: the staff accounts. Create one (username, name, password, roles, email), change its name
// and email or its roles, reset its password, disable or enable it (accounts are never deleted). A page at a time from
// GET /api/staff (disabled accounts included, marked in words); every change is PATCH
// /api/staff/:id and the hub's errors appear beside the field they name.
import { STAFF_ROLE_LABELS, type Page as ListPage, type StaffAccount } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { apiQuery } from '../api/client';
import { useSession } from '../auth/session';
import { DataTable, ErrorMessage, Link, Page, Pager, StatusMessage } from '../ui';
import {
  CreateAccountDialog,
  DetailsDialog,
  DisableAccountDialog,
  EnableAccountButton,
  ResetPasswordDialog,
  RolesDialog,
} from './account-dialogs';

const PAGE_SIZE = 50;

export default function StaffPage() {
  const { user } = useSession();
  const [page, setPage] = useState(1);
  const accounts = useQuery(
    apiQuery<ListPage<StaffAccount>>('/api/staff', {
      page,
      pageSize: PAGE_SIZE,
      includeDisabled: 'true',
    }),
  );
  const data = accounts.data;
  return (
    <Page title="Staff" actions={<CreateAccountDialog />}>
      <ErrorMessage error={accounts.error} title="Could not read the accounts." />
      {!data ? (
        accounts.isPending ? (
          <StatusMessage>Loading accounts…</StatusMessage>
        ) : null
      ) : (
        <>
          <DataTable
            label="Staff accounts"
            columns={[
              {
                id: 'name',
                name: 'Name',
                isRowHeader: true,
                cell: (row) => (
                  <span className="staff-name">
                    {row.displayName}
                    <span className="staff-username">{row.username}</span>
                    {row.email ? <span className="staff-username">{row.email}</span> : null}
                  </span>
                ),
              },
              {
                id: 'roles',
                name: 'Roles',
                cell: (row) => row.roles.map((role) => STAFF_ROLE_LABELS[role]).join(', '),
              },
              {
                id: 'status',
                name: 'Status',
                cell: (row) =>
                  row.disabled ? (
                    <span className="badge badge-off">Disabled</span>
                  ) : (
                    <span className="badge badge-on">Active</span>
                  ),
              },
              {
                id: 'actions',
                name: 'Actions',
                cell: (row) => {
                  const isSelf = row.id === user?.id;
                  return (
                    <div className="row-actions">
                      <DetailsDialog account={row} />
                      <RolesDialog account={row} isSelf={isSelf} />
                      {isSelf ? (
                        // A reset ends every sign-in, this one too: ICT would be signed out on
                        // the spot, by a password typed once. Their own goes through the page
                        // that asks for the current one and keeps this sign-in.
                        <Link className="button button-secondary" href="/account/password">
                          Change your password
                        </Link>
                      ) : (
                        <ResetPasswordDialog account={row} />
                      )}
                      {row.disabled ? (
                        <EnableAccountButton account={row} />
                      ) : isSelf ? null : (
                        <DisableAccountDialog account={row} />
                      )}
                    </div>
                  );
                },
              },
            ]}
            rows={data.items}
            rowKey={(row) => row.id}
            emptyText="No accounts yet."
          />
          <Pager
            label="Staff account pages"
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            noun={['account', 'accounts']}
            onPageChange={setPage}
          />
        </>
      )}
    </Page>
  );
}
