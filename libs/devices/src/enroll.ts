// Enrolment from the device's side (protocol section 1): make a key pair and a certificate
// request, trade them and a token for a device id and certificate, and check what came back.

import { createPublicKey, X509Certificate } from 'node:crypto';
import { withDeadline } from './deadline';
import { createCsr, createDeviceKeyPair, type DeviceKeyPair } from './identity';
import {
  ENROLL_PATH,
  type EnrollDeviceInfo,
  type EnrollRequest,
  type EnrollResponse,
} from './protocol';
import { isUntrustedCertificateError, trustingFetch, type HubTrust } from './trust';

/** Everything a device keeps after enrolling; the private key must be stored privately. */
export interface DeviceIdentity {
  deviceId: string;
  serialNumber: string;
  privateKeyPem: string;
  certificatePem: string;
  caCertificatePem: string;
  hubUrl: string;
}

export interface EnrollOptions {
  hubUrl: string;
  token: string;
  device: EnrollDeviceInfo;
  /** Defaults to a fresh 2048-bit key pair. */
  keys?: DeviceKeyPair;
  /**
   * For an https:// hub whose certificate Node's built-in roots do not vouch for: the CA to trust
   * as well (`trustCa`, `fetchPinnedCa`). Ignored when `fetch` is given.
   */
  trust?: HubTrust;
  /** Defaults to the global fetch (or one that trusts `trust`). */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /**
   * How long the hub may take to answer, in ms: first its headers, then its body, each within
   * this (default ENROLL_TIMEOUT_MS). A hub that takes the request and never answers fails the
   * enrolment with EnrollmentError rather than holding it for ever.
   */
  timeoutMs?: number;
}

/** How long a hub may take over an enrolment's answer by default, in ms (its headers, its body). */
export const ENROLL_TIMEOUT_MS = 60_000;

export class EnrollmentError extends Error {
  override readonly name = 'EnrollmentError';

  /** The hub's HTTP status; undefined when the hub could not be reached. */
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export async function enrollDevice(opts: EnrollOptions): Promise<DeviceIdentity> {
  const hubUrl = normaliseHubUrl(opts.hubUrl);
  const keys = opts.keys ?? (await createDeviceKeyPair());
  const request: EnrollRequest = {
    token: opts.token,
    csr: createCsr(opts.device.serialNumber, keys),
    device: opts.device,
  };

  const doFetch = opts.fetch ?? (opts.trust ? trustingFetch(opts.trust) : fetch);
  const timeoutMs = opts.timeoutMs ?? ENROLL_TIMEOUT_MS;
  let response: Response;
  try {
    response = await withDeadline(timeoutMs, opts.signal, (deadline) =>
      doFetch(`${hubUrl}${ENROLL_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(request),
        signal: deadline,
      }),
    );
  } catch (error) {
    const hint = isUntrustedCertificateError(error)
      ? "; the hub's TLS certificate is not trusted here: give the CA that signed it"
      : '';
    throw new EnrollmentError(`could not reach the hub at ${hubUrl}: ${describe(error)}${hint}`);
  }

  // A body that does not come within the limit reads as none, as a broken one always did.
  const text = await withDeadline(timeoutMs, opts.signal, () => response.text()).catch(async () => {
    await response.body?.cancel().catch(() => undefined);
    return '';
  });
  if (response.status !== 201) {
    throw new EnrollmentError(refusalMessage(response.status, text), response.status);
  }
  const body = parseEnrollResponse(text);
  checkCertificate(body, keys.publicKeyPem);
  return {
    deviceId: body.deviceId,
    serialNumber: opts.device.serialNumber,
    privateKeyPem: keys.privateKeyPem,
    certificatePem: body.certificate,
    caCertificatePem: body.caCertificate,
    hubUrl,
  };
}

export class InvalidHubUrlError extends Error {
  override readonly name = 'InvalidHubUrlError';
}

/** "https://hub.school.example/" and "https://hub.school.example" are the same hub. */
export function normaliseHubUrl(hubUrl: string): string {
  let url: URL;
  try {
    url = new URL(hubUrl);
  } catch {
    throw new InvalidHubUrlError(`hub URL is not a URL: ${hubUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidHubUrlError(`hub URL must be http or https, not ${url.protocol}`);
  }
  return url.toString().replace(/\/+$/, '');
}

function refusalMessage(status: number, text: string): string {
  let said = '';
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string') {
      said = message;
    } else if (Array.isArray(message)) {
      said = message.filter((m) => typeof m === 'string').join('; ');
    }
  } catch {
    // Not JSON: say only the status.
  }
  const why =
    status === 401
      ? 'the enrolment token is missing, unknown, expired or used up'
      : status === 400
        ? 'the hub refused the request as invalid'
        : status === 409 && /^Asset tag /.test(said)
          ? // The hub's other 409: one asset tag names one active device (migration 1764840000000).
            "the asset tag it gives is already another device's"
          : status === 409
            ? // Protocol 1.1 section 1: an enrolled, unrevoked serial needs a re-enrolment token.
              'this serial number is already enrolled with the hub; re-enrolling it needs a ' +
              're-enrolment token from ICT, or the device revoked first'
            : 'the hub refused the enrolment';
  return `${why} (HTTP ${status})${said ? `: ${said.slice(0, 300)}` : ''}`;
}

function parseEnrollResponse(text: string): EnrollResponse {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new EnrollmentError('the hub answered enrolment with a body that is not JSON', 201);
  }
  const { deviceId, certificate, caCertificate } = (body ?? {}) as Partial<EnrollResponse>;
  if (
    typeof deviceId !== 'string' ||
    deviceId.length === 0 ||
    typeof certificate !== 'string' ||
    typeof caCertificate !== 'string'
  ) {
    throw new EnrollmentError('the hub answered enrolment without deviceId and certificates', 201);
  }
  return { deviceId, certificate, caCertificate };
}

/** The certificate must be for our own key and issued by the hub's CA, or it is useless. */
function checkCertificate(body: EnrollResponse, publicKeyPem: string): void {
  let certificate: X509Certificate;
  let ca: X509Certificate;
  try {
    certificate = new X509Certificate(body.certificate);
    ca = new X509Certificate(body.caCertificate);
  } catch {
    throw new EnrollmentError(
      'the hub answered enrolment with a certificate that does not parse',
      201,
    );
  }
  const ours = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  const theirs = certificate.publicKey.export({ type: 'spki', format: 'der' });
  if (!ours.equals(theirs)) {
    throw new EnrollmentError('the hub issued a certificate for a different key', 201);
  }
  if (!certificate.verify(ca.publicKey)) {
    throw new EnrollmentError('the certificate is not signed by the hub CA it came with', 201);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
