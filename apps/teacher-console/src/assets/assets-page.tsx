// Office and ICT: the school's assets (GET /api/assets), a page at a time from the hub: search by
// asset tag, serial number or model, filter by status and kind (kept in the address). Each row
// opens the asset's page with its loan history. From here: a new asset, the CSV import, and the
// printable labels of the assets the filters show.
import type { Asset, AssetKind, CreateAssetRequest, Page as ApiPage } from '@app/hub-api';
import { ASSET_KINDS } from '@app/hub-api';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api, apiQuery } from '../api/client';
import {
  BorrowerName,
  Button,
  DataTable,
  daysWords,
  Dialog,
  ErrorMessage,
  formatDay,
  Link,
  Page,
  Pager,
  Select,
  StatusMessage,
  TextField,
  useAddressFilters,
} from '../ui';
import { AssetStatusWords } from './asset-status';
import {
  ANY,
  ASSET_KIND_LABELS,
  assetErrorsOf,
  ASSETS_PATH,
  isAssetKind,
  isAssetStatus,
  KIND_OPTIONS,
  STATUS_OPTIONS,
} from './asset-words';

const PAGE_SIZE = 50;
const SEARCH_PAUSE_MS = 300;

export default function AssetsPage() {
  const [params, change] = useAddressFilters();
  const search = params.get('q') ?? '';
  const status = params.get('status') ?? ANY;
  const kind = params.get('kind') ?? ANY;
  const page = Math.max(1, Number(params.get('page')) || 1);

  const [typed, setTyped] = useState(search);
  useEffect(() => {
    if (typed.trim() === search) {
      return;
    }
    const timer = setTimeout(() => change({ q: typed.trim() }), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [typed, search]);

  const filters = {
    search,
    status: isAssetStatus(status) ? status : undefined,
    kind: isAssetKind(kind) ? kind : undefined,
  };
  const assets = useQuery({
    ...apiQuery<ApiPage<Asset>>(ASSETS_PATH, { ...filters, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  // The labels sheet prints the assets these filters find (every page of them, not just this one).
  const labelFilters = new URLSearchParams(params);
  labelFilters.delete('page');
  const labelsHref = `/inventory/labels${labelFilters.toString() ? `?${labelFilters}` : ''}`;
  const data = assets.data;
  const filtered = Boolean(search || filters.status || filters.kind);
  return (
    <Page
      title="Assets"
      actions={
        <>
          <NewAssetDialog />
          <Link className="page-action-link" href="/inventory/import">
            Import from CSV
          </Link>
          <Link className="page-action-link" href={labelsHref}>
            Print labels
          </Link>
        </>
      }
    >
      <form className="device-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <TextField
          label="Search"
          description="Asset tag, serial number or model"
          type="search"
          value={typed}
          onChange={setTyped}
        />
        <Select
          label="Status"
          value={filters.status ?? ANY}
          onChange={(value) => change({ status: value })}
          options={STATUS_OPTIONS}
        />
        <Select
          label="Kind"
          value={filters.kind ?? ANY}
          onChange={(value) => change({ kind: value })}
          options={KIND_OPTIONS}
        />
      </form>

      <ErrorMessage error={assets.error} title="Could not read the assets." />
      {!data ? (
        assets.isPending ? (
          <StatusMessage>Loading assets…</StatusMessage>
        ) : null
      ) : (
        <>
          <DataTable
            label="Assets"
            rows={data.items}
            rowKey={(asset) => asset.id}
            emptyText={
              filtered
                ? 'No assets match these filters.'
                : 'No assets yet: add one or import a CSV.'
            }
            columns={[
              {
                id: 'assetTag',
                name: 'Asset tag',
                isRowHeader: true,
                cell: (asset) => <Link href={`/inventory/${asset.id}`}>{asset.assetTag}</Link>,
              },
              { id: 'kind', name: 'Kind', cell: (asset) => ASSET_KIND_LABELS[asset.kind] },
              {
                id: 'model',
                name: 'Model and serial',
                cell: (asset) => (
                  <div className="device-name">
                    <span>{asset.model ?? '—'}</span>
                    {asset.serialNumber ? (
                      <span className="device-serial">{asset.serialNumber}</span>
                    ) : null}
                  </div>
                ),
              },
              {
                id: 'status',
                name: 'Status',
                cell: (asset) => <AssetStatusWords status={asset.status} />,
              },
              {
                id: 'where',
                name: 'With',
                cell: (asset) =>
                  asset.currentLoan ? (
                    <>
                      <BorrowerName
                        name={asset.currentLoan.borrowerName}
                        disabled={asset.currentLoan.borrowerDisabled}
                      />
                      {`, due ${formatDay(asset.currentLoan.dueAt)}${
                        asset.currentLoan.daysOverdue >= 1
                          ? ` (${daysWords(asset.currentLoan.daysOverdue)} overdue)`
                          : ''
                      }`}
                    </>
                  ) : (
                    '—'
                  ),
              },
            ]}
          />
          <Pager
            label="Asset list pages"
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            noun={['asset', 'assets']}
            onPageChange={(next) => change({ page: String(next) })}
          />
        </>
      )}
    </Page>
  );
}

const KIND_CHOICES = ASSET_KINDS.map((kind) => ({ value: kind, label: ASSET_KIND_LABELS[kind] }));

/**
 * "New asset": POST /api/assets; a tag already used (409) is said beside the tag, a serial number
 * another asset has (409 "Serial number … is already on asset …") beside the serial number.
 */
function NewAssetDialog() {
  const [isOpen, setOpen] = useState(false);
  const [assetTag, setAssetTag] = useState('');
  const [kind, setKind] = useState<AssetKind>('laptop');
  const [serialNumber, setSerialNumber] = useState('');
  const [model, setModel] = useState('');
  const [condition, setCondition] = useState('');
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: () => {
      const body: CreateAssetRequest = { assetTag: assetTag.trim(), kind };
      const optional = { serialNumber, model, condition };
      for (const [key, value] of Object.entries(optional)) {
        if (value.trim() !== '') {
          body[key as keyof typeof optional] = value.trim();
        }
      }
      return api<Asset>(ASSETS_PATH, { method: 'POST', body });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: [ASSETS_PATH] });
      setOpen(false);
    },
  });
  const open = (next: boolean) => {
    setOpen(next);
    if (next) {
      setAssetTag('');
      setKind('laptop');
      setSerialNumber('');
      setModel('');
      setCondition('');
      create.reset();
    }
  };
  const error = create.error;
  // Each at its field by the hub's code (a taken tag or serial), or each part of a 400 at the
  // field it names first; the parts that name none above the buttons.
  const placed = assetErrorsOf(error);
  const serialError = placed.byField.serialNumber ?? null;
  const tagError = placed.byField.assetTag ?? null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Dialog
      title="New asset"
      isOpen={isOpen}
      onOpenChange={open}
      trigger={<Button variant="primary">New asset</Button>}
    >
      {(close) => (
        <Form className="form" onSubmit={submit}>
          <TextField
            label="Asset tag"
            description="As printed on its label: letters, digits, dots, dashes or underscores."
            value={assetTag}
            onChange={setAssetTag}
            errorMessage={tagError}
            isRequired
            autoFocus
          />
          <Select
            label="Kind"
            value={kind}
            onChange={(value) => setKind(value as AssetKind)}
            options={KIND_CHOICES}
          />
          <TextField
            label="Serial number"
            description="Matches the device when it enrols."
            value={serialNumber}
            onChange={setSerialNumber}
            errorMessage={serialError}
          />
          <TextField label="Model" value={model} onChange={setModel} />
          <TextField label="Condition" value={condition} onChange={setCondition} />
          <ErrorMessage error={error} message={placed.form} title="Could not add the asset." />
          <div className="dialog-actions">
            <Button onPress={close}>Cancel</Button>
            <Button type="submit" variant="primary" isPending={create.isPending}>
              Add asset
            </Button>
          </div>
        </Form>
      )}
    </Dialog>
  );
}
