// Enrolment against a small stand-in hub that signs requests with its own CA, as protocol
// section 1 describes.

import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as forge from 'node-forge';
import { enrollDevice, EnrollmentError, InvalidHubUrlError, normaliseHubUrl } from './enroll';
import { createDeviceKeyPair, type DeviceKeyPair } from './identity';
import { makeProof, parseProof, verifyProofSignature } from './proof';
import { makeStandInCa, signCsr, StandInHub } from './testing/stand-in-hub';

describe('enrollDevice', () => {
  let hub: StandInHub;
  let deviceKeys: DeviceKeyPair;

  beforeAll(async () => {
    [deviceKeys, hub] = await Promise.all([createDeviceKeyPair(), StandInHub.start()]);
    hub.tokens.set('good-token', 100);
  });

  afterAll(() => hub.close());

  beforeEach(() => {
    hub.enrollRequests.length = 0;
    hub.enrollAnswer = undefined;
  });

  it('trades a token and a CSR for a device id and a certificate for its own key', async () => {
    const identity = await enrollDevice({
      hubUrl: `${hub.url}/`,
      token: 'good-token',
      device: { serialNumber: 'C02ABC123', platform: 'linux', osVersion: '6.8.0' },
      keys: deviceKeys,
    });

    expect(identity.serialNumber).toBe('C02ABC123');
    expect(identity.hubUrl).toBe(hub.url);
    expect(identity.privateKeyPem).toBe(deviceKeys.privateKeyPem);
    const certificate = forge.pki.certificateFromPem(identity.certificatePem);
    expect(certificate.subject.getField('CN').value).toBe('C02ABC123');

    const [request] = hub.enrollRequests;
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
    hub.enrollAnswer = () => ({
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

  it("says an asset tag another device has as the hub's 409 means, not as a serial enrolled", async () => {
    const message =
      'Asset tag "OAK-07" is already on Oak 07 (serial C02X): one asset tag names one device';
    hub.enrollAnswer = () => ({ status: 409, body: { statusCode: 409, message } });
    const refused = enrollDevice({
      hubUrl: hub.url,
      token: 'good-token',
      device: { serialNumber: 'SN-409', platform: 'linux', assetTag: 'OAK-07' },
      keys: deviceKeys,
    });
    await expect(refused).rejects.toMatchObject({
      status: 409,
      message: `the asset tag it gives is already another device's (HTTP 409): ${message}`,
    });
  });

  it('refuses a certificate issued for another key', async () => {
    const [stranger, ca] = await Promise.all([createDeviceKeyPair(), makeStandInCa()]);
    hub.enrollAnswer = () => {
      const otherCsr = forge.pki.createCertificationRequest();
      otherCsr.publicKey = forge.pki.publicKeyFromPem(stranger.publicKeyPem);
      otherCsr.setSubject([{ name: 'commonName', value: 'SN-5' }]);
      otherCsr.sign(forge.pki.privateKeyFromPem(stranger.privateKeyPem), forge.md.sha256.create());
      return {
        status: 201,
        body: {
          deviceId: randomUUID(),
          certificate: signCsr(forge.pki.certificationRequestToPem(otherCsr), ca),
          caCertificate: ca.pem,
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
    hub.enrollAnswer = () => ({ status: 201, body: { deviceId: randomUUID() } });
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
    const closed = await StandInHub.start();
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

describe('enrollDevice against a hub that never answers', () => {
  it('gives up after its time limit with EnrollmentError, not waits for ever', async () => {
    const requests: http.IncomingMessage[] = [];
    const frozen = http.createServer((req) => requests.push(req)); // read, never answered
    await new Promise<void>((resolve) => frozen.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = frozen.address() as AddressInfo;
      const keys = await createDeviceKeyPair();
      const started = Date.now();
      const attempt = enrollDevice({
        hubUrl: `http://127.0.0.1:${port}`,
        token: 'good-token',
        device: { serialNumber: 'SN-8', platform: 'linux' },
        keys,
        timeoutMs: 300,
      });
      await expect(attempt).rejects.toBeInstanceOf(EnrollmentError);
      await expect(attempt).rejects.toThrow(/no answer within 300 ms/);
      expect(requests).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      frozen.closeAllConnections();
      await new Promise((resolve) => frozen.close(resolve));
    }
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
