// Enrolment against a small stand-in hub that signs requests with its own CA, as protocol
// section 1 describes.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import * as forge from 'node-forge';
import { enrollDevice, EnrollmentError, InvalidHubUrlError, normaliseHubUrl } from './enroll';
import { createDeviceKeyPair, type DeviceKeyPair } from './identity';
import { makeProof, parseProof, verifyProofSignature } from './proof';
import type { EnrollRequest } from './protocol';

interface StandInHub {
  url: string;
  requests: EnrollRequest[];
  /** Replace the answer for the next requests. */
  answer?: (request: EnrollRequest) => { status: number; body: unknown };
  close(): Promise<void>;
}

function makeCa(keys: DeviceKeyPair) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const name = [{ name: 'commonName', value: 'Test hub CA' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'basicConstraints', cA: true }]);
  const key = forge.pki.privateKeyFromPem(keys.privateKeyPem);
  cert.sign(key, forge.md.sha256.create());
  return { cert, key };
}

function signCsr(csrPem: string, ca: ReturnType<typeof makeCa>): string {
  const csr = forge.pki.certificationRequestFromPem(csrPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = csr.publicKey as forge.pki.rsa.PublicKey;
  cert.serialNumber = '02';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject(csr.subject.attributes);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.sign(ca.key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function startStandInHub(caKeys: DeviceKeyPair): Promise<StandInHub> {
  const ca = makeCa(caKeys);
  const hub: StandInHub = { url: '', requests: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = (await readJson(req)) as EnrollRequest;
      hub.requests.push(body);
      const reply = hub.answer
        ? hub.answer(body)
        : body.token !== 'good-token'
          ? { status: 401, body: { statusCode: 401, message: 'Unauthorized' } }
          : {
              status: 201,
              body: {
                deviceId: randomUUID(),
                certificate: signCsr(body.csr, ca),
                caCertificate: forge.pki.certificateToPem(ca.cert),
              },
            };
      res.writeHead(req.url === '/api/enroll' ? reply.status : 404, {
        'content-type': 'application/json',
      });
      res.end(JSON.stringify(reply.body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  hub.close = () => new Promise((resolve) => server.close(() => resolve()));
  return hub;
}

describe('enrollDevice', () => {
  let hub: StandInHub;
  let deviceKeys: DeviceKeyPair;

  beforeAll(async () => {
    const [caKeys, keys] = await Promise.all([createDeviceKeyPair(), createDeviceKeyPair()]);
    deviceKeys = keys;
    hub = await startStandInHub(caKeys);
  });

  afterAll(() => hub.close());

  beforeEach(() => {
    hub.requests = [];
    hub.answer = undefined;
  });

  it('trades a token and a CSR for a device id and a certificate for its own key', async () => {
    const identity = await enrollDevice({
      hubUrl: hub.url,
      token: 'good-token',
      device: { serialNumber: 'C02ABC123', platform: 'linux', osVersion: '6.8.0' },
      keys: deviceKeys,
    });

    expect(identity.serialNumber).toBe('C02ABC123');
    expect(identity.hubUrl).toBe(hub.url.replace(/\/$/, ''));
    expect(identity.privateKeyPem).toBe(deviceKeys.privateKeyPem);
    const certificate = forge.pki.certificateFromPem(identity.certificatePem);
    expect(certificate.subject.getField('CN').value).toBe('C02ABC123');

    const [request] = hub.requests;
    expect(request.device).toEqual({
      serialNumber: 'C02ABC123',
      platform: 'linux',
      osVersion: '6.8.0',
    });
    expect(request.csr).toContain('-----BEGIN CERTIFICATE REQUEST-----');
    expect(JSON.stringify(request)).not.toContain('PRIVATE KEY');

    // The hub checks proofs against this certificate.
    const proof = parseProof(makeProof(identity.deviceId, identity.privateKeyPem));
    expect(verifyProofSignature(proof, identity.certificatePem)).toBe(true);
  });

  it('makes its own key pair when none is given', async () => {
    const identity = await enrollDevice({
      hubUrl: hub.url,
      token: 'good-token',
      device: { serialNumber: 'SN-2', platform: 'windows' },
    });
    expect(identity.privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(identity.privateKeyPem).not.toBe(deviceKeys.privateKeyPem);
  });

  it('fails with status 401 for a refused token', async () => {
    const attempt = enrollDevice({
      hubUrl: hub.url,
      token: 'used-up',
      device: { serialNumber: 'SN-3', platform: 'linux' },
      keys: deviceKeys,
    });
    await expect(attempt).rejects.toBeInstanceOf(EnrollmentError);
    await expect(attempt).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('token') as string,
    });
  });

  it("fails with status 400 and passes on the hub's reasons", async () => {
    hub.answer = () => ({
      status: 400,
      body: { statusCode: 400, message: 'device.platform must be one of ipados, linux' },
    });
    await expect(
      enrollDevice({
        hubUrl: hub.url,
        token: 'good-token',
        device: { serialNumber: 'SN-4', platform: 'linux' },
        keys: deviceKeys,
      }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('device.platform must be one of') as string,
    });
  });

  it('refuses a certificate issued for another key', async () => {
    const stranger = await createDeviceKeyPair();
    const ca = makeCa(stranger);
    hub.answer = () => {
      const otherCsr = forge.pki.createCertificationRequest();
      otherCsr.publicKey = forge.pki.publicKeyFromPem(stranger.publicKeyPem);
      otherCsr.setSubject([{ name: 'commonName', value: 'SN-5' }]);
      otherCsr.sign(forge.pki.privateKeyFromPem(stranger.privateKeyPem), forge.md.sha256.create());
      return {
        status: 201,
        body: {
          deviceId: randomUUID(),
          certificate: signCsr(forge.pki.certificationRequestToPem(otherCsr), ca),
          caCertificate: forge.pki.certificateToPem(ca.cert),
        },
      };
    };
    await expect(
      enrollDevice({
        hubUrl: hub.url,
        token: 'good-token',
        device: { serialNumber: 'SN-5', platform: 'linux' },
        keys: deviceKeys,
      }),
    ).rejects.toThrow('the hub issued a certificate for a different key');
  });

  it('refuses a 201 without the certificates', async () => {
    hub.answer = () => ({ status: 201, body: { deviceId: randomUUID() } });
    await expect(
      enrollDevice({
        hubUrl: hub.url,
        token: 'good-token',
        device: { serialNumber: 'SN-6', platform: 'linux' },
        keys: deviceKeys,
      }),
    ).rejects.toMatchObject({ status: 201 });
  });

  it('fails without a status when the hub cannot be reached', async () => {
    const closed = await startStandInHub(deviceKeys);
    await closed.close();
    const attempt = enrollDevice({
      hubUrl: closed.url,
      token: 'good-token',
      device: { serialNumber: 'SN-7', platform: 'linux' },
      keys: deviceKeys,
    });
    await expect(attempt).rejects.toBeInstanceOf(EnrollmentError);
    await expect(attempt).rejects.toMatchObject({ status: undefined });
  });
});

describe('normaliseHubUrl', () => {
  it('drops trailing slashes and refuses what is not http(s)', () => {
    expect(normaliseHubUrl('http://hub.local:8080/')).toBe('http://hub.local:8080');
    expect(normaliseHubUrl('https://school.example/hub/')).toBe('https://school.example/hub');
    expect(() => normaliseHubUrl('ftp://hub')).toThrow(InvalidHubUrlError);
    expect(() => normaliseHubUrl('hub:8080')).toThrow(InvalidHubUrlError);
    expect(() => normaliseHubUrl('not a url')).toThrow(InvalidHubUrlError);
  });
});
