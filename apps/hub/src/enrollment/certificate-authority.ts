// The hub's own certificate authority: made on first start and kept in the data directory
// (key mode 0600). node-forge builds and parses the X.509 structures; Node's crypto makes the
// RSA signatures, which is ~50x faster than forge's JavaScript RSA.
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import * as forge from 'node-forge';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Clock } from '../common/clock';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';

export class InvalidCsrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCsrError';
  }
}

export interface IssuedCertificate {
  certificatePem: string;
  serial: string;
  notAfter: Date;
}

const DEVICE_CERT_YEARS = 5;
const CA_YEARS = 20;

function randomSerial(): string {
  // Positive 128-bit serial (leading nibble < 8 keeps the DER integer positive).
  const bytes = crypto.randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

/** Signs a forge certificate with a Node KeyObject (SHA-256 with RSA). */
function signCertificate(cert: forge.pki.Certificate, key: crypto.KeyObject): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  // getTBSCertificate is public in node-forge but missing from its type definitions.
  const pki = forge.pki as typeof forge.pki & {
    getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1;
  };
  const tbs = pki.getTBSCertificate(cert);
  (cert as unknown as { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = crypto.sign('sha256', der, key).toString('binary');
}

@Injectable()
export class CertificateAuthority implements OnModuleInit {
  private readonly logger = new Logger(CertificateAuthority.name);
  private caKey!: crypto.KeyObject;
  private caCert!: forge.pki.Certificate;
  private caCertPem!: string;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const dir = path.join(this.config.dataDir, 'ca');
    const keyFile = path.join(dir, 'ca.key.pem');
    const certFile = path.join(dir, 'ca.cert.pem');
    if (fs.existsSync(keyFile) && fs.existsSync(certFile)) {
      this.caKey = crypto.createPrivateKey(fs.readFileSync(keyFile, 'utf8'));
      this.caCertPem = fs.readFileSync(certFile, 'utf8');
      this.caCert = forge.pki.certificateFromPem(this.caCertPem);
      return;
    }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 3072 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    cert.serialNumber = randomSerial();
    const now = this.clock.now();
    cert.validity.notBefore = new Date(now.getTime() - 60_000);
    cert.validity.notAfter = new Date(now.getTime() + CA_YEARS * 365 * 24 * 3600 * 1000);
    const name = [
      { name: 'commonName', value: 'Classroom Device Hub CA' },
      { name: 'organizationName', value: 'Classroom Device Hub' },
      { shortName: 'OU', value: crypto.randomUUID() },
    ];
    cert.setSubject(name);
    cert.setIssuer(name);
    cert.setExtensions([
      { name: 'basicConstraints', cA: true, critical: true },
      {
        name: 'keyUsage',
        keyCertSign: true,
        cRLSign: true,
        digitalSignature: true,
        critical: true,
      },
      { name: 'subjectKeyIdentifier' },
    ]);
    signCertificate(cert, privateKey);
    const certPem = forge.pki.certificateToPem(cert);
    // Write both, then rename, so a crash never leaves a key without its certificate.
    fs.writeFileSync(`${keyFile}.tmp`, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    fs.writeFileSync(`${certFile}.tmp`, certPem, { mode: 0o644 });
    fs.renameSync(`${keyFile}.tmp`, keyFile);
    fs.renameSync(`${certFile}.tmp`, certFile);
    this.caKey = privateKey;
    this.caCert = cert;
    this.caCertPem = certPem;
    this.logger.log('Created the hub certificate authority');
  }

  get certificatePem(): string {
    return this.caCertPem;
  }

  /**
   * Checks a device's PKCS#10 request (signature, RSA of 2048 bits or more, CN = serial number)
   * and issues its certificate.
   */
  signDeviceRequest(csrPem: string, serialNumber: string, deviceId: string): IssuedCertificate {
    let csr: forge.pki.CertificateSigningRequest;
    try {
      csr = forge.pki.certificationRequestFromPem(csrPem);
    } catch {
      throw new InvalidCsrError('csr is not a PEM PKCS#10 certificate request');
    }
    let verified = false;
    try {
      verified = csr.verify();
    } catch {
      verified = false;
    }
    if (!verified) {
      throw new InvalidCsrError('csr signature does not verify');
    }
    const publicKey = csr.publicKey as forge.pki.rsa.PublicKey | null;
    if (
      !publicKey ||
      typeof publicKey.n?.bitLength !== 'function' ||
      publicKey.n.bitLength() < 2048
    ) {
      throw new InvalidCsrError('csr must carry an RSA key of 2048 bits or more');
    }
    const commonName = csr.subject.getField('CN') as { value?: string } | null;
    if (commonName?.value !== serialNumber) {
      throw new InvalidCsrError('csr common name must be the device serial number');
    }
    const cert = forge.pki.createCertificate();
    cert.publicKey = publicKey;
    cert.serialNumber = randomSerial();
    const now = this.clock.now();
    cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
    cert.validity.notAfter = new Date(now.getTime() + DEVICE_CERT_YEARS * 365 * 24 * 3600 * 1000);
    cert.setSubject([
      { name: 'commonName', value: serialNumber },
      { shortName: 'OU', value: deviceId },
    ]);
    cert.setIssuer(this.caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ]);
    signCertificate(cert, this.caKey);
    return {
      certificatePem: forge.pki.certificateToPem(cert),
      serial: cert.serialNumber,
      notAfter: cert.validity.notAfter,
    };
  }

  /**
   * The hub's profile-signing identity (for .mobileconfig files), issued by this CA on first
   * use and kept beside it.
   */
  profileSigner(): { certificatePem: string; privateKeyPem: string; chainPems: string[] } {
    const dir = path.join(this.config.dataDir, 'ca');
    const keyFile = path.join(dir, 'profile-signing.key.pem');
    const certFile = path.join(dir, 'profile-signing.cert.pem');
    if (!fs.existsSync(keyFile) || !fs.existsSync(certFile)) {
      const issued = this.issueSigningCertificate('Classroom Device Hub profile signing');
      fs.writeFileSync(`${keyFile}.tmp`, issued.privateKeyPem, { mode: 0o600 });
      fs.writeFileSync(`${certFile}.tmp`, issued.certificatePem, { mode: 0o644 });
      fs.renameSync(`${keyFile}.tmp`, keyFile);
      fs.renameSync(`${certFile}.tmp`, certFile);
    }
    return {
      certificatePem: fs.readFileSync(certFile, 'utf8'),
      privateKeyPem: fs.readFileSync(keyFile, 'utf8'),
      chainPems: [this.caCertPem],
    };
  }

  /** A certificate for signing what the hub publishes (configuration profiles), issued by this CA. */
  issueSigningCertificate(commonName: string): { certificatePem: string; privateKeyPem: string } {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    cert.serialNumber = randomSerial();
    const now = this.clock.now();
    cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
    cert.validity.notAfter = new Date(now.getTime() + DEVICE_CERT_YEARS * 365 * 24 * 3600 * 1000);
    cert.setSubject([{ name: 'commonName', value: commonName }]);
    cert.setIssuer(this.caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', emailProtection: true, codeSigning: true },
    ]);
    signCertificate(cert, this.caKey);
    return {
      certificatePem: forge.pki.certificateToPem(cert),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  }
}
