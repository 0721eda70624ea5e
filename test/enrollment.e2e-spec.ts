// Enrolment end to end (protocol section 1): tokens, the enrolment request and everything it
// refuses, groups from the token, re-enrolment by serial number, and the hub's CA on disk.
import { createHash, generateKeyPairSync, randomUUID, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { io } from 'socket.io-client';
import { DataSource } from 'typeorm';
import {
  createCsr,
  createDeviceKeyPair,
  DeviceIdentity,
  DeviceKeyPair,
  enrollDevice,
  makeProof,
} from '@app/devices';
import { DeviceProofService } from '../apps/hub/src/devices/device-proof.service';
import { createStaff, startHub, TestHub } from './support/hub';
import { ON_POSTGRES, postgresTableText } from './support/test-database';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  testKeys,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';

interface ErrorBody {
  statusCode: number;
  message: string;
}

describe('enrolment', () => {
  let hub: TestHub;
  let admin: string;
  let keys: DeviceKeyPair;
  let serialCounter = 0;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    keys = await testKeys();
  });

  afterEach(() => {
    for (const device of devices.splice(0)) {
      device.client.destroy();
    }
  });

  afterAll(() => hub.close());

  const nextSerial = () => `ENR-${process.pid}-${++serialCounter}`;

  /** A valid enrolment body for a fresh serial number, to break one part of at a time. */
  function enrollBody(token: string | undefined, serialNumber = nextSerial(), pair = keys) {
    return {
      ...(token === undefined ? {} : { token }),
      csr: createCsr(serialNumber, pair),
      device: { serialNumber, platform: 'linux', model: 'Test laptop' },
    };
  }

  const enroll = (body: object) => hub.http.post('/api/enroll').send(body);

  const createToken = (bearer: string, body: object) =>
    hub.http.post('/api/enrollment-tokens').set('Authorization', `Bearer ${bearer}`).send(body);

  /** Connects a raw socket with a proof signed by `privateKeyPem`: 'connected' or the error. */
  function tryConnect(deviceId: string, privateKeyPem: string): Promise<string> {
    return new Promise<string>((resolve) => {
      const socket = io(`${hub.url}/device`, {
        auth: { proof: makeProof(deviceId, privateKeyPem) },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      socket.on('connect', () => {
        socket.disconnect();
        resolve('connected');
      });
      socket.on('connect_error', (error) => {
        socket.disconnect();
        resolve(error.message);
      });
    });
  }

  it('refuses missing, unknown, expired and used-up tokens alike with 401', async () => {
    const missing = await enroll(enrollBody(undefined));
    const empty = await enroll(enrollBody(''));
    const unknown = await enroll(enrollBody('not-a-token-the-hub-ever-issued-0123456789'));

    const shortLived = await createEnrollmentToken(hub, admin, { ttlMinutes: 1 });
    hub.clock.advance(61_000);
    let expired: Awaited<ReturnType<typeof enroll>>;
    try {
      expired = await enroll(enrollBody(shortLived));
    } finally {
      hub.clock.advance(-61_000);
    }

    const single = await createEnrollmentToken(hub, admin, { maxUses: 1 });
    expect((await enroll(enrollBody(single))).status).toBe(201);
    const usedUp = await enroll(enrollBody(single));

    for (const response of [missing, empty, unknown, expired, usedUp]) {
      expect(response.status).toBe(401);
    }
    expect(empty.body).toEqual(missing.body);
    expect(unknown.body).toEqual(missing.body);
    expect(expired.body).toEqual(missing.body);
    expect(usedUp.body).toEqual(missing.body);
    // The body says nothing about which of the four it was.
    expect(JSON.stringify(missing.body)).not.toMatch(/expired|used|unknown|missing/i);
  });

  it('answers 400 naming the field for a body that does not validate', async () => {
    const token = await createEnrollmentToken(hub, admin, { maxUses: 10 });

    const noDevice: Partial<ReturnType<typeof enrollBody>> = enrollBody(token);
    delete noDevice.device;
    const missingDevice = await enroll(noDevice);
    expect(missingDevice.status).toBe(400);
    expect((missingDevice.body as ErrorBody).message).toMatch(/\bdevice\b/);

    const badPlatform = enrollBody(token);
    const platform = await enroll({
      ...badPlatform,
      device: { ...badPlatform.device, platform: 'palmos' },
    });
    expect(platform.status).toBe(400);
    expect((platform.body as ErrorBody).message).toContain('device.platform');

    const unknownField = await enroll({ ...enrollBody(token), colour: 'blue' });
    expect(unknownField.status).toBe(400);
    expect((unknownField.body as ErrorBody).message).toContain('colour');

    const nested = enrollBody(token);
    const unknownNested = await enroll({ ...nested, device: { ...nested.device, colour: 'blue' } });
    expect(unknownNested.status).toBe(400);
    expect((unknownNested.body as ErrorBody).message).toContain('device.colour');

    // None of these used the token up.
    const list = await hub.http
      .get('/api/enrollment-tokens')
      .set('Authorization', `Bearer ${admin}`);
    expect(
      (list.body as { uses: number; maxUses: number }[]).find((t) => t.maxUses === 10)?.uses,
    ).toBe(0);
  });

  it('refuses a garbage CSR, one for another serial number and one with a 1024-bit key', async () => {
    const token = await createEnrollmentToken(hub, admin, { maxUses: 10 });

    const garbage = await enroll({
      ...enrollBody(token),
      csr: 'this is not a certificate request',
    });
    expect(garbage.status).toBe(400);
    expect((garbage.body as ErrorBody).message).toMatch(/csr/);

    const pem = enrollBody(token);
    const truncated = await enroll({ ...pem, csr: pem.csr.slice(0, 200) + pem.csr.slice(-40) });
    expect(truncated.status).toBe(400);

    const serial = nextSerial();
    const otherName = await enroll({
      ...enrollBody(token, serial),
      csr: createCsr(`${serial}-X`, keys),
    });
    expect(otherName.status).toBe(400);
    expect((otherName.body as ErrorBody).message).toMatch(/common name/);

    const weak = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const weakKey = await enroll(
      enrollBody(token, nextSerial(), {
        privateKeyPem: weak.privateKey,
        publicKeyPem: weak.publicKey,
      }),
    );
    expect(weakKey.status).toBe(400);
    expect((weakKey.body as ErrorBody).message).toMatch(/2048/);

    // A CSR signed by a key other than the one it carries does not verify.
    const other = await createDeviceKeyPair();
    const s = nextSerial();
    const mismatched = await enroll(
      enrollBody(token, s, { privateKeyPem: other.privateKeyPem, publicKeyPem: keys.publicKeyPem }),
    );
    expect(mismatched.status).toBe(400);

    // None of these used the token up.
    const list = await hub.http
      .get('/api/enrollment-tokens')
      .set('Authorization', `Bearer ${admin}`);
    const rows = list.body as { uses: number; maxUses: number }[];
    expect(rows.filter((t) => t.maxUses === 10).every((t) => t.uses === 0)).toBe(true);
  });

  it('lets only ICT create tokens', async () => {
    const teacher = await createStaff(hub, admin, 'enrol-teacher', ['teacher']);
    expect((await createToken(teacher.token, {})).status).toBe(403);
    expect(
      (await hub.http.get('/api/enrollment-tokens').set('Authorization', `Bearer ${teacher.token}`))
        .status,
    ).toBe(403);
    expect((await hub.http.post('/api/enrollment-tokens').send({})).status).toBe(401);
    const ict = await createStaff(hub, admin, 'enrol-ict', ['ict']);
    const created = await createToken(ict.token, { ttlMinutes: 5 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ token: expect.any(String), maxUses: 1 });
    const expiresIn = Date.parse(created.body.expiresAt as string) - hub.clock.nowMs();
    expect(expiresIn).toBeGreaterThan(4 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(5 * 60_000);
  });

  it('revokes a token once (audited once), and answers 404 for an unknown id', async () => {
    const created = await createToken(admin, { maxUses: 5, label: 'Revoke me' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const revoke = () =>
      hub.http.delete(`/api/enrollment-tokens/${id}`).set('Authorization', `Bearer ${admin}`);

    expect((await revoke()).status).toBe(204);
    const listed = async () =>
      (
        (await hub.http.get('/api/enrollment-tokens').set('Authorization', `Bearer ${admin}`))
          .body as { id: string; usable: boolean }[]
      ).find((t) => t.id === id);
    expect((await listed())?.usable).toBe(false);
    expect((await enroll(enrollBody(created.body.token as string))).status).toBe(401);

    // Twice at once, and again later: the same answer, and still one audit entry.
    expect((await Promise.all([revoke(), revoke()])).map((r) => r.status)).toEqual([204, 204]);
    const audit = await hub.http
      .get('/api/audit')
      .query({ action: 'enrollment_token.revoked', targetId: id })
      .set('Authorization', `Bearer ${admin}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);

    const unknown = await hub.http
      .delete(`/api/enrollment-tokens/${randomUUID()}`)
      .set('Authorization', `Bearer ${admin}`);
    expect(unknown.status).toBe(404);
    expect((unknown.body as ErrorBody).message).toMatch(/No enrolment token/);
    const teacher = await createStaff(hub, admin, 'revoke-teacher', ['teacher']);
    expect(
      (
        await hub.http
          .delete(`/api/enrollment-tokens/${id}`)
          .set('Authorization', `Bearer ${teacher.token}`)
      ).status,
    ).toBe(403);
  });

  it("puts the device in the token's groups, and refuses unknown groups", async () => {
    const groupIds: string[] = [];
    for (const name of ['Enrol 7B', 'Enrol trolley']) {
      const group = await hub.http
        .post('/api/groups')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name });
      expect(group.status).toBe(201);
      groupIds.push(group.body.id as string);
    }
    const token = await createEnrollmentToken(hub, admin, { groupIds });
    const identity = await enrollTestDevice(hub, token);
    for (const groupId of groupIds) {
      const group = await hub.http
        .get(`/api/groups/${groupId}`)
        .set('Authorization', `Bearer ${admin}`);
      expect(group.body.deviceIds).toEqual([identity.deviceId]);
    }
    const detail = await hub.http
      .get(`/api/devices/${identity.deviceId}`)
      .set('Authorization', `Bearer ${admin}`);
    expect([...(detail.body.groupIds as string[])].sort()).toEqual([...groupIds].sort());

    const unknown = await createToken(admin, { groupIds: [groupIds[0], randomUUID()] });
    expect(unknown.status).toBe(400);
    expect((unknown.body as ErrorBody).message).toContain('groupIds');
  });

  it('re-enrols a serial number: same device, same groups and history, old identity refused, old connection dropped', async () => {
    const group = await hub.http
      .post('/api/groups')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'Re-enrol set' });
    const serialNumber = nextSerial();
    const first = await enrollTestDevice(
      hub,
      await createEnrollmentToken(hub, admin, { groupIds: [group.body.id] }),
      {
        serialNumber,
      },
    );
    const message = await hub.http
      .post(`/api/devices/${first.deviceId}/commands`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ type: 'message.show', payload: { text: 'before re-enrolment' } });
    const old = connectTestDevice(first);
    devices.push(old);
    await waitForConnect(old);
    await waitFor(() => old.enforcer.messages.length === 1, 'the first message');
    const refusals: string[] = [];
    old.client.on('connect_error', (error) => refusals.push(error.message));
    const dropped = new Promise<string>((resolve) => old.client.once('disconnect', resolve));

    // The same machine wiped and enrolled again: a new key pair, a re-enrolment token without
    // groups (the device was never revoked, so an ordinary token is refused: see below).
    const newKeys = await createDeviceKeyPair();
    const second = await enrollDevice({
      hubUrl: hub.url,
      token: await createEnrollmentToken(hub, admin, { reenrol: true }),
      keys: newKeys,
      device: { serialNumber, platform: 'linux', name: 'Re-enrolled laptop' },
    });
    expect(second.deviceId).toBe(first.deviceId);
    expect(await dropped).toBe('io server disconnect');
    // The old client tries again with its old key and is refused.
    await waitFor(() => refusals.includes('unauthorized'), 'the old identity refused');
    expect(await tryConnect(first.deviceId, first.privateKeyPem)).toBe('unauthorized');
    expect(await tryConnect(second.deviceId, second.privateKeyPem)).toBe('connected');
    expect(
      (
        await hub.http
          .get('/api/device/self')
          .set('Authorization', `Device ${makeProof(first.deviceId, first.privateKeyPem)}`)
      ).status,
    ).toBe(401);

    const groupAfter = await hub.http
      .get(`/api/groups/${group.body.id}`)
      .set('Authorization', `Bearer ${admin}`);
    expect(groupAfter.body.deviceIds).toEqual([first.deviceId]);
    const history = await hub.http
      .get(`/api/devices/${first.deviceId}/commands`)
      .set('Authorization', `Bearer ${admin}`);
    expect(
      (history.body.items as { id: string; status: string }[]).find(
        (c) => c.id === message.body.id,
      ),
    ).toMatchObject({
      status: 'acknowledged',
    });
    const detail = await hub.http
      .get(`/api/devices/${first.deviceId}`)
      .set('Authorization', `Bearer ${admin}`);
    expect(detail.body).toMatchObject({
      status: 'active',
      serialNumber,
      name: 'Re-enrolled laptop',
    });
    const list = await hub.http
      .get('/api/devices')
      .query({ search: serialNumber })
      .set('Authorization', `Bearer ${admin}`);
    expect(list.body.total).toBe(1);

    const fresh = connectTestDevice(second);
    devices.push(fresh);
    await waitForConnect(fresh);
  });

  it('issues a certificate for the serial number, signed by the CA it returns, with the CA key kept private', async () => {
    const token = await createEnrollmentToken(hub, admin);
    const serialNumber = nextSerial();
    const response = await enroll(enrollBody(token, serialNumber));
    expect(response.status).toBe(201);
    const body = response.body as { deviceId: string; certificate: string; caCertificate: string };
    const certificate = new X509Certificate(body.certificate);
    const ca = new X509Certificate(body.caCertificate);
    expect(certificate.verify(ca.publicKey)).toBe(true);
    expect(certificate.subject.split('\n')).toContain(`CN=${serialNumber}`);
    expect(certificate.checkIssued(ca)).toBe(true);
    expect(certificate.ca).toBe(false);
    expect(certificate.publicKey.export({ type: 'spki', format: 'pem' })).toBe(keys.publicKeyPem);
    // Not signed by some other CA: a certificate of another hub does not verify.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(certificate.verify(stranger.publicKey)).toBe(false);

    const keyFile = path.join(hub.dataDir, 'ca', 'ca.key.pem');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(hub.dataDir, 'ca', 'ca.cert.pem'), 'utf8')).toBe(
      body.caCertificate,
    );
  });

  it('keeps tokens only as hashes and never shows them again', async () => {
    const created = await createToken(admin, { label: 'Hashed only', maxUses: 3 });
    const token = created.body.token as string;
    // At least 128 bits of randomness: base64url of 16 bytes or more.
    expect(token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    const identity: DeviceIdentity = await enrollTestDevice(hub, token);
    expect(identity.deviceId).toBeTruthy();

    const list = await hub.http
      .get('/api/enrollment-tokens')
      .set('Authorization', `Bearer ${admin}`);
    expect(list.status).toBe(200);
    const row = (list.body as Record<string, unknown>[]).find((t) => t.id === created.body.id);
    expect(row).toMatchObject({ label: 'Hashed only', maxUses: 3, uses: 1, usable: true });
    const hash = createHash('sha256').update(token).digest('hex');
    const listed = JSON.stringify(list.body);
    expect(listed).not.toContain(token);
    expect(listed).not.toContain(hash);
    expect(Object.keys(row ?? {})).not.toEqual(expect.arrayContaining(['token']));

    // Nothing in the data directory (database, its journal, anything else) holds the token.
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          walk(full);
        } else {
          files.push(full);
        }
      }
    };
    walk(hub.dataDir);
    const stores = files.map((file) => ({ store: file, bytes: fs.readFileSync(file) }));
    if (ON_POSTGRES) {
      // The database is on the server: every row of every table, as text.
      const rows = await postgresTableText(hub.app.get(DataSource));
      stores.push({ store: 'the PostgreSQL database', bytes: Buffer.from(rows, 'utf8') });
    } else {
      expect(files).toContain(path.join(hub.dataDir, 'hub.sqlite'));
    }
    for (const { store, bytes } of stores) {
      expect({ store, found: bytes.includes(Buffer.from(token, 'utf8')) }).toEqual({
        store,
        found: false,
      });
    }
    // ...while the hash is there: the search itself works.
    const stored = stores.some(({ bytes }) => bytes.includes(Buffer.from(hash, 'utf8')));
    expect(stored).toBe(true);
  });

  // Issue 8 items 3, 10, 11 and 12: re-enrolment that is safe to repeat, race and attack.

  const tokenUses = async (tokenId: string) => {
    const list = await hub.http
      .get('/api/enrollment-tokens')
      .set('Authorization', `Bearer ${admin}`);
    return (list.body as { id: string; uses: number }[]).find((t) => t.id === tokenId)?.uses;
  };

  const auditOf = async (action: string, targetId: string) => {
    const response = await hub.http
      .get('/api/audit')
      .query({ action, targetId })
      .set('Authorization', `Bearer ${admin}`);
    expect(response.status).toBe(200);
    return response.body.items as { action: string; detail: Record<string, unknown> | null }[];
  };

  it('refuses to re-enrol an enrolled device with an ordinary token (409, audited, token kept), and allows it with a re-enrolment token', async () => {
    const serialNumber = nextSerial();
    const first = await enroll(enrollBody(await createEnrollmentToken(hub, admin), serialNumber));
    expect(first.status).toBe(201);
    const deviceId = first.body.deviceId as string;

    const readDevice = () =>
      hub.http.get(`/api/devices/${deviceId}`).set('Authorization', `Bearer ${admin}`);
    const before = (await readDevice()).body as { enrolledAt: string };

    // Someone who read the serial off the case, with any ordinary token.
    const created = await createToken(admin, { maxUses: 5, label: 'ordinary' });
    expect(created.body).toMatchObject({ reenrol: false });
    const takeover = await enroll(enrollBody(created.body.token as string, serialNumber));
    expect(takeover.status).toBe(409);
    expect((takeover.body as ErrorBody).message).toMatch(/already enrolled/);
    expect((takeover.body as ErrorBody).message).toMatch(/re-enrolment token|revoked/);
    expect(await tokenUses(created.body.id as string)).toBe(0);
    const refused = await auditOf('device.reenrolment_refused', deviceId);
    expect(refused).toHaveLength(1);
    expect(refused[0].detail).toMatchObject({ serialNumber });
    // The real device is untouched: same enrolment, still active, its key still accepted.
    expect((await readDevice()).body).toMatchObject({
      status: 'active',
      enrolledAt: before.enrolledAt,
    });
    expect(await tryConnect(deviceId, keys.privateKeyPem)).toBe('connected');

    // Only ICT makes re-enrolment tokens.
    const teacher = await createStaff(hub, admin, 'reenrol-teacher', ['teacher']);
    expect((await createToken(teacher.token, { reenrol: true })).status).toBe(403);
    expect((await createToken(admin, { reenrol: 'yes' })).status).toBe(400);
    const reenrol = await createToken(admin, { reenrol: true });
    expect(reenrol.body).toMatchObject({ reenrol: true });
    const listed = await hub.http
      .get('/api/enrollment-tokens')
      .set('Authorization', `Bearer ${admin}`);
    expect((listed.body as { id: string }[]).find((t) => t.id === reenrol.body.id)).toMatchObject({
      reenrol: true,
    });
    const wiped = await createDeviceKeyPair();
    const again = await enroll(enrollBody(reenrol.body.token as string, serialNumber, wiped));
    expect(again.status).toBe(201);
    expect(again.body.deviceId).toBe(deviceId);
    expect(await tryConnect(deviceId, wiped.privateKeyPem)).toBe('connected');
    // A re-enrolment token enrols a new serial too.
    const reenrolMany = await createEnrollmentToken(hub, admin, { reenrol: true, maxUses: 2 });
    expect((await enroll(enrollBody(reenrolMany))).status).toBe(201);
  });

  it('re-enrols a revoked device with any valid token, again and again (the revoked certificate is not a 500)', async () => {
    const serialNumber = nextSerial();
    const token = await createEnrollmentToken(hub, admin, { maxUses: 10 });
    const first = await enroll(enrollBody(token, serialNumber));
    expect(first.status).toBe(201);
    const deviceId = first.body.deviceId as string;
    const proofKeys = hub.app.get(DeviceProofService, { strict: false }).keys;
    for (let round = 0; round < 2; round += 1) {
      expect(await tryConnect(deviceId, keys.privateKeyPem)).toBe('connected');
      expect(proofKeys.has(deviceId)).toBe(true);
      const revoked = await hub.http
        .delete(`/api/devices/${deviceId}`)
        .set('Authorization', `Bearer ${admin}`);
      expect(revoked.status).toBe(200);
      const twice = await hub.http
        .delete(`/api/devices/${deviceId}`)
        .set('Authorization', `Bearer ${admin}`);
      expect(twice.status).toBe(409);
      // Its key is no longer kept for proofs (issue 8 item 21).
      expect(proofKeys.has(deviceId)).toBe(false);
      const again = await enroll(enrollBody(token, serialNumber));
      expect(again.status).toBe(201);
      expect(again.body.deviceId).toBe(deviceId);
      const detail = await hub.http
        .get(`/api/devices/${deviceId}`)
        .set('Authorization', `Bearer ${admin}`);
      expect(detail.body).toMatchObject({ status: 'active', revokedAt: null });
    }
    const reenrolled = await auditOf('device.reenrolled', deviceId);
    expect(reenrolled.map((entry) => entry.detail?.wasRevoked)).toEqual([true, true]);
  });

  it('gives concurrent enrolments of one serial one winner and a 409 for the rest, never a 500', async () => {
    const token = await createEnrollmentToken(hub, admin, { maxUses: 50, reenrol: true });
    const ordinary = await createEnrollmentToken(hub, admin, { maxUses: 50 });
    // A new serial enrolled eight times at once.
    const serialNumber = nextSerial();
    const body = enrollBody(ordinary, serialNumber);
    const fresh = await Promise.all(Array.from({ length: 8 }, () => enroll(body)));
    expect(fresh.map((r) => r.status).sort()).toEqual([201, ...Array(7).fill(409)]);
    for (const loser of fresh.filter((r) => r.status === 409)) {
      expect((loser.body as ErrorBody).message).toContain(serialNumber);
    }
    const list = await hub.http
      .get('/api/devices')
      .query({ search: serialNumber })
      .set('Authorization', `Bearer ${admin}`);
    expect(list.body.total).toBe(1);

    // An enrolled serial re-enrolled eight times at once with a re-enrolment token.
    const again = await Promise.all(
      Array.from({ length: 8 }, () => enroll(enrollBody(token, serialNumber))),
    );
    const statuses = again.map((r) => r.status);
    expect(statuses).not.toContain(500);
    expect(statuses.filter((status) => status === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    // The device holds the certificate of the last winner, and only that one connects.
    const winners = again.filter((r) => r.status === 201);
    const detail = await hub.http
      .get(`/api/devices/${winners[0].body.deviceId}`)
      .set('Authorization', `Bearer ${admin}`);
    expect(detail.body.status).toBe('active');
  });

  it('cancels the commands queued for the old enrolment, and re-asserts the lost lock and the policy to the new one', async () => {
    const serialNumber = nextSerial();
    const first = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin), {
      serialNumber,
    });
    const send = (type: string, payload: object) =>
      hub.http
        .post(`/api/devices/${first.deviceId}/commands`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ type, payload });
    // The device is offline: everything waits in its queue.
    const lock = await send('device.lock', { reason: 'lost', message: 'Return to ICT' });
    const message = await send('message.show', { text: 'For the old enrolment', from: 'ICT' });
    const unenroll = await send('device.unenroll', {});
    for (const response of [lock, message, unenroll]) {
      expect(response.status).toBe(201);
    }

    // Wiped and enrolled again.
    const newKeys = await createDeviceKeyPair();
    const second = await enrollDevice({
      hubUrl: hub.url,
      token: await createEnrollmentToken(hub, admin, { reenrol: true }),
      keys: newKeys,
      device: { serialNumber, platform: 'linux' },
    });
    expect(second.deviceId).toBe(first.deviceId);

    const history = await hub.http
      .get(`/api/devices/${first.deviceId}/commands`)
      .set('Authorization', `Bearer ${admin}`);
    const byId = new Map(
      (history.body.items as { id: string; status: string }[]).map((c) => [c.id, c.status]),
    );
    for (const queued of [lock, message, unenroll]) {
      expect(byId.get(queued.body.id as string)).toBe('cancelled');
    }
    const cancelled = await auditOf('command.cancelled', first.deviceId);
    // (The first enrolment's policy.apply, if already queued, was cancelled too.)
    const cancelledIds = cancelled.map((entry) => entry.detail?.commandId as string);
    expect(cancelledIds).toEqual(
      expect.arrayContaining([lock, message, unenroll].map((r) => r.body.id as string)),
    );
    expect(cancelledIds.every((id) => byId.get(id) === 'cancelled')).toBe(true);

    const device = connectTestDevice(second);
    devices.push(device);
    await waitForConnect(device);
    // The lost lock is still wanted, so it is sent again; so is the policy.
    await waitFor(() => device.enforcer.currentState().locked, 'the lost lock re-asserted');
    await waitFor(
      () => device.enforcer.executed.some((c) => c.type === 'policy.apply'),
      'the policy re-asserted',
    );
    // Give anything else queued a moment to arrive: the old queue must not.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const types = device.enforcer.executed.map((c) => c.type);
    expect(types).not.toContain('message.show');
    expect(types).not.toContain('device.unenroll');
    expect(device.enforcer.messages).toEqual([]);
    expect(device.client.connected).toBe(true);
    const detail = await hub.http
      .get(`/api/devices/${first.deviceId}`)
      .set('Authorization', `Bearer ${admin}`);
    expect(detail.body.desiredState).toMatchObject({ locked: true, lock: { reason: 'lost' } });
  });
});
