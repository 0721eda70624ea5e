// The hub's searches by name find a name typed in any capitals of any alphabet, on SQLite as on
// PostgreSQL: the loan desk's borrower search (GET /api/loans/borrowers?search=), the device
// search (GET /api/devices?search=) and the asset register's (GET /api/assets?search=, by serial
// number and model). SQLite's LOWER() folds only A-Z, so "ødegård" (and even
// "Ødegård", typed exactly) found no "Ingrid Ødegård" there. Run this file on both databases.
import * as path from 'path';
import { DataSource } from 'typeorm';
import type { Asset, Borrower, Page } from '@app/hub-api';
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import { startHub, type TestHub } from './support/hub';

const PASSWORD = 'Staff-Pass1!';

describe('searching by name, in any capitals of any alphabet', () => {
  let hub: TestHub;
  let admin: string;
  const as = (token: string) => `Bearer ${token}`;
  /** Device ids by name as enrolled. */
  const deviceIds: Record<string, string> = {};
  /** Staff ids by username. */
  const staffIds: Record<string, string> = {};

  async function person(username: string, displayName: string) {
    const created = await hub.http
      .post('/api/staff')
      .set('Authorization', as(admin))
      .send({ username, displayName, password: PASSWORD, roles: ['teacher'] });
    expect(created.status).toBe(201);
    staffIds[username] = (created.body as { id: string }).id;
  }

  /** The display names the loan desk lists for `search`, in its order. */
  async function borrowers(search: string, on = hub, token = admin): Promise<string[]> {
    const response = await on.http
      .get('/api/loans/borrowers')
      .query({ search, pageSize: 100 })
      .set('Authorization', as(token));
    expect(response.status).toBe(200);
    const page = response.body as Page<Borrower>;
    expect(page.items).toHaveLength(page.total);
    return page.items.map((b) => b.displayName);
  }

  /** The names of the devices GET /api/devices lists for `search`, sorted. */
  async function devices(search: string, on = hub, token = admin): Promise<string[]> {
    const response = await on.http
      .get('/api/devices')
      .query({ search, pageSize: 100 })
      .set('Authorization', as(token));
    expect(response.status).toBe(200);
    const page = response.body as Page<{ name: string | null }>;
    expect(page.items).toHaveLength(page.total);
    return page.items.map((d) => d.name ?? '').sort();
  }

  /** The tags of the assets GET /api/assets lists for `search`, sorted. */
  async function assets(search: string, on = hub, token = admin): Promise<string[]> {
    const response = await on.http
      .get('/api/assets')
      .query({ search, pageSize: 100 })
      .set('Authorization', as(token));
    expect(response.status).toBe(200);
    const page = response.body as Page<Asset>;
    expect(page.items).toHaveLength(page.total);
    return page.items.map((a) => a.assetTag).sort();
  }

  /** Ids of the assets made here, by tag. */
  const assetIds: Record<string, string> = {};

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    await person('iodegard', 'Ingrid Ødegård');
    await person('eleroy', 'Élodie Leroy');
    await person('oolsen', 'Olav Olsen');
    await person('lstrasse', 'Lena Straße');
    await person('kim_ng', 'Kim Ng');
    const token = await createEnrollmentToken(hub, admin);
    for (const [name, assetTag] of [
      ['ZOË-iPad', 'Lib-AB12'],
      ['Ødegård laptop', undefined],
      ['Zoe-iPad', 'LIB-CD34'],
      ['Éloïse trolley 3', undefined],
    ] as const) {
      deviceIds[name] = (await enrollTestDevice(hub, token, { name, assetTag })).deviceId;
    }
    for (const body of [
      {
        assetTag: 'Cam-01',
        kind: 'camera',
        serialNumber: 'ÆØÅ-77',
        model: 'Nikon Ødegård edition',
      },
      { assetTag: 'CB-Ela', kind: 'laptop', serialNumber: 'cb-100', model: 'ZOË Chromebook' },
      { assetTag: 'CB-2', kind: 'laptop', serialNumber: 'cb-200', model: 'Zoe Chromebook' },
    ]) {
      const created = await hub.http.post('/api/assets').set('Authorization', as(admin)).send(body);
      expect(created.status).toBe(201);
      assetIds[body.assetTag] = (created.body as Asset).id;
    }
    const imported = await hub.http
      .post('/api/assets/import')
      .set('Authorization', as(admin))
      .set('Content-Type', 'text/csv')
      .send('assetTag,kind,serialNumber,model\nTRI-9,tablet,ÉÈ-9,Élan tablet\n');
    expect([imported.status, imported.body]).toEqual([
      200,
      { created: 1, errors: [], dryRun: false },
    ]);
  });
  afterAll(() => hub.close());

  it('finds a borrower by part of a name with letters past A-Z, in any capitals', async () => {
    for (const typed of [
      'ødegård',
      'Ødegård',
      'ØDEGÅRD',
      'øDeGåRd',
      'Ingrid Ødegård',
      ' ingrid  ødegård ',
    ]) {
      expect([typed, await borrowers(typed)]).toEqual([typed, ['Ingrid Ødegård']]);
    }
    for (const typed of ['élodie', 'ÉLODIE', 'Élodie Leroy']) {
      expect([typed, await borrowers(typed)]).toEqual([typed, ['Élodie Leroy']]);
    }
    // "ß" and "SS" are one letter pair, as the hub's names are compared everywhere.
    expect(await borrowers('STRASSE')).toEqual(['Lena Straße']);
    expect(await borrowers('straße')).toEqual(['Lena Straße']);
    // Still by username, and an accent is a letter of its own: "odegard" is the username only.
    expect(await borrowers('IODEG')).toEqual(['Ingrid Ødegård']);
    expect(await borrowers('elodie')).toEqual([]);
    // What is typed is letters: "_" is an underscore, "%" a percent sign, never a pattern.
    expect(await borrowers('kim_')).toEqual(['Kim Ng']);
    expect(await borrowers('o_sen')).toEqual([]);
    expect(await borrowers('%')).toEqual([]);
  });

  it('finds a borrower by their new name after a rename', async () => {
    const renamed = await hub.http
      .patch(`/api/staff/${staffIds.oolsen}`)
      .set('Authorization', as(admin))
      .send({ displayName: 'Åse Olsen' });
    expect(renamed.status).toBe(200);
    expect(await borrowers('åse')).toEqual(['Åse Olsen']);
    expect(await borrowers('ÅSE OLSEN')).toEqual(['Åse Olsen']);
    expect(await borrowers('olav')).toEqual([]);
  });

  it('finds a device by part of a name with letters past A-Z, in any capitals, and by tag', async () => {
    for (const typed of ['zoë', 'ZOË', 'zOë-IpAd', 'ZOË-iPad']) {
      expect([typed, await devices(typed)]).toEqual([typed, ['ZOË-iPad']]);
    }
    for (const typed of ['ødegård', 'ØDEGÅRD LAPTOP', 'Ødegård']) {
      expect([typed, await devices(typed)]).toEqual([typed, ['Ødegård laptop']]);
    }
    expect(await devices('ÉLOÏSE')).toEqual(['Éloïse trolley 3']);
    expect(await devices('zoe')).toEqual(['Zoe-iPad']);
    // A tag in mixed capitals, typed in others; and "_" is an underscore, not any one letter.
    expect(await devices('lib-ab12')).toEqual(['ZOË-iPad']);
    expect(await devices('LIB-')).toEqual(['ZOË-iPad', 'Zoe-iPad']);
    expect(await devices('lib_ab12')).toEqual([]);
  });

  it('finds a device by its new name after a rename', async () => {
    const renamed = await hub.http
      .patch(`/api/devices/${deviceIds['Zoe-iPad']}`)
      .set('Authorization', as(admin))
      .send({ name: 'ØYVIND-iPad' });
    expect(renamed.status).toBe(200);
    expect(await devices('øyvind')).toEqual(['ØYVIND-iPad']);
    expect(await devices('zoe')).toEqual([]);
  });

  it('finds an asset by part of its model or serial number with letters past A-Z, in any capitals', async () => {
    for (const typed of ['ødegård', 'NIKON ØDEGÅRD', 'æøå-77', 'ÆøÅ', 'cam-01']) {
      expect([typed, await assets(typed)]).toEqual([typed, ['Cam-01']]);
    }
    expect(await assets('zoë')).toEqual(['CB-Ela']);
    expect(await assets('ZOË CHROMEBOOK')).toEqual(['CB-Ela']);
    expect(await assets('zoe')).toEqual(['CB-2']);
    expect(await assets('chromebook')).toEqual(['CB-2', 'CB-Ela']);
    // Imported from a file like any other, and found by a tag in other capitals.
    expect(await assets('élan')).toEqual(['TRI-9']);
    expect(await assets('éè-9')).toEqual(['TRI-9']);
    expect(await assets('cb-e')).toEqual(['CB-Ela']);
    expect(await assets('cb_1')).toEqual([]);
  });

  it('finds an asset by its new model and serial number after a change', async () => {
    const changed = await hub.http
      .patch(`/api/assets/${assetIds['CB-2']}`)
      .set('Authorization', as(admin))
      .send({ model: 'ØYVIND Chromebook', serialNumber: 'ÅB-300' });
    expect(changed.status).toBe(200);
    expect(await assets('øyvind')).toEqual(['CB-2']);
    expect(await assets('åb-3')).toEqual(['CB-2']);
    expect(await assets('zoe')).toEqual([]);
    const cleared = await hub.http
      .patch(`/api/assets/${assetIds['CB-2']}`)
      .set('Authorization', as(admin))
      .send({ model: null });
    expect(cleared.status).toBe(200);
    expect(await assets('øyvind')).toEqual([]);
  });

  it('finds the names a hub kept before this search, once it is upgraded', async () => {
    await hub.close();
    const first = hub;
    // As an earlier hub left the database: no keys, and the migration that writes them not run.
    const url = first.databaseEnv.HUB_DB;
    const earlier = new DataSource(
      url
        ? { type: 'postgres', url }
        : { type: 'sqlite', database: path.join(first.dataDir, 'hub.sqlite') },
    );
    await earlier.initialize();
    try {
      await earlier.query('ALTER TABLE devices DROP COLUMN name_key');
      await earlier.query('ALTER TABLE staff_accounts DROP COLUMN name_key');
      await earlier.query('ALTER TABLE assets DROP COLUMN serial_search_key');
      await earlier.query('ALTER TABLE assets DROP COLUMN model_key');
      await earlier.query(
        `DELETE FROM migrations WHERE name IN ('AddNameSearchKeys1764900000000', 'AddAssetSearchKeys1764910000000')`,
      );
    } finally {
      await earlier.destroy();
    }

    hub = await startHub({ dataDir: first.dataDir });
    admin = await hub.login();
    expect(await borrowers('ØDEGÅRD')).toEqual(['Ingrid Ødegård']);
    expect(await borrowers('åse')).toEqual(['Åse Olsen']);
    expect(await devices('zoë')).toEqual(['ZOË-iPad']);
    expect(await devices('ØYVIND')).toEqual(['ØYVIND-iPad']);
    expect(await assets('ØDEGÅRD')).toEqual(['Cam-01']);
    expect(await assets('åb-300')).toEqual(['CB-2']);
    expect(await assets('ÉLAN')).toEqual(['TRI-9']);
  });
});
