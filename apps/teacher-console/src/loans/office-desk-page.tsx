// Office: the desk, built around one scan box (issue 13). A keyboard-wedge scanner types the tag
// and Enter; the hub says what the asset is (GET /api/assets/by-tag/:tag) and the right action
// comes up: check-out for an available asset, check-in for one on loan, and plain words for
// anything else (in repair, lost, on a trip). After each check-out or check-in the focus goes
// back to the scan box for the next person in the queue, with what was done said above it.
import type { Asset } from '@app/hub-api';
import { ASSET_STATUS_LABELS } from '@app/hub-api';
import { useMutation } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { api, ApiError } from '../api/client';
import { ErrorMessage, Link, Page, ScanBox, StatusMessage } from '../ui';
import { CheckInPanel } from './check-in-panel';
import { CheckOutPanel } from './check-out-panel';
import { byTagPath } from './loan-words';

export default function OfficeDeskPage() {
  const scanBox = useRef<HTMLInputElement>(null);
  const [done, setDone] = useState<string | null>(null);
  const lookup = useMutation({
    mutationFn: (tag: string) => api<Asset>(byTagPath(tag)),
  });
  const backToScan = (message: string | null) => {
    setDone(message);
    lookup.reset();
    // After React has removed the panel, so nothing in it takes the focus back.
    requestAnimationFrame(() => scanBox.current?.focus());
  };
  const asset = lookup.data;
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
        isPending={lookup.isPending}
        onScan={(tag) => {
          setDone(null);
          lookup.mutate(tag);
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
          No asset has the tag {lookup.variables}. Check the label, or add it on the Assets page.
        </p>
      ) : (
        <ErrorMessage error={lookup.error} title="Could not look up that tag." />
      )}
      {asset ? <DeskAction key={asset.id} asset={asset} onDone={backToScan} /> : null}
    </Page>
  );
}

/** What the desk does with the asset scanned. */
function DeskAction({ asset, onDone }: { asset: Asset; onDone: (message: string | null) => void }) {
  if (asset.status === 'available') {
    return <CheckOutPanel asset={asset} onDone={onDone} />;
  }
  if (asset.status === 'on_loan' && asset.currentLoan) {
    return <CheckInPanel asset={asset} loan={asset.currentLoan} onDone={onDone} />;
  }
  const why: Record<string, string> = {
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
