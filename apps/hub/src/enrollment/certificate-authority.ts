// The hub's own certificate authority: made on first start and kept in HUB_CA_DIR (by default
// `<HUB_DATA_DIR>/ca`, key mode 0600), the same on every hub of a cluster (issue 10). The
// database records its fingerprint, and a hub whose CA is not the one that signed the
// database's devices refuses to start. node-forge builds and parses the X.509 structures; Node's crypto makes and
// checks every RSA signature and makes every key, asynchronously (libuv's thread pool), so CA
// work never stalls the event loop that serves every device and staff request (issue 8 item 23:
// a first profile's key took 400 ms on the loop, each profile's forge signature 35-50 ms, each
// enrolment's CSR check 6 ms).
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import * as forge from 'node-forge';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { Clock } from '../common/clock';
import { refusingPath, statIfAny } from '../common/file-system-refusal';
import { ConfigError, HUB_CONFIG, HubConfig } from '../config/hub-config';
import { CaTrustRepository, DatabaseTrust } from './ca-trust.repository';

/**
 * The CA in HUB_CA_DIR is not the one that signed this database's devices, or there is none and
 * the database already has devices (issue 10). A ConfigError naming HUB_CA_DIR: the hub stops
 * with one line saying which CA the database expects and what to copy where.
 */
export class UntrustedCaError extends ConfigError {
  constructor(message: string) {
    super('HUB_CA_DIR', message);
    this.name = 'UntrustedCaError';
  }
}

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

/**
 * A random certificate serial number, as the hex of its DER INTEGER content octets (what forge's
 * `serialNumber` holds): 16 octets, 126 of their bits random. RFC 5280 4.1.2.2 wants it positive
 * and at most 20 octets; X.690 8.3.2 wants it minimal, with no leading 0x00 octet before one whose
 * top bit is clear. forge writes the hex as it is, so a serial that began with zero octets was a
 * certificate OpenSSL (Node's X509Certificate, every device) refuses as "illegal padding": about
 * one enrolment in 100,000. The top bits 01 make every serial positive and minimal.
 * `randomBytes` is for tests (a source of zero octets).
 */
export function randomSerial(randomBytes: (size: number) => Buffer = crypto.randomBytes): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x3f) | 0x40;
  return bytes.toString('hex');
}

const generateKeyPair = promisify(crypto.generateKeyPair);
const signAsync = promisify(crypto.sign);
const verifyAsync = promisify(crypto.verify);

/** A new RSA key pair, made in the thread pool. */
function rsaKeyPair(modulusLength: number): Promise<crypto.KeyPairKeyObjectResult> {
  return generateKeyPair('rsa', { modulusLength });
}

/** Signs a forge certificate with a Node KeyObject (SHA-256 with RSA), off the event loop. */
async function signCertificate(cert: forge.pki.Certificate, key: crypto.KeyObject): Promise<void> {
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
  cert.signature = (await signAsync('sha256', der, key)).toString('binary');
}

/** Hashes of the RSA PKCS#1 v1.5 signatures a CSR may carry, by signature algorithm OID. */
const CSR_SIGNATURE_HASHES: Record<string, string> = {
  [forge.pki.oids.sha256WithRSAEncryption]: 'sha256',
  [forge.pki.oids.sha384WithRSAEncryption]: 'sha384',
  [forge.pki.oids.sha512WithRSAEncryption]: 'sha512',
  [forge.pki.oids.sha1WithRSAEncryption]: 'sha1',
};

/** Whether a parsed CSR's signature verifies against the key it carries, in the thread pool. */
async function csrSignatureVerifies(
  csr: forge.pki.CertificateSigningRequest,
  publicKey: crypto.KeyObject,
): Promise<boolean> {
  const fields = csr as unknown as {
    certificationRequestInfo?: forge.asn1.Asn1;
    signatureOid: string | null;
    signature: string | null;
  };
  const hash = fields.signatureOid ? CSR_SIGNATURE_HASHES[fields.signatureOid] : undefined;
  if (!hash || !fields.certificationRequestInfo || typeof fields.signature !== 'string') {
    return false;
  }
  // The signed bytes are the request info as it came, re-encoded from the parsed ASN.1 (forge
  // keeps it for exactly this), as forge's own csr.verify() does.
  const tbs = Buffer.from(forge.asn1.toDer(fields.certificationRequestInfo).getBytes(), 'binary');
  try {
    return await verifyAsync(hash, tbs, publicKey, Buffer.from(fields.signature, 'binary'));
  } catch {
    return false;
  }
}

/**
 * Refuses to make a new CA for a database that already trusts one: every enrolled device would
 * be cut off from enrolment and profiles of the CA it knows, and the school left with two.
 *
 * @throws UntrustedCaError when the database has a recorded CA or any device
 */
function refuseNewCa(dir: string, known: DatabaseTrust): void {
  if (known.recordedFingerprint !== null) {
    throw new UntrustedCaError(
      `there is no CA in ${dir}, and this database's devices trust the CA with SHA-256 ` +
        `${known.recordedFingerprint}: copy that CA folder from another hub of the school ` +
        `(or a backup) to ${dir} rather than making a new one`,
    );
  }
  if (known.deviceCount > 0) {
    throw new UntrustedCaError(
      `there is no CA in ${dir}, and this database has ${known.deviceCount} enrolled devices ` +
        `signed by a CA: copy that CA folder (or restore it from a backup) to ${dir} rather ` +
        'than making a new one',
    );
  }
}

/** Whether the PEM certificate's signature verifies with `caKey`; false for one that does not parse. */
function signedBy(pem: string, caKey: crypto.KeyObject): boolean {
  try {
    return new crypto.X509Certificate(pem).verify(caKey);
  } catch {
    return false;
  }
}

/** A refusal of HUB_CA_DIR's folder or files by the file system, naming the setting. */
const inCaDir = (problem: string) => new ConfigError('HUB_CA_DIR', problem);

/**
 * Whether HUB_CA_DIR holds the CA's key and certificate. A path that is a file, or that this
 * user may not look in, is refused in words rather than taken for an empty folder: a new CA
 * would be made in its place, or the start refused as if the CA were not there.
 *
 * @throws ConfigError naming HUB_CA_DIR, the path and why
 */
function caFilesThere(dir: string, keyFile: string, certFile: string): boolean {
  const folder = refusingPath('read', dir, dir, () => statIfAny(dir), inCaDir);
  if (folder && !folder.isDirectory()) {
    throw new ConfigError('HUB_CA_DIR', `cannot use ${dir}: it is a file, not a folder`);
  }
  return [keyFile, certFile].every(
    (file) => refusingPath('read', file, file, () => statIfAny(file), inCaDir) !== undefined,
  );
}

/** A certificate's issuer on one line, for the refusal's message. */
function issuerOf(pem: string): string {
  try {
    return `"${new crypto.X509Certificate(pem).issuer.replace(/\n/g, ', ')}"`;
  } catch {
    return 'a certificate that does not parse';
  }
}

/** The hub's profile-signing identity, kept in memory once loaded or made. */
export interface ProfileSigner {
  certificatePem: string;
  privateKey: crypto.KeyObject;
  chainPems: string[];
}

@Injectable()
export class CertificateAuthority implements OnModuleInit {
  private readonly logger = new Logger(CertificateAuthority.name);
  private caKey!: crypto.KeyObject;
  private caCert!: forge.pki.Certificate;
  private caCertPem!: string;
  /** Loaded or made on first use, once, and kept (issue 8 item 23). */
  private profileSigning: Promise<ProfileSigner> | null = null;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly clock: Clock,
    private readonly trust: CaTrustRepository,
  ) {}

  /**
   * Loads the CA from HUB_CA_DIR, or makes one there if the database has no devices and no CA
   * recorded; then checks it is the database's CA and records its fingerprint if none is.
   *
   * @throws UntrustedCaError when the database's devices were signed by another CA;
   *   ConfigError naming HUB_CA_DIR when its folder or files cannot be read or written
   */
  async onModuleInit(): Promise<void> {
    const dir = this.config.caDir;
    const keyFile = path.join(dir, 'ca.key.pem');
    const certFile = path.join(dir, 'ca.cert.pem');
    const known = await this.trust.read();
    if (caFilesThere(dir, keyFile, certFile)) {
      const read = (file: string) =>
        refusingPath('read', file, file, () => fs.readFileSync(file, 'utf8'), inCaDir);
      this.caKey = crypto.createPrivateKey(read(keyFile));
      this.caCertPem = read(certFile);
      this.caCert = forge.pki.certificateFromPem(this.caCertPem);
    } else {
      refuseNewCa(dir, known);
      await this.createCa(dir, keyFile, certFile);
    }
    await this.checkDatabaseTrust(known);
  }

  /**
   * Throws unless this CA is the one the database's devices were signed by: the recorded
   * fingerprint, or (a database from a version that recorded none) the CA whose signature the
   * first and latest device certificates carry. Then records the fingerprint if none is; of two
   * hubs with different CAs starting at once on a new database, the second refuses.
   */
  private async checkDatabaseTrust(known: DatabaseTrust): Promise<void> {
    const ours = this.certificateFingerprint;
    const dir = this.config.caDir;
    if (known.recordedFingerprint === null) {
      const caKey = new crypto.X509Certificate(this.caCertPem).publicKey;
      for (const pem of known.sampleCertificates) {
        if (!signedBy(pem, caKey)) {
          throw new UntrustedCaError(
            `the CA in ${dir} (SHA-256 ${ours}) did not sign this database's devices ` +
              `(${known.deviceCount} enrolled; one was issued by ${issuerOf(pem)}): ` +
              `put the CA folder of the hub that enrolled them in ${dir}`,
          );
        }
      }
    }
    const recorded =
      known.recordedFingerprint ?? (await this.trust.recordFingerprint(ours, this.clock.now()));
    if (recorded !== ours) {
      throw new UntrustedCaError(
        `the CA in ${dir} (SHA-256 ${ours}) is not the one this database's devices trust ` +
          `(SHA-256 ${recorded}): copy that CA folder from another hub of the school to ${dir}`,
      );
    }
  }

  private async createCa(dir: string, keyFile: string, certFile: string): Promise<void> {
    refusingPath(
      'write',
      dir,
      dir,
      () => fs.mkdirSync(dir, { recursive: true, mode: 0o700 }),
      inCaDir,
    );
    const { privateKey, publicKey } = await rsaKeyPair(3072);
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
    await signCertificate(cert, privateKey);
    const certPem = forge.pki.certificateToPem(cert);
    // Write both, then rename, so a crash never leaves a key without its certificate.
    refusingPath(
      'write',
      `the hub's new CA in ${dir}`,
      dir,
      () => {
        fs.writeFileSync(`${keyFile}.tmp`, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
          mode: 0o600,
        });
        fs.writeFileSync(`${certFile}.tmp`, certPem, { mode: 0o600 });
        fs.renameSync(`${keyFile}.tmp`, keyFile);
        fs.renameSync(`${certFile}.tmp`, certFile);
      },
      inCaDir,
    );
    this.caKey = privateKey;
    this.caCert = cert;
    this.caCertPem = certPem;
    this.logger.log(`Created the hub certificate authority in ${dir}`);
  }

  get certificatePem(): string {
    return this.caCertPem;
  }

  /**
   * The CA certificate's SHA-256 fingerprint (of its DER), as colon-separated upper-case hex:
   * what an operator passes to `device-agent enroll --ca-fingerprint` to trust GET /api/ca.pem.
   */
  get certificateFingerprint(): string {
    return new crypto.X509Certificate(this.caCertPem).fingerprint256;
  }

  /**
   * Checks a device's PKCS#10 request (signature, RSA of 2048 bits or more, CN = serial number)
   * and issues its certificate. The signature check and the signing run in the thread pool.
   * Throws `InvalidCsrError` (a 400) naming what is wrong with the request.
   */
  async signDeviceRequest(
    csrPem: string,
    serialNumber: string,
    deviceId: string,
  ): Promise<IssuedCertificate> {
    let csr: forge.pki.CertificateSigningRequest;
    let nodeKey: crypto.KeyObject;
    try {
      // Parsed without forge's digest of the request info: the check below hashes it natively.
      csr = forge.pki.certificationRequestFromPem(csrPem, false);
      nodeKey = crypto.createPublicKey(
        forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey),
      );
    } catch {
      throw new InvalidCsrError('csr is not a PEM PKCS#10 certificate request');
    }
    if (!(await csrSignatureVerifies(csr, nodeKey))) {
      throw new InvalidCsrError('csr signature does not verify');
    }
    const publicKey = csr.publicKey as forge.pki.rsa.PublicKey;
    if ((nodeKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
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
    await signCertificate(cert, this.caKey);
    return {
      certificatePem: forge.pki.certificateToPem(cert),
      serial: cert.serialNumber,
      notAfter: cert.validity.notAfter,
    };
  }

  /**
   * The hub's profile-signing identity (for .mobileconfig files): issued by this CA on first use
   * and kept beside it, then held in memory. Its key is made in the thread pool and read from
   * disk once, not per profile (issue 8 item 23).
   */
  profileSigner(): Promise<ProfileSigner> {
    this.profileSigning ??= this.loadProfileSigner().catch((error: unknown) => {
      this.profileSigning = null; // try again on the next profile rather than fail for ever
      throw error;
    });
    return this.profileSigning;
  }

  private async loadProfileSigner(): Promise<ProfileSigner> {
    const dir = this.config.caDir;
    const keyFile = path.join(dir, 'profile-signing.key.pem');
    const certFile = path.join(dir, 'profile-signing.cert.pem');
    let certificatePem: string;
    let privateKeyPem: string;
    if (fs.existsSync(keyFile) && fs.existsSync(certFile)) {
      [certificatePem, privateKeyPem] = await Promise.all([
        fs.promises.readFile(certFile, 'utf8'),
        fs.promises.readFile(keyFile, 'utf8'),
      ]);
    } else {
      ({ certificatePem, privateKeyPem } = await this.issueSigningCertificate(
        'Classroom Device Hub profile signing',
      ));
      await fs.promises.writeFile(`${keyFile}.tmp`, privateKeyPem, { mode: 0o600 });
      await fs.promises.writeFile(`${certFile}.tmp`, certificatePem, { mode: 0o600 });
      await fs.promises.rename(`${keyFile}.tmp`, keyFile);
      await fs.promises.rename(`${certFile}.tmp`, certFile);
    }
    return {
      certificatePem,
      privateKey: crypto.createPrivateKey(privateKeyPem),
      chainPems: [this.caCertPem],
    };
  }

  /**
   * A certificate for signing what the hub publishes (configuration profiles), issued by this
   * CA; its key is made in the thread pool.
   */
  async issueSigningCertificate(
    commonName: string,
  ): Promise<{ certificatePem: string; privateKeyPem: string }> {
    const { privateKey, publicKey } = await rsaKeyPair(2048);
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
    await signCertificate(cert, this.caKey);
    return {
      certificatePem: forge.pki.certificateToPem(cert),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  }
}
