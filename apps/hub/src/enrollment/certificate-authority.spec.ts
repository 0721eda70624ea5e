import * as forge from 'node-forge';
import { X509Certificate, randomBytes } from 'node:crypto';
import { randomSerial } from './certificate-authority';

/** A certificate with this serial, as the CA writes one, read back by Node (OpenSSL). */
function parsedWithSerial(serial: string): X509Certificate {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 512, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2031-01-01T00:00:00Z');
  cert.setSubject([{ name: 'commonName', value: 'SERIAL-TEST' }]);
  cert.setIssuer([{ name: 'commonName', value: 'SERIAL-TEST' }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return new X509Certificate(forge.pki.certificateToPem(cert));
}

describe(randomSerial.name, () => {
  it('gives a serial OpenSSL accepts when the random octets begin with zeros', () => {
    // Zero leading octets were written as DER "illegal padding": the device could not parse the
    // certificate it was issued (one enrolment in about 100,000).
    const sources = [
      () => Buffer.alloc(16),
      () => Buffer.from('0000' + '11'.repeat(14), 'hex'),
      () => Buffer.from('00' + 'ff'.repeat(15), 'hex'),
      () => Buffer.from('ff'.repeat(16), 'hex'),
    ];
    for (const source of sources) {
      const serial = randomSerial(source);
      const cert = parsedWithSerial(serial);
      expect(cert.serialNumber.toLowerCase()).toBe(serial);
    }
  });

  it('is positive, minimal and 16 octets with 126 random bits', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const serial = randomSerial();
      expect(serial).toMatch(/^[4-7][0-9a-f]{31}$/);
      seen.add(serial);
    }
    expect(seen.size).toBe(2000);
    expect(randomSerial(() => randomBytes(16))).toHaveLength(32);
  });
});
