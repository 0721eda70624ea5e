// Office: the desk, built around one scan box (issue 13). A keyboard-wedge scanner types the tag
// and Enter; the hub says what the asset is (GET /api/assets/by-tag/:tag) and the right action
// comes up: check-out for an available asset, check-in for one with an open loan (on loan, or
// lost while on loan and now found), and plain words for anything else (in repair, lost, on a
// trip). The focus follows the work, so a keyboard or scanner user never touches the screen: a
// scan that opens a check-out or check-in puts it in that panel's first field (the borrower, or
// the condition coming back), each scan's panel afresh, even of the tag already shown; a scan
// with nothing to do (not found, in repair, lost, on a trip) leaves it in the scan box; after each
// check-out, check-in or Cancel it goes back to the scan box for the next person in the queue,
// with what was done said above it.
// The tag looked up is in the address (`/desk?tag=LOAN-001`), so a reload, or a link to the
// desk, shows the same asset; it leaves the address once the asset is done with.
import type { Asset } from '@app/hub-api';
import { ASSET_STATUS_LABELS } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ApiError, apiQuery } from '../api/client';
import { ErrorMessage, Link, Page, ScanBox, StatusMessage, useAddressFilters } from '../ui';
import { CheckInPanel } from './check-in-panel';
import { CheckOutPanel } from './check-out-panel';
import { byTagPath, deskActionOf, LOCKED_AS_LOST_WORDS } from './loan-words';

/** The office desk: one scan box, then the action the scanned asset needs. */
export default function OfficeDeskPage() {
  const scanBox = useRef<HTMLInputElement>(null);
  const [params, change] = useAddressFilters();
  const tag = params.get('tag') ?? '';
  const [done, setDone] = useState<string | null>(null);
  /** Scans made: each opens its panel afresh, so its first field takes the focus again. */
  const [scans, setScans] = useState(0);
  /** Why the asset shown changed under the clerk (another desk checked it out or in first). */
  const [moved, setMoved] = useState<string | null>(null);
  const lookup = useQuery({
    ...apiQuery<Asset>(byTagPath(tag)),
    enabled: tag !== '',
    // Each scan reads the asset as it is now, and an open panel is not swapped under the clerk
    // when the tab regains the focus (the hub refuses an action on an asset that moved on).
    staleTime: 0,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
  const backToScan = (message: string | null) => {
    setDone(message);
    setMoved(null);
    // The asset's answer goes with the tag (gcTime 0): a scan of it again reads it afresh.
    change({ tag: '' });
    // After React has removed the panel, so nothing in it takes the focus back.
    requestAnimationFrame(() => scanBox.current?.focus());
  };
  /** Another desk was first: say so, and show the asset as it is now (its other panel). */
  const showAsItIsNow = (notice: string) => {
    setMoved(notice);
    void lookup.refetch();
  };
  const asset = tag ? lookup.data : undefined;
  const notFound = lookup.error instanceof ApiError && lookup.error.status === 404;
  return (
    <Page
      title="Office desk"
      actions={
        <Link className="page-action-link" href="/loans/overdue">
          Overdue loans
        </Link>
      }
    >
      <ScanBox
        focusRef={scanBox}
        autoFocus
        description="An available asset opens check-out; one on loan opens check-in."
        isPending={lookup.isFetching}
        onScan={(scanned) => {
          setDone(null);
          setMoved(null);
          setScans((count) => count + 1);
          if (scanned === tag) {
            // The same tag again: read it afresh (it may have been checked out meanwhile).
            void lookup.refetch();
          } else {
            change({ tag: scanned });
          }
        }}
      />
      {done ? (
        <p className="desk-done" role="status">
          <span aria-hidden="true">✓ </span>
          {done}
        </p>
      ) : null}
      {notFound ? (
        <p className="error-message" role="alert">
          No asset has the tag {tag}. Check the label, or add it on the Assets page.
        </p>
      ) : (
        <ErrorMessage error={lookup.error} title="Could not look up that tag." />
      )}
      {moved && asset ? (
        <p className="error-message" role="alert">
          {moved}
        </p>
      ) : null}
      {asset ? (
        <DeskAction
          key={`${asset.id} ${scans}`}
          asset={asset}
          onDone={backToScan}
          onMoved={showAsItIsNow}
        />
      ) : null}
    </Page>
  );
}

/** What the desk does with the asset scanned. */
function DeskAction({
  asset,
  onDone,
  onMoved,
}: {
  asset: Asset;
  onDone: (message: string | null) => void;
  onMoved: (notice: string) => void;
}) {
  const action = deskActionOf(asset);
  if (action === 'check_in' && asset.currentLoan) {
    return (
      <CheckInPanel asset={asset} loan={asset.currentLoan} onDone={onDone} onMoved={onMoved} />
    );
  }
  if (action === 'check_out') {
    return <CheckOutPanel asset={asset} onDone={onDone} onMoved={onMoved} />;
  }
  const why: Record<string, string> = {
    available: LOCKED_AS_LOST_WORDS,
    on_trip: 'It is out on a trip: the trip leader checks it in by scan on the trip’s page.',
    in_repair: 'It is in repair. Once repaired, make it available on its page.',
    lost: 'It is marked lost. If it has been found, make it available on its page.',
    retired: 'It is retired and is not lent any more.',
  };
  return (
    <section className="desk-panel" aria-labelledby="desk-panel-title">
      <h2 id="desk-panel-title">
        {asset.assetTag}: {ASSET_STATUS_LABELS[asset.status]}
      </h2>
      <StatusMessage>{why[asset.status] ?? 'It cannot be checked out or in here.'}</StatusMessage>
      <p>
        <Link href={`/inventory/${asset.id}`}>Open {asset.assetTag}</Link>
      </p>
    </section>
  );
}
