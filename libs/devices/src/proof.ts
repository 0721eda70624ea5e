// Device proofs (protocol section 2): a device signs "v1.<deviceId>.<unixMillis>.<nonce>" with its
// private key for every connection and request. Making, parsing and checking them; the hub keeps
// the seen nonces itself.

import {
  constants,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';

export const PROOF_VERSION = 'v1';

/** How far a proof's time may be from the hub's clock, either way. */
export const PROOF_WINDOW_MS = 300_000;

/**
 * Longest proof accepted. A 2048-bit key makes proofs of about 420 characters; the limit leaves
 * room for keys up to 8192 bits ("2048 bits or more") and refuses anything larger unread.
 */
export const PROOF_MAX_LENGTH = 2048;

const DEVICE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MILLIS_PATTERN = /^(0|[1-9][0-9]{0,15})$/;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** base64url characters, then RFC 4648's `=` padding, which a device may leave on or off. */
const BASE64URL_PATTERN = /^([A-Za-z0-9_-]+)(={0,2})$/;

export class InvalidProofError extends Error {
  override readonly name = 'InvalidProofError';
}

export interface ParsedProof {
  /**
   * The device's id in lower case, as the hub gives it: UUIDs are case-insensitive on input
   * (RFC 4122), and a Swift `UUID`'s `uuidString` is upper case.
   */
  deviceId: string;
  /** The device's clock when it made the proof, Unix milliseconds. */
  timestampMs: number;
  nonce: string;
  /** The signed text: "v1.<deviceId>.<unixMillis>.<nonce>". */
  payload: string;
  signature: Buffer;
}

export interface MakeProofOptions {
  /** Unix milliseconds to put in the proof; defaults to now. */
  now?: number;
  /** Defaults to 24 random base64url characters (144 bits). */
  nonce?: string;
}

export function makeProof(
  deviceId: string,
  privateKey: KeyObject | string,
  opts: MakeProofOptions = {},
): string {
  const now = opts.now ?? Date.now();
  const nonce = opts.nonce ?? randomBytes(18).toString('base64url');
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    throw new InvalidProofError('deviceId must be a UUID');
  }
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new InvalidProofError('now must be a non-negative integer of milliseconds');
  }
  if (!NONCE_PATTERN.test(nonce)) {
    throw new InvalidProofError('nonce must be 16 to 64 characters of [A-Za-z0-9_-]');
  }
  const payload = `${PROOF_VERSION}.${deviceId}.${now}.${nonce}`;
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const signature = sign('sha256', Buffer.from(payload, 'utf8'), {
    key,
    padding: constants.RSA_PKCS1_PADDING,
  });
  return `${payload}.${signature.toString('base64url')}`;
}

/**
 * Splits a proof into its parts (protocol section 2). The signed `payload` is the text as sent;
 * `deviceId` is given in lower case, so a device that wrote its id in upper case is still found.
 *
 * @throws InvalidProofError for anything malformed
 */
export function parseProof(proof: string): ParsedProof {
  if (typeof proof !== 'string' || proof.length === 0) {
    throw new InvalidProofError('proof must be a non-empty string');
  }
  if (proof.length > PROOF_MAX_LENGTH) {
    throw new InvalidProofError(`proof is longer than ${PROOF_MAX_LENGTH} characters`);
  }
  const parts = proof.split('.');
  if (parts.length !== 5) {
    throw new InvalidProofError('proof must have five dot-separated parts');
  }
  const [version, deviceId, millis, nonce, signatureText] = parts;
  if (version !== PROOF_VERSION) {
    throw new InvalidProofError(`proof version must be ${PROOF_VERSION}`);
  }
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    throw new InvalidProofError('proof deviceId must be a UUID');
  }
  const timestampMs = Number(millis);
  if (!MILLIS_PATTERN.test(millis) || !Number.isSafeInteger(timestampMs)) {
    throw new InvalidProofError('proof time must be an integer of milliseconds');
  }
  if (!NONCE_PATTERN.test(nonce)) {
    throw new InvalidProofError('proof nonce must be 16 to 64 characters of [A-Za-z0-9_-]');
  }
  const signature = decodeBase64Url(signatureText);
  return {
    deviceId: deviceId.toLowerCase(),
    timestampMs,
    nonce,
    payload: `${version}.${deviceId}.${millis}.${nonce}`,
    signature,
  };
}

/**
 * Whether the proof's signature verifies against the device's RSA public key, given as a key
 * object, an SPKI/PKCS#1 PEM or its X.509 certificate PEM.
 */
export function verifyProofSignature(parsed: ParsedProof, publicKey: KeyObject | string): boolean {
  const key = toPublicKey(publicKey);
  if (key.asymmetricKeyType !== 'rsa') {
    return false;
  }
  try {
    return verify(
      'sha256',
      Buffer.from(parsed.payload, 'utf8'),
      { key, padding: constants.RSA_PKCS1_PADDING },
      parsed.signature,
    );
  } catch {
    // A signature of the wrong length for the key, for example.
    return false;
  }
}

/** Whether the proof was made within `windowMs` of `nowMs`, either way. */
export function isProofFresh(
  parsed: ParsedProof,
  nowMs: number,
  windowMs: number = PROOF_WINDOW_MS,
): boolean {
  return Math.abs(nowMs - parsed.timestampMs) <= windowMs;
}

/**
 * Decodes a proof's signature: base64url (RFC 4648 section 5), with its `=` padding or without.
 * Protocol section 2 says only "base64url", whose RFC form is padded; JWT-style libraries leave
 * the padding off. Either spelling of one signature is the same proof: its nonce is what makes
 * it single-use.
 *
 * @throws InvalidProofError for other characters, padding that does not complete the last
 *   block, a length of 4n+1, or stray low bits in the last character
 */
function decodeBase64Url(text: string): Buffer {
  const match = BASE64URL_PATTERN.exec(text);
  const body = match?.[1] ?? '';
  const padding = match?.[2] ?? '';
  // A length of 4n+1 cannot encode whole bytes; padding, when sent, completes the last block.
  if (
    !match ||
    body.length % 4 === 1 ||
    (padding !== '' && (body.length + padding.length) % 4 !== 0)
  ) {
    throw new InvalidProofError('proof signature must be base64url');
  }
  const bytes = Buffer.from(body, 'base64url');
  // Refuse non-canonical encodings (stray low bits).
  if (bytes.toString('base64url') !== body) {
    throw new InvalidProofError('proof signature must be base64url');
  }
  return bytes;
}

function toPublicKey(key: KeyObject | string): KeyObject {
  if (typeof key !== 'string') {
    return key.type === 'private' ? createPublicKey(key) : key;
  }
  if (key.includes('-----BEGIN CERTIFICATE-----')) {
    return new X509Certificate(key).publicKey;
  }
  return createPublicKey(key);
}
