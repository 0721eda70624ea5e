// Names and tags a school reads as one are one: a group, a policy or a class named "Year 5" and
// another "year 5 " or "Year  5" (capitals, surrounding spaces, two spaces inside) would be two
// things staff cannot tell apart, and two enrolled tablets tagged "OAK-07" and "oak-07" would name
// their stored photos and trip kit entries alike. Each is refused with a 409 that names the one
// already there, on create and on rename, also when two requests arrive at once (the database's
// unique key decides); and a database that already held such duplicates keeps every row, the
// later ones renamed with a number and the renaming in the audit log (migration 1764840000000).
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import type { AuditEntryView } from '../apps/hub/src/audit/audit.service';
import { createEnrollmentToken, enrollTestDevice, waitFor } from './support/devices';
import { createStaff, hubDatabaseOf, startHub, TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

const as = (token: string) => `Bearer ${token}`;

interface Named {
  id: string;
  name: string;
}

/** A kind of named thing: where it is created and renamed, and what its 409 calls it. */
interface Kind {
  noun: string;
  route: string;
  body: (name: string) => object;
}

/** The `code` beside a taken name's message: policies' (POLICY_REFUSALS); groups' and classes' have none. */
function nameTakenCode(noun: string): { code?: string } {
  return noun === 'policy' ? { code: 'name_taken' } : {};
}

describe(`names told apart as a school reads them (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let teacherId: string;

  const kinds: Kind[] = [
    { noun: 'group', route: '/api/groups', body: (name) => ({ name }) },
    {
      noun: 'policy',
      route: '/api/policies',
      body: (name) => ({ name, settings: { camera: { allowed: false } } }),
    },
    {
      noun: 'class',
      route: '/api/classes',
      body: (name) => ({ name, teacherIds: [teacherId] }),
    },
  ];

  const post = (route: string, body: object) =>
    hub.http.post(route).set('Authorization', as(admin)).send(body);
  const patch = (route: string, body: object) =>
    hub.http.patch(route).set('Authorization', as(admin)).send(body);

  async function names(route: string): Promise<string[]> {
    const response = await hub.http.get(route).set('Authorization', as(admin));
    expect(response.status).toBe(200);
    const body = response.body as Named[] | { items: Named[] };
    return (Array.isArray(body) ? body : body.items).map((thing) => thing.name);
  }

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    teacherId = (await createStaff(hub, admin, 'mrsoak', ['teacher'])).id;
  });

  afterAll(async () => {
    await hub.close();
  });

  for (const noun of ['group', 'policy', 'class']) {
    it(`refuses a ${noun} named like another but for capitals and spaces, on create and rename`, async () => {
      const kind = kinds.find((k) => k.noun === noun) as Kind;
      const first = await post(kind.route, kind.body('Year 5'));
      expect(first.status).toBe(201);
      expect((first.body as Named).name).toBe('Year 5');
      for (const name of ['year 5 ', 'Year 5', ' YEAR 5', 'Year  5', 'year\u00a05']) {
        const again = await post(kind.route, kind.body(name));
        expect({ name, status: again.status, body: again.body }).toEqual({
          name,
          status: 409,
          body: {
            statusCode: 409,
            message: `A ${noun} named "Year 5" already exists`,
            ...nameTakenCode(noun),
          },
        });
      }
      // Kept as typed (trimmed), and a different name is a different thing.
      const other = await post(kind.route, kind.body('  Year 6  Oak '));
      expect(other.status).toBe(201);
      expect((other.body as Named).name).toBe('Year 6  Oak');
      const renamed = await patch(`${kind.route}/${(other.body as Named).id}`, { name: 'YEAR 5' });
      expect(renamed.body).toEqual({
        statusCode: 409,
        message: `A ${noun} named "Year 5" already exists`,
        ...nameTakenCode(noun),
      });
      // Its own name in other capitals is no clash: the new spelling is kept.
      const recased = await patch(`${kind.route}/${(first.body as Named).id}`, { name: 'YEAR 5' });
      expect(recased.status).toBe(200);
      expect((recased.body as Named).name).toBe('YEAR 5');
      const listed = (await names(kind.route)).filter((n) => /year\s+[56]/i.test(n));
      expect(listed.sort()).toEqual(['YEAR 5', 'Year 6  Oak']);
    });

    it(`refuses a ${noun} named like another but for invisible characters, full-width letters or a Turkish capital`, async () => {
      const kind = kinds.find((k) => k.noun === noun) as Kind;
      expect((await post(kind.route, kind.body('Sinif 9'))).status).toBe(201);
      expect((await post(kind.route, kind.body('Ayd\u0131n 9'))).status).toBe(201);
      const alike: [string, string][] = [
        ['Sinif 9\u200b', 'Sinif 9'], // a zero-width space after it
        ['Si\u00adnif 9', 'Sinif 9'], // a soft hyphen inside
        ['\u2060Sinif\u200d 9', 'Sinif 9'], // a word joiner and a zero-width joiner
        ['\uff33\uff49\uff4e\uff49\uff46 \uff19', 'Sinif 9'], // full-width
        ['AYDIN 9', 'Ayd\u0131n 9'], // Turkish dotless i in capitals
      ];
      for (const [name, holder] of alike) {
        const again = await post(kind.route, kind.body(name));
        expect({ name, status: again.status, body: again.body }).toEqual({
          name,
          status: 409,
          body: {
            statusCode: 409,
            message: `A ${noun} named "${holder}" already exists`,
            ...nameTakenCode(noun),
          },
        });
      }
    });

    it(`gives one ${noun} of two created at once under one name, and a 409 to the other`, async () => {
      const kind = kinds.find((k) => k.noun === noun) as Kind;
      const answers = await Promise.all([
        post(kind.route, kind.body('Race Year 7')),
        post(kind.route, kind.body('race  year 7 ')),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      const winner = answers.find((a) => a.status === 201)?.body as Named;
      const loser = answers.find((a) => a.status === 409);
      expect(loser?.body).toEqual({
        statusCode: 409,
        message: `A ${noun} named "${winner.name}" already exists`,
        ...nameTakenCode(noun),
      });
      expect((await names(kind.route)).filter((n) => /race\s+year\s+7/i.test(n))).toEqual([
        winner.name,
      ]);
    });
  }

  it('refuses a policy rolled back to a name another policy has taken since, in plain words', async () => {
    const settings = { camera: { allowed: false } };
    const made = await post('/api/policies', { name: 'Rollback rule', settings });
    expect(made.status).toBe(201);
    const id = (made.body as Named).id;
    expect((await patch(`/api/policies/${id}`, { name: 'Rollback rule two' })).status).toBe(200);
    expect((await post('/api/policies', { name: 'ROLLBACK  rule', settings })).status).toBe(201);
    const back = await post(`/api/policies/${id}/rollback`, { revision: 1 });
    expect({ status: back.status, body: back.body }).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        message: 'A policy named "ROLLBACK  rule" already exists',
        code: 'name_taken',
      },
    });
  });

  it('refuses a name of only characters that show nothing as blank', async () => {
    for (const kind of kinds) {
      for (const name of ['\u200b', '\u2060 \u00ad']) {
        const made = await post(kind.route, kind.body(name));
        expect({ noun: kind.noun, status: made.status, message: made.body.message }).toEqual({
          noun: kind.noun,
          status: 400,
          message: 'name must not be blank',
        });
      }
    }
  });

  it('takes a name whose key grows longer than the name (a capital dotted I, an Arabic ligature)', async () => {
    // "İ" is two characters in lower case and "\ufdfa" eighteen in NFKC: the key column holds 255.
    for (const name of ['\u0130'.repeat(128), '\ufdfa'.repeat(128)]) {
      const made = await post('/api/groups', { name });
      expect({ status: made.status, name: (made.body as Named).name }).toEqual({
        status: 201,
        name,
      });
    }
  });

  it('enrols a tablet whose tag the register gives it, or whose kept tag another has, instead of refusing it', async () => {
    const token = await createEnrollmentToken(hub, admin, { maxUses: 5 });
    const tagOf = async (id: string) =>
      (
        (await hub.http.get(`/api/devices/${id}`).set('Authorization', as(admin))).body as {
          assetTag: string | null;
        }
      ).assetTag;

    // ICT tagged a laptop OAK-31 by hand; the register says OAK-31 is the tablet REG-31, which
    // enrols giving its tag: the register's word stands, as it does when the asset is saved.
    const byHand = await enrollTestDevice(hub, token, { name: 'Hand 31', assetTag: 'OAK-31' });
    const asset = await post('/api/assets', {
      assetTag: 'OAK-31',
      kind: 'tablet',
      serialNumber: 'REG-31',
    });
    expect(asset.status).toBe(201);
    const named = await enrollTestDevice(hub, token, {
      name: 'Reg 31',
      serialNumber: 'REG-31',
      assetTag: 'oak-31',
    });
    await waitFor(async () => (await tagOf(named.deviceId)) === 'OAK-31', 'the register tag');
    expect(await tagOf(byHand.deviceId)).toBeNull();

    // A tablet revoked while its tag was OAK-32, which ICT then gave another: it re-enrols without
    // giving a tag, and comes back untagged rather than unable to enrol.
    const kept = await enrollTestDevice(hub, token, {
      name: 'Kept 32',
      serialNumber: 'KEPT-32',
      assetTag: 'OAK-32',
    });
    const revoked = await hub.http
      .delete(`/api/devices/${kept.deviceId}`)
      .set('Authorization', as(admin));
    expect(revoked.status).toBe(200);
    expect((await patch(`/api/devices/${byHand.deviceId}`, { assetTag: 'oak-32' })).status).toBe(
      200,
    );
    const again = await enrollTestDevice(
      hub,
      await createEnrollmentToken(hub, admin, { reenrol: true }),
      { name: 'Kept 32', serialNumber: 'KEPT-32' },
    );
    expect(again.deviceId).toBe(kept.deviceId);
    expect(await tagOf(kept.deviceId)).toBeNull();
    expect(await tagOf(byHand.deviceId)).toBe('oak-32');

    // A tag the device gives, that the register does not give it, is still refused.
    await expect(
      enrollTestDevice(hub, token, { name: 'Other 32', assetTag: 'OAK-32' }),
    ).rejects.toThrow(/Asset tag "OAK-32" is already on Hand 31/);
  });

  it('refuses a second active device with an asset tag in other capitals, by PATCH and enrolment', async () => {
    const token = await createEnrollmentToken(hub, admin, { maxUses: 5 });
    const oak = await enrollTestDevice(hub, token, { name: 'Oak 07', assetTag: 'OAK-07' });
    const other = await enrollTestDevice(hub, token, { name: 'Oak 08', assetTag: 'OAK-08' });
    const retag = await patch(`/api/devices/${other.deviceId}`, { assetTag: 'oak-07' });
    expect(retag.status).toBe(409);
    expect(retag.body.message).toMatch(
      /^Asset tag "oak-07" is already on Oak 07 \(serial TEST-\d+-\d+\): one asset tag names one device$/,
    );
    const read = await hub.http
      .get(`/api/devices/${other.deviceId}`)
      .set('Authorization', as(admin));
    expect(read.body.assetTag).toBe('OAK-08');
    await expect(
      enrollTestDevice(hub, token, { name: 'Oak 09', assetTag: 'Oak-07' }),
    ).rejects.toThrow(/Asset tag "Oak-07" is already on Oak 07/);

    // Two renames to one tag at once: one stands.
    const third = await enrollTestDevice(hub, token, { name: 'Oak 10', assetTag: 'OAK-10' });
    const both = await Promise.all([
      patch(`/api/devices/${other.deviceId}`, { assetTag: 'OAK-11' }),
      patch(`/api/devices/${third.deviceId}`, { assetTag: 'oak-11' }),
    ]);
    expect(both.map((a) => a.status).sort()).toEqual([200, 409]);

    // A revoked device's tag is free for an active one (its old photos keep naming it).
    const revoked = await hub.http
      .delete(`/api/devices/${oak.deviceId}`)
      .set('Authorization', as(admin));
    expect(revoked.status).toBe(200);
    const taken = await patch(`/api/devices/${third.deviceId}`, { assetTag: 'OAK-07' });
    expect(taken.status).toBe(200);
  });

  it('gives an asset’s tag to the device with its serial number, taking it off one tagged by hand', async () => {
    const token = await createEnrollmentToken(hub, admin, { maxUses: 2 });
    const byHand = await enrollTestDevice(hub, token, { name: 'Ash 01', assetTag: 'ASH-01' });
    const real = await enrollTestDevice(hub, token, { name: 'Ash 02', serialNumber: 'ASH-SN-2' });
    const asset = await post('/api/assets', {
      assetTag: 'ash-01',
      kind: 'tablet',
      serialNumber: 'ASH-SN-2',
    });
    expect(asset.status).toBe(201);
    const tagOf = async (id: string) =>
      (await hub.http.get(`/api/devices/${id}`).set('Authorization', as(admin))).body.assetTag as
        string | null;
    expect(await tagOf(real.deviceId)).toBe('ash-01');
    expect(await tagOf(byHand.deviceId)).toBeNull();
    const log = await hub.http
      .get(`/api/audit?targetType=device&targetId=${byHand.deviceId}&action=device.updated`)
      .set('Authorization', as(admin));
    expect((log.body as { items: AuditEntryView[] }).items.map((e) => e.detailText)).toEqual([
      'asset tag was "ASH-01"',
    ]);
  });
});

describe(`a database that already holds names alike (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub | null = null;

  afterAll(async () => {
    await hub?.close();
  });

  it('keeps every row, the oldest as it was, later ones numbered and the renaming audited', async () => {
    const first = await startHub();
    hub = first;
    const admin = await first.login();
    const post = async (route: string, body: object) => {
      const response = await first.http.post(route).set('Authorization', as(admin)).send(body);
      expect(response.status).toBe(201);
      return response.body as Named;
    };
    const teacher = await createStaff(first, admin, 'mrsash', ['teacher']);
    const groups: Named[] = [];
    for (const name of ['Year 5', 'Year 5 b', 'Year 5 c', 'Year 5 (2)']) {
      groups.push(await post('/api/groups', { name }));
      first.clock.advance(1000);
    }
    const policies: Named[] = [];
    for (const name of ['Camera off', 'Camera off b']) {
      policies.push(
        await post('/api/policies', { name, settings: { camera: { allowed: false } } }),
      );
      first.clock.advance(1000);
    }
    const classes: Named[] = [];
    for (const name of ['7B Maths', '7B Maths b']) {
      classes.push(await post('/api/classes', { name, teacherIds: [teacher.id] }));
      first.clock.advance(1000);
    }
    const token = await createEnrollmentToken(first, admin, { maxUses: 3 });
    const tablets = [];
    for (const assetTag of ['OAK-07', 'OAK-07B', 'OAK-07C']) {
      tablets.push(await enrollTestDevice(first, token, { assetTag }));
      first.clock.advance(1000);
    }
    await first.close();
    hub = null;

    // As an earlier version could leave it: names alike but for capitals and spaces.
    const earlier = new DataSource(hubDatabaseOf(first));
    await earlier.initialize();
    try {
      if (earlier.options.type === 'sqlite') {
        await earlier.query('PRAGMA foreign_keys = OFF');
      }
      const applied = async () =>
        ((await earlier.query('SELECT name FROM migrations')) as { name: string }[]).map(
          (row) => row.name,
        );
      while ((await applied()).includes('UniqueNamesAndTags1764840000000')) {
        await earlier.undoLastMigration({ transaction: 'each' });
      }
      const set = async (table: string, column: string, value: string, id: string) => {
        const p = (i: number) => (earlier.options.type === 'postgres' ? `$${i + 1}` : '?');
        await earlier.query(`UPDATE ${table} SET ${column} = ${p(0)} WHERE id = ${p(1)}`, [
          value,
          id,
        ]);
      };
      await set('device_groups', 'name', 'year 5', groups[1].id);
      await set('device_groups', 'name', 'YEAR  5', groups[2].id);
      await set('policies', 'name', 'camera OFF', policies[1].id);
      await set('classes', 'name', '7b maths', classes[1].id);
      await set('devices', 'asset_tag', 'oak-07', tablets[1].deviceId);
      await set('devices', 'asset_tag', 'Oak-07', tablets[2].deviceId);
      await earlier.query(
        `UPDATE devices SET status = 'revoked' WHERE id = '${tablets[2].deviceId}'`,
      );
    } finally {
      await earlier.destroy();
    }

    const upgraded = await startHub({ dataDir: first.dataDir });
    hub = upgraded;
    const adminB = await upgraded.login();
    const get = async <T>(route: string): Promise<T> => {
      const response = await upgraded.http.get(route).set('Authorization', as(adminB));
      expect(response.status).toBe(200);
      return response.body as T;
    };
    const nameOf = async (route: string) => (await get<Named>(route)).name;

    expect(await nameOf(`/api/groups/${groups[0].id}`)).toBe('Year 5');
    expect(await nameOf(`/api/groups/${groups[1].id}`)).toBe('year 5 (3)');
    expect(await nameOf(`/api/groups/${groups[2].id}`)).toBe('YEAR  5 (4)');
    expect(await nameOf(`/api/groups/${groups[3].id}`)).toBe('Year 5 (2)');
    expect(await nameOf(`/api/policies/${policies[0].id}`)).toBe('Camera off');
    expect(await nameOf(`/api/policies/${policies[1].id}`)).toBe('camera OFF (2)');
    expect(await nameOf(`/api/classes/${classes[0].id}`)).toBe('7B Maths');
    expect(await nameOf(`/api/classes/${classes[1].id}`)).toBe('7b maths (2)');
    const tagOf = async (id: string) =>
      (await get<{ assetTag: string | null }>(`/api/devices/${id}`)).assetTag;
    expect(await tagOf(tablets[0].deviceId)).toBe('OAK-07');
    expect(await tagOf(tablets[1].deviceId)).toBe('oak-07.dup2');
    // A revoked device keeps its tag: only active devices must differ.
    expect(await tagOf(tablets[2].deviceId)).toBe('Oak-07');

    const renamed = (
      await get<{ items: AuditEntryView[] }>('/api/audit?action=hub.duplicate_renamed&pageSize=50')
    ).items;
    expect(
      renamed.map((entry) => [entry.targetType, entry.targetId, entry.detailText]).sort(),
    ).toEqual(
      [
        [
          'class',
          classes[1].id,
          '"7b maths" is now "7b maths (2)"; "7B Maths" is older and keeps its name',
        ],
        [
          'device',
          tablets[1].deviceId,
          'asset tag "oak-07" is now "oak-07.dup2"; "OAK-07" is older and keeps its name',
        ],
        [
          'group',
          groups[1].id,
          '"year 5" is now "year 5 (3)"; "Year 5" is older and keeps its name',
        ],
        [
          'group',
          groups[2].id,
          '"YEAR  5" is now "YEAR  5 (4)"; "Year 5" is older and keeps its name',
        ],
        [
          'policy',
          policies[1].id,
          '"camera OFF" is now "camera OFF (2)"; "Camera off" is older and keeps its name',
        ],
      ].sort(),
    );

    // And the rule holds from now on.
    const again = await upgraded.http
      .post('/api/groups')
      .set('Authorization', as(adminB))
      .send({ name: 'year 5 (3) ' });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('A group named "year 5 (3)" already exists');
  });
});

describe(`a database keyed before invisible characters and full-width letters were one (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub | null = null;

  afterAll(async () => {
    await hub?.close();
  });

  it('is keyed again: names that look the same are numbered, and the rule holds for the rest', async () => {
    const first = await startHub();
    hub = first;
    const admin = await first.login();
    const post = async (route: string, body: object) =>
      first.http.post(route).set('Authorization', as(admin)).send(body);
    const oak = (await post('/api/groups', { name: 'Oak' })).body as Named;
    first.clock.advance(1000);
    const oakToo = (await post('/api/groups', { name: 'Oak two' })).body as Named;
    const street = (
      await post('/api/policies', { name: 'Stra\u00dfe', settings: { camera: { allowed: false } } })
    ).body as Named;
    await first.close();
    hub = null;

    // As the earlier key left it: "Oak" with a zero-width space was another name than "Oak", and
    // "Straße" was keyed "straße", another key than "STRASSE"'s.
    const url = first.databaseEnv.HUB_DB;
    const earlier = new DataSource(
      url
        ? { type: 'postgres', url }
        : { type: 'sqlite', database: path.join(first.dataDir, 'hub.sqlite') },
    );
    await earlier.initialize();
    try {
      const p = (i: number) => (earlier.options.type === 'postgres' ? `$${i + 1}` : '?');
      await earlier.query(
        `UPDATE device_groups SET name = ${p(0)}, name_key = ${p(1)} WHERE id = ${p(2)}`,
        ['Oak\u200b', 'oak\u200b', oakToo.id],
      );
      await earlier.query(`UPDATE policies SET name_key = ${p(0)} WHERE id = ${p(1)}`, [
        'stra\u00dfe',
        street.id,
      ]);
      await earlier.query(`DELETE FROM migrations WHERE name = 'NameKeysAsRead1764850000000'`);
    } finally {
      await earlier.destroy();
    }

    const upgraded = await startHub({ dataDir: first.dataDir });
    hub = upgraded;
    const adminB = await upgraded.login();
    const read = (route: string) => upgraded.http.get(route).set('Authorization', as(adminB));
    expect((await read(`/api/groups/${oak.id}`)).body.name).toBe('Oak');
    expect((await read(`/api/groups/${oakToo.id}`)).body.name).toBe('Oak\u200b (2)');
    const renamed = (await read('/api/audit?action=hub.duplicate_renamed&pageSize=50')).body as {
      items: AuditEntryView[];
    };
    expect(renamed.items.map((entry) => [entry.targetId, entry.detailText])).toEqual([
      [oakToo.id, '"Oak\u200b" is now "Oak\u200b (2)"; "Oak" is older and keeps its name'],
    ]);
    const again = await upgraded.http
      .post('/api/policies')
      .set('Authorization', as(adminB))
      .send({ name: 'STRASSE', settings: { camera: { allowed: false } } });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('A policy named "Stra\u00dfe" already exists');
  });
});
