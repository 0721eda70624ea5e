// An asset's status in words with its mark: "✓ Available", "✕ Lost".
import { ASSET_STATUS_LABELS, type AssetStatus } from '@app/hub-api';
import { ASSET_STATUS_MARKS } from './asset-words';

export function AssetStatusWords({ status }: { status: AssetStatus }) {
  return (
    <span className={`asset-status asset-status-${status}`}>
      <span className="asset-status-mark" aria-hidden="true">
        {ASSET_STATUS_MARKS[status]}
      </span>
      {ASSET_STATUS_LABELS[status] ?? status}
    </span>
  );
}
