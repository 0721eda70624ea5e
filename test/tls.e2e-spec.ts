// Running at a school (issue 9): the hub serves HTTPS and WSS with a certificate made for the
// test, the agent and the simulator trust it through the CA they are given, the hub publishes its
// CA for agents and iPads, and each request leaves one log line that names no one.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as tls from 'node:tls';
import * as path from 'node:path';
import forge from 'node-forge';
import request from 'supertest';
import {
  DeviceClient,
  enrollDevice,
  fetchPinnedCa,
  isUntrustedCertificateError,
  SimulatedEnforcer,
  trustCa,
  trustingFetch,
  type DeviceIdentity,
} from '@app/devices';
import { main as agentMain } from '../apps/device-agent/src/main';
import { loadIdentity } from '../apps/device-agent/src/agent-state';
import { loadTrust } from '../apps/device-agent/src/hub-trust';
import { runSimulator } from '../apps/device-agent/src/simulate';
import { ConfigError, loadHubConfig } from '../apps/hub/src/config/hub-config';
import { createEnrollmentToken, testKeys } from './support/devices';
import { acceptAup, ADMIN_PASSWORD, makeDataDir, startHub, TestHub } from './support/hub';
import {
  freePort,
  HubProcess,
  killHubProcess,
  spawnEntryPoint,
  startHubProcess,
} from './support/hub-process';

const SCHOOL = 'St Example\'s "Primary" & Nursery';

interface TestCa {
  certPem: string;
  keyPem: string;
}

function forgeKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return {
    privateKey: forgeKey,
    publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e),
  };
}

/** A CA for the test, made as the hub makes its own (CA:true, keyCertSign). */
function makeCa(commonName: string): TestCa {
  const keys = forgeKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}

/** A server certificate for localhost and 127.0.0.1, signed by `ca`. */
function makeServerCertificate(ca: TestCa, serial = '02'): { certPem: string; keyPem: string } {
  const keys = forgeKeys();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ]);
  cert.sign(
    forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey,
    forge.md.sha256.create(),
  );
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The profile inside a signed .mobileconfig (DER CMS SignedData with the XML attached). */
function profileOf(body: Buffer): Record<string, unknown> {
  const message = forge.pkcs7.messageFromAsn1(
    forge.asn1.fromDer(forge.util.createBuffer(body.toString('binary'))),
  ) as forge.pkcs7.PkcsSignedData & { rawCapture: { content?: forge.asn1.Asn1 } };
  const content = message.rawCapture.content;
  const octets = (content?.value as forge.asn1.Asn1[] | undefined)?.[0];
  const xml = Buffer.from(String(octets?.value ?? ''), 'binary').toString('utf8');
  return parsePlist(xml);
}

/**
 * plist@5 is an ES module only, which CommonJS Jest cannot require: parse in a child Node (as
 * libs/policy's spec does). `<data>` comes back as `{ base64 }`.
 */
function parsePlist(xml: string): Record<string, unknown> {
  const script = [
    "import { parse } from 'plist';",
    "let text = '';",
    "process.stdin.setEncoding('utf8');",
    'process.stdin.on("data", (chunk) => { text += chunk; });',
    'const plain = (v) => v instanceof Uint8Array ? { base64: Buffer.from(v).toString("base64") }',
    '  : Array.isArray(v) ? v.map(plain)',
    '  : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))',
    '  : v;',
    'process.stdin.on("end", () => process.stdout.write(JSON.stringify(plain(parse(text)))));',
  ].join('\n');
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: __dirname,
    input: xml,
    encoding: 'utf8',
  });
  return JSON.parse(output) as Record<string, unknown>;
}

/** Every structured line the hub wrote. */
function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function waitForLine(
  hub: HubProcess,
  match: (line: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = jsonLines(hub.stdout()).find(match);
    if (found) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error(`no such log line in:\n${hub.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Each process compiles the hub on the fly: allow for a busy machine.
const PROCESS_TIMEOUT_MS = 120_000;

describe('the hub over HTTPS, with a certificate from a test CA', () => {
  const ca = makeCa('Test school CA');
  const dataDir = makeDataDir();
  const caFile = path.join(tempDir('tls-ca-'), 'school-ca.pem');
  let hub: HubProcess;
  let token: string;
  const tlsDir = tempDir('tls-server-');

  beforeAll(async () => {
    // The hub's own CA is the test CA, as when ICT issues the hub's TLS certificate from it
    // (docs/deploy.md): then the CA an iPad or agent trusts is also the one GET /api/ca.pem gives.
    fs.mkdirSync(path.join(dataDir, 'ca'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dataDir, 'ca', 'ca.cert.pem'), ca.certPem, { mode: 0o600 });
    fs.writeFileSync(path.join(dataDir, 'ca', 'ca.key.pem'), ca.keyPem, { mode: 0o600 });
    const server = makeServerCertificate(ca);
    fs.writeFileSync(path.join(tlsDir, 'hub.cert.pem'), server.certPem);
    fs.writeFileSync(path.join(tlsDir, 'hub.key.pem'), server.keyPem, { mode: 0o600 });
    fs.writeFileSync(caFile, ca.certPem);
    hub = await startHubProcess(dataDir, await freePort(), {
      env: {
        HUB_TLS_CERT: path.join(tlsDir, 'hub.cert.pem'),
        HUB_TLS_KEY: path.join(tlsDir, 'hub.key.pem'),
        HUB_SCHOOL_NAME: SCHOOL,
        HUB_LOG_LEVEL: 'debug',
      },
      ca: ca.certPem,
    });
    const http = request.agent(hub.url).ca(ca.certPem);
    const login = await http
      .post('/api/auth/login')
      .send({ username: 'admin', password: ADMIN_PASSWORD });
    token = (login.body as { accessToken: string }).accessToken;
    await acceptAup(http, token);
  }, PROCESS_TIMEOUT_MS);

  afterAll(async () => {
    await killHubProcess(hub.child);
  });

  /** An enrolment token, created over HTTPS. */
  async function enrolmentToken(maxUses: number): Promise<string> {
    const created = await request(hub.url)
      .post('/api/enrollment-tokens')
      .ca(ca.certPem)
      .set('Authorization', `Bearer ${token}`)
      .send({ maxUses });
    expect(created.status).toBe(201);
    return (created.body as { token: string }).token;
  }

  it('answers health over HTTPS to a client that trusts the CA, and is refused by one that does not', async () => {
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const trusted = await trustingFetch(trustCa(ca.certPem))(`${hub.url}/api/health`);
    expect(trusted.status).toBe(200);
    expect(await trusted.json()).toMatchObject({ status: 'ok' });

    // Node's built-in roots alone do not know the test CA: the connection is refused.
    const refusal = await fetch(`${hub.url}/api/health`).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isUntrustedCertificateError(refusal)).toBe(true);
  });

  it('says at start where devices can reach it, with https and the CA fingerprint', () => {
    const stdout = hub.stdout();
    const port = new URL(hub.url).port;
    expect(stdout).toContain(`Hub listening on https://localhost:${port}`);
    // HUB_HOST is 127.0.0.1 in these tests: it says only this computer can reach it.
    expect(stdout).toContain('Only this computer can reach the hub: it is bound to 127.0.0.1');
    const fingerprint = new X509Certificate(ca.certPem).fingerprint256;
    expect(stdout).toContain(
      `CA fingerprint (SHA-256, for device-agent --ca-fingerprint): ${fingerprint}`,
    );
    const line = jsonLines(stdout).find((entry) => entry.msg === 'Hub listening');
    expect(line).toMatchObject({ tls: true, loopbackOnly: true, caFingerprint: fingerprint });
  });

  it(
    'enrols the agent with --ca-fingerprint, and its saved state connects over wss',
    async () => {
      const stateDir = tempDir('tls-agent-');
      const fingerprint = new X509Certificate(ca.certPem).fingerprint256;
      const enrolToken = await enrolmentToken(2);

      // A fingerprint that is not the hub's CA's: nothing is trusted, nothing enrolled.
      const wrong = fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00');
      const errors: string[] = [];
      const error = jest.spyOn(console, 'error').mockImplementation((text: string) => {
        errors.push(text);
      });
      const log = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        const refused = await agentMain([
          'enroll',
          '--hub',
          hub.url,
          '--token',
          enrolToken,
          '--state-dir',
          stateDir,
          '--serial',
          'TLS-AGENT-1',
          '--ca-fingerprint',
          wrong,
        ]);
        expect(refused).toBe(1);
        expect(errors.join('\n')).toContain('it is not trusted');
        expect(fs.existsSync(path.join(stateDir, 'identity.json'))).toBe(false);

        const code = await agentMain([
          'enroll',
          '--hub',
          hub.url,
          '--token',
          enrolToken,
          '--state-dir',
          stateDir,
          '--serial',
          'TLS-AGENT-1',
          '--ca-fingerprint',
          fingerprint.replace(/:/g, '').toLowerCase(),
        ]);
        expect({ code, errors }).toEqual({ code: 0, errors: [expect.any(String)] });
      } finally {
        error.mockRestore();
        log.mockRestore();
      }

      // What `device-agent run` connects with: the saved identity and the saved CA.
      const identity = await loadIdentity(stateDir);
      const trust = await loadTrust(stateDir);
      expect(trust?.caPems).toEqual([ca.certPem]);
      const client = new DeviceClient({
        hubUrl: identity.hubUrl,
        trust,
        deviceId: identity.deviceId,
        privateKeyPem: identity.privateKeyPem,
        enforcer: new SimulatedEnforcer(),
        autoConnect: false,
      });
      try {
        await new Promise<void>((resolve, reject) => {
          client.once('connect', resolve);
          client.once('connect_error', reject);
          client.connect();
        });
        expect(client.connected).toBe(true);
      } finally {
        client.destroy();
      }
    },
    PROCESS_TIMEOUT_MS,
  );

  it('refuses to enrol a device that was given no CA, saying the certificate is not trusted', async () => {
    const enrolToken = await enrolmentToken(1);
    await expect(
      enrollDevice({
        hubUrl: hub.url,
        token: enrolToken,
        device: { serialNumber: 'TLS-UNTRUSTED', platform: 'linux' },
        keys: await testKeys(),
      }),
    ).rejects.toThrow("the hub's TLS certificate is not trusted here");
  });

  it(
    'runs the simulator over wss with --ca FILE',
    async () => {
      const enrolToken = await enrolmentToken(3);
      const trust = trustCa(fs.readFileSync(caFile, 'utf8'));
      const simulator = await runSimulator({
        hubUrl: hub.url,
        trust,
        token: enrolToken,
        devices: 3,
        group: 'tls',
        keyPoolSize: 1,
        stateFile: path.join(tempDir('tls-sim-'), 'tls.json'),
      });
      try {
        await simulator.waitForConnected(3, 20_000);
        expect(simulator.connectedCount()).toBe(3);
      } finally {
        await simulator.stop();
      }
    },
    PROCESS_TIMEOUT_MS,
  );

  it('fetches the CA by fingerprint, and refuses one whose fingerprint differs', async () => {
    const fingerprint = new X509Certificate(ca.certPem).fingerprint256;
    expect((await fetchPinnedCa(hub.url, fingerprint)).caPems).toEqual([ca.certPem]);
    await expect(fetchPinnedCa(hub.url, '00'.repeat(32))).rejects.toThrow('it is not trusted');
  });

  it('logs request headers at debug, with the credentials redacted and no one named', async () => {
    const fileName = Buffer.from('Jane Pupil sports day.jpg').toString('base64');
    const sent = await request(hub.url)
      .get('/api/enrollment-tokens')
      .ca(ca.certPem)
      .set('Authorization', `Bearer ${token}`)
      .set('Cookie', 'session=secret-cookie')
      // The console page that asked, with what was searched for; a tus client's file name.
      .set('Referer', `${hub.url}/inventory?search=Jane+Pupil`)
      .set('Upload-Metadata', `filename ${fileName},contentType aW1hZ2UvanBlZw==`);
    expect(sent.status).toBe(200);
    const id = sent.headers['x-request-id'] as string;
    const line = await waitForLine(
      hub,
      (entry) => (entry.req as { id?: string } | undefined)?.id === id && 'responseTime' in entry,
    );
    expect(line.req).toMatchObject({
      method: 'GET',
      url: '/api/enrollment-tokens',
      headers: expect.objectContaining({ authorization: '[redacted]', cookie: '[redacted]' }),
    });
    expect(JSON.stringify(line)).not.toContain(token);
    expect(JSON.stringify(line)).not.toContain('secret-cookie');
    expect(line.req).toMatchObject({
      headers: expect.objectContaining({
        referer: `${hub.url}/inventory`,
        'upload-metadata': 'filename,contentType',
      }),
    });
    expect(JSON.stringify(line)).not.toContain('Jane');
    expect(JSON.stringify(line)).not.toContain(fileName);
  });
  it('serves a renewed certificate after SIGHUP, without a restart', async () => {
    const servedSerial = () =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect(
          { host: '127.0.0.1', port: Number(new URL(hub.url).port), ca: ca.certPem },
          () => {
            resolve(socket.getPeerCertificate().serialNumber);
            socket.end();
          },
        );
        socket.once('error', reject);
      });
    expect(await servedSerial()).toBe('02');
    const renewed = makeServerCertificate(ca, '03');
    fs.writeFileSync(path.join(tlsDir, 'hub.cert.pem'), renewed.certPem);
    fs.writeFileSync(path.join(tlsDir, 'hub.key.pem'), renewed.keyPem);
    hub.child.kill('SIGHUP');
    await waitForLine(hub, (entry) => String(entry.msg).startsWith('Reloaded the TLS certificate'));
    expect(await servedSerial()).toBe('03');
    expect(hub.child.exitCode).toBeNull();
  });
});

describe('the hub CA and the school name, published', () => {
  let hub: TestHub;
  let identity: DeviceIdentity;

  beforeAll(async () => {
    hub = await startHub({ env: { HUB_SCHOOL_NAME: SCHOOL } });
    const admin = await hub.login();
    identity = await enrollDevice({
      hubUrl: hub.url,
      token: await createEnrollmentToken(hub, admin),
      device: { serialNumber: 'CA-PEM-1', platform: 'ipados' },
      keys: await testKeys(),
    });
  });

  afterAll(() => hub.close());

  it('gives the CA that signs device certificates at GET /api/ca.pem, to anyone', async () => {
    const response = await hub.http.get('/api/ca.pem');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-pem-file/);
    const ca = new X509Certificate(response.text);
    expect(ca.ca).toBe(true);
    expect(ca.raw.equals(new X509Certificate(identity.caCertificatePem).raw)).toBe(true);
    expect(new X509Certificate(identity.certificatePem).verify(ca.publicKey)).toBe(true);
  });

  it('gives a signed profile that installs that CA on an iPad, from the school', async () => {
    const response = await hub.http
      .get('/api/ca.mobileconfig')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-apple-aspen-config');
    const profile = profileOf(response.body as Buffer);
    expect(profile).toMatchObject({ PayloadType: 'Configuration', PayloadOrganization: SCHOOL });
    const [root] = profile.PayloadContent as Record<string, unknown>[];
    expect(root.PayloadType).toBe('com.apple.security.root');
    const der = Buffer.from((root.PayloadContent as { base64: string }).base64, 'base64');
    expect(der.equals(new X509Certificate(identity.caCertificatePem).raw)).toBe(true);
  });

  it("puts the school's name on policy profiles and in GET /api/school", async () => {
    const admin = await hub.login();
    const policies = await hub.http.get('/api/policies').set('Authorization', `Bearer ${admin}`);
    expect(policies.status).toBe(200);
    const [first] = policies.body as { id: string }[];
    const response = await hub.http
      .get(`/api/policies/${first.id}/profile.mobileconfig`)
      .set('Authorization', `Bearer ${admin}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(response.status).toBe(200);
    expect(profileOf(response.body as Buffer).PayloadOrganization).toBe(SCHOOL);

    const school = await hub.http.get('/api/school');
    expect(school.status).toBe(200);
    expect(school.body).toEqual({
      name: SCHOOL,
      timeZone: 'Europe/London',
      caFingerprint: new X509Certificate(identity.caCertificatePem).fingerprint256,
    });
  });
});

describe('request logs at info', () => {
  let hub: HubProcess;

  beforeAll(async () => {
    hub = await startHubProcess(makeDataDir(), await freePort(), {
      env: { HUB_LOG_LEVEL: 'info' },
    });
  }, PROCESS_TIMEOUT_MS);

  afterAll(() => killHubProcess(hub.child));

  it('writes one line per request with method, route, status, ms, correlation id and actor, and no headers', async () => {
    const login = await fetch(`${hub.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const me = await fetch(`${hub.url}/api/auth/me`, {
      headers: { Authorization: `Bearer ${accessToken}`, 'X-Request-Id': 'request-log-check-1' },
    });
    expect(me.status).toBe(200);
    const { id: adminId } = (await me.json()) as { id: string };
    const device = await fetch(
      `${hub.url}/api/devices/7c6f3a52-7a4e-4a8e-9b61-1f2d3c4b5a69?search=Jane`,
      {
        headers: { Authorization: `Bearer ${accessToken}`, 'X-Request-Id': 'request-log-check-2' },
      },
    );

    const line = await waitForLine(
      hub,
      (entry) => (entry.req as { id?: string } | undefined)?.id === 'request-log-check-1',
    );
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: expect.any(Number),
      hostname: expect.any(String),
      req: { id: 'request-log-check-1', method: 'GET' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      route: '/api/auth/me',
      actorId: adminId,
      actorKind: 'staff',
      msg: expect.stringMatching(/^GET \/api\/auth\/me 200 \d+ms$/),
    });

    // The route pattern, not the URL: no id, no query string.
    const second = await waitForLine(
      hub,
      (entry) => (entry.req as { id?: string } | undefined)?.id === 'request-log-check-2',
    );
    expect(second).toMatchObject({ route: '/api/devices/:id', res: { statusCode: device.status } });
    const requestLines = jsonLines(hub.stdout()).filter((entry) => 'responseTime' in entry);
    expect(
      requestLines.filter((entry) => (entry.req as { id: string }).id === 'request-log-check-1'),
    ).toHaveLength(1);
    const all = JSON.stringify(requestLines);
    expect(all).not.toContain(accessToken);
    expect(all).not.toContain('Jane');
    expect(all).not.toContain('7c6f3a52');
    expect(all).not.toMatch(/authorization|headers/i);
  });
});

describe('HUB_TLS_CERT and HUB_TLS_KEY', () => {
  const dir = tempDir('tls-config-');
  const ca = makeCa('Config CA');
  const server = makeServerCertificate(ca);
  const other = makeServerCertificate(ca);
  const file = (name: string, text: string) => {
    const full = path.join(dir, name);
    fs.writeFileSync(full, text);
    return full;
  };
  const cert = file('cert.pem', server.certPem);
  const key = file('key.pem', server.keyPem);
  const problem = (env: Record<string, string>) => {
    try {
      loadHubConfig({ HUB_DATA_DIR: dir, ...env });
    } catch (error) {
      return error instanceof ConfigError ? error.message : `not a ConfigError: ${String(error)}`;
    }
    return 'accepted';
  };

  it(
    'stops the real entry point when the certificate comes without its key, naming HUB_TLS_KEY',
    async () => {
      const child = spawnEntryPoint('apps/hub/src/main.ts', [], {
        PATH: process.env.PATH,
        HUB_DATA_DIR: makeDataDir(),
        HUB_TLS_CERT: cert,
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toBe(
        'The hub could not start: HUB_TLS_KEY: must be set with HUB_TLS_CERT (both or neither)\n',
      );
    },
    PROCESS_TIMEOUT_MS,
  );

  it('accepts a matching pair and refuses every wrong one with one line naming the setting', () => {
    expect(problem({ HUB_TLS_CERT: cert, HUB_TLS_KEY: key })).toBe('accepted');
    expect(problem({ HUB_TLS_KEY: key })).toMatch(/^HUB_TLS_CERT: must be set with HUB_TLS_KEY/);
    expect(problem({ HUB_TLS_CERT: path.join(dir, 'missing.pem'), HUB_TLS_KEY: key })).toMatch(
      /^HUB_TLS_CERT: no file at /,
    );
    expect(problem({ HUB_TLS_CERT: key, HUB_TLS_KEY: key })).toMatch(
      /^HUB_TLS_CERT: .* is not a PEM certificate$/,
    );
    expect(problem({ HUB_TLS_CERT: cert, HUB_TLS_KEY: cert })).toMatch(
      /^HUB_TLS_KEY: .* is not a PEM private key/,
    );
    expect(
      problem({ HUB_TLS_CERT: cert, HUB_TLS_KEY: file('other.key.pem', other.keyPem) }),
    ).toMatch(/^HUB_TLS_KEY: .* does not belong to the certificate in HUB_TLS_CERT/);
    if (process.getuid?.() !== 0) {
      const unreadable = file('unreadable.pem', server.keyPem);
      fs.chmodSync(unreadable, 0o000);
      expect(problem({ HUB_TLS_CERT: cert, HUB_TLS_KEY: unreadable })).toMatch(
        /^HUB_TLS_KEY: cannot read .*: this user \(.+\) may not read it: give .+ read permission on it$/,
      );
    }
  });

  it('takes HUB_SCHOOL_NAME, defaulting to "School"', () => {
    expect(loadHubConfig({ HUB_DATA_DIR: dir }).schoolName).toBe('School');
    expect(loadHubConfig({ HUB_DATA_DIR: dir, HUB_SCHOOL_NAME: SCHOOL }).schoolName).toBe(SCHOOL);
    expect(problem({ HUB_SCHOOL_NAME: 'bell\u0007' })).toMatch(/^HUB_SCHOOL_NAME: /);
  });
});
