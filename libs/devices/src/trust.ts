// Which TLS certificates a device trusts when its hub is https://: Node's built-in roots, plus
// the CA the operator gave (a file, or the hub's own CA fetched once and checked against the
// SHA-256 fingerprint the operator read off the hub). Verification is never turned off for
// anything a device sends or believes; the one unverified request, for the CA certificate
// itself, is accepted only when its fingerprint matches.

import { X509Certificate } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';

/** Where the hub publishes its CA certificate (public). */
export const CA_PEM_PATH = '/api/ca.pem';

/** The certificates a device trusts for its hub's TLS certificate. */
export interface HubTrust {
  /** CA certificates (PEM) trusted in addition to Node's built-in roots. */
  caPems: readonly string[];
}

/** A CA that cannot be read, or a fingerprint that does not match. */
export class HubTrustError extends Error {
  override readonly name = 'HubTrustError';
}

/** Codes Node gives a TLS connection whose certificate it does not trust. */
const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether an error (or its cause) is a TLS certificate the device does not trust. */
export function isUntrustedCertificateError(error: unknown): boolean {
  // Duck-typed: fetch's errors may come from another realm, where `instanceof Error` is false.
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth += 1) {
    const { code, cause } = e as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && UNTRUSTED_CODES.has(code)) {
      return true;
    }
    e = cause;
  }
  return false;
}

/** A certificate's SHA-256 fingerprint as upper-case hex pairs joined by colons (as openssl). */
export function certificateFingerprint(pem: string): string {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    throw new HubTrustError('the CA certificate is not a PEM X.509 certificate');
  }
}

/**
 * Reads a SHA-256 fingerprint as people copy it: with or without colons or spaces, any case.
 * Throws `HubTrustError` unless it is 32 bytes of hex.
 */
export function normaliseFingerprint(text: string): string {
  const hex = text.replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new HubTrustError(
      'a CA fingerprint is the 64 hex digits of its SHA-256, as the hub prints it',
    );
  }
  return hex.match(/../g)!.join(':');
}

/**
 * Trust for a CA certificate the operator supplied (PEM text). Throws `HubTrustError` when it is
 * not a CA certificate that parses.
 */
export function trustCa(pem: string): HubTrust {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new HubTrustError('the CA file does not hold a PEM X.509 certificate');
  }
  if (!certificate.ca) {
    throw new HubTrustError('the CA file holds a certificate that is not a CA');
  }
  return { caPems: [pem] };
}

const agents = new WeakMap<HubTrust, https.Agent>();

/**
 * One HTTPS agent per trust: the secure context (Node's roots plus the given CAs) is built once,
 * not for each of the simulator's ten thousand connections.
 */
export function trustAgent(trust: HubTrust): https.Agent {
  let agent = agents.get(trust);
  if (!agent) {
    agent = new https.Agent({
      secureContext: tls.createSecureContext({ ca: [...tls.rootCertificates, ...trust.caPems] }),
    });
    agents.set(trust, agent);
  }
  return agent;
}

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(
  url: URL,
  options: https.RequestOptions,
  body: string | undefined,
  signal: AbortSignal | undefined,
): Promise<RawAnswer> {
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...options, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A `fetch` for the hub that trusts `trust`'s CAs: the small part of fetch enrolment uses
 * (method, headers, a string body, a signal), over node:https with `trustAgent(trust)`.
 */
export function trustingFetch(trust: HubTrust): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const body = typeof init?.body === 'string' ? init.body : undefined;
    let answer: RawAnswer;
    try {
      answer = await request(
        url,
        {
          method: init?.method ?? 'GET',
          headers,
          agent: url.protocol === 'https:' ? trustAgent(trust) : undefined,
        },
        body,
        init?.signal ?? undefined,
      );
    } catch (error) {
      // As the global fetch reports it: a TypeError whose cause says why.
      throw new TypeError('fetch failed', { cause: error });
    }
    const nullBody = [101, 204, 205, 304].includes(answer.status);
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        responseHeaders.append(name, item);
      }
    }
    return new Response(nullBody ? null : answer.body, {
      status: answer.status,
      headers: responseHeaders,
    });
  };
}

/**
 * Fetches the hub's CA certificate (GET /api/ca.pem) for a first enrolment, and trusts it only
 * if its SHA-256 fingerprint is the one the operator gave (read off the hub's start-up output or
 * GET /api/school on a trusted screen). This one request is made without checking the hub's TLS
 * certificate, since the device cannot check it yet; nothing secret is sent, and what comes back
 * is checked against the fingerprint instead.
 *
 * @throws HubTrustError when the fingerprint does not match or the answer is not a certificate
 */
export async function fetchPinnedCa(
  hubUrl: string,
  fingerprint: string,
  signal?: AbortSignal,
): Promise<HubTrust> {
  const expected = normaliseFingerprint(fingerprint);
  const url = new URL(`${hubUrl.replace(/\/+$/, '')}${CA_PEM_PATH}`);
  let answer: RawAnswer;
  try {
    answer = await request(
      url,
      { method: 'GET', headers: { accept: 'application/x-pem-file' }, rejectUnauthorized: false },
      undefined,
      signal,
    );
  } catch (error) {
    throw new HubTrustError(
      `could not fetch the hub's CA from ${url.href}: ${(error as Error).message}`,
    );
  }
  if (answer.status !== 200) {
    throw new HubTrustError(`the hub answered ${url.href} with HTTP ${answer.status}`);
  }
  const pem = answer.body.toString('utf8');
  const actual = certificateFingerprint(pem);
  if (actual !== expected) {
    throw new HubTrustError(
      `the CA the hub sent has fingerprint ${actual}, not ${expected}: it is not trusted. ` +
        'Check the fingerprint the hub printed, and that this is the right hub.',
    );
  }
  return trustCa(pem);
}
