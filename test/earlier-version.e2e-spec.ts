// A database made by an earlier version of the hub (issue 10: "from an empty database or one made
// by an earlier version", on SQLite and on PostgreSQL): a hub's database is taken back to the
// migration level of the version before several hubs (every migration after AddAuditNames undone
// with TypeORM's own `down`s), then this hub starts on it. It brings the database up to date at
// start and serves the same staff, devices, commands and audit log; a device enrolled before
// reconnects with its certificate and gets what waited for it; the later tables work.
import { DataSource } from 'typeorm';
import type { ClassDto } from '@app/hub-api';
import { MIGRATIONS } from '../apps/hub/src/database/migrations';
import { ADMIN_PASSWORD, createStaff, hubDatabaseOf, startHub, TestHub } from './support/hub';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForBaselinePlanned,
  waitForConnect,
} from './support/devices';
import { TEST_DATABASE_NAME } from './support/test-database';

/** The last migration of the version before issue 10 (several hubs). */
const EARLIER_LEVEL = 'AddAuditNames1764710000000';

type Row = Record<string, unknown>;

describe(`a database made by an earlier version (${TEST_DATABASE_NAME})`, () => {
  const devices: TestDevice[] = [];
  let hub: TestHub | null = null;

  afterAll(async () => {
    devices.forEach((device) => device.client.destroy());
    await hub?.close();
  });

  async function all(on: TestHub, token: string, route: string): Promise<Row[]> {
    const response = await on.http
      .get(route)
      .query({ pageSize: 500 })
      .set('Authorization', `Bearer ${token}`);
    expect({ route, status: response.status }).toEqual({ route, status: 200 });
    return (response.body.items ?? response.body) as Row[];
  }

  it('is brought up to date at start and serves the same staff, devices, commands and log', async () => {
    const first = await startHub();
    hub = first;
    const dataDir = first.dataDir;
    const admin = await first.login();
    await createStaff(first, admin, 'mpatel', ['teacher'], 'Teach-Pass1!');
    const group = await first.http
      .post('/api/groups')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'Year 8' });
    expect(group.status).toBe(201);
    const token = await createEnrollmentToken(first, admin, { groupIds: [group.body.id] });
    const identities = [
      await enrollTestDevice(first, token, { name: 'Tablet 1', assetTag: 'T-1' }),
      await enrollTestDevice(first, token, { name: 'Tablet 2', assetTag: 'T-2' }),
    ];
    // Or the baseline policy's plan lands after the listings below.
    await waitForBaselinePlanned(
      first,
      admin,
      identities.map((identity) => identity.deviceId),
    );
    const online = connectTestDevice(identities[0]);
    devices.push(online);
    await waitForConnect(online);
    for (const identity of identities) {
      const issued = await first.http
        .post(`/api/devices/${identity.deviceId}/commands`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ type: 'message.show', payload: { text: `Hello ${identity.deviceId}` } });
      expect(issued.status).toBe(201);
    }
    await waitFor(() => online.enforcer.messages.length === 1, 'the online device’s message');
    const commandsOf = async (on: TestHub, token: string) =>
      Promise.all(
        identities.map((identity) => all(on, token, `/api/devices/${identity.deviceId}/commands`)),
      );
    await waitFor(
      async () => (await commandsOf(first, admin))[0].every((c) => c.status === 'acknowledged'),
      'the online device’s answers recorded',
    );
    online.client.close();
    await waitFor(
      async () => (await all(first, admin, '/api/devices')).every((d) => d.online === false),
      'both devices offline',
    );
    const before = {
      devices: await all(first, admin, '/api/devices'),
      groups: await all(first, admin, '/api/groups'),
      staff: await all(first, admin, '/api/staff'),
      commands: await commandsOf(first, admin),
      audit: await all(first, admin, '/api/audit'),
    };
    // Enrolment queued each its baseline policy too: all answered by the one online, all
    // waiting for the other.
    expect(before.commands.map((list) => [...new Set(list.map((c) => c.status))])).toEqual([
      ['acknowledged'],
      ['pending'],
    ]);
    await first.close();
    hub = null;

    // Back to the earlier version's level, with its rows.
    const earlier = new DataSource(hubDatabaseOf(first));
    await earlier.initialize();
    try {
      const applied = async () =>
        ((await earlier.query('SELECT name FROM migrations ORDER BY timestamp')) as Row[]).map(
          (row) => String(row.name),
        );
      if (earlier.options.type === 'sqlite') {
        // TypeORM drops a SQLite column by making the table again, which the devices' rows in
        // other tables would refuse; as SQLite's own ALTER TABLE steps say, keys off meanwhile.
        await earlier.query('PRAGMA foreign_keys = OFF');
      }
      while ((await applied()).at(-1) !== EARLIER_LEVEL) {
        await earlier.undoLastMigration({ transaction: 'each' });
      }
      expect((await applied()).length).toBeLessThan(MIGRATIONS.length);
      for (const table of ['hubs', 'hub_leases', 'hub_identity', 'classes', 'assets', 'photos']) {
        expect({ table, there: await earlier.createQueryRunner().hasTable(table) }).toEqual({
          table,
          there: false,
        });
      }
    } finally {
      await earlier.destroy();
    }

    const upgraded = await startHub({ dataDir });
    hub = upgraded;
    const adminB = await upgraded.login('admin', ADMIN_PASSWORD);
    await upgraded.login('mpatel', 'Teach-Pass1!');
    expect(await all(upgraded, adminB, '/api/devices')).toEqual(before.devices);
    expect(await all(upgraded, adminB, '/api/groups')).toEqual(before.groups);
    expect(await all(upgraded, adminB, '/api/staff')).toEqual(before.staff);
    expect(await commandsOf(upgraded, adminB)).toEqual(before.commands);
    const audit = await all(upgraded, adminB, '/api/audit');
    // Everything before, as it was, below what this hub wrote since (its start, the sign-ins).
    expect(audit.slice(audit.length - before.audit.length)).toEqual(before.audit);

    // Every migration is applied again, the CA's fingerprint recorded from the devices' certificates.
    const check = new DataSource(hubDatabaseOf(upgraded));
    await check.initialize();
    try {
      expect(
        ((await check.query('SELECT COUNT(*) AS n FROM migrations')) as { n: string | number }[])
          .map((row) => Number(row.n))
          .at(0),
      ).toBe(MIGRATIONS.length);
      expect(
        await check.query("SELECT value FROM hub_identity WHERE name = 'ca_fingerprint'"),
      ).toEqual([{ value: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) }]);
    } finally {
      await check.destroy();
    }

    // The device that was offline reconnects with its certificate and gets its message.
    const returning = connectTestDevice({ ...identities[1], hubUrl: upgraded.url });
    devices.push(returning);
    await waitFor(() => returning.enforcer.messages.length === 1, 'the message that waited');
    await waitFor(
      async () => (await commandsOf(upgraded, adminB))[1].every((c) => c.status === 'acknowledged'),
      'its answer recorded',
    );
    // The later tables work on the brought-up database: a class over the group.
    const teacher = (await all(upgraded, adminB, '/api/staff')).find(
      (s) => s.username === 'mpatel',
    );
    const created = await upgraded.http
      .post('/api/classes')
      .set('Authorization', `Bearer ${adminB}`)
      .send({ name: 'Year 8 Ash', teacherIds: [teacher?.id], groupId: group.body.id });
    expect(created.status).toBe(201);
    expect((created.body as ClassDto).name).toBe('Year 8 Ash');
  }, 120_000);
});
