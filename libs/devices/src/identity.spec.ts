// Key pairs and certificate requests, checked with node-forge as the hub will read them.

import * as forge from 'node-forge';
import {
  createCsr,
  createDeviceKeyPair,
  InvalidSerialNumberError,
  type DeviceKeyPair,
} from './identity';

describe('identity', () => {
  let keys: DeviceKeyPair;

  beforeAll(async () => {
    keys = await createDeviceKeyPair();
  });

  it('makes a 2048-bit RSA key pair in PEM', () => {
    expect(keys.privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(keys.publicKeyPem).toContain('-----BEGIN PUBLIC KEY-----');
    const publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
    expect(publicKey.n.bitLength()).toBe(2048);
  });

  it('refuses keys shorter than 2048 bits', async () => {
    await expect(createDeviceKeyPair(1024)).rejects.toThrow(RangeError);
  });

  it('makes a CSR whose common name is the serial number, signed with SHA-256, that verifies', () => {
    const pem = createCsr('SIM-default_00001', keys);

    const csr = forge.pki.certificationRequestFromPem(pem);
    expect(csr.subject.getField('CN').value).toBe('SIM-default_00001');
    expect(csr.signatureOid).toBe(forge.pki.oids.sha256WithRSAEncryption);
    expect(csr.verify()).toBe(true);
    const requested = forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey);
    expect(requested.replace(/\r/g, '')).toBe(keys.publicKeyPem);
  });

  it('does not verify when the request was signed by another key', async () => {
    const other = await createDeviceKeyPair();
    const pem = createCsr('C02XYZ', {
      privateKeyPem: other.privateKeyPem,
      publicKeyPem: keys.publicKeyPem,
    });
    // forge throws rather than answering false when the signature does not decode.
    const verifies = () => {
      try {
        return forge.pki.certificationRequestFromPem(pem).verify();
      } catch {
        return false;
      }
    };
    expect(verifies()).toBe(false);
  });

  it('keeps a serial number outside ASCII intact', () => {
    const pem = createCsr('Lärare-ÅÄÖ-7', keys);
    expect(forge.pki.certificationRequestFromPem(pem).subject.getField('CN').value).toBe(
      forge.util.encodeUtf8('Lärare-ÅÄÖ-7'),
    );
  });

  it('refuses an empty, overlong or control-character serial number', () => {
    expect(() => createCsr('', keys)).toThrow(InvalidSerialNumberError);
    expect(() => createCsr('x'.repeat(65), keys)).toThrow(InvalidSerialNumberError);
    expect(() => createCsr('abc\ndef', keys)).toThrow(InvalidSerialNumberError);
  });
});
