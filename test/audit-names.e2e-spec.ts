// The audit log as a safeguarding lead reads it (issue 9): each entry keeps the names of who
// acted and what it was done to as they were at the time, so it reads right after a device is
// renamed or a member of staff leaves; the CSV's times are the school's, with their offset; its
// detail column is text; and the hub's own starts and stops are in it.
import { parse } from 'csv-parse/sync';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Response } from 'supertest';
import { TransactionRunner } from '../apps/hub/src/database/transaction-runner';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';
import { freePort, killHubProcess, startHubProcess } from './support/hub-process';
import { teachClass } from './support/classroom';
import { ADMIN_PASSWORD, makeDataDir, startHub, TestHub } from './support/hub';
import type { AuditEntryView } from '../apps/hub/src/audit/audit.service';

/** The school of these tests is in New York: UTC-5 in winter, UTC-4 in summer. */
const ZONE = { HUB_TIME_ZONE: 'America/New_York' };
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** RFC 4180 rows, read by csv-parse: quoted cells may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  return parse(text) as string[][];
}

describe('names and times in the audit log', () => {
  let hub: TestHub;
  let admin: string;
  const dataDir = makeDataDir();
  const as = (token: string) => `Bearer ${token}`;

  async function entries(query: Record<string, string | number> = {}): Promise<AuditEntryView[]> {
    const response = await hub.http
      .get('/api/audit')
      .query({ pageSize: 500, ...query })
      .set('Authorization', as(admin));
    expect(response.status).toBe(200);
    return (response.body as { items: AuditEntryView[] }).items;
  }

  /** The CSV export as objects keyed by its header. */
  async function csv(query: Record<string, string> = {}): Promise<Record<string, string>[]> {
    const response = await hub.http
      .get('/api/audit/export.csv')
      .query(query)
      .set('Authorization', as(admin));
    expect(response.status).toBe(200);
    const [header, ...rows] = parseCsv(response.text);
    return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
  }

  const byRequest = (rows: AuditEntryView[], response: Response) =>
    rows.filter((row) => row.correlationId === response.headers['x-request-id']);

  beforeAll(async () => {
    hub = await startHub({ dataDir, env: ZONE });
    admin = await hub.login();
  });
  afterAll(() => hub.close());

  it('records the hub’s start, as the hub, with its version and no secrets', async () => {
    const started = await entries({ action: 'hub.started' });

    expect(started).toEqual([
      expect.objectContaining({
        actorType: 'system',
        actorName: 'hub',
        targetType: null,
        targetLabel: null,
        detail: expect.objectContaining({
          version: VERSION,
          listening: 'http://127.0.0.1:0',
          timeZone: 'America/New_York',
        }),
      }),
    ]);
    expect(started[0].detailText).toContain(`version ${VERSION}; listening on http://127.0.0.1:0`);
    expect(JSON.stringify(started)).not.toContain(ADMIN_PASSWORD);
  });

  describe('after a device is renamed and a member of staff renamed and disabled', () => {
    let device: TestDevice;
    let deviceId: string;
    let groupId: string;
    let hal: { id: string; token: string };
    let lockId: string;
    let renamedDevice: Response;
    let renamedHal: Response;
    let disabledHal: Response;
    const OLD_DEVICE = 'Laptop 12 (asset tag 4471)';
    const NEW_DEVICE = 'Laptop 12b (asset tag 9999)';
    const LOCK_TEXT = (id: string) =>
      'lock; message: "Back to your seats"; to group Year 7 French; ' +
      `expires 2027-06-01T08:00:00-04:00; command ${id}`;

    beforeAll(async () => {
      const token = await createEnrollmentToken(hub, admin, { label: 'Room 4 trolley' });
      const identity = await enrollTestDevice(hub, token, { name: 'Laptop 12', assetTag: '4471' });
      deviceId = identity.deviceId;
      device = connectTestDevice(identity);
      await waitForConnect(device);

      const group = await hub.http
        .post('/api/groups')
        .set('Authorization', as(admin))
        .send({ name: 'Year 7 French' });
      groupId = group.body.id as string;
      await hub.http
        .post(`/api/groups/${groupId}/members`)
        .set('Authorization', as(admin))
        .send({ deviceIds: [deviceId] })
        .expect(201);

      const created = await hub.http
        .post('/api/staff')
        .set('Authorization', as(admin))
        .send({
          username: 'hal',
          displayName: 'Hal Jordan',
          password: 'Hal-Pass1!',
          roles: ['teacher'],
        });
      hal = { id: created.body.id as string, token: await hub.login('hal', 'Hal-Pass1!') };
      // A teacher commands a group only when it holds only their classes' tablets: this one does.
      await teachClass(hub, admin, [hal.id], { groupId });
      const lock = await hub.http
        .post(`/api/groups/${groupId}/commands`)
        .set('Authorization', as(hal.token))
        .send({
          type: 'device.lock',
          payload: { reason: 'class', message: 'Back to your seats' },
          expiresAt: '2027-06-01T12:00:00Z',
        });
      expect(lock.status).toBe(201);
      lockId = (lock.body as { commands: { id: string }[] }).commands[0].id;
      await waitFor(
        async () =>
          (await entries({ action: 'command.acknowledged' })).find(
            (row) => row.detail?.commandId === lockId,
          ),
        'the lock acknowledged',
      );
      device.client.close();

      renamedDevice = await hub.http
        .patch(`/api/devices/${deviceId}`)
        .set('Authorization', as(admin))
        .send({ name: 'Laptop 12b', assetTag: '9999' });
      renamedHal = await hub.http
        .patch(`/api/staff/${hal.id}`)
        .set('Authorization', as(admin))
        .send({ displayName: 'Hal J.' });
      disabledHal = await hub.http
        .patch(`/api/staff/${hal.id}`)
        .set('Authorization', as(admin))
        .send({ disabled: true });
      expect([renamedDevice.status, renamedHal.status, disabledHal.status]).toEqual([
        200, 200, 200,
      ]);
    });
    afterAll(() => device?.client.close());

    it('names the device as it was when it enrolled, was sent a lock and answered it', async () => {
      const rows = await entries({ targetId: deviceId });
      const one = (action: string) => rows.filter((row) => row.action === action);

      expect(one('device.enrolled')).toEqual([
        expect.objectContaining({
          actorType: 'device',
          actorId: deviceId,
          actorName: OLD_DEVICE,
          targetType: 'device',
          targetLabel: OLD_DEVICE,
        }),
      ]);
      expect(one('command.issued')).toEqual([
        expect.objectContaining({
          actor: 'hal',
          actorName: 'Hal Jordan',
          targetLabel: OLD_DEVICE,
          detailText: LOCK_TEXT(lockId),
        }),
      ]);
      expect(one('command.acknowledged')).toEqual([
        expect.objectContaining({
          actorType: 'device',
          actorName: OLD_DEVICE,
          targetLabel: OLD_DEVICE,
          detailText: `lock carried out; command ${lockId}`,
        }),
      ]);
      // The rename itself names the device as it is now, and says what it was called.
      expect(byRequest(rows, renamedDevice)).toEqual([
        expect.objectContaining({
          action: 'device.updated',
          actorName: 'Administrator',
          targetLabel: NEW_DEVICE,
          detailText: 'name was "Laptop 12"; asset tag was "4471"',
        }),
      ]);
      // And the device's record says its new name: the log kept the old one on its own.
      const record = await hub.http.get(`/api/devices/${deviceId}`).set('Authorization', as(admin));
      expect(record.body).toMatchObject({ name: 'Laptop 12b', assetTag: '9999' });
    });

    it('names the group, and the token the device enrolled with, by their names then', async () => {
      const added = await entries({ action: 'group.members_added', targetId: groupId });
      const tokens = await entries({ action: 'enrollment_token.created' });

      expect(added).toEqual([
        expect.objectContaining({ targetLabel: 'Year 7 French', detailText: '1 device added' }),
      ]);
      expect(tokens).toEqual([
        expect.objectContaining({
          targetType: 'enrollment_token',
          targetLabel: 'Room 4 trolley',
          detailText: expect.stringMatching(
            /^label: "Room 4 trolley"; up to 50 uses; expires \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-0[45]:00$/,
          ),
        }),
      ]);
    });

    it('keeps the staff member’s name from before they were renamed and disabled', async () => {
      const byHal = await entries({ actor: hal.id });
      const aboutHal = await entries({ targetId: hal.id });

      expect(byHal.length).toBeGreaterThanOrEqual(2); // signed in, locked
      expect(new Set(byHal.map((row) => row.actorName))).toEqual(new Set(['Hal Jordan']));
      expect(aboutHal.find((row) => row.action === 'staff.signed_in')).toMatchObject({
        targetLabel: 'Hal Jordan (hal)',
      });
      expect(byRequest(aboutHal, renamedHal)).toEqual([
        expect.objectContaining({
          action: 'staff.updated',
          targetLabel: 'Hal J. (hal)',
          detailText:
            'changed: display name; display name was "Hal Jordan"; roles: teacher; disabled: no',
        }),
      ]);
      expect(byRequest(aboutHal, disabledHal)).toEqual([
        expect.objectContaining({ action: 'staff.disabled', targetLabel: 'Hal J. (hal)' }),
      ]);
    });

    it('exports the names, and the detail as readable text, in the CSV', async () => {
      const rows = await csv({ targetId: deviceId });
      const issued = rows.find((row) => row.action === 'command.issued');

      expect(issued).toMatchObject({
        actor: 'hal',
        actorName: 'Hal Jordan',
        targetType: 'device',
        targetId: deviceId,
        targetLabel: OLD_DEVICE,
        detail: LOCK_TEXT(lockId),
      });
      // A December day in New York: five hours behind UTC.
      expect(issued?.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-0[45]:00$/);
      for (const row of await csv()) {
        expect(row.detail.startsWith('{')).toBe(false);
      }
    });
  });

  it('leaves the names of entries older than names empty, and reads them as before', async () => {
    await hub.app
      .get(TransactionRunner)
      .run((tx) =>
        tx.query(
          'INSERT INTO audit_entries (at, actor_type, actor_id, actor_label, action, target_type, ' +
            'target_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [
            '2026-01-10T15:00:00.000Z',
            'staff',
            'old-staff-id',
            'olduser',
            'group.created',
            'group',
            'old-group-id',
            JSON.stringify({ name: 'Old group' }),
          ],
        ),
      );

    const [row] = await entries({ targetId: 'old-group-id' });
    const [line] = await csv({ targetId: 'old-group-id' });

    expect(row).toMatchObject({
      at: '2026-01-10T15:00:00.000Z',
      atLocal: '2026-01-10T10:00:00-05:00',
      actor: 'olduser',
      actorName: null,
      targetLabel: null,
      detail: { name: 'Old group' },
      detailText: 'name: Old group',
    });
    expect(line).toMatchObject({
      at: '2026-01-10T10:00:00-05:00',
      actor: 'olduser',
      actorName: '',
      targetLabel: '',
      detail: 'name: Old group',
    });
  });

  it('writes the CSV’s times in the school’s zone, with the offset', async () => {
    // A known moment, ahead of now (the clock only moves forward): 14:15:02 UTC on 15 January
    // is 09:15:02 in New York, which is UTC-5 in winter. Sessions end when the clock jumps, so
    // sign in a minute before it, then move the clock to it just before the change.
    const moment = Date.parse('2027-01-15T14:15:02.000Z');
    hub.clock.advance(moment - 60_000 - hub.clock.nowMs());
    admin = await hub.login();
    hub.clock.advance(moment - hub.clock.nowMs());
    const created = await hub.http
      .post('/api/groups')
      .set('Authorization', as(admin))
      .send({ name: 'Year 8 Maths' });
    expect(created.status).toBe(201);

    const [row] = await entries({ action: 'group.created', targetId: created.body.id as string });
    const [line] = await csv({ action: 'group.created', targetId: created.body.id as string });

    expect(row.at).toMatch(/^2027-01-15T14:15:02\.\d{3}Z$/);
    expect(row.atLocal).toBe('2027-01-15T09:15:02-05:00');
    expect(line).toMatchObject({
      at: '2027-01-15T09:15:02-05:00',
      actorName: 'Administrator',
      targetLabel: 'Year 8 Maths',
      detail: 'name: Year 8 Maths',
    });
  });

  it('records a clean stop, and the start after it', async () => {
    await hub.close();
    hub = await startHub({ dataDir, env: ZONE });
    admin = await hub.login();

    const lifecycle = (await entries({ action: 'hub.' })).reverse();

    expect(lifecycle.map((row) => row.action)).toEqual([
      'hub.started',
      'hub.stopped',
      'hub.started',
    ]);
    expect(lifecycle[1]).toMatchObject({
      actorType: 'system',
      actorName: 'hub',
      detail: { upSeconds: expect.any(Number) },
      detailText: expect.stringMatching(/^stopped after /),
    });
  });
});

describe('the hub’s stop, as a service manager stops it', () => {
  it('records SIGTERM as a clean stop, and a SIGKILL as no stop at all', async () => {
    const dataDir = makeDataDir();
    const port = await freePort();

    const first = await startHubProcess(dataDir, port);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGTERM');
    await exited;
    const second = await startHubProcess(dataDir, port);
    await killHubProcess(second.child);

    const hub = await startHub({ dataDir });
    try {
      const token = await hub.login();
      const response = await hub.http
        .get('/api/audit')
        .query({ action: 'hub.' })
        .set('Authorization', `Bearer ${token}`);
      const rows = (response.body as { items: AuditEntryView[] }).items.reverse();

      expect(rows.map((row) => row.action)).toEqual([
        'hub.started',
        'hub.stopped',
        'hub.started',
        'hub.started',
      ]);
      expect(rows[1].detail).toMatchObject({ signal: 'SIGTERM' });
      expect(rows[1].detailText).toMatch(/^stopped by SIGTERM after \d+ s$/);
    } finally {
      await hub.close();
    }
  }, 150_000);
});
