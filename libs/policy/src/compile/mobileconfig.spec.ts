// Specs for the Apple configuration profile: it parses as a plist with the expected payloads, and
// its CMS signature verifies with the real openssl CLI against a test CA.

import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import forge from 'node-forge';

import { SCHOOL_BASELINE } from '../baseline';
import { PROTECTED_APP_IDS, type PolicySettings } from '../settings';
import {
  MobileconfigError,
  compileMobileconfig,
  compileTrustProfile,
  signMobileconfig,
} from './mobileconfig';

type Dict = Record<string, unknown>;

const options = {
  identifier: 'uk.sch.example.hub.policy',
  displayName: 'St Example\'s "Pupil iPads" <Year 5> & 6',
  organization: 'Ysgol Enghraifft — Øst Primary',
  description: 'Managed by the classroom device hub',
};

// plist@5 is an ES module only, which CommonJS Jest cannot require; parse in a child Node instead,
// which also keeps the parser entirely separate from the code under test.
function parsePlist(xml: string): Dict {
  const script = [
    "import { parse } from 'plist';",
    "let text = '';",
    "process.stdin.setEncoding('utf8');",
    'process.stdin.on("data", (chunk) => { text += chunk; });',
    'process.stdin.on("end", () => process.stdout.write(JSON.stringify(parse(text))));',
  ].join('\n');
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: __dirname,
    input: xml,
    encoding: 'utf8',
  });
  return JSON.parse(output) as Dict;
}

function settingsWith(change: (settings: PolicySettings) => void): PolicySettings {
  const settings = structuredClone(SCHOOL_BASELINE);
  change(settings);
  return settings;
}

function payloadsOf(profile: Dict, type: string): Dict[] {
  return (profile.PayloadContent as Dict[]).filter((payload) => payload.PayloadType === type);
}

// The same value with every object's keys written in reverse order.
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(reverseKeys);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, inner]) => [key, reverseKeys(inner)]),
    );
  }
  return value;
}

const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

describe(compileMobileconfig.name, () => {
  const classroom = settingsWith((settings) => {
    settings.camera.allowed = true;
    settings.apps = {
      mode: 'allowlist',
      allowed: [...PROTECTED_APP_IDS, 'com.example.maths'],
      blocked: [],
      allowInstall: false,
    };
    settings.wifi.networks = [
      { ssid: 'School & Staff <5G>', security: 'wpa2', password: `p&ss<w>rd"'1`, autoJoin: true },
      { ssid: 'Guest', security: 'open', autoJoin: false },
      { ssid: 'Secure', security: 'wpa3', password: 'correct horse', autoJoin: true },
    ];
  });

  it('writes a profile that parses as a plist, with the top-level keys Apple requires', () => {
    const profile = parsePlist(compileMobileconfig(classroom, options));
    expect(profile).toMatchObject({
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      PayloadIdentifier: options.identifier,
      PayloadDisplayName: options.displayName,
      PayloadOrganization: options.organization,
      PayloadDescription: options.description,
    });
    expect(profile.PayloadUUID).toMatch(UUID);
    const content = profile.PayloadContent as Dict[];
    expect(content.map((payload) => payload.PayloadType)).toEqual([
      'com.apple.applicationaccess',
      'com.apple.mobiledevice.passwordpolicy',
      'com.apple.wifi.managed',
      'com.apple.wifi.managed',
      'com.apple.wifi.managed',
    ]);
    const uuids = [profile.PayloadUUID, ...content.map((payload) => payload.PayloadUUID)];
    const identifiers = content.map((payload) => payload.PayloadIdentifier as string);
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(new Set(identifiers).size).toBe(identifiers.length);
    for (const payload of content) {
      expect(payload.PayloadVersion).toBe(1);
      expect(payload.PayloadUUID).toMatch(UUID);
      expect(payload.PayloadIdentifier as string).toMatch(/^uk\.sch\.example\.hub\.policy\./);
    }
  });

  it('writes the restrictions: camera, installation and the app allowlist', () => {
    const [restrictions] = payloadsOf(
      parsePlist(compileMobileconfig(classroom, options)),
      'com.apple.applicationaccess',
    );
    expect(restrictions).toMatchObject({
      allowCamera: true,
      allowAppInstallation: false,
      allowUIAppInstallation: false,
      forceWiFiToAllowedNetworksOnly: true,
      whitelistedAppBundleIDs: [...PROTECTED_APP_IDS, 'com.example.maths'],
      allowListedAppBundleIDs: [...PROTECTED_APP_IDS, 'com.example.maths'],
    });
    expect(restrictions).not.toHaveProperty('blacklistedAppBundleIDs');
  });

  it('writes the blocklist only in blocklist mode', () => {
    const blocking = settingsWith((settings) => {
      settings.apps.mode = 'blocklist';
      settings.apps.blocked = ['com.example.game', 'com.example.chat'];
      settings.apps.allowInstall = true;
    });
    const [restrictions] = payloadsOf(
      parsePlist(compileMobileconfig(blocking, options)),
      'com.apple.applicationaccess',
    );
    expect(restrictions).toMatchObject({
      allowCamera: false,
      allowAppInstallation: true,
      blacklistedAppBundleIDs: ['com.example.game', 'com.example.chat'],
      blockedAppBundleIDs: ['com.example.game', 'com.example.chat'],
    });
    expect(restrictions).not.toHaveProperty('whitelistedAppBundleIDs');
    const open = payloadsOf(
      parsePlist(compileMobileconfig(SCHOOL_BASELINE, options)),
      'com.apple.applicationaccess',
    )[0];
    expect(open).not.toHaveProperty('whitelistedAppBundleIDs');
    expect(open).not.toHaveProperty('blacklistedAppBundleIDs');
  });

  it.each([
    [true, false, true],
    [true, true, false],
    [false, false, false],
  ])(
    'USB drives in Files: media allowed %p, encryption required %p gives %p',
    (allowed, requireEncryption, expected) => {
      const settings = settingsWith((s) => (s.removableMedia = { allowed, requireEncryption }));
      const [restrictions] = payloadsOf(
        parsePlist(compileMobileconfig(settings, options)),
        'com.apple.applicationaccess',
      );
      expect(restrictions.allowFilesUSBDriveAccess).toBe(expected);
    },
  );

  it('does not restrict Wi-Fi to pushed networks when none are pushed', () => {
    const [restrictions] = payloadsOf(
      parsePlist(compileMobileconfig(SCHOOL_BASELINE, options)),
      'com.apple.applicationaccess',
    );
    expect(restrictions).not.toHaveProperty('forceWiFiToAllowedNetworksOnly');
  });

  it('writes the passcode policy from the baseline', () => {
    const [passcode] = payloadsOf(
      parsePlist(compileMobileconfig(SCHOOL_BASELINE, options)),
      'com.apple.mobiledevice.passwordpolicy',
    );
    expect(passcode).toMatchObject({
      forcePIN: true,
      minLength: 6,
      requireAlphanumeric: true,
      allowSimple: false,
      minComplexChars: 1,
      maxInactivity: 5,
    });
  });

  it("keeps within Apple's ranges and leaves out rules that are off", () => {
    const relaxed = settingsWith((settings) => {
      settings.passcode = {
        minLength: 20,
        requireMixedCase: false,
        requireNumber: false,
        requireSymbol: false,
      };
      settings.screen = { autoLockMinutes: 30, requirePasscode: false };
    });
    const [passcode] = payloadsOf(
      parsePlist(compileMobileconfig(relaxed, options)),
      'com.apple.mobiledevice.passwordpolicy',
    );
    expect(passcode).toMatchObject({
      forcePIN: false,
      minLength: 16,
      requireAlphanumeric: false,
      allowSimple: true,
      maxInactivity: 15,
    });
    expect(passcode).not.toHaveProperty('minComplexChars');
  });

  it('writes one Wi-Fi payload per network, with escaped text intact', () => {
    const wifi = payloadsOf(
      parsePlist(compileMobileconfig(classroom, options)),
      'com.apple.wifi.managed',
    );
    expect(wifi).toHaveLength(3);
    expect(wifi[0]).toMatchObject({
      SSID_STR: 'School & Staff <5G>',
      EncryptionType: 'WPA2',
      Password: `p&ss<w>rd"'1`,
      AutoJoin: true,
    });
    expect(wifi[1]).toMatchObject({ SSID_STR: 'Guest', EncryptionType: 'None', AutoJoin: false });
    expect(wifi[1]).not.toHaveProperty('Password');
    expect(wifi[2]).toMatchObject({ SSID_STR: 'Secure', EncryptionType: 'WPA3', AutoJoin: true });
  });

  it('escapes every XML special character in the text it writes', () => {
    const xml = compileMobileconfig(classroom, options);
    expect(xml).toContain('St Example&apos;s &quot;Pupil iPads&quot; &lt;Year 5&gt; &amp; 6');
    expect(xml).not.toContain('<Year 5>');
  });

  it('gives the same bytes for the same settings, and new UUIDs for new settings', () => {
    const reordered = reverseKeys(classroom) as PolicySettings;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(classroom));
    expect(compileMobileconfig(reordered, options)).toBe(compileMobileconfig(classroom, options));
    const first = parsePlist(compileMobileconfig(classroom, options));
    const changed = parsePlist(
      compileMobileconfig(
        settingsWith((settings) => (settings.camera.allowed = false)),
        options,
      ),
    );
    expect(changed.PayloadUUID).not.toBe(first.PayloadUUID);
  });

  it.each([
    ['identifier', { identifier: 'not a reverse dns name' }],
    ['displayName', { displayName: ' ' }],
    ['organization', { organization: '' }],
  ])('refuses a bad %s', (_, change) => {
    expect(() => compileMobileconfig(SCHOOL_BASELINE, { ...options, ...change })).toThrow(
      MobileconfigError,
    );
  });

  it('refuses text XML cannot carry', () => {
    expect(() =>
      compileMobileconfig(SCHOOL_BASELINE, { ...options, description: 'bell\u0007' }),
    ).toThrow(MobileconfigError);
  });

  it('refuses settings that do not validate', () => {
    const bad = settingsWith((settings) => (settings.passcode.minLength = 2));
    expect(() => compileMobileconfig(bad, options)).toThrow(/passcode\.minLength/);
  });
});

describe(signMobileconfig.name, () => {
  interface Issued {
    certificatePem: string;
    privateKeyPem: string;
  }

  let dir: string;
  let root: Issued;
  let intermediate: Issued;
  let signer: Issued;
  let signedByIntermediate: Issued;
  let otherRoot: Issued;
  let xml: string;
  let serial = 1;

  function issue(subjectName: string, issuer: Issued | null, isCa: boolean): Issued {
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const certificate = forge.pki.createCertificate();
    certificate.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
    certificate.serialNumber = (serial++).toString(16).padStart(2, '0');
    certificate.validity.notBefore = new Date(Date.now() - 24 * 60 * 60 * 1000);
    certificate.validity.notAfter = new Date(Date.now() + 365 * 24 * 60 * 60 * 1000);
    const subject = [{ name: 'commonName', value: subjectName }];
    certificate.setSubject(subject);
    const issuerCertificate = issuer ? forge.pki.certificateFromPem(issuer.certificatePem) : null;
    certificate.setIssuer(issuerCertificate ? issuerCertificate.subject.attributes : subject);
    certificate.setExtensions(
      isCa
        ? [
            { name: 'basicConstraints', cA: true, critical: true },
            { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
            { name: 'subjectKeyIdentifier' },
          ]
        : [
            { name: 'basicConstraints', cA: false },
            { name: 'keyUsage', digitalSignature: true, critical: true },
            { name: 'subjectKeyIdentifier' },
          ],
    );
    const signingKey = forge.pki.privateKeyFromPem(
      issuer ? issuer.privateKeyPem : keys.privateKey,
    ) as forge.pki.rsa.PrivateKey;
    certificate.sign(signingKey, forge.md.sha256.create());
    return {
      certificatePem: forge.pki.certificateToPem(certificate),
      privateKeyPem: keys.privateKey,
    };
  }

  function openssl(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  function verify(signed: Buffer, caPem: string, name: string) {
    writeFileSync(join(dir, `${name}.mobileconfig`), signed);
    writeFileSync(join(dir, `${name}-ca.pem`), caPem);
    return openssl([
      'smime',
      '-verify',
      '-inform',
      'DER',
      '-in',
      `${name}.mobileconfig`,
      '-CAfile',
      `${name}-ca.pem`,
      '-purpose',
      'any',
      '-out',
      `${name}-content.xml`,
    ]);
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'policy-mobileconfig-'));
    root = issue('Example School Test Root CA', null, true);
    intermediate = issue('Example School Test Profiles CA', root, true);
    signer = issue('Example School Hub Profile Signer', root, false);
    signedByIntermediate = issue('Example School Hub Profile Signer 2', intermediate, false);
    otherRoot = issue('Someone Else Root CA', null, true);
    xml = compileMobileconfig(SCHOOL_BASELINE, options);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes DER SignedData that openssl verifies, with the profile attached byte for byte', async () => {
    const signed = await signMobileconfig(xml, signer);
    expect(signed[0]).toBe(0x30);
    const result = verify(signed, root.certificatePem, 'direct');
    expect(result.stderr).toContain('Verification successful');
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, 'direct-content.xml'))).toEqual(Buffer.from(xml, 'utf8'));
  });

  it('includes the chain it is given, so a device trusting only the root can verify', async () => {
    const withoutChain = await signMobileconfig(xml, signedByIntermediate);
    expect(verify(withoutChain, root.certificatePem, 'no-chain').status).not.toBe(0);
    const withChain = await signMobileconfig(xml, {
      ...signedByIntermediate,
      chainPems: [intermediate.certificatePem],
    });
    const result = verify(withChain, root.certificatePem, 'chain');
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, 'chain-content.xml'), 'utf8')).toBe(xml);
  });

  it('signs with a node:crypto key object as openssl verifies, without stalling the event loop', async () => {
    const keyed = {
      certificatePem: signer.certificatePem,
      privateKey: createPrivateKey(signer.privateKeyPem),
    };
    await signMobileconfig(xml, keyed); // parses the signer once
    // The RSA signature runs in the thread pool: only building the CMS structure holds the loop.
    // The shortest of five holds: a JavaScript RSA would hold the loop on every one, while a
    // busy machine (the other specs beside it) can stretch any single one.
    let shortest = Infinity;
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      const signing = signMobileconfig(xml, keyed);
      shortest = Math.min(shortest, performance.now() - started);
      const signed = await signing;
      if (i === 4) {
        const result = verify(signed, root.certificatePem, 'keyed');
        expect(result.status).toBe(0);
        expect(readFileSync(join(dir, 'keyed-content.xml'), 'utf8')).toBe(xml);
      }
    }
    // forge's JavaScript RSA held the loop 30 to 50 ms for each profile.
    expect(shortest).toBeLessThan(20);
  });

  it('does not verify against a CA that did not issue the signer', async () => {
    const result = verify(
      await signMobileconfig(xml, signer),
      otherRoot.certificatePem,
      'stranger',
    );
    expect(result.status).not.toBe(0);
  });

  it('does not verify once the profile inside is altered', async () => {
    const signed = await signMobileconfig(xml, signer);
    const at = signed.indexOf(Buffer.from('<integer>6</integer>'));
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(signed);
    tampered.write('<integer>4</integer>', at);
    const result = verify(tampered, root.certificatePem, 'tampered');
    expect(result.status).not.toBe(0);
  });

  it('records the signing time from the clock it is given, with SHA-256', async () => {
    const signed = await signMobileconfig(xml, signer, () => new Date('2025-03-01T09:30:00Z'));
    writeFileSync(join(dir, 'timed.mobileconfig'), signed);
    const printed = openssl([
      'cms',
      '-cmsout',
      '-print',
      '-inform',
      'DER',
      '-in',
      'timed.mobileconfig',
    ]);
    expect(printed.status).toBe(0);
    expect(printed.stdout).toMatch(/signingTime[\s\S]*UTCTIME:Mar {2}1 09:30:00 2025 GMT/);
    expect(printed.stdout).toMatch(/digestAlgorithm:\s+algorithm: sha256/);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    await expect(
      signMobileconfig(xml, {
        certificatePem: signer.certificatePem,
        privateKeyPem: root.privateKeyPem,
      }),
    ).rejects.toThrow(MobileconfigError);
    await expect(
      signMobileconfig(xml, {
        certificatePem: signer.certificatePem,
        privateKey: createPrivateKey(root.privateKeyPem),
      }),
    ).rejects.toThrow(MobileconfigError);
  });

  it('refuses a certificate it cannot read', async () => {
    await expect(
      signMobileconfig(xml, {
        certificatePem: 'not a certificate',
        privateKeyPem: signer.privateKeyPem,
      }),
    ).rejects.toThrow(MobileconfigError);
  });
});

describe(compileTrustProfile.name, () => {
  function selfSignedCa(): string {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = forge.pki.privateKeyFromPem(
      keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ) as forge.pki.rsa.PrivateKey;
    const certificate = forge.pki.createCertificate();
    certificate.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    certificate.serialNumber = '01';
    certificate.validity.notBefore = new Date('2026-01-01T00:00:00Z');
    certificate.validity.notAfter = new Date('2046-01-01T00:00:00Z');
    certificate.setSubject([{ name: 'commonName', value: 'Hub CA' }]);
    certificate.setIssuer([{ name: 'commonName', value: 'Hub CA' }]);
    certificate.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }]);
    certificate.sign(key, forge.md.sha256.create());
    return forge.pki.certificateToPem(certificate);
  }

  const trust = {
    identifier: 'org.devicehub.ca.0123456789abcdef',
    displayName: 'Hub certificate',
    organization: options.organization,
  };

  it('installs the CA as one root payload, from the school, the same bytes each time', () => {
    const caCertificatePem = selfSignedCa();
    const xml = compileTrustProfile({ ...trust, caCertificatePem });
    expect(compileTrustProfile({ ...trust, caCertificatePem })).toBe(xml);
    const profile = parsePlist(xml);
    expect(profile).toMatchObject({
      PayloadType: 'Configuration',
      PayloadIdentifier: trust.identifier,
      PayloadOrganization: options.organization,
      PayloadUUID: expect.stringMatching(UUID),
    });
    const [root] = profile.PayloadContent as Dict[];
    expect(root).toMatchObject({
      PayloadType: 'com.apple.security.root',
      PayloadDisplayName: 'Hub CA',
      PayloadUUID: expect.stringMatching(UUID),
    });
    // The <data> holds the certificate's DER, base64 in lines.
    const data = /<data>([\s\S]*?)<\/data>/.exec(xml)?.[1].replace(/\s/g, '') ?? '';
    const der = forge.asn1.toDer(
      forge.pki.certificateToAsn1(forge.pki.certificateFromPem(caCertificatePem)),
    );
    expect(Buffer.from(data, 'base64').toString('binary')).toBe(der.getBytes());
    // Another CA is another profile.
    expect(
      parsePlist(compileTrustProfile({ ...trust, caCertificatePem: selfSignedCa() })).PayloadUUID,
    ).not.toBe(profile.PayloadUUID);
  });

  it('refuses a certificate that is not PEM X.509', () => {
    expect(() => compileTrustProfile({ ...trust, caCertificatePem: 'not a certificate' })).toThrow(
      MobileconfigError,
    );
  });
});
