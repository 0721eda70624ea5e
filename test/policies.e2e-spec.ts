// Policies end to end: the AUP baseline reaches every device, changes fan out to connected and
// offline devices, compliance follows, profiles are signed by the hub CA.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SimulatedEnforcer } from '@app/devices';
import { policyVersion, SCHOOL_BASELINE } from '@app/policy';
import { HubEvents } from '../apps/hub/src/common/hub-events';
import { TransactionRunner } from '../apps/hub/src/database/transaction-runner';
import { DevicesRepository } from '../apps/hub/src/devices/devices.repository';
import { teachClass } from './support/classroom';
import { createStaff, startHub, TestHub } from './support/hub';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';

describe('policies', () => {
  let hub: TestHub;
  let admin: string;
  let token: string;
  let baselineId: string;
  const devices: TestDevice[] = [];
  const auth = () => ({ Authorization: `Bearer ${admin}` });

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    token = await createEnrollmentToken(hub, admin, { maxUses: 100 });
    const list = await hub.http.get('/api/policies').set(auth());
    baselineId = (list.body as { id: string; name: string }[]).find(
      (p) => p.name === 'School baseline',
    )!.id;
  });

  afterAll(async () => {
    for (const device of devices) {
      device.client.destroy();
    }
    await hub.close();
  });

  async function onlineDevice(enforcer?: SimulatedEnforcer): Promise<TestDevice> {
    const device = connectTestDevice(await enrollTestDevice(hub, token), { enforcer });
    devices.push(device);
    await waitForConnect(device);
    return device;
  }

  const compliance = async (deviceId: string) =>
    (await hub.http.get(`/api/devices/${deviceId}/policy`).set(auth())).body as {
      version: string;
      settings: typeof SCHOOL_BASELINE;
      decidedBy: Record<string, { policy: string; scope: string }>;
      compliance: {
        status: string;
        desiredVersion: string;
        reportedVersion: string | null;
        detail: string | null;
      };
    };

  it('ships the AUP baseline and applies it to a newly enrolled device', async () => {
    const device = await onlineDevice();
    const policy = await waitFor(async () => {
      const c = await compliance(device.identity.deviceId);
      return c.compliance.status === 'applied' ? c : null;
    }, 'applied');
    expect(policy.version).toBe(policyVersion(SCHOOL_BASELINE));
    expect(policy.settings.camera.allowed).toBe(false);
    expect(policy.decidedBy['camera.allowed']).toMatchObject({
      policy: 'School baseline',
      scope: 'baseline',
    });
    expect(device.enforcer.currentState().policyVersion).toBe(policy.version);
  });

  it('pushes a baseline change to connected and offline devices; compliance moves to applied', async () => {
    const online = await onlineDevice();
    const offlineIdentity = await enrollTestDevice(hub, token);
    await waitFor(
      async () => (await compliance(online.identity.deviceId)).compliance.status === 'applied',
      'first applied',
    );
    const changed = await hub.http
      .patch(`/api/policies/${baselineId}`)
      .set(auth())
      .send({
        settings: { ...SCHOOL_BASELINE, screen: { autoLockMinutes: 3, requirePasscode: true } },
      });
    expect(changed.status).toBe(200);
    expect(changed.body.revision).toBe(2);
    const version = (await compliance(online.identity.deviceId)).version;
    await waitFor(
      () => online.enforcer.currentState().policyVersion === version,
      'online device applied',
    );
    await waitFor(
      async () => (await compliance(online.identity.deviceId)).compliance.status === 'applied',
      'applied',
    );
    expect((await compliance(offlineIdentity.deviceId)).compliance.status).toBe('pending');
    const offline = connectTestDevice(offlineIdentity);
    devices.push(offline);
    await waitFor(
      () => offline.enforcer.currentState().policyVersion === version,
      'offline device applied on connect',
    );
    // The safeguarding lead's log holds the change, once, with how many devices it reached; the
    // devices' own applies and answers are their compliance and command history, not log lines.
    const changeRows = (
      await hub.http.get('/api/audit').query({ pageSize: 500 }).set(auth())
    ).body.items.filter(
      (row: { correlationId: string }) => row.correlationId === changed.headers['x-request-id'],
    ) as { action: string; targetId: string; detail: { devicesAffected: number } }[];
    expect(changeRows.map((row) => row.action)).toEqual(['policy.updated']);
    expect(changeRows[0].targetId).toBe(baselineId);
    expect(changeRows[0].detail.devicesAffected).toBeGreaterThanOrEqual(2);
    const commandRows = await hub.http
      .get('/api/audit')
      .query({ action: 'command.', pageSize: 500 })
      .set(auth());
    expect(
      (commandRows.body.items as { detail: { type?: string } }[]).filter(
        (row) => row.detail.type === 'policy.apply',
      ),
    ).toEqual([]);
    const summary = await hub.http.get('/api/compliance').set(auth());
    expect(summary.status).toBe(200);
    expect(
      summary.body.byPolicy.find((p: { name: string }) => p.name === 'School baseline').devices,
    ).toBeGreaterThanOrEqual(2);
    // A newer change replaced, rather than joined, any apply still waiting: at most one open per device.
    const open = await hub.http
      .get(`/api/devices/${offlineIdentity.deviceId}/commands?status=pending`)
      .set(auth());
    expect(
      (open.body.items as { type: string }[]).filter((c) => c.type === 'policy.apply').length,
    ).toBeLessThanOrEqual(1);
  });

  it('shows applied when a device acknowledges the version it already runs', async () => {
    // Re-enrolment sends the current policy again; the device already runs it, so its state does
    // not change and it reports none: the acknowledgement alone must mark it applied.
    const first = await onlineDevice();
    await waitFor(
      async () => (await compliance(first.identity.deviceId)).compliance.status === 'applied',
      'first applied',
    );
    const serialNumber = `REENROL-${first.identity.deviceId}`;
    first.client.destroy();
    const identity = await enrollTestDevice(hub, token, { serialNumber });
    const runsIt = connectTestDevice(identity);
    devices.push(runsIt);
    await waitFor(
      async () => (await compliance(identity.deviceId)).compliance.status === 'applied',
      'applied once',
    );
    const version = runsIt.enforcer.currentState().policyVersion;
    runsIt.client.destroy();
    const again = await enrollTestDevice(
      hub,
      await createEnrollmentToken(hub, admin, { reenrol: true }),
      { serialNumber },
    );
    expect(again.deviceId).toBe(identity.deviceId);
    const reconnected = connectTestDevice(again, { enforcer: runsIt.enforcer });
    devices.push(reconnected);
    await waitFor(async () => {
      const commands = await hub.http.get(`/api/devices/${identity.deviceId}/commands`).set(auth());
      return (
        (commands.body.items as { type: string; status: string }[]).filter(
          (c) => c.type === 'policy.apply' && c.status === 'acknowledged',
        ).length >= 2
      );
    }, 'the second apply acknowledged');
    await waitFor(
      async () => (await compliance(identity.deviceId)).compliance.status === 'applied',
      'applied after re-enrolment',
    );
    expect(reconnected.enforcer.currentState().policyVersion).toBe(version);
  });

  it('shows failed with the device’s detail when it cannot apply', async () => {
    const enforcer = new SimulatedEnforcer();
    enforcer.failTypes.set('policy.apply', 'passcode rules need a reboot');
    const device = await onlineDevice(enforcer);
    const c = await waitFor(async () => {
      const current = await compliance(device.identity.deviceId);
      return current.compliance.status === 'failed' ? current : null;
    }, 'failed');
    expect(c.compliance.detail).toContain('passcode rules need a reboot');
    const listed = await hub.http.get('/api/compliance/devices?status=failed').set(auth());
    expect((listed.body.items as { id: string }[]).map((d) => d.id)).toContain(
      device.identity.deviceId,
    );
  });

  it('never shows a Wi-Fi password in a command payload, to any role, nor in the audit log', async () => {
    const secret = 'Staff-Only-Pass-42';
    const identity = await enrollTestDevice(hub, token);
    const policy = await hub.http
      .post('/api/policies')
      .set(auth())
      .send({
        name: 'Staff Wi-Fi',
        settings: {
          wifi: {
            networks: [{ ssid: 'StaffNet', security: 'wpa2', password: secret, autoJoin: true }],
          },
        },
      });
    expect(policy.status).toBe(201);
    const assigned = await hub.http
      .post(`/api/policies/${policy.body.id}/assignments`)
      .set(auth())
      .send({ scope: 'device', targetId: identity.deviceId });
    expect(assigned.status).toBe(201);
    const version = (await compliance(identity.deviceId)).version;

    const staff: Record<string, string> = { ict: admin };
    for (const role of ['teacher', 'safeguarding', 'office']) {
      const account = await createStaff(hub, admin, `wifi-${role}`, [role]);
      staff[role] = account.token;
      if (role === 'teacher') {
        // A teacher reads the commands of their classes' tablets: this device is one.
        await teachClass(hub, admin, [account.id], { deviceIds: [identity.deviceId] });
      }
    }
    const reads: [string, string][] = [
      ['teacher', `/api/devices/${identity.deviceId}/commands`],
      ['safeguarding', `/api/devices/${identity.deviceId}/commands`],
      ['ict', `/api/devices/${identity.deviceId}/commands`],
      ['office', `/api/devices/${identity.deviceId}`],
      ['teacher', `/api/devices/${identity.deviceId}`],
      ['ict', `/api/devices/${identity.deviceId}`],
      ['ict', '/api/audit?pageSize=500'],
      ['safeguarding', '/api/audit?pageSize=500'],
    ];
    for (const [role, url] of reads) {
      const response = await hub.http.get(url).set({ Authorization: `Bearer ${staff[role]}` });
      expect({ role, url, status: response.status }).toEqual({ role, url, status: 200 });
      expect({ role, url, leaked: response.text.includes(secret) }).toEqual({
        role,
        url,
        leaked: false,
      });
    }
    // What staff see: the version, and that the network has a password.
    const listed = await hub.http
      .get(`/api/devices/${identity.deviceId}/commands`)
      .set({ Authorization: `Bearer ${staff.teacher}` });
    const apply = (
      listed.body.items as {
        type: string;
        payload: { policyVersion: string; settings: { wifi: { networks: unknown[] } } };
      }[]
    ).find((c) => c.type === 'policy.apply' && c.payload.policyVersion === version);
    expect(apply?.payload.settings.wifi.networks).toEqual([
      { ssid: 'StaffNet', security: 'wpa2', password: '[redacted]', autoJoin: true },
    ]);
    // The device itself still gets the password it needs.
    const device = connectTestDevice(identity);
    devices.push(device);
    await waitFor(() => device.enforcer.currentState().policyVersion === version, 'applied');
    const received = device.enforcer.executed.find(
      (c) => c.type === 'policy.apply' && c.payload.policyVersion === version,
    );
    expect(JSON.stringify(received?.payload)).toContain(secret);
  });

  it('never marks compliance for a version the device no longer should run', async () => {
    const events = hub.app.get(HubEvents);
    const tx = hub.app.get(TransactionRunner);
    const repository = hub.app.get(DevicesRepository);
    const newer = 'f'.repeat(64);
    /** What a rollout landing at that moment would write: a newer desired version, pending. */
    const moveOn = (deviceId: string) =>
      void tx.run((t) =>
        repository.setPolicyState(t, [deviceId], {
          desiredPolicyVersion: newer,
          policyStatus: 'pending',
          policyDetail: null,
          policyChangedAt: new Date(),
        }),
      );

    // A report of the old version, read just before a rollout moves the device on.
    const reporting = await onlineDevice();
    const reportingId = reporting.identity.deviceId;
    await waitFor(
      async () => (await compliance(reportingId)).compliance.status === 'applied',
      'applied',
    );
    await new Promise<void>((resolve) => {
      void tx
        .run((t) =>
          repository.setPolicyState(t, [reportingId], {
            policyStatus: 'pending',
            policyDetail: null,
            policyChangedAt: new Date(),
          }),
        )
        .then(() => resolve());
    });
    let armed = true;
    events.on('device.state', ({ deviceId }) => {
      if (armed && deviceId === reportingId) {
        armed = false;
        moveOn(deviceId);
      }
    });
    reporting.enforcer.simulateLocalChange({ battery: 41 });
    await waitFor(() => !armed, 'the report');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await compliance(reportingId)).compliance).toMatchObject({
      desiredVersion: newer,
      status: 'pending',
    });

    // A failed answer to the old version, arriving as a rollout moves the device on.
    const enforcer = new SimulatedEnforcer();
    enforcer.failTypes.set('policy.apply', 'cannot apply now');
    const identity = await enrollTestDevice(hub, token);
    let answered = false;
    events.on('command.answered', ({ deviceId, type, status }) => {
      if (deviceId === identity.deviceId && type === 'policy.apply' && status === 'error') {
        if (!answered) {
          answered = true;
          moveOn(deviceId);
        }
      }
    });
    const device = connectTestDevice(identity, { enforcer });
    devices.push(device);
    await waitFor(() => answered, 'the failed answer');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await compliance(identity.deviceId)).compliance).toMatchObject({
      desiredVersion: newer,
      status: 'pending',
      detail: null,
    });
  });

  it('lets a group policy with a higher priority win, and a baseline-enforced setting beat it', async () => {
    const device = await onlineDevice();
    const group = await hub.http.post('/api/groups').set(auth()).send({ name: 'Year 5 iPads' });
    await hub.http
      .post(`/api/groups/${group.body.id}/members`)
      .set(auth())
      .send({ deviceIds: [device.identity.deviceId] });
    const low = await hub.http
      .post('/api/policies')
      .set(auth())
      .send({
        name: 'Camera lessons',
        settings: { camera: { allowed: true }, screen: { autoLockMinutes: 10 } },
      });
    const high = await hub.http
      .post('/api/policies')
      .set(auth())
      .send({ name: 'Short lock', settings: { screen: { autoLockMinutes: 2 } } });
    expect(low.status).toBe(201);
    await hub.http
      .post(`/api/policies/${low.body.id}/assignments`)
      .set(auth())
      .send({ scope: 'group', targetId: group.body.id, priority: 1 });
    await hub.http
      .post(`/api/policies/${high.body.id}/assignments`)
      .set(auth())
      .send({ scope: 'group', targetId: group.body.id, priority: 5 });
    let c = await compliance(device.identity.deviceId);
    expect(c.settings.camera.allowed).toBe(true);
    expect(c.settings.screen.autoLockMinutes).toBe(2);
    expect(c.decidedBy['screen.autoLockMinutes'].policy).toBe('Short lock');
    await hub.http
      .patch(`/api/policies/${baselineId}`)
      .set(auth())
      .send({ enforced: ['camera.allowed'] });
    c = await compliance(device.identity.deviceId);
    expect(c.settings.camera.allowed).toBe(false);
    expect(c.decidedBy['camera.allowed'].policy).toBe('School baseline');
    await waitFor(
      () => device.enforcer.currentState().policyVersion === c.version,
      'device has the enforced version',
    );
  });

  it('refuses bad settings with the field named', async () => {
    const cases: [object, string][] = [
      [{ name: 'x1', settings: { camera: { allowed: 'yes' } } }, 'camera.allowed'],
      [{ name: 'x2', settings: { screen: { autoLockMinutes: 9999 } } }, 'screen.autoLockMinutes'],
      [{ name: 'x3', settings: { telepathy: true } }, 'telepathy'],
      [
        { name: 'x4', settings: { apps: { mode: 'allowlist', allowed: ['com.example.maths'] } } },
        'apps.allowed',
      ],
    ];
    for (const [body, field] of cases) {
      const response = await hub.http.post('/api/policies').set(auth()).send(body);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(field);
    }
  });

  it('keeps revisions and rolls back to one', async () => {
    const created = await hub.http
      .post('/api/policies')
      .set(auth())
      .send({ name: 'Rollback me', settings: { camera: { allowed: true } } });
    await hub.http
      .patch(`/api/policies/${created.body.id}`)
      .set(auth())
      .send({ settings: { camera: { allowed: false } } });
    const rolled = await hub.http
      .post(`/api/policies/${created.body.id}/rollback`)
      .set(auth())
      .send({ revision: 1 });
    expect(rolled.status).toBe(200);
    expect(rolled.body.settings).toEqual({ camera: { allowed: true } });
    const revisions = await hub.http.get(`/api/policies/${created.body.id}/revisions`).set(auth());
    expect(
      (revisions.body as { revision: number; note: string | null }[]).map((r) => r.revision),
    ).toEqual([3, 2, 1]);
    expect(revisions.body[0].note).toBe('rolled back to revision 1');
  });

  it('serves a .mobileconfig that verifies against the hub CA with openssl', async () => {
    const device = await onlineDevice();
    const response = await hub.http
      .get(`/api/devices/${device.identity.deviceId}/profile.mobileconfig`)
      .set(auth())
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('application/x-apple-aspen-config');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-'));
    fs.writeFileSync(path.join(dir, 'p.der'), response.body as Buffer);
    fs.writeFileSync(path.join(dir, 'ca.pem'), device.identity.caCertificatePem);
    const xml = execFileSync(
      'openssl',
      [
        'smime',
        '-verify',
        '-inform',
        'DER',
        '-in',
        path.join(dir, 'p.der'),
        '-CAfile',
        path.join(dir, 'ca.pem'),
        '-purpose',
        'any',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ).toString();
    expect(xml).toContain('com.apple.applicationaccess');
    expect(xml).toContain('<key>allowCamera</key>');
  });
});
