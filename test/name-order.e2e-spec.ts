// Lists ordered by name give one order on SQLite and PostgreSQL, the one a person reading them
// expects (CLDR's English order: "Émile" among the Es, "Ørjan" beside "Orjan", "Łukasz" among
// the Ls, "Cover 9" before "Cover 10", capitals and small letters together): the loan desk's
// borrowers, a trip's leaders, the device and compliance lists, groups, policies and classes.
// Lists by an ASCII key (staff by username, the asset register and a trip's kit by tag) are in
// code point order on both. SQLite's LOWER() folds only A-Z and compares by code point; a
// PostgreSQL server compares text by the collation it was set up with, so on PostgreSQL this
// file runs the hub on a database made with ICU's English (en-GB) collation, as a school's
// server set up in English has, to show the order does not hang on it. Run it on both databases.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { Asset, Borrower, Page, Trip } from '@app/hub-api';
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import { startHub, type TestHub } from './support/hub';
import { ON_POSTGRES, runPrefix, serverUrl, withServer } from './support/test-database';

const PASSWORD = 'Staff-Pass1!';

/** The names every list is given, in the order they are made, and each person's username. */
const PEOPLE: [username: string, name: string][] = [
  ['zoe.q', 'Zoë Quinn'],
  ['emile_r', 'émile Roux'],
  ['orjan-l2', 'Ørjan Lie'],
  ['lukasz', 'Łukasz Nowak'],
  ['ulla', 'ULLA Berg'],
  ['unal', 'Ünal Kaya'],
  ['emile-r', 'Emile Roux'],
  ['oscar', 'oscar Wilde'],
  ['orjan-l', 'Orjan Lie'],
  ['aesa', 'Æsa Lind'],
  ['adam', 'Adam Smith'],
  ['cover10', 'Cover 10'],
  ['cover9', 'Cover 9'],
  ['obrien', "O'Brien"],
  ['lars', 'Lars Holm'],
  ['zara', 'zara Ali'],
  ['ann.lee', 'Ann Lee'],
  ['ann', 'Ann'],
];

/** The order a person reading a list of those names expects. */
const IN_ORDER = [
  'Adam Smith',
  'Æsa Lind',
  'Ann',
  'Ann Lee',
  'Cover 9',
  'Cover 10',
  'Emile Roux',
  'émile Roux',
  'Lars Holm',
  'Łukasz Nowak',
  "O'Brien",
  'Orjan Lie',
  'Ørjan Lie',
  'oscar Wilde',
  'ULLA Berg',
  'Ünal Kaya',
  'zara Ali',
  'Zoë Quinn',
];

/** Asset tags, as made; their order is by code point of their lower-case key. */
const TAGS = ['CB-07', 'cb_02', 'CB.03', 'cb01', 'Cb-09'];
const TAGS_IN_ORDER = ['CB-07', 'Cb-09', 'CB.03', 'cb01', 'cb_02'];

describe('lists ordered by name, alike on SQLite and PostgreSQL', () => {
  let hub: TestHub;
  let admin: string;
  let teacher: string;
  let tripId: string;
  /** The hub's database: made here on PostgreSQL (en-GB collation), the data directory's file on SQLite. */
  let database: DataSourceOptions;
  let env: Record<string, string> = {};
  const as = (token: string) => `Bearer ${token}`;

  async function get<T>(url: string, token = admin): Promise<T> {
    const response = await hub.http.get(url).set('Authorization', as(token));
    expect([url, response.status]).toEqual([url, 200]);
    return response.body as T;
  }

  /** Every item of a paged list, read `pageSize` at a time, so paging is checked too. */
  async function allPages<T>(url: string, pageSize: number): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const body = await get<Page<T>>(
        `${url}${url.includes('?') ? '&' : '?'}page=${page}&pageSize=${pageSize}`,
      );
      items.push(...body.items);
      if (page * pageSize >= body.total) {
        expect(items).toHaveLength(body.total);
        return items;
      }
    }
  }

  const ours = (names: (string | null)[]) =>
    names.filter((name): name is string => name !== null && IN_ORDER.includes(name));

  const borrowers = async (pageSize: number) =>
    ours((await allPages<Borrower>('/api/loans/borrowers', pageSize)).map((b) => b.displayName));
  const devices = async (pageSize: number) =>
    ours((await allPages<{ name: string | null }>('/api/devices', pageSize)).map((d) => d.name));
  const complianceDevices = async () =>
    ours(
      (await allPages<{ name: string | null }>('/api/compliance/devices', 5)).map((d) => d.name),
    );
  const groups = async () =>
    ours((await get<{ name: string }[]>('/api/groups')).map((g) => g.name));
  const policies = async () =>
    ours((await get<{ name: string }[]>('/api/policies')).map((p) => p.name));
  const classes = async (token = admin) =>
    ours((await get<{ name: string }[]>('/api/classes', token)).map((c) => c.name));
  const leaders = async () =>
    (await get<Trip>(`/api/trips/${tripId}`)).leaders.map((l) => l.displayName);

  beforeAll(async () => {
    if (ON_POSTGRES) {
      const name = `${runPrefix()}order_${randomBytes(4).toString('hex')}`;
      await withServer((server) =>
        server.query(
          `CREATE DATABASE "${name}" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-GB'`,
        ),
      );
      env = { HUB_DB: serverUrl(name) };
    }
    hub = await startHub({ env });
    database = env.HUB_DB
      ? { type: 'postgres', url: env.HUB_DB }
      : { type: 'sqlite', database: path.join(hub.dataDir, 'hub.sqlite') };
    admin = await hub.login();
    const staffIds: string[] = [];
    for (const [username, displayName] of PEOPLE) {
      const created = await hub.http
        .post('/api/staff')
        .set('Authorization', as(admin))
        .send({ username, displayName, password: PASSWORD, roles: ['teacher', 'trip_leader'] });
      expect(created.status).toBe(201);
      staffIds.push((created.body as { id: string }).id);
    }
    teacher = await hub.login(PEOPLE[0][0], PASSWORD);
    const token = await createEnrollmentToken(hub, admin);
    for (const [, name] of PEOPLE) {
      await enrollTestDevice(hub, token, { name });
      for (const [url, body] of [
        ['/api/groups', { name }],
        ['/api/policies', { name, settings: { camera: { allowed: false } } }],
        ['/api/classes', { name, teacherIds: [staffIds[0]] }],
      ] as const) {
        const created = await hub.http.post(url).set('Authorization', as(admin)).send(body);
        expect([url, name, created.status]).toEqual([url, name, 201]);
      }
    }
    for (const [index, assetTag] of TAGS.entries()) {
      const created = await hub.http
        .post('/api/assets')
        .set('Authorization', as(admin))
        .send({ assetTag, kind: 'camera', serialNumber: `ORDER-${index}` });
      expect(created.status).toBe(201);
    }
    const now = hub.clock.nowMs();
    const trip = await hub.http
      .post('/api/trips')
      .set('Authorization', as(admin))
      .send({
        name: 'Year 4 to the museum',
        shortName: 'museum',
        startsAt: new Date(now + 3_600_000).toISOString(),
        endsAt: new Date(now + 36_000_000).toISOString(),
        leaderIds: staffIds,
        assetTags: TAGS,
      });
    expect(trip.status).toBe(201);
    tripId = (trip.body as Trip).id;
  }, 120_000);
  afterAll(() => hub.close());

  it('expects the order CLDR gives English readers', () => {
    const names = PEOPLE.map(([, name]) => name);
    expect(names.sort(new Intl.Collator('en', { numeric: true }).compare)).toEqual(IN_ORDER);
  });

  it('lists borrowers at the loan desk by name, page after page', async () => {
    expect(await borrowers(100)).toEqual(IN_ORDER);
    expect(await borrowers(3)).toEqual(IN_ORDER);
  });

  it("lists a trip's leaders by name", async () => {
    expect(await leaders()).toEqual(IN_ORDER);
    const listed =
      await get<Page<{ id: string; leaders: { displayName: string }[] }>>('/api/trips');
    const summary = listed.items.find((t) => t.id === tripId);
    expect(summary?.leaders.map((l) => l.displayName)).toEqual(IN_ORDER);
  });

  it('lists devices by name, page after page, and in the compliance list', async () => {
    expect(await devices(100)).toEqual(IN_ORDER);
    expect(await devices(4)).toEqual(IN_ORDER);
    expect(await complianceDevices()).toEqual(IN_ORDER);
  });

  it('lists groups, policies and classes by name, for ICT and for a teacher', async () => {
    expect(await groups()).toEqual(IN_ORDER);
    expect(await policies()).toEqual(IN_ORDER);
    expect(await classes()).toEqual(IN_ORDER);
    expect(await classes(teacher)).toEqual(IN_ORDER);
  });

  it('lists staff by username and assets and kit by tag, by code point', async () => {
    const usernames = (await allPages<{ username: string }>('/api/staff', 5)).map(
      (s) => s.username,
    );
    expect(usernames).toEqual(['admin', ...PEOPLE.map(([username]) => username)].sort());
    expect(usernames.indexOf('emile-r')).toBeLessThan(usernames.indexOf('emile_r'));
    const tags = (await allPages<Asset>('/api/assets', 2)).map((a) => a.assetTag);
    expect(tags).toEqual(TAGS_IN_ORDER);
    expect((await get<Trip>(`/api/trips/${tripId}`)).kit.map((k) => k.assetTag)).toEqual(
      TAGS_IN_ORDER,
    );
  });

  it('orders the names a hub kept before the sort keys, once it is upgraded', async () => {
    await hub.close();
    const first = hub;
    // As an earlier hub left the database: no sort keys, and the migration that writes them not run.
    const earlier = new DataSource(database);
    await earlier.initialize();
    try {
      for (const table of ['staff_accounts', 'devices', 'device_groups', 'policies', 'classes']) {
        await earlier.query(`ALTER TABLE ${table} DROP COLUMN name_sort_key`);
      }
      await earlier.query(`DELETE FROM migrations WHERE name = 'AddNameSortKeys1764920000000'`);
    } finally {
      await earlier.destroy();
    }

    hub = await startHub({ dataDir: first.dataDir, env });
    admin = await hub.login();
    teacher = await hub.login(PEOPLE[0][0], PASSWORD);
    expect(await borrowers(4)).toEqual(IN_ORDER);
    expect(await leaders()).toEqual(IN_ORDER);
    expect(await devices(4)).toEqual(IN_ORDER);
    expect(await groups()).toEqual(IN_ORDER);
    expect(await policies()).toEqual(IN_ORDER);
    expect(await classes(teacher)).toEqual(IN_ORDER);
  });
});
