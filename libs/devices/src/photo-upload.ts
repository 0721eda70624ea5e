// The device side of photo sync (protocol section 5): one photo uploaded with tus 1.0.0 through
// tus-js-client, a fresh device proof on every request, resumable from the upload URL the hub
// gave; and the receipt a device must hold before it deletes its own copy.
import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { ClientRequest } from 'node:http';
import {
  DefaultHttpStack,
  DetailedError,
  Upload,
  type HttpRequest,
  type HttpResponse,
  type HttpStack,
} from 'tus-js-client';
import { withDeadline } from './deadline';
import { normaliseHubUrl } from './enroll';
import { makeProof } from './proof';
import { trustAgent, trustingFetch, type HubTrust } from './trust';

/** The tus endpoint of protocol section 5. */
export const PHOTO_UPLOAD_PATH = '/api/photos/uploads';

/**
 * How long one tus request may go without a byte sent or received before it is dropped (and
 * retried), in ms: a hub that died or a network that vanished mid-request never hangs an upload.
 */
export const PHOTO_REQUEST_IDLE_MS = 30_000;

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
  /** See PHOTO_REQUEST_IDLE_MS (the default). */
  idleTimeoutMs?: number;
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
 * Dropped connections, and requests idle for `idleTimeoutMs`, are retried after `retryDelays`; a
 * 4xx answer is final. So it always settles: once the retries are spent, with status 0.
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
      httpStack: new WatchedHttpStack(
        new DefaultHttpStack(device.trust ? { agent: trustAgent(device.trust) } : {}),
        options.idleTimeoutMs ?? PHOTO_REQUEST_IDLE_MS,
      ),
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
        options.signal?.removeEventListener('abort', onAbort);
        resolve(upload.url ?? '');
      },
      onError: (error) => {
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
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
    const onAbort = () => {
      if (!settled) {
        settled = true;
        void upload.abort(false);
        reject(Object.assign(new Error('the upload was stopped'), { name: 'AbortError' }));
      }
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    upload.start();
  });
}

/**
 * Asks the hub for a photo's receipt (protocol section 5). Gives up when the answer's headers, or
 * then its body, take longer than `timeoutMs` each, or when `signal` is aborted.
 *
 * @param timeoutMs how long to wait for the headers, and again for the body, ms (default 30,000)
 * @returns the receipt on 200, null on 404 (not stored yet)
 * @throws PhotoUploadError for any other answer, or status 0 when the hub cannot be reached or
 *   did not answer in time (or `signal` stopped it)
 */
export async function fetchPhotoReceipt(
  device: PhotoDevice,
  sha256: string,
  signal?: AbortSignal,
  timeoutMs = 30_000,
): Promise<PhotoReceiptBody | null> {
  const doFetch = device.trust ? trustingFetch(device.trust) : fetch;
  const now = device.now ?? Date.now;
  let response: Response;
  try {
    response = await withDeadline(timeoutMs, signal, (deadline) =>
      doFetch(`${normaliseHubUrl(device.hubUrl)}/api/photos/receipts/${sha256}`, {
        headers: {
          Authorization: `Device ${makeProof(device.deviceId, device.privateKeyPem, { now: now() })}`,
        },
        signal: deadline,
      }),
    );
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
  try {
    return (await withDeadline(timeoutMs, signal, () => response.json())) as PhotoReceiptBody;
  } catch (error) {
    await response.body?.cancel().catch(() => undefined);
    throw new PhotoUploadError(0, `the receipt was cut off: ${(error as Error).message}`);
  }
}

/**
 * tus-js-client's Node HTTP stack with the two ways a request can hang closed (found when a hub
 * was killed under an agent, issue 14): a request idle for `idleMs` (no byte either way: a hub
 * stopped, a network gone) is destroyed, and a connection that closes after the answer's headers
 * but before its end fails the request (the stack itself waits for an `end` that never comes).
 * Either way the request fails with no status, which tus-js-client retries after its delays.
 */
export class WatchedHttpStack implements HttpStack {
  constructor(
    private readonly inner: HttpStack,
    private readonly idleMs: number,
  ) {}

  createRequest(method: string, url: string): HttpRequest {
    return new WatchedHttpRequest(this.inner.createRequest(method, url), this.idleMs);
  }

  getName(): string {
    return `Watched${this.inner.getName()}`;
  }
}

class WatchedHttpRequest implements HttpRequest {
  constructor(
    private readonly inner: HttpRequest,
    private readonly idleMs: number,
  ) {}

  getMethod(): string {
    return this.inner.getMethod();
  }

  getURL(): string {
    return this.inner.getURL();
  }

  setHeader(header: string, value: string): void {
    this.inner.setHeader(header, value);
  }

  getHeader(header: string): string | undefined {
    return this.inner.getHeader(header);
  }

  setProgressHandler(handler: (bytesSent: number) => void): void {
    this.inner.setProgressHandler(handler);
  }

  send(body: unknown): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const settle = (response: HttpResponse | null, error?: Error) => {
        if (settled) {
          return;
        }
        settled = true;
        if (response) {
          resolve(response);
        } else {
          reject(error ?? new Error('the request failed'));
        }
      };
      this.inner.send(body).then(
        (response) => settle(response),
        (error: Error) => settle(null, error),
      );
      // The stack made its http.ClientRequest synchronously inside send().
      const req = this.inner.getUnderlyingObject() as ClientRequest | null;
      if (!req) {
        return;
      }
      req.setTimeout(this.idleMs, () => {
        req.destroy(new Error(`the hub sent nothing for ${Math.round(this.idleMs / 1000)} s`));
      });
      // After a normal answer the stack has resolved before this runs (setImmediate comes after
      // its promise callbacks), so this only fails a request whose answer was cut off.
      req.once('close', () =>
        setImmediate(() =>
          settle(null, new Error('the connection to the hub closed before its answer ended')),
        ),
      );
    });
  }

  abort(): Promise<void> {
    return this.inner.abort();
  }

  getUnderlyingObject(): unknown {
    return this.inner.getUnderlyingObject();
  }
}
