// A device's own identity material: its RSA key pair (the private key never leaves the device)
// and the PKCS#10 certificate request it sends to enrol (protocol section 1).

import { createPrivateKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import * as forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A certificate's common name holds at most 64 characters (RFC 5280 ub-common-name). */
export const SERIAL_NUMBER_MAX_LENGTH = 64;

export interface DeviceKeyPair {
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
}

export class InvalidSerialNumberError extends Error {
  override readonly name = 'InvalidSerialNumberError';
}

export async function createDeviceKeyPair(modulusLength = 2048): Promise<DeviceKeyPair> {
  if (modulusLength < 2048) {
    throw new RangeError('device keys must be 2048 bits or more');
  }
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** A PEM certificate request for the device's public key, common name = its serial number. */
export function createCsr(
  serialNumber: string,
  keys: { privateKeyPem: string | KeyObject; publicKeyPem: string },
): string {
  if (serialNumber.length === 0 || serialNumber.length > SERIAL_NUMBER_MAX_LENGTH) {
    throw new InvalidSerialNumberError(
      `serial number must be 1 to ${SERIAL_NUMBER_MAX_LENGTH} characters`,
    );
  }
  if (/[\u0000-\u001f\u007f]/.test(serialNumber)) {
    throw new InvalidSerialNumberError('serial number must not contain control characters');
  }
  const privateKey =
    typeof keys.privateKeyPem === 'string'
      ? createPrivateKey(keys.privateKeyPem)
      : keys.privateKeyPem;

  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  // UTF8String rather than forge's default PrintableString, which cannot hold '_' or '@'.
  // (The typings call the tag a Class; forge reads it as a Type.)
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  csr.setSubject([{ name: 'commonName', value: serialNumber, valueTagClass: utf8 }]);

  // forge signs in JavaScript at about 50 ms a request, which makes enrolling thousands of
  // simulated devices take minutes. forge still builds the request; node:crypto signs the bytes
  // forge hands to its digest (the DER CertificationRequestInfo), the same signature in ~1 ms.
  const signed: string[] = [];
  const digest = {
    algorithm: 'sha256',
    update(bytes: string) {
      signed.push(bytes);
      return digest;
    },
  };
  const signer = {
    sign: () =>
      sign('sha256', Buffer.from(signed.join(''), 'binary'), privateKey).toString('binary'),
  };
  csr.sign(
    signer as unknown as forge.pki.rsa.PrivateKey,
    digest as unknown as forge.md.MessageDigest,
  );
  return forge.pki.certificationRequestToPem(csr);
}
