// A hub started again over the same data, with nothing changed meanwhile, changes nothing staff
// can see: a device whose policies conflict stays failed as it was first judged (the same words,
// the same time), its devices reconnecting change nothing either, and no command is queued.
// A conflict lasts until the policies are changed so that the device's combine again; a device
// whose policies combine again gets its policy, even the version it had. And the start reads the
// active devices once, by pages of at most 500.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { SqliteQueryRunner } from 'typeorm/driver/sqlite/SqliteQueryRunner';
import type { DeviceIdentity } from '@app/devices';
import { DeviceEntity } from '../apps/hub/src/devices/device.entities';
import {
  acceptAup,
  ADMIN_PASSWORD,
  hubDatabaseOf,
  makeDataDir,
  startHub,
  TestHub,
} from './support/hub';
import { freePort, killHubProcess, startHubProcess, stopHubProcess } from './support/hub-process';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForBaselinePlanned,
  waitForConnect,
} from './support/devices';

/** Two policies that each stand alone but not together: a network outside the allowed list. */
const ONLY_SCHOOL_WIFI = { wifi: { allowedSsids: ['School'] } };
const HOME_NETWORK = {
  wifi: { networks: [{ ssid: 'Home', security: 'wpa2', password: 'secret-123', autoJoin: true }] },
};

interface Compliance {
  status: string;
  desiredVersion: string | null;
  detail: string | null;
  since: string | null;
}

/** Makes two groups whose policies conflict, and puts `deviceId` in both. */
async function conflictingGroups(http: TestAgent, admin: string, deviceId: string) {
  const auth = { Authorization: `Bearer ${admin}` };
  const groupIds: string[] = [];
  for (const [name, settings] of [
    ['Only school Wi-Fi', ONLY_SCHOOL_WIFI],
    ['Home network', HOME_NETWORK],
  ] as const) {
    const group = await http.post('/api/groups').set(auth).send({ name });
    expect(group.status).toBe(201);
    const policy = await http.post('/api/policies').set(auth).send({ name, settings });
    expect(policy.status).toBe(201);
    const assigned = await http
      .post(`/api/policies/${policy.body.id as string}/assignments`)
      .set(auth)
      .send({ scope: 'group', targetId: group.body.id as string });
    expect(assigned.status).toBe(201);
    const added = await http
      .post(`/api/groups/${group.body.id as string}/members`)
      .set(auth)
      .send({ deviceIds: [deviceId] });
    expect(added.status).toBe(201);
    groupIds.push(group.body.id as string);
  }
  return groupIds;
}

async function complianceOf(http: TestAgent, admin: string, deviceId: string) {
  const record = await http.get(`/api/devices/${deviceId}`).set('Authorization', `Bearer ${admin}`);
  return record.body.compliance as Compliance;
}

describe('a hub started again with nothing changed', () => {
  const children: ChildProcess[] = [];
  const devices: TestDevice[] = [];
  let dataDir = '';

  afterAll(async () => {
    devices.forEach((device) => device.client.destroy());
    await Promise.all(children.map(killHubProcess));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves a device whose policies conflict failed as first judged, and writes nothing, across three restarts', async () => {
    dataDir = makeDataDir();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const http = request(url);
    let hub = await startHubProcess(dataDir, port);
    children.push(hub.child);
    const login = await http
      .post('/api/auth/login')
      .send({ username: 'admin', password: ADMIN_PASSWORD });
    const admin = login.body.accessToken as string;
    await acceptAup(http, admin);
    const auth = { Authorization: `Bearer ${admin}` };
    const token = await createEnrollmentToken({ http }, admin, { maxUses: 2 });
    // One device whose policies will conflict, one beside it whose policy applies.
    const identities: DeviceIdentity[] = [
      await enrollTestDevice({ url }, token, { name: 'Conflicted laptop' }),
      await enrollTestDevice({ url }, token, { name: 'Calm laptop' }),
    ];
    const [conflicted, calm] = identities.map((identity) => identity.deviceId);
    // Each device keeps its enforcer and journal over its reconnections: the same laptop.
    let online = identities.map((identity) => connectTestDevice(identity));
    devices.push(...online);
    await waitFor(async () => {
      for (const id of [conflicted, calm]) {
        if ((await complianceOf(http, admin, id)).status !== 'applied') {
          return false;
        }
      }
      return true;
    }, 'the baseline applied on both devices');

    await conflictingGroups(http, admin, conflicted);
    const judged = await waitFor(async () => {
      const compliance = await complianceOf(http, admin, conflicted);
      return compliance.status === 'failed' ? compliance : null;
    }, 'the conflict judged');
    expect(judged.detail).toMatch(/^The policies for this device conflict: wifi\.networks\[0\]/);

    /** Everything staff see of these two devices' policies and commands, and the audit log. */
    const seen = async () => {
      const audit = await http.get('/api/audit').query({ pageSize: 500 }).set(auth);
      const out: Record<string, unknown> = {
        // The hub's own starts and stops are recorded each time, as they should be.
        audit: (audit.body.items as { action: string }[]).filter(
          (entry) => entry.action !== 'hub.started' && entry.action !== 'hub.stopped',
        ),
        counts: (await http.get('/api/compliance').set(auth)).body,
        failed: (await http.get('/api/compliance/devices').query({ status: 'failed' }).set(auth))
          .body,
      };
      for (const id of [conflicted, calm]) {
        const record = await http.get(`/api/devices/${id}`).set(auth);
        const commands = await http
          .get(`/api/devices/${id}/commands`)
          .query({ pageSize: 100 })
          .set(auth);
        out[id] = {
          compliance: record.body.compliance,
          pendingCommands: record.body.pendingCommands,
          commands: commands.body,
          policy: (await http.get(`/api/devices/${id}/policy`).set(auth)).body,
        };
      }
      return out;
    };
    // A moment for any late write of the judgement to land before the reference is taken.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = await seen();

    for (const [round, stop] of [
      [1, stopHubProcess],
      [2, killHubProcess],
      [3, stopHubProcess],
    ] as const) {
      online.forEach((device) => device.client.destroy());
      await stop(hub.child);
      const restartedAt = new Date().toISOString();
      hub = await startHubProcess(dataDir, port);
      children.push(hub.child);
      online = online.map((device) =>
        connectTestDevice(device.identity, { enforcer: device.enforcer, journal: device.journal }),
      );
      devices.push(...online);
      await Promise.all(online.map(waitForConnect));
      // Both devices have reported their state to the new hub, and what follows a report is done.
      await waitFor(async () => {
        for (const id of [conflicted, calm]) {
          const record = await http.get(`/api/devices/${id}`).set(auth);
          if (!record.body.online || !(record.body.reportedAt > restartedAt)) {
            return false;
          }
        }
        return true;
      }, `both devices reporting after restart ${round}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect({ round, ...(await seen()) }).toEqual({ round, ...before });
    }
  }, 180_000);
});

describe('a conflict, once judged', () => {
  let hub: TestHub | undefined;
  const devices: TestDevice[] = [];

  afterEach(async () => {
    devices.forEach((device) => device.client.destroy());
    devices.length = 0;
    await hub?.close();
    hub = undefined;
  });

  it('lasts until the device’s policies combine again, then the device gets its policy, even the version it had', async () => {
    hub = await startHub();
    const admin = await hub.login();
    const auth = { Authorization: `Bearer ${admin}` };
    const identity = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    const device = connectTestDevice(identity);
    devices.push(device);
    await waitFor(
      async () => (await complianceOf(hub!.http, admin, identity.deviceId)).status === 'applied',
      'the baseline applied',
    );
    const [, homeGroup] = await conflictingGroups(hub.http, admin, identity.deviceId);
    const judged = await waitFor(async () => {
      const compliance = await complianceOf(hub!.http, admin, identity.deviceId);
      return compliance.status === 'failed' ? compliance : null;
    }, 'the conflict judged');
    // The device goes out of reach and comes back, still running the policy it had: the
    // conflict is not its to settle.
    device.client.destroy();
    const cameBackAt = new Date().toISOString();
    const back = connectTestDevice(identity, {
      enforcer: device.enforcer,
      journal: device.journal,
    });
    devices.push(back);
    await waitForConnect(back);
    await waitFor(async () => {
      const record = await hub!.http.get(`/api/devices/${identity.deviceId}`).set(auth);
      return record.body.reportedAt > cameBackAt;
    }, 'the device’s report after it came back');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await complianceOf(hub.http, admin, identity.deviceId)).toEqual(judged);

    // Out of the second group, its policies resolve to the version it already runs.
    const removed = await hub.http
      .delete(`/api/groups/${homeGroup}/members/${identity.deviceId}`)
      .set(auth);
    expect(removed.status).toBe(204);
    const resolved = await hub.http.get(`/api/devices/${identity.deviceId}/policy`).set(auth);
    expect(resolved.body.version).toBe(judged.desiredVersion);
    const applied = await waitFor(async () => {
      const compliance = await complianceOf(hub!.http, admin, identity.deviceId);
      return compliance.status === 'applied' && compliance.desiredVersion === resolved.body.version
        ? compliance
        : null;
    }, 'the device’s policy applied once its policies combine again');
    expect(applied.detail).toBeNull();
  });

  it('by a hub before this one, is kept as it was at the first start of this one', async () => {
    hub = await startHub();
    const admin = await hub.login();
    const auth = { Authorization: `Bearer ${admin}` };
    const identity = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    await waitForBaselinePlanned(hub, admin, [identity.deviceId]);
    await conflictingGroups(hub.http, admin, identity.deviceId);
    const judged = await waitFor(async () => {
      const compliance = await complianceOf(hub!.http, admin, identity.deviceId);
      return compliance.status === 'failed' ? compliance : null;
    }, 'the conflict judged');
    const commands = async () =>
      (await hub!.http.get(`/api/devices/${identity.deviceId}/commands`).set(auth)).body;
    const queued = await commands();
    await hub.close();

    // Back to the data as a hub before the conflict was told apart left it.
    const data = new DataSource(hubDatabaseOf(hub));
    await data.initialize();
    const applied = async () =>
      ((await data.query('SELECT name FROM migrations')) as { name: string }[]).map(
        (row) => row.name,
      );
    while ((await applied()).includes('AddPolicyConflict1764880000000')) {
      await data.undoLastMigration({ transaction: 'each' });
    }
    await data.destroy();

    hub = await startHub({ dataDir: hub.dataDir });
    // The start's plan has run (a moment after) once an enrolment made now has its policy.
    const later = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    await waitForBaselinePlanned(hub, admin, [later.deviceId]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await complianceOf(hub.http, admin, identity.deviceId)).toEqual(judged);
    expect(await commands()).toEqual(queued);
  });
});

describe('starting the hub', () => {
  let hub: TestHub | undefined;

  afterEach(async () => {
    jest.restoreAllMocks();
    await hub?.close();
    hub = undefined;
  });

  it('reads the active devices once to plan their policies', async () => {
    hub = await startHub();
    const dataDir = hub.dataDir;
    const admin = await hub.login();
    const token = await createEnrollmentToken(hub, admin, { maxUses: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push((await enrollTestDevice(hub, token)).deviceId);
    }
    await waitForBaselinePlanned(hub, admin, ids);
    await hub.close();
    // As a hub killed before the enrolments' plans ran leaves them: the start's own plan is then
    // seen to have run when they have a policy.
    const data = new DataSource(hubDatabaseOf(hub));
    await data.initialize();
    await data.query(
      'UPDATE devices SET desired_policy_version = NULL, policy_status = NULL, policy_changed_at = NULL',
    );
    await data.destroy();

    const reads: string[] = [];
    for (const runner of [SqliteQueryRunner, PostgresQueryRunner]) {
      const query = runner.prototype.query;
      jest.spyOn(runner.prototype, 'query').mockImplementation(function (
        this: unknown,
        ...args: Parameters<typeof query>
      ) {
        const [sql] = args;
        if (/^\s*SELECT\b/i.test(sql) && /\bFROM "devices"/.test(sql)) {
          reads.push(sql);
        }
        return query.apply(this, args);
      });
    }
    hub = await startHub({ dataDir });
    const started = hub;
    await waitFor(async () => {
      for (const id of ids) {
        const record = await started.http
          .get(`/api/devices/${id}`)
          .set('Authorization', `Bearer ${admin}`);
        if (!record.body.compliance?.desiredVersion) {
          return false;
        }
      }
      return true;
    }, 'the start’s plan run');
    // What planning read of the devices: lists of the active ones and their policy states (not
    // the console's counts, which follow any change, nor the plan's row locks as it writes).
    const planning = reads.filter(
      (sql) =>
        /"d"\."desired_policy_version"/.test(sql) ||
        (/"d"\."status" = 'active'/.test(sql) && !/ IN \(|COALESCE/.test(sql)),
    );
    expect(planning).toHaveLength(1);
  });

  it('plans a school’s worth of devices by pages of at most 500, each device read once', async () => {
    hub = await startHub();
    const dataDir = hub.dataDir;
    const admin = await hub.login();
    const enrolled = (await enrollTestDevice(hub, await createEnrollmentToken(hub, admin)))
      .deviceId;
    await waitForBaselinePlanned(hub, admin, [enrolled]);
    await hub.close();
    // 1,200 active devices, none planned yet, as a hub killed before their plans ran leaves them.
    const data = new DataSource({ ...hubDatabaseOf(hub), entities: [DeviceEntity] });
    await data.initialize();
    const devices = data.getRepository(DeviceEntity);
    const model = await devices.findOneByOrFail({ id: enrolled });
    const copies = Array.from({ length: 1199 }, (_, i) => ({
      ...model,
      id: randomUUID(),
      serialNumber: `PAGE-${i}`,
      serialKey: `PAGE-${i}`,
      name: `Tablet ${i}`,
      assetTag: null,
      tagKey: null,
      certificateSerial: `page-${i}`,
    }));
    for (let i = 0; i < copies.length; i += 100) {
      await devices.insert(copies.slice(i, i + 100));
    }
    await data.query(
      'UPDATE devices SET desired_policy_version = NULL, policy_status = NULL, policy_changed_at = NULL',
    );

    const pages: number[] = [];
    for (const runner of [SqliteQueryRunner, PostgresQueryRunner]) {
      const query = runner.prototype.query;
      jest.spyOn(runner.prototype, 'query').mockImplementation(function (
        this: unknown,
        ...args: Parameters<typeof query>
      ) {
        const [sql] = args;
        const result = query.apply(this, args);
        if (/^\s*SELECT\b/i.test(sql) && /"d"\."desired_policy_version"/.test(sql)) {
          void result.then((read: unknown) => {
            // getRawMany asks for a structured result: { records, ... }.
            const rows = Array.isArray(read) ? read : (read as { records?: unknown[] }).records;
            pages.push(rows?.length ?? -1);
          });
        }
        return result;
      });
    }
    hub = await startHub({ dataDir });
    const unplanned = async () =>
      Number(
        (
          (await data.query(
            'SELECT COUNT(*) AS n FROM devices WHERE desired_policy_version IS NULL',
          )) as { n: string | number }[]
        )[0].n,
      );
    await waitFor(async () => (await unplanned()) === 0, 'every device planned');
    await data.destroy();
    // Each page is small, so a teacher's lock never waits behind one read of every device.
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...pages)).toBeLessThanOrEqual(500);
    expect(pages.reduce((sum, rows) => sum + rows, 0)).toBe(1200);
  });
});
