// Office and ICT: one asset (GET /api/assets/:id): what it is, where it is now (with whom and
// until when), its label, and its loan history (GET /api/assets/:id/loans, newest first, a page
// at a time). "Mark lost" (POST /api/assets/:id/lost) locks its device if it is enrolled; an asset
// back from repair (or found) is made available again here (PATCH status), except one lost while
// on loan, whose loan is checked in at the desk.
import type { Asset, Loan, Page as ApiPage, UpdateAssetRequest } from '@app/hub-api';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { api, apiQuery } from '../api/client';
import {
  BorrowerName,
  Button,
  CHASE_ANOTHER_WAY,
  ConfirmDialog,
  DataTable,
  daysWords,
  ErrorMessage,
  formatDay,
  formatTime,
  Link,
  Page,
  Pager,
  StatusMessage,
  useFocusWhenDropped,
} from '../ui';
import { AssetLabel } from './asset-label';
import { AssetStatusWords } from './asset-status';
import { ASSET_KIND_LABELS, assetPath, ASSETS_PATH } from './asset-words';

const HISTORY_PAGE_SIZE = 20;

export default function AssetPage() {
  const { assetId = '' } = useParams();
  const asset = useQuery(apiQuery<Asset>(assetPath(assetId)));
  const data = asset.data;
  return (
    <Page title={data ? `Asset ${data.assetTag}` : 'Asset'}>
      <p className="back-link">
        <Link href="/inventory">All assets</Link>
      </p>
      <ErrorMessage error={asset.error} title="Could not read this asset." />
      {!data ? (
        asset.isPending ? (
          <StatusMessage>Loading the asset…</StatusMessage>
        ) : null
      ) : (
        <>
          <AssetActions asset={data} />
          <AssetFacts asset={data} />
          <h2>Label</h2>
          <div className="asset-label-preview">
            <AssetLabel assetId={data.id} assetTag={data.assetTag} />
          </div>
          <h2>Loan history</h2>
          <LoanHistory assetId={data.id} />
        </>
      )}
    </Page>
  );
}

function AssetFacts({ asset }: { asset: Asset }) {
  return (
    <dl className="facts device-facts">
      <div>
        <dt>Status</dt>
        <dd>
          <AssetStatusWords status={asset.status} />
        </dd>
      </div>
      {asset.currentLoan ? (
        <div>
          <dt>On loan to</dt>
          <dd>
            <BorrowerName
              name={asset.currentLoan.borrowerName}
              disabled={asset.currentLoan.borrowerDisabled}
            />
            , due {formatDay(asset.currentLoan.dueAt)}
            {asset.currentLoan.daysOverdue >= 1
              ? ` (${daysWords(asset.currentLoan.daysOverdue)} overdue)`
              : ''}
            {asset.currentLoan.borrowerDisabled ? (
              <span className="borrower-chase"> {CHASE_ANOTHER_WAY}</span>
            ) : null}
          </dd>
        </div>
      ) : null}
      {asset.currentTripId ? (
        <div>
          <dt>On a trip</dt>
          <dd>
            <Link href={`/trips/${asset.currentTripId}`}>Open the trip</Link>
          </dd>
        </div>
      ) : null}
      <div>
        <dt>Kind</dt>
        <dd>{ASSET_KIND_LABELS[asset.kind] ?? asset.kind}</dd>
      </div>
      <div>
        <dt>Model</dt>
        <dd>{asset.model ?? 'Not recorded'}</dd>
      </div>
      <div>
        <dt>Serial number</dt>
        <dd>{asset.serialNumber ?? 'Not recorded'}</dd>
      </div>
      <div>
        <dt>Condition</dt>
        <dd>{asset.condition ?? 'Not recorded'}</dd>
      </div>
      <div>
        <dt>Enrolled device</dt>
        <dd>{asset.deviceId ? 'Yes: its serial number matches' : 'Not enrolled'}</dd>
      </div>
      {asset.notes ? (
        <div>
          <dt>Notes</dt>
          <dd>{asset.notes}</dd>
        </div>
      ) : null}
    </dl>
  );
}

/** Mark lost; and, for an asset in repair, lost or retired, make it available again. */
function AssetActions({ asset }: { asset: Asset }) {
  const client = useQueryClient();
  // The list's keys start with ASSETS_PATH, but this page reads its asset by its own path (a
  // different first key), which that does not reach: without it the page kept the old status
  // and offered "Mark lost" again after a lost report (and "Found" after a find).
  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: [ASSETS_PATH] }),
      client.invalidateQueries({ queryKey: [assetPath(asset.id)] }),
    ]);
  const [done, setDone] = useState<string | null>(null);
  const doneLine = useFocusWhenDropped(done);
  const makeAvailable = useMutation({
    mutationFn: () =>
      api<Asset>(assetPath(asset.id), {
        method: 'PATCH',
        body: { status: 'available' } satisfies UpdateAssetRequest,
      }),
    onSuccess: async () => {
      // Said once the page shows it: the button pressed has gone by then (useFocusWhenDropped).
      await refresh();
      setDone(`${asset.assetTag} is available again.`);
    },
    // Refused because someone else changed it first: show it as it is now, beside the words.
    onError: () => void refresh(),
  });
  const canLose = asset.status !== 'lost' && asset.status !== 'retired';
  // Lost while on loan: only the loan's check-in brings it back (the hub refuses a status change
  // while that loan is open), so the desk does it, with the check-in already open.
  const checkInAtDesk = asset.status === 'lost' && asset.currentLoan !== null;
  const canReturnToStock =
    (asset.status === 'in_repair' || asset.status === 'lost') && !checkInAtDesk;
  return (
    <div className="device-actions">
      {checkInAtDesk ? (
        <p>
          It was lost while on loan to {asset.currentLoan?.borrowerName}
          {asset.currentLoan?.borrowerDisabled ? ' (account disabled)' : ''}. If it has been found,{' '}
          <Link href={`/desk?tag=${encodeURIComponent(asset.assetTag)}`}>
            check it in at the office desk
          </Link>
          .
        </p>
      ) : null}
      <div className="device-action-buttons">
        {canReturnToStock ? (
          <Button onPress={() => makeAvailable.mutate()} isPending={makeAvailable.isPending}>
            {asset.status === 'lost' ? 'Found: make available' : 'Repaired: make available'}
          </Button>
        ) : null}
        {canLose ? (
          <ConfirmDialog
            triggerLabel="Mark lost"
            title={`Mark ${asset.assetTag} lost?`}
            confirmLabel="Mark lost"
            onClosedAfterFailure={() => void refresh()}
            onConfirm={async () => {
              await api<Asset>(`${assetPath(asset.id)}/lost`, { method: 'POST' });
              await refresh();
              setDone(`${asset.assetTag} is marked lost.`);
            }}
          >
            {asset.deviceId
              ? 'Its device will be locked with a message to bring it to the school office. The lock stays until ICT unlocks it, whatever a class does.'
              : 'It will be listed as lost. It is not enrolled, so there is no device to lock.'}
          </ConfirmDialog>
        ) : null}
      </div>
      <ErrorMessage error={makeAvailable.error} title="Could not change the status." />
      {done ? (
        <p className="status-message" role="status" tabIndex={-1} ref={doneLine}>
          {done}
        </p>
      ) : null}
      {asset.deviceLockedAsLost && asset.status !== 'lost' ? (
        <p className="desk-blocked">
          Its device is still locked as lost, so it is not lent until ICT unlocks the device.
        </p>
      ) : null}
    </div>
  );
}

function LoanHistory({ assetId }: { assetId: string }) {
  const [page, setPage] = useState(1);
  const loans = useQuery({
    ...apiQuery<ApiPage<Loan>>(`${assetPath(assetId)}/loans`, {
      page,
      pageSize: HISTORY_PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
  });
  if (loans.error) {
    return <ErrorMessage error={loans.error} title="Could not read the loan history." />;
  }
  const data = loans.data;
  if (!data) {
    return <StatusMessage>Loading the loan history…</StatusMessage>;
  }
  return (
    <>
      <DataTable
        label="Loan history"
        rows={data.items}
        rowKey={(loan) => loan.id}
        emptyText="Never lent yet."
        columns={[
          {
            id: 'borrower',
            name: 'Borrower',
            isRowHeader: true,
            // Whether the account is disabled is said while the loan is open, to be chased; a
            // returned loan's borrower is shown as named, whatever has become of them since.
            cell: (loan) => (
              <BorrowerName
                name={loan.borrowerName}
                disabled={loan.borrowerDisabled && loan.returnedAt === null}
              />
            ),
          },
          {
            id: 'issued',
            name: 'Checked out',
            cell: (loan) => (
              <div className="device-name">
                <span>{formatTime(loan.issuedAt)}</span>
                <span className="device-serial">
                  by {loan.issuedByName}
                  {loan.aupAcceptedAtDesk ? ', AUP accepted at the desk' : ''}
                </span>
              </div>
            ),
          },
          {
            id: 'due',
            name: 'Due',
            cell: (loan) =>
              loan.status === 'overdue'
                ? `${formatDay(loan.dueAt)} (${daysWords(loan.daysOverdue)} overdue)`
                : formatDay(loan.dueAt),
          },
          {
            id: 'returned',
            name: 'Checked in',
            cell: (loan) => (loan.returnedAt ? formatTime(loan.returnedAt) : 'Not yet'),
          },
          {
            id: 'condition',
            name: 'Condition',
            cell: (loan) => conditionWords(loan),
          },
        ]}
      />
      {data.total > data.pageSize ? (
        <Pager
          label="Loan history pages"
          page={data.page}
          pageSize={data.pageSize}
          total={data.total}
          noun="loans"
          onPageChange={setPage}
        />
      ) : null}
    </>
  );
}

/** "Out: good. In: scratched (screen cracked), sent to repair". */
function conditionWords(loan: Loan): string {
  const parts = [`Out: ${loan.conditionOut ?? 'not recorded'}`];
  if (loan.returnedAt) {
    parts.push(
      `In: ${loan.conditionIn ?? 'not recorded'}${loan.damageNotes ? ` (${loan.damageNotes})` : ''}${
        loan.toRepair ? ', sent to repair' : ''
      }`,
    );
  }
  return parts.join('. ');
}
