// Device proofs: what the hub will accept and refuse.

import { execFileSync } from 'node:child_process';
import { constants, createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeviceKeyPair, type DeviceKeyPair } from './identity';
import {
  InvalidProofError,
  isProofFresh,
  makeProof,
  parseProof,
  PROOF_WINDOW_MS,
  verifyProofSignature,
} from './proof';

const DEVICE_ID = '3f2b8c1e-5d4a-4b6c-9e7f-0a1b2c3d4e5f';
const NONCE = 'abcdEFGH1234_-xyz';
const NOW = 1_732_270_000_000;

describe('proof', () => {
  let keys: DeviceKeyPair;
  let otherKeys: DeviceKeyPair;

  beforeAll(async () => {
    [keys, otherKeys] = await Promise.all([createDeviceKeyPair(), createDeviceKeyPair()]);
  });

  it('makes a proof that parses back and verifies', () => {
    const proof = makeProof(DEVICE_ID, keys.privateKeyPem, { now: NOW, nonce: NONCE });

    expect(proof.startsWith(`v1.${DEVICE_ID}.${NOW}.${NONCE}.`)).toBe(true);
    const parsed = parseProof(proof);
    expect(parsed).toMatchObject({ deviceId: DEVICE_ID, timestampMs: NOW, nonce: NONCE });
    expect(parsed.payload).toBe(`v1.${DEVICE_ID}.${NOW}.${NONCE}`);
    expect(verifyProofSignature(parsed, keys.publicKeyPem)).toBe(true);
  });

  it('makes a fresh random nonce each time', () => {
    const a = parseProof(makeProof(DEVICE_ID, keys.privateKeyPem));
    const b = parseProof(makeProof(DEVICE_ID, keys.privateKeyPem));
    expect(a.nonce).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(a.nonce).not.toBe(b.nonce);
  });

  it('matches an RSASSA-PKCS1-v1_5 SHA-256 signature made by openssl', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proof-'));
    try {
      const keyFile = join(dir, 'key.pem');
      writeFileSync(keyFile, keys.privateKeyPem);
      const payload = `v1.${DEVICE_ID}.${NOW}.${NONCE}`;
      const signature = execFileSync('openssl', ['dgst', '-sha256', '-sign', keyFile], {
        input: payload,
      });
      const proof = makeProof(DEVICE_ID, keys.privateKeyPem, { now: NOW, nonce: NONCE });
      expect(proof).toBe(`${payload}.${signature.toString('base64url')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not verify against another key, or when any part was changed', () => {
    const proof = makeProof(DEVICE_ID, keys.privateKeyPem, { now: NOW, nonce: NONCE });
    expect(verifyProofSignature(parseProof(proof), otherKeys.publicKeyPem)).toBe(false);

    const laterTime = proof.replace(`.${NOW}.`, `.${NOW + 1}.`);
    expect(verifyProofSignature(parseProof(laterTime), keys.publicKeyPem)).toBe(false);

    const otherDevice = proof.replace(DEVICE_ID, '3f2b8c1e-5d4a-4b6c-9e7f-0a1b2c3d4e50');
    expect(verifyProofSignature(parseProof(otherDevice), keys.publicKeyPem)).toBe(false);

    const signature = proof.slice(proof.lastIndexOf('.') + 1);
    const flipped = (signature[10] === 'A' ? 'B' : 'A') + '';
    const tampered =
      proof.slice(0, proof.lastIndexOf('.') + 1 + 10) + flipped + signature.slice(11);
    expect(verifyProofSignature(parseProof(tampered), keys.publicKeyPem)).toBe(false);

    const shortSignature = parseProof(proof).signature.subarray(1).toString('base64url');
    const truncated = `${proof.slice(0, proof.lastIndexOf('.'))}.${shortSignature}`;
    expect(verifyProofSignature(parseProof(truncated), keys.publicKeyPem)).toBe(false);
  });

  it("takes the signature with RFC 4648's = padding too, as the same proof", () => {
    const proof = makeProof(DEVICE_ID, keys.privateKeyPem, { now: NOW, nonce: NONCE });
    // A 2048-bit signature is 256 bytes: 342 characters, and "==" when padded.
    const padded = `${proof}==`;
    const parsed = parseProof(padded);
    expect(parsed).toEqual(parseProof(proof));
    expect(verifyProofSignature(parsed, keys.publicKeyPem)).toBe(true);
  });

  it('finds a device that wrote its id in upper case, and checks the signature over what it sent', () => {
    const payload = `v1.${DEVICE_ID.toUpperCase()}.${NOW}.${NONCE}`;
    const signature = sign('sha256', Buffer.from(payload), {
      key: createPrivateKey(keys.privateKeyPem),
      padding: constants.RSA_PKCS1_PADDING,
    });
    const parsed = parseProof(`${payload}.${signature.toString('base64url')}`);
    expect(parsed.deviceId).toBe(DEVICE_ID.toLowerCase());
    expect(parsed.payload).toBe(payload);
    expect(verifyProofSignature(parsed, keys.publicKeyPem)).toBe(true);
  });

  it('verifies against the public key derived from the private key', () => {
    const proof = parseProof(makeProof(DEVICE_ID, keys.privateKeyPem));
    expect(verifyProofSignature(proof, keys.privateKeyPem)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['no signature', `v1.${DEVICE_ID}.${NOW}.${NONCE}`],
    ['wrong version', `v2.${DEVICE_ID}.${NOW}.${NONCE}.AAAA`],
    ['device id not a UUID', `v1.device-1.${NOW}.${NONCE}.AAAA`],
    ['device id with a slash', `v1.3f2b8c1e/5d4a-4b6c-9e7f-0a1b2c3d4e5f.${NOW}.${NONCE}.AAAA`],
    ['fractional millis', `v1.${DEVICE_ID}.1732270000000.5.${NONCE}.AAAA`],
    ['negative millis', `v1.${DEVICE_ID}.-1732270000000.${NONCE}.AAAA`],
    ['millis in exponent form', `v1.${DEVICE_ID}.1e12.${NONCE}.AAAA`],
    ['millis too large', `v1.${DEVICE_ID}.99999999999999999.${NONCE}.AAAA`],
    ['millis with a leading zero', `v1.${DEVICE_ID}.01732270000000.${NONCE}.AAAA`],
    ['nonce too short', `v1.${DEVICE_ID}.${NOW}.short.AAAA`],
    ['nonce too long', `v1.${DEVICE_ID}.${NOW}.${'n'.repeat(65)}.AAAA`],
    ['nonce with a bad character', `v1.${DEVICE_ID}.${NOW}.abcdefgh+ijklmnop.AAAA`],
    ['padding that does not complete the block', `v1.${DEVICE_ID}.${NOW}.${NONCE}.AA=`],
    ['padding after a whole block', `v1.${DEVICE_ID}.${NOW}.${NONCE}.AAAA=`],
    ['too much padding', `v1.${DEVICE_ID}.${NOW}.${NONCE}.AA===`],
    ['padding inside', `v1.${DEVICE_ID}.${NOW}.${NONCE}.AA==AAAA`],
    ['standard base64', `v1.${DEVICE_ID}.${NOW}.${NONCE}.AA+/AA`],
    ['base64 of impossible length', `v1.${DEVICE_ID}.${NOW}.${NONCE}.AAAAA`],
    ['non-canonical base64url', `v1.${DEVICE_ID}.${NOW}.${NONCE}.AB`],
    ['empty signature', `v1.${DEVICE_ID}.${NOW}.${NONCE}.`],
    ['extra part', `v1.${DEVICE_ID}.${NOW}.${NONCE}.AAAA.AAAA`],
    ['too long', `v1.${DEVICE_ID}.${NOW}.${NONCE}.${'A'.repeat(2100)}`],
  ])('refuses a malformed proof: %s', (_why, proof) => {
    expect(() => parseProof(proof)).toThrow(InvalidProofError);
  });

  it('refuses a value that is not a string', () => {
    expect(() => parseProof(undefined as unknown as string)).toThrow(InvalidProofError);
  });

  it('will not make a proof with a bad device id or nonce', () => {
    expect(() => makeProof('not-a-uuid', keys.privateKeyPem)).toThrow(InvalidProofError);
    expect(() => makeProof(DEVICE_ID, keys.privateKeyPem, { nonce: 'short' })).toThrow(
      InvalidProofError,
    );
  });

  it('is fresh within five minutes either way of the hub clock, and stale beyond', () => {
    const parsed = parseProof(makeProof(DEVICE_ID, keys.privateKeyPem, { now: NOW }));
    expect(PROOF_WINDOW_MS).toBe(300_000);
    expect(isProofFresh(parsed, NOW)).toBe(true);
    expect(isProofFresh(parsed, NOW + 300_000)).toBe(true);
    expect(isProofFresh(parsed, NOW - 300_000)).toBe(true);
    expect(isProofFresh(parsed, NOW + 300_001)).toBe(false);
    expect(isProofFresh(parsed, NOW - 300_001)).toBe(false);
    expect(isProofFresh(parsed, NOW + 10_000, 5_000)).toBe(false);
  });
});
