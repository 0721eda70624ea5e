import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import {
  HubTrustError,
  isUntrustedCertificateError,
  normaliseFingerprint,
  trustAgent,
  trustCa,
} from './trust';

function selfSigned(ca: boolean): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  ) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'test' }]);
  cert.setIssuer([{ name: 'commonName', value: 'test' }]);
  cert.setExtensions([{ name: 'basicConstraints', cA: ca, critical: true }]);
  cert.sign(key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

describe('hub trust', () => {
  it('reads a fingerprint with or without colons, in any case', () => {
    const hex = 'ab'.repeat(32);
    expect(normaliseFingerprint(hex)).toBe(Array(32).fill('AB').join(':'));
    expect(normaliseFingerprint(Array(32).fill('ab').join(':'))).toBe(normaliseFingerprint(hex));
    expect(() => normaliseFingerprint('ab:cd')).toThrow(HubTrustError);
  });

  it('trusts a CA certificate and refuses one that is not a CA or not a certificate', () => {
    const ca = selfSigned(true);
    expect(trustCa(ca).caPems).toEqual([ca]);
    expect(() => trustCa(selfSigned(false))).toThrow('is not a CA');
    expect(() => trustCa('not a certificate')).toThrow(HubTrustError);
  });

  it('shares one agent per trust', () => {
    const trust = trustCa(selfSigned(true));
    expect(trustAgent(trust)).toBe(trustAgent(trust));
  });

  it('recognises an untrusted certificate inside a fetch error', () => {
    const cause = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(isUntrustedCertificateError(new TypeError('fetch failed', { cause }))).toBe(true);
    expect(isUntrustedCertificateError(new TypeError('fetch failed'))).toBe(false);
  });
});
