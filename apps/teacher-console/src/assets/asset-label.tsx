// An asset's printable label (GET /api/assets/:id/label.svg: the tag as text, a QR code and a
// Code 128 barcode). The hub wants the bearer token, which an <img src> cannot send, so the SVG
// is read through the API client and shown as a data: URL (the CSP allows img-src data:, and an
// SVG shown as an image runs no script).
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { StatusMessage } from '../ui';
import { assetPath } from './asset-words';

/** The label's address on the hub. */
export const labelPath = (assetId: string) => `${assetPath(assetId)}/label.svg`;

export function AssetLabel({ assetId, assetTag }: { assetId: string; assetTag: string }) {
  const label = useQuery({ ...apiQuery<string>(labelPath(assetId)), staleTime: Infinity });
  if (label.error) {
    return (
      <p className="asset-label asset-label-missing">Label for {assetTag} could not be read.</p>
    );
  }
  if (!label.data) {
    return (
      <div className="asset-label asset-label-missing">
        <StatusMessage>Loading the label of {assetTag}…</StatusMessage>
      </div>
    );
  }
  return (
    <img
      className="asset-label"
      src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(label.data)}`}
      alt={`Label of ${assetTag}: its tag as text, a QR code and a barcode`}
    />
  );
}
