// Compiles settings into an Apple configuration profile (.mobileconfig) for iPads, and signs it
// as CMS SignedData so the device shows who it came from. See docs/policy-platforms.md for what
// an iPad can and cannot enforce from it.

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';

import forge from 'node-forge';

import { validateSettings, type PolicySettings, type WifiNetwork } from '../settings';
import { policyVersion } from '../version';

export interface MobileconfigOptions {
  /** Reverse-DNS identifier of the profile, e.g. `uk.sch.example.hub.policy`. */
  identifier: string;
  displayName: string;
  organization: string;
  description?: string;
}

export interface MobileconfigSigner {
  certificatePem: string;
  /** The certificate's private key: a node:crypto key object (kept by the hub) or a PEM. */
  privateKey?: KeyObject;
  /** The same as PEM, when there is no key object. One of the two is needed. */
  privateKeyPem?: string;
  /** Intermediate certificates to include, so the device can build the chain. */
  chainPems?: string[];
}

/** Profile options or a signer that cannot make a valid, signed profile. */
export class MobileconfigError extends Error {
  override readonly name: string = 'MobileconfigError';
}

/**
 * The profile's own text (its name, description or a value) cannot go into a profile: the
 * fault is in what was stored, not in the signer, so the hub answers it as a 4xx.
 */
export class MobileconfigTextError extends MobileconfigError {
  override readonly name = 'MobileconfigTextError';
}

// Apple's ranges for the passcode payload (com.apple.mobiledevice.passwordpolicy).
const APPLE_MAX_MIN_LENGTH = 16;
const APPLE_MAX_INACTIVITY_MINUTES = 15;

type PlistValue = string | number | boolean | Buffer | PlistValue[] | { [key: string]: PlistValue };
type PlistDict = { [key: string]: PlistValue };

/**
 * The XML plist of a configuration profile. Deterministic: the same settings and options give the
 * same bytes, and payload UUIDs are derived from the identifier, payload and policy version.
 */
export function compileMobileconfig(settings: PolicySettings, opts: MobileconfigOptions): string {
  const checked = validateSettings(settings);
  checkOptions(opts);
  const version = policyVersion(checked);
  const payload = (type: string, suffix: string, displayName: string, keys: PlistDict) => {
    const identifier = `${opts.identifier}.${suffix}`;
    return {
      PayloadType: type,
      PayloadVersion: 1,
      PayloadIdentifier: identifier,
      PayloadUUID: derivedUuid(identifier, type, version),
      PayloadDisplayName: displayName,
      ...keys,
    };
  };

  const content: PlistDict[] = [
    payload('com.apple.applicationaccess', 'restrictions', 'Restrictions', restrictions(checked)),
    payload('com.apple.mobiledevice.passwordpolicy', 'passcode', 'Passcode', passcode(checked)),
    ...checked.wifi.networks.map((network) =>
      payload(
        'com.apple.wifi.managed',
        `wifi.${sha256Hex(network.ssid).slice(0, 12)}`,
        `Wi-Fi (${network.ssid})`,
        wifi(network),
      ),
    ),
  ];

  return configurationProfile(opts, version, content);
}

export interface TrustProfileOptions {
  /** The CA certificate to trust, as PEM. */
  caCertificatePem: string;
  /** Reverse-DNS identifier of the profile, e.g. `org.devicehub.ca.0123abcd`. */
  identifier: string;
  displayName: string;
  organization: string;
  description?: string;
}

/**
 * The XML plist of a configuration profile that installs one root certificate
 * (`com.apple.security.root`), so an iPad trusts what that CA signs: the hub's TLS certificate
 * when the CA issued it, and the hub's signed profiles. Deterministic for the same certificate
 * and options. Throws `MobileconfigError` for a certificate that is not PEM X.509 or a bad
 * identifier, `MobileconfigTextError` for text a profile cannot carry.
 */
export function compileTrustProfile(opts: TrustProfileOptions): string {
  checkOptions(opts);
  let der: Buffer;
  let commonName: string;
  try {
    const certificate = new X509Certificate(opts.caCertificatePem);
    der = certificate.raw;
    commonName = /(?:^|\n)CN=([^\n]*)/.exec(certificate.subject)?.[1] ?? 'Certificate authority';
  } catch {
    throw new MobileconfigError('caCertificatePem must be a PEM X.509 certificate');
  }
  const version = createHash('sha256').update(der).digest('hex');
  const payloadIdentifier = `${opts.identifier}.root`;
  return configurationProfile(opts, version, [
    {
      PayloadType: 'com.apple.security.root',
      PayloadVersion: 1,
      PayloadIdentifier: payloadIdentifier,
      PayloadUUID: derivedUuid(payloadIdentifier, 'com.apple.security.root', version),
      PayloadDisplayName: commonName,
      PayloadCertificateFileName: 'hub-ca.cer',
      PayloadContent: der,
    },
  ]);
}

/**
 * The outer `Configuration` dictionary every profile the hub makes shares, as an XML plist: its
 * UUID derived from the identifier and `version`, so the same content gives the same bytes.
 */
function configurationProfile(
  opts: Pick<MobileconfigOptions, 'identifier' | 'displayName' | 'organization' | 'description'>,
  version: string,
  content: PlistDict[],
): string {
  return plistDocument({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: opts.identifier,
    PayloadUUID: derivedUuid(opts.identifier, 'Configuration', version),
    PayloadDisplayName: opts.displayName,
    PayloadOrganization: opts.organization,
    ...(opts.description === undefined ? {} : { PayloadDescription: opts.description }),
    PayloadContent: content,
  });
}

const signAsync = promisify(cryptoSign);

/** Parsed signer certificates, kept per signer object: the hub signs with the same one. */
const parsedSigners = new WeakMap<
  MobileconfigSigner,
  { certificate: forge.pki.Certificate; chain: forge.pki.Certificate[]; key: KeyObject }
>();

function parseSigner(signer: MobileconfigSigner) {
  const known = parsedSigners.get(signer);
  if (known) {
    return known;
  }
  let certificate: forge.pki.Certificate;
  let chain: forge.pki.Certificate[];
  let key: KeyObject;
  let certificateKey: KeyObject;
  try {
    certificate = forge.pki.certificateFromPem(signer.certificatePem);
    chain = (signer.chainPems ?? []).map((pem) => forge.pki.certificateFromPem(pem));
    certificateKey = new X509Certificate(signer.certificatePem).publicKey;
    if (signer.privateKey) {
      key = signer.privateKey;
    } else if (signer.privateKeyPem !== undefined) {
      key = createPrivateKey(signer.privateKeyPem);
    } else {
      throw new Error('no private key given');
    }
  } catch (error) {
    throw new MobileconfigError(
      `the profile signer's certificate or key cannot be read: ${(error as Error).message}`,
    );
  }
  const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
  if (
    key.type !== 'private' ||
    key.asymmetricKeyType !== 'rsa' ||
    !spki(createPublicKey(key)).equals(spki(certificateKey))
  ) {
    throw new MobileconfigError("the profile signer's private key does not match its certificate");
  }
  const parsed = { certificate, chain, key };
  parsedSigners.set(signer, parsed);
  return parsed;
}

/**
 * Signs a profile as DER CMS (PKCS#7) SignedData with the XML attached, SHA-256, and the
 * contentType, messageDigest and signingTime attributes. `now` is the signing time.
 *
 * forge builds the CMS structure; the RSA signature over the signed attributes is made by
 * node:crypto in the thread pool, so signing never stalls the caller's event loop (issue 8 item
 * 23: forge's JavaScript RSA took 35-50 ms per profile). Rejects with `MobileconfigError` for a
 * certificate or key that cannot be read or do not belong together.
 */
export async function signMobileconfig(
  xml: string,
  signer: MobileconfigSigner,
  now: () => Date = () => new Date(),
): Promise<Buffer> {
  const { certificate, chain, key } = parseSigner(signer);

  const signedData = forge.pkcs7.createSignedData();
  signedData.content = forge.util.createBuffer(Buffer.from(xml, 'utf8').toString('binary'));
  signedData.addCertificate(certificate);
  for (const intermediate of chain) {
    signedData.addCertificate(intermediate);
  }
  // forge asks this stand-in for the signature; it answers with a placeholder, noting the digest
  // forge computed, and the real signature replaces the placeholder below.
  const placeholder = 'signature placeholder';
  let forgeDigest = '';
  const standIn = {
    sign(md: forge.md.MessageDigest): string {
      forgeDigest = md.digest().getBytes();
      return placeholder;
    },
  };
  signedData.addSigner({
    key: standIn as unknown as forge.pki.rsa.PrivateKey,
    certificate,
    digestAlgorithm: forge.pki.oids.sha256,
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
      { type: forge.pki.oids.messageDigest },
      { type: forge.pki.oids.signingTime, value: now().toISOString() },
    ],
  });
  signedData.sign();

  // What is signed is the DER of the attributes as a SET (RFC 5652 section 5.4), which forge
  // built as the [0] field of the SignerInfo.
  const internals = signedData as unknown as {
    signers: { authenticatedAttributesAsn1: forge.asn1.Asn1 }[];
    signerInfos: forge.asn1.Asn1[];
  };
  const attributes = internals.signers[0].authenticatedAttributesAsn1;
  const signedBytes = Buffer.from(
    forge.asn1
      .toDer(
        forge.asn1.create(
          forge.asn1.Class.UNIVERSAL,
          forge.asn1.Type.SET,
          true,
          attributes.value as forge.asn1.Asn1[],
        ),
      )
      .getBytes(),
    'binary',
  );
  if (createHash('sha256').update(signedBytes).digest('binary') !== forgeDigest) {
    throw new MobileconfigError('the signed attributes are not what forge digested');
  }
  const signature = await signAsync('sha256', signedBytes, key);
  const signatureField = (internals.signerInfos[0].value as forge.asn1.Asn1[]).find(
    (field) => field.type === forge.asn1.Type.OCTETSTRING && field.value === placeholder,
  );
  if (!signatureField) {
    throw new MobileconfigError('the SignerInfo has no signature field to fill');
  }
  signatureField.value = signature.toString('binary');
  return Buffer.from(forge.asn1.toDer(signedData.toAsn1()).getBytes(), 'binary');
}

function restrictions(settings: PolicySettings): PlistDict {
  const keys: PlistDict = {
    allowCamera: settings.camera.allowed,
    allowAppInstallation: settings.apps.allowInstall,
    allowUIAppInstallation: settings.apps.allowInstall,
    // iPadOS cannot tell an encrypted drive from a plain one, so "encrypted only" can be honoured
    // only by refusing USB drives in Files altogether.
    allowFilesUSBDriveAccess:
      settings.removableMedia.allowed && !settings.removableMedia.requireEncryption,
  };
  // Only with networks to join: on a supervised iPad this leaves only profile-installed networks,
  // and with none pushed it would cut the device off from the hub that could fix it.
  if (!settings.wifi.allowUserAddedNetworks && settings.wifi.networks.length > 0) {
    keys.forceWiFiToAllowedNetworksOnly = true;
  }
  // iPadOS 15 renamed the app list keys; older releases read only the old names, newer ones
  // prefer the new. Both carry the same list, so they cannot disagree.
  if (settings.apps.mode === 'allowlist') {
    keys.allowListedAppBundleIDs = [...settings.apps.allowed];
    keys.whitelistedAppBundleIDs = [...settings.apps.allowed];
  }
  if (settings.apps.mode === 'blocklist') {
    keys.blockedAppBundleIDs = [...settings.apps.blocked];
    keys.blacklistedAppBundleIDs = [...settings.apps.blocked];
  }
  return keys;
}

function passcode(settings: PolicySettings): PlistDict {
  const { minLength, requireMixedCase, requireNumber, requireSymbol } = settings.passcode;
  // iPadOS cannot ask for mixed case; requiring letters as well as digits is the nearest it has.
  const requireAlphanumeric = requireMixedCase || requireNumber;
  const keys: PlistDict = {
    forcePIN: settings.screen.requirePasscode,
    minLength: Math.min(minLength, APPLE_MAX_MIN_LENGTH),
    requireAlphanumeric,
    allowSimple: !(requireAlphanumeric || requireSymbol),
    // A shorter auto-lock than asked is the safe side of Apple's 15-minute ceiling.
    maxInactivity: Math.min(settings.screen.autoLockMinutes, APPLE_MAX_INACTIVITY_MINUTES),
  };
  if (requireSymbol) {
    keys.minComplexChars = 1;
  }
  return keys;
}

function wifi(network: WifiNetwork): PlistDict {
  const encryption = { open: 'None', wpa2: 'WPA2', wpa3: 'WPA3' }[network.security];
  return {
    SSID_STR: network.ssid,
    EncryptionType: encryption,
    ...(network.password === undefined ? {} : { Password: network.password }),
    AutoJoin: network.autoJoin,
  };
}

function checkOptions(
  opts: Pick<MobileconfigOptions, 'identifier' | 'displayName' | 'organization' | 'description'>,
): void {
  if (
    typeof opts.identifier !== 'string' ||
    opts.identifier.length > 255 ||
    !/^[A-Za-z0-9][A-Za-z0-9-]*(\.[A-Za-z0-9][A-Za-z0-9-]*)+$/.test(opts.identifier)
  ) {
    throw new MobileconfigError(
      'identifier must be a reverse-DNS name such as uk.sch.example.policy',
    );
  }
  for (const key of ['displayName', 'organization'] as const) {
    if (typeof opts[key] !== 'string' || opts[key].trim().length === 0) {
      throw new MobileconfigTextError(`${key} must be a non-empty string`);
    }
  }
  if (opts.description !== undefined && typeof opts.description !== 'string') {
    throw new MobileconfigTextError('description must be a string');
  }
}

// A UUID-shaped name-based identifier (RFC 9562 version 8, from SHA-256), so recompiling the
// same settings gives the same profile, and different settings give a different PayloadUUID.
function derivedUuid(identifier: string, payloadType: string, version: string): string {
  const bytes = createHash('sha256')
    .update(`${identifier}\n${payloadType}\n${version}`, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex').toUpperCase();
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join('-');
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function plistDocument(root: PlistDict): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    ...plistLines(root, 0),
    '</plist>',
    '',
  ].join('\n');
}

function plistLines(value: PlistValue, depth: number): string[] {
  const pad = '\t'.repeat(depth);
  if (typeof value === 'string') {
    return [`${pad}<string>${escapeXml(value)}</string>`];
  }
  if (typeof value === 'boolean') {
    return [`${pad}<${value ? 'true' : 'false'}/>`];
  }
  if (Buffer.isBuffer(value)) {
    // Base64 in lines of 52, as Apple's own tools write <data>.
    const lines = value.toString('base64').match(/.{1,52}/g) ?? [];
    return [`${pad}<data>`, ...lines.map((line) => `${pad}${line}`), `${pad}</data>`];
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new MobileconfigError(`a profile integer must be a whole number, not ${value}`);
    }
    return [`${pad}<integer>${value}</integer>`];
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return [`${pad}<array/>`];
    }
    return [
      `${pad}<array>`,
      ...value.flatMap((item) => plistLines(item, depth + 1)),
      `${pad}</array>`,
    ];
  }
  const entries = Object.entries(value);
  return [
    `${pad}<dict>`,
    ...entries.flatMap(([key, item]) => [
      `${pad}\t<key>${escapeXml(key)}</key>`,
      ...plistLines(item, depth + 1),
    ]),
    `${pad}</dict>`,
  ];
}

function escapeXml(text: string): string {
  // Characters XML 1.0 cannot carry at all, even escaped: most C0 controls, lone surrogates and
  // U+FFFE/U+FFFF. Refusing beats writing a profile the device will reject as malformed.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text) || hasLoneSurrogate(text)) {
    throw new MobileconfigTextError('profile text contains characters that XML cannot carry');
  }
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
