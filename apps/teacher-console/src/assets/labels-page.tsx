// Office and ICT: a printable sheet of asset labels, one per asset the filters find (the same
// filters as the assets list, carried in the address), each the hub's label.svg. The print
// stylesheet hides everything but the labels and keeps each label whole on its page; a sheet holds
// LABELS_PER_SHEET, and a school with more prints one sheet after the other.
import type { Asset, Page as ApiPage } from '@app/hub-api';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { Button, ErrorMessage, Link, Page, Pager, StatusMessage, useAddressFilters } from '../ui';
import { AssetLabel } from './asset-label';
import { ANY, ASSETS_PATH, isAssetKind, isAssetStatus } from './asset-words';

/** Labels on one printed sheet: three across, eight down on A4. */
const LABELS_PER_SHEET = 24;

export default function LabelsPage() {
  const [params, change] = useAddressFilters();
  const search = params.get('q') ?? '';
  const status = params.get('status') ?? ANY;
  const kind = params.get('kind') ?? ANY;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const assets = useQuery({
    ...apiQuery<ApiPage<Asset>>(ASSETS_PATH, {
      search,
      status: isAssetStatus(status) ? status : undefined,
      kind: isAssetKind(kind) ? kind : undefined,
      page,
      pageSize: LABELS_PER_SHEET,
    }),
    placeholderData: keepPreviousData,
  });
  const back = new URLSearchParams(params);
  back.delete('page');
  const data = assets.data;
  return (
    <Page
      title="Asset labels"
      actions={
        <Button variant="primary" onPress={() => window.print()} isDisabled={!data?.items.length}>
          Print
        </Button>
      }
    >
      <p className="back-link no-print">
        <Link href={`/inventory${back.toString() ? `?${back}` : ''}`}>Back to the assets</Link>
      </p>
      <p className="page-intro no-print">
        One label per asset, with its tag as text, a QR code and a barcode. Print on A4 label sheets
        (three across, eight down) at 100% scale.
      </p>
      <ErrorMessage error={assets.error} title="Could not read the assets." />
      {!data ? (
        assets.isPending ? (
          <StatusMessage>Loading the labels…</StatusMessage>
        ) : null
      ) : data.items.length === 0 ? (
        <p className="table-empty">No assets match these filters, so there is nothing to print.</p>
      ) : (
        <>
          <ul className="label-sheet" aria-label="Labels">
            {data.items.map((asset) => (
              <li key={asset.id} className="label-sheet-item">
                <AssetLabel assetId={asset.id} assetTag={asset.assetTag} />
              </li>
            ))}
          </ul>
          {data.total > data.pageSize ? (
            <div className="no-print">
              <Pager
                label="Label sheets"
                page={data.page}
                pageSize={data.pageSize}
                total={data.total}
                noun={['label', 'labels']}
                onPageChange={(next) => change({ page: String(next) })}
              />
            </div>
          ) : null}
        </>
      )}
    </Page>
  );
}
