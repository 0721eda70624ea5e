// The device side of photo sync (protocol section 5): one photo uploaded with tus 1.0.0 through
// tus-js-client, a fresh device proof on every request, resumable from the upload URL the hub
// gave; and the receipt a device must hold before it deletes its own copy.
import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { DefaultHttpStack, DetailedError, Upload } from 'tus-js-client';
import { normaliseHubUrl } from './enroll';
import { makeProof } from './proof';
import { trustAgent, trustingFetch, type HubTrust } from './trust';

/** The tus endpoint of protocol section 5. */
export const PHOTO_UPLOAD_PATH = '/api/photos/uploads';

/** The kinds a device may upload. */
export type PhotoKind = 'image/jpeg' | 'image/png' | 'image/heic';

/** Who the device is, to sign its requests. */
export interface PhotoDevice {
  hubUrl: string;
  deviceId: string;
  privateKeyPem: string | KeyObject;
  trust?: HubTrust;
  /** The clock in proofs; defaults to Date.now. */
  now?: () => number;
}

/** The receipt of protocol section 5. */
export interface PhotoReceiptBody {
  sha256: string;
  storedAt: string;
  storedSha256: string;
  tripId?: string;
}

/** An upload the hub refused or could not take: `status` is its HTTP status, 0 for no answer. */
export class PhotoUploadError extends Error {
  override readonly name = 'PhotoUploadError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface UploadPhotoOptions {
  /** The file's bytes as taken. */
  bytes: Buffer;
  /** Lowercase hex SHA-256 of `bytes` (see `photoSha256`). */
  sha256: string;
  contentType: PhotoKind;
  /** When it was taken: RFC 3339 (`2026-06-12T13:22:33Z`). */
  takenAt: string;
  tripId?: string | null;
  /** Resume this upload (a URL the hub gave before); a new one is made if the hub has lost it. */
  uploadUrl?: string | null;
  /** Called once the hub has given the upload its URL: keep it to resume after a restart. */
  onUploadUrl?: (url: string) => void;
  /** Bytes per PATCH; default 8 MiB. */
  chunkSize?: number;
  /** Waits between retries of a dropped request, in ms; default [0, 1000, 3000, 5000]. */
  retryDelays?: number[];
  /** Called as bytes are sent. */
  onProgress?: (sent: number, total: number) => void;
  /** Stops the upload (a shutdown); it can be resumed later from its URL. */
  signal?: AbortSignal;
}

/** Lowercase hex SHA-256 of a photo's bytes. */
export function photoSha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The kind of a picture by its first bytes (JPEG, PNG, HEIC), or null. */
export function photoKindOf(bytes: Buffer): PhotoKind | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg';
  }
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) {
    return 'image/png';
  }
  if (bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp') {
    const brand = bytes.toString('latin1', 8, 12);
    if (['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'].includes(brand)) {
      return 'image/heic';
    }
  }
  return null;
}

/**
 * Uploads one photo (or resumes it from `uploadUrl` at the offset the hub reports with HEAD).
 * Dropped connections are retried after `retryDelays`; a 4xx answer is final.
 *
 * @returns the upload's URL
 * @throws PhotoUploadError with the hub's status: 460 (the bytes do not match `sha256`; the hub
 *   kept nothing), 415 (not that kind of picture), 400 (bad metadata, unknown trip), 401 (proof
 *   refused: revoked), 413 (too large), 0 (the hub could not be reached); or an AbortError
 */
export function uploadPhoto(device: PhotoDevice, options: UploadPhotoOptions): Promise<string> {
  const endpoint = `${normaliseHubUrl(device.hubUrl)}${PHOTO_UPLOAD_PATH}`;
  const now = device.now ?? Date.now;
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const upload = new Upload(options.bytes, {
      endpoint,
      uploadUrl: options.uploadUrl ?? null,
      uploadSize: options.bytes.length,
      chunkSize: options.chunkSize ?? 8 * 1024 * 1024,
      retryDelays: options.retryDelays ?? [0, 1000, 3000, 5000],
      metadata: {
        sha256: options.sha256,
        contentType: options.contentType,
        takenAt: options.takenAt,
        ...(options.tripId ? { tripId: options.tripId } : {}),
      },
      // No fingerprint storage: the caller keeps the URL (the agent, in its own journal).
      storeFingerprintForResuming: false,
      removeFingerprintOnSuccess: false,
      ...(device.trust
        ? { httpStack: new DefaultHttpStack({ agent: trustAgent(device.trust) }) }
        : {}),
      onBeforeRequest: (req) => {
        req.setHeader(
          'Authorization',
          `Device ${makeProof(device.deviceId, device.privateKeyPem, { now: now() })}`,
        );
      },
      onUploadUrlAvailable: () => {
        if (upload.url) {
          options.onUploadUrl?.(upload.url);
        }
      },
      onProgress: options.onProgress,
      onSuccess: () => {
        settled = true;
        resolve(upload.url ?? '');
      },
      onError: (error) => {
        settled = true;
        const status =
          error instanceof DetailedError ? (error.originalResponse?.getStatus() ?? 0) : 0;
        const body =
          error instanceof DetailedError ? (error.originalResponse?.getBody() ?? '') : '';
        reject(
          new PhotoUploadError(
            status,
            status === 0
              ? `the hub could not be reached: ${error.message}`
              : `the hub answered ${status}: ${String(body).trim().slice(0, 200)}`,
          ),
        );
      },
    });
    options.signal?.addEventListener('abort', () => {
      if (!settled) {
        settled = true;
        void upload.abort(false);
        reject(Object.assign(new Error('the upload was stopped'), { name: 'AbortError' }));
      }
    });
    upload.start();
  });
}

/**
 * Asks the hub for a photo's receipt (protocol section 5).
 *
 * @returns the receipt on 200, null on 404 (not stored yet)
 * @throws PhotoUploadError for any other answer, or status 0 when the hub cannot be reached
 */
export async function fetchPhotoReceipt(
  device: PhotoDevice,
  sha256: string,
): Promise<PhotoReceiptBody | null> {
  const doFetch = device.trust ? trustingFetch(device.trust) : fetch;
  const now = device.now ?? Date.now;
  let response: Response;
  try {
    response = await doFetch(`${normaliseHubUrl(device.hubUrl)}/api/photos/receipts/${sha256}`, {
      headers: {
        Authorization: `Device ${makeProof(device.deviceId, device.privateKeyPem, { now: now() })}`,
      },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new PhotoUploadError(0, `the hub could not be reached: ${(error as Error).message}`);
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return null;
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new PhotoUploadError(response.status, `the receipt answer was ${response.status}`);
  }
  return (await response.json()) as PhotoReceiptBody;
}
