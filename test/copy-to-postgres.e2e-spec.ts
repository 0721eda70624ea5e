// `npm run admin -- copy-to-postgres URL` (issue 10): a school's SQLite hub, with staff, AUP
// acceptances, enrolled devices, groups, policies, commands and its audit log, is copied into an
// empty PostgreSQL database; a hub started on the copy serves the same devices and history, a
// device enrolled before reconnects with its certificate and gets a new command, staff sign in
// with their passwords, and new rows do not collide with copied ids. Needs PostgreSQL, so it
// runs in `npm run test:postgres` (left out of a SQLite run by test/jest-e2e.config.js).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ClassDto } from '@app/hub-api';
import { runAdminHere as admin } from './support/admin';
import { teachClass } from './support/classroom';
import { ADMIN_PASSWORD, createStaff, makeDataDir, startHub, TestHub } from './support/hub';
import { freePort } from './support/hub-process';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForBaselinePlanned,
  waitForConnect,
} from './support/devices';
import { postgresOnly, runPrefix, serverUrl, withServer } from './support/test-database';
import { HubClient } from '../scripts/demo/hub-client';
import { setUpDemoSchool } from '../scripts/demo/demo-school';

const describePostgres = postgresOnly('the copy goes into a PostgreSQL database');

type Row = Record<string, unknown>;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A new empty database on the test server, dropped when the file ends. */
const made: string[] = [];
async function emptyDatabase(label: string): Promise<string> {
  const name = `${runPrefix()}copy_${label}_${process.pid}`;
  await withServer(async (server) => {
    await server.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await server.query(`CREATE DATABASE "${name}"`);
  });
  made.push(name);
  return serverUrl(name);
}

describePostgres('npm run admin -- copy-to-postgres URL', () => {
  const folders: string[] = [];
  const clients: TestDevice[] = [];
  let source: TestHub | null = null;
  let copy: TestHub | null = null;

  afterAll(async () => {
    for (const device of clients) {
      device.client.destroy();
    }
    await source?.close();
    await copy?.close();
    await withServer(async (server) => {
      for (const name of made) {
        await server.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
    });
    for (const dir of folders) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  async function all(hub: TestHub, token: string, route: string): Promise<Row[]> {
    const rows: Row[] = [];
    for (let page = 1; ; page++) {
      const response = await hub.http
        .get(route)
        .query({ page, pageSize: 500 })
        .set('Authorization', `Bearer ${token}`);
      expect(response.status).toBe(200);
      const items = (response.body.items ?? response.body) as Row[];
      rows.push(...items);
      if (!Array.isArray(response.body.items) || items.length < 500) {
        return rows;
      }
    }
  }

  async function get(hub: TestHub, token: string, route: string): Promise<unknown> {
    const response = await hub.http.get(route).set('Authorization', `Bearer ${token}`);
    expect({ route, status: response.status }).toEqual({ route, status: 200 });
    return response.body as unknown;
  }

  it('copies a populated SQLite hub; a hub on the copy serves the same devices, history and staff', async () => {
    const dataDir = makeDataDir();
    folders.push(dataDir);
    const sqlite = { HUB_DB: `sqlite:${path.join(dataDir, 'hub.sqlite')}` };
    source = await startHub({ dataDir, env: sqlite });
    const hubA = source;
    const adminToken = await hubA.login();
    const teacher = await createStaff(hubA, adminToken, 'mpatel', ['teacher'], 'Teach-Pass1!');

    const group = await hubA.http
      .post('/api/groups')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ name: 'Year 7 French' });
    expect(group.status).toBe(201);
    // The teacher messages the group's laptops: a teacher's command reaches only their classes'.
    await teachClass(hubA, adminToken, [teacher.id], { groupId: group.body.id as string });
    const token = await createEnrollmentToken(hubA, adminToken, { groupIds: [group.body.id] });
    const identities = [
      await enrollTestDevice(hubA, token, { name: 'Laptop 1', assetTag: 'A-1' }),
      await enrollTestDevice(hubA, token, { name: 'Laptop 2', assetTag: 'A-2' }),
      await enrollTestDevice(hubA, token, { name: 'Laptop 3', assetTag: 'A-3' }),
    ];
    // Or the baseline policy's plan lands after the listings below are taken.
    await waitForBaselinePlanned(
      hubA,
      adminToken,
      identities.map((identity) => identity.deviceId),
    );
    const policy = await hubA.http
      .post('/api/policies')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ name: 'Short lock', settings: { screen: { autoLockMinutes: 2 } } });
    expect(policy.status).toBe(201);
    expect(
      (
        await hubA.http
          .post(`/api/policies/${policy.body.id}/assignments`)
          .set('Authorization', `Bearer ${adminToken}`)
          .send({ scope: 'group', targetId: group.body.id, priority: 1 })
      ).status,
    ).toBe(201);

    // Two devices online answer a message; the third, offline, has one waiting.
    const online = identities.slice(0, 2).map((identity) => connectTestDevice(identity));
    clients.push(...online);
    await Promise.all(online.map(waitForConnect));
    for (const identity of identities) {
      const issued = await hubA.http
        .post(`/api/devices/${identity.deviceId}/commands`)
        .set('Authorization', `Bearer ${teacher.token}`)
        .send({ type: 'message.show', payload: { text: `Hello ${identity.deviceId}` } });
      expect(issued.status).toBe(201);
    }
    await waitFor(
      () => online.every((device) => device.enforcer.messages.length === 1),
      'both online devices to show their message',
    );
    const commandsOf = async (hub: TestHub) => {
      const lists: Row[][] = [];
      for (const identity of identities) {
        lists.push(await all(hub, adminToken, `/api/devices/${identity.deviceId}/commands`));
      }
      return lists;
    };
    // The messages themselves: each list holds the device's policy applies too.
    await waitFor(
      async () =>
        (await commandsOf(hubA))
          .slice(0, 2)
          .every((list) =>
            list.some((c) => c.type === 'message.show' && c.status === 'acknowledged'),
          ),
      'both messages acknowledged',
    );
    for (const device of online) {
      device.client.close();
    }
    await waitFor(
      async () =>
        ((await all(hubA, adminToken, '/api/devices')) as { online: boolean }[]).every(
          (d) => !d.online,
        ),
      'the devices to be offline',
    );

    const before = {
      devices: await all(hubA, adminToken, '/api/devices'),
      groups: await all(hubA, adminToken, '/api/groups'),
      policies: await get(hubA, adminToken, '/api/policies'),
      staff: await all(hubA, adminToken, '/api/staff'),
      acceptances: await get(hubA, adminToken, '/api/aup/acceptances'),
      commands: await commandsOf(hubA),
      audit: await all(hubA, adminToken, '/api/audit'),
      fingerprint: ((await get(hubA, adminToken, '/api/school')) as { caFingerprint: string })
        .caFingerprint,
    };
    expect(before.audit.length).toBeGreaterThan(10);
    await hubA.close();
    source = null;

    const target = await emptyDatabase('main');
    const env = { HUB_DATA_DIR: dataDir, ...sqlite, HUB_PORT: String(await freePort()) };
    const run = await admin(['copy-to-postgres', target], env);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain(`Copied the hub in ${path.join(dataDir, 'hub.sqlite')} to `);
    expect(run.out).toMatch(/^ {2}devices +3$/m);
    expect(run.out).toMatch(/^ {2}staff_accounts +2$/m);
    const auditCopied = Number(/^ {2}audit_entries +(\d+)$/m.exec(run.out)?.[1]);
    expect(run.out).toMatch(/^ {2}audit_entries\.seq: \d+$/m);
    expect(run.out).toContain('The SQLite file is unchanged.');
    // Parents before children: a device before its group membership, a member before its session.
    const order = [...run.out.matchAll(/^ {2}([a-z_]+) +\d+$/gm)].map((m) => m[1]);
    expect(order.indexOf('devices')).toBeLessThan(order.indexOf('device_group_members'));
    expect(order.indexOf('device_groups')).toBeLessThan(order.indexOf('device_group_members'));
    expect(order.indexOf('staff_accounts')).toBeLessThan(order.indexOf('staff_sessions'));
    expect(order.indexOf('aup_versions')).toBeLessThan(order.indexOf('aup_acceptances'));

    // The hub on the copy: the same data dir (its CA), the PostgreSQL database.
    copy = await startHub({ dataDir, env: { HUB_DB: target } });
    const hubB = copy;
    // Staff sign in with the passwords they had.
    const adminB = await hubB.login('admin', ADMIN_PASSWORD);
    const teacherB = await hubB.login('mpatel', 'Teach-Pass1!');
    expect(await all(hubB, adminB, '/api/devices')).toEqual(before.devices);
    expect(await all(hubB, adminB, '/api/groups')).toEqual(before.groups);
    expect(await get(hubB, adminB, '/api/policies')).toEqual(before.policies);
    expect(await get(hubB, adminB, '/api/aup/acceptances')).toEqual(before.acceptances);
    expect(await commandsOf(hubB)).toEqual(before.commands);
    expect(
      ((await get(hubB, adminB, '/api/school')) as { caFingerprint: string }).caFingerprint,
    ).toBe(before.fingerprint);
    const auditB = await all(hubB, adminB, '/api/audit');
    // The copy's log: everything before, then the copy itself (and the sign-ins since).
    const copied = auditB.find((entry) => entry.action === 'hub.copied_to_postgres');
    expect(copied).toMatchObject({ actorType: 'shell' });
    const older = auditB.slice(auditB.indexOf(copied as Row) + 1);
    expect(older).toHaveLength(auditCopied);
    // What hub A wrote after it was read (its own stop) and everything before, as it was.
    expect(older.slice(0, older.length - before.audit.length).map((e) => e.action)).toEqual([
      'hub.stopped',
    ]);
    expect(older.slice(older.length - before.audit.length)).toEqual(before.audit);
    expect(Number(copied?.id)).toBeGreaterThan(Math.max(...before.audit.map((e) => Number(e.id))));

    // A device enrolled on SQLite reconnects to the copy with its certificate: it gets the
    // message that waited for it, and a new command issued now.
    const offline = connectTestDevice({ ...identities[2], hubUrl: hubB.url });
    clients.push(offline);
    await waitFor(() => offline.enforcer.messages.length === 1, 'the waiting message');
    const fresh = await hubB.http
      .post(`/api/devices/${identities[0].deviceId}/commands`)
      .set('Authorization', `Bearer ${teacherB}`)
      .send({ type: 'message.show', payload: { text: 'After the move' } });
    expect(fresh.status).toBe(201);
    const first = connectTestDevice({ ...identities[0], hubUrl: hubB.url });
    clients.push(first);
    await waitFor(
      () => first.enforcer.messages.some((m) => m.text === 'After the move'),
      'the new command on a device enrolled before the copy',
    );
    const commandsAfter = await all(
      hubB,
      adminB,
      `/api/devices/${identities[0].deviceId}/commands`,
    );
    // Its policy applies left out: this client starts with no policy and reports so, and the hub
    // sends the policy again, planned 200 ms after that report (listed here or not yet).
    const notPolicy = (rows: Row[]) => rows.filter((c) => c.type !== 'policy.apply');
    expect(notPolicy(commandsAfter)).toHaveLength(notPolicy(before.commands[0]).length + 1);

    // New rows in tables with sequences take ids past the copied ones: a new AUP version.
    const published = await hubB.http
      .put('/api/aup')
      .set('Authorization', `Bearer ${adminB}`)
      .send({ text: 'Be kind online. Version two.' });
    expect(published.status).toBe(200);
  });

  it('copies the later modules too: classes, sessions, overlays, assets, loans, reminders, trips, photos', async () => {
    // The demo school (scripts/demo) fills every table the later issues added; a lesson runs with
    // the camera allowed, so a session and its overlays exist too.
    const dataDir = makeDataDir();
    folders.push(dataDir);
    const file = path.join(dataDir, 'hub.sqlite');
    const sqlite = { HUB_DB: `sqlite:${file}`, HUB_REMINDER_CHECK_MS: '200' };
    source = await startHub({ dataDir, env: sqlite });
    const hubA = source;
    const school = await setUpDemoSchool(hubA.url, ADMIN_PASSWORD, {
      stateDir: path.join(dataDir, 'simulated-devices'),
    });
    let stopped = false;
    try {
      await school.stop();
      stopped = true;
      // Three days on, LOAN-002 (due in two) has had its due-date reminder, written by the
      // scheduled work; then back to now. (The session tokens of three days on are then unused.)
      const DAY_MS = 24 * 60 * 60 * 1000;
      hubA.clock.advance(3 * DAY_MS);
      const later = await hubA.login();
      await waitFor(
        async () => (await all(hubA, later, '/api/reminders')).length > 0,
        'a loan reminder',
      );
      hubA.clock.advance(-3 * DAY_MS);
      const adminToken = await hubA.login();
      // A lesson runs with the camera allowed: a session and its overlays.
      const teacher = await HubClient.signIn(
        hubA.url,
        'teacher',
        school.accounts.find((account) => account.role === 'teacher')?.password ?? '',
        { acceptAup: true },
      );
      const [klass] = await teacher.get<ClassDto[]>('/api/classes');
      await teacher.post(`/api/classes/${klass.id}/session`, {});
      await teacher.post(`/api/classes/${klass.id}/session/actions`, {
        action: 'camera.allow',
        minutes: 30,
      });

      const routes = async (hub: TestHub, token: string): Promise<Record<string, unknown>> => {
        const classes = await all(hub, token, '/api/classes');
        const trips = await all(hub, token, '/api/trips');
        const photos = ((await get(hub, token, '/api/photos?pageSize=200')) as { items: Row[] })
          .items;
        const oak = (await all(hub, token, '/api/devices')).find((d) => d.name === 'Oak 01');
        const picture = await hub.http
          .get(`/api/photos/${String(photos[0]?.sha256)}/picture`)
          .set('Authorization', `Bearer ${token}`)
          .buffer(true)
          .parse((response, done) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => done(null, Buffer.concat(chunks)));
          });
        return {
          classes,
          class: await get(hub, token, `/api/classes/${String(classes[0]?.id)}`),
          assets: await all(hub, token, '/api/assets'),
          open: await all(hub, token, '/api/loans?status=open'),
          overdue: await all(hub, token, '/api/loans?status=overdue'),
          returned: await all(hub, token, '/api/loans?status=returned'),
          reminders: await all(hub, token, '/api/reminders'),
          trips,
          trip: await get(hub, token, `/api/trips/${String(trips[0]?.id)}`),
          photos,
          days: await get(hub, token, '/api/photos/days'),
          oakPolicy: await get(hub, token, `/api/devices/${String(oak?.id)}/policy`),
          picture: { status: picture.status, sha: sha256(picture.body as Buffer) },
        };
      };
      const before = await routes(hubA, adminToken);
      // What the later modules hold is there to be copied.
      expect(before).toEqual(
        expect.objectContaining({
          classes: [expect.objectContaining({ name: 'Year 4 Oak' })],
          overdue: [expect.objectContaining({ assetTag: 'LOAN-001' })],
          trips: [expect.objectContaining({ name: 'Year 4 museum visit' })],
          photos: expect.arrayContaining([expect.objectContaining({ status: 'stored' })]),
          picture: { status: 200, sha: expect.any(String) },
        }),
      );
      expect(
        (before.oakPolicy as { decidedBy: Record<string, { scope: string }> }).decidedBy,
      ).toEqual(
        expect.objectContaining({
          'camera.allowed': expect.objectContaining({ scope: 'overlay' }),
        }),
      );
      await hubA.close();
      source = null;

      // Every table's rows in the SQLite file, read after the hub stopped.
      const reader = new DataSource({ type: 'sqlite', database: file });
      await reader.initialize();
      const counts = new Map<string, number>();
      try {
        const names = (await reader.query(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'migrations'",
        )) as { name: string }[];
        for (const { name } of names) {
          const [row] = (await reader.query(`SELECT COUNT(*) AS n FROM "${name}"`)) as {
            n: number;
          }[];
          counts.set(name, Number(row.n));
        }
      } finally {
        await reader.destroy();
      }
      for (const table of [
        'classes',
        'class_teachers',
        'class_sessions',
        'policy_overlays',
        'assets',
        'loans',
        'loan_reminders',
        'trips',
        'trip_leaders',
        'trip_kit',
        'photos',
        'hub_identity',
      ]) {
        expect({ table, rows: (counts.get(table) ?? 0) > 0 }).toEqual({ table, rows: true });
      }

      const target = await emptyDatabase('later');
      const run = await admin(['copy-to-postgres', target], {
        HUB_DATA_DIR: dataDir,
        ...sqlite,
        HUB_PORT: String(await freePort()),
      });
      expect(run).toMatchObject({ code: 0, err: '' });
      // Every table of the SQLite file, with all its rows: none left behind.
      const printed = new Map(
        [...run.out.matchAll(/^ {2}([a-z_]+) +(\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
      );
      printed.delete('total');
      expect(Object.fromEntries(printed)).toEqual(Object.fromEntries(counts));
      const probe = new DataSource({ type: 'postgres', url: target });
      await probe.initialize();
      try {
        for (const [table, rows] of counts) {
          const [row] = (await probe.query(`SELECT COUNT(*)::int AS n FROM "${table}"`)) as {
            n: number;
          }[];
          // The copy's own audit line is the one row more.
          expect({ table, rows: row.n }).toEqual({
            table,
            rows: table === 'audit_entries' ? rows + 1 : rows,
          });
        }
      } finally {
        await probe.destroy();
      }

      // The first test's copy closed first: one left open keeps Jest from exiting.
      await copy?.close();
      copy = await startHub({ dataDir, env: { HUB_DB: target } });
      const adminB = await copy.login('admin', ADMIN_PASSWORD);
      expect(await routes(copy, adminB)).toEqual(before);
    } finally {
      if (!stopped) {
        await school.stop();
      }
    }
  }, 240_000);

  it('refuses a target that is not empty, or does not exist, and a PostgreSQL hub', async () => {
    const dataDir = makeDataDir();
    folders.push(dataDir);
    const sqlite = { HUB_DB: `sqlite:${path.join(dataDir, 'hub.sqlite')}` };
    const hub = await startHub({ dataDir, env: sqlite });
    await hub.login();
    await hub.close();
    const env = { HUB_DATA_DIR: dataDir, ...sqlite, HUB_PORT: String(await freePort()) };

    const target = await emptyDatabase('refusals');
    expect((await admin(['copy-to-postgres', target], env)).code).toBe(0);
    const again = await admin(['copy-to-postgres', target], env);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(
      /^The database at postgres:\/\/\S+ is not empty \(it has \d+ tables: [a-z_, .]+\): copy into a new, empty database, so that nothing in it is mixed with the copy\n$/,
    );

    const nowhere = serverUrl(`${runPrefix()}no_such_database`);
    const missing = await admin(['copy-to-postgres', nowhere], env);
    expect(missing).toEqual({
      code: 1,
      out: '',
      err: `There is no database ${runPrefix()}no_such_database at ${nowhere}: create it empty first (createdb -O OWNER NAME)\n`,
    });

    const fromPostgres = await admin(['copy-to-postgres', target], {
      HUB_DATA_DIR: dataDir,
      HUB_DB: target,
    });
    expect(fromPostgres).toEqual({
      code: 1,
      out: '',
      err: 'copy-to-postgres copies a SQLite hub; this hub is on PostgreSQL already (HUB_DB)\n',
    });

    const notAUrl = await admin(['copy-to-postgres', 'hub.sqlite'], env);
    expect(notAUrl).toEqual({
      code: 1,
      out: '',
      err: "copy-to-postgres needs a postgres:// URL, got 'hub.sqlite'\n",
    });
  });

  it('refuses while the SQLite hub runs', async () => {
    const dataDir = makeDataDir();
    folders.push(dataDir);
    const sqlite = { HUB_DB: `sqlite:${path.join(dataDir, 'hub.sqlite')}` };
    const running = await startHub({ dataDir, env: sqlite });
    try {
      const target = await emptyDatabase('running');
      const run = await admin(['copy-to-postgres', target], {
        HUB_DATA_DIR: dataDir,
        ...sqlite,
        HUB_PORT: new URL(running.url).port,
        HUB_HOST: '127.0.0.1',
      });
      expect(run).toEqual({
        code: 1,
        out: '',
        err: `Stop the hub before copying it (what it wrote after the copy would be lost): the hub is running: port ${new URL(running.url).port} answers /api/health\n`,
      });
      // Refused before anything was written: the target is still empty.
      const probe = new DataSource({ type: 'postgres', url: target });
      await probe.initialize();
      try {
        expect(
          await probe.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"),
        ).toEqual([]);
      } finally {
        await probe.destroy();
      }
    } finally {
      await running.close();
    }
  });
});
