// The audit log's Person filter finds staff as a safeguarding lead knows them: by part of their
// display name ("Patel", "Mrs Anita Patel") or username, in any capitals, with the entries of
// everyone the text names when several do; and GET /api/audit/people lists those people by name
// for the console's type-ahead, to safeguarding and ICT only, with nothing beyond what the log
// shows them. `%` and `_` are letters, and capitals past A-Z ("Ødegård") fold on SQLite as on
// PostgreSQL: run this file on both.
import type { AuditPerson, Page } from '@app/hub-api';
import { parse } from 'csv-parse/sync';
import { AuditService, type AuditEntryView } from '../apps/hub/src/audit/audit.service';
import { TransactionRunner } from '../apps/hub/src/database/transaction-runner';
import { startHub, type TestHub } from './support/hub';

const PASSWORD = 'Staff-Pass1!';

describe('finding a person in the audit log by name', () => {
  let hub: TestHub;
  let admin: string;
  /** Each member of staff made here, by username: their id and a signed-in token. */
  const staff: Record<string, { id: string; token: string }> = {};
  const as = (token: string) => `Bearer ${token}`;

  /**
   * A staff account with this display name, made by admin; it signs in (and accepts the AUP),
   * which writes entries with them as the one who acted, unless `signIn` is false.
   */
  async function person(username: string, displayName: string, roles = ['teacher'], signIn = true) {
    const created = await hub.http
      .post('/api/staff')
      .set('Authorization', as(admin))
      .send({ username, displayName, password: PASSWORD, roles });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    staff[username] = { id, token: signIn ? await hub.login(username, PASSWORD) : '' };
  }

  async function audit(actor: string, token = staff.safelead.token) {
    const response = await hub.http
      .get('/api/audit')
      .query({ actor, pageSize: 500 })
      .set('Authorization', as(token));
    expect(response.status).toBe(200);
    return response.body as { items: AuditEntryView[]; total: number };
  }

  /** The usernames of those who acted in the entries `actor` finds, sorted, each once. */
  async function whoActed(actor: string): Promise<string[]> {
    const { items, total } = await audit(actor);
    expect(items).toHaveLength(total);
    return [...new Set(items.map((row) => row.actor ?? `${row.actorType} ${row.actorId}`))].sort();
  }

  async function people(search: string, token = staff.safelead.token) {
    const response = await hub.http
      .get('/api/audit/people')
      .query({ search })
      .set('Authorization', as(token));
    return { status: response.status, body: response.body as Page<AuditPerson> };
  }

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    await person('safelead', 'Sam Safe', ['safeguarding']);
    await person('apatel', 'Mrs Anita Patel');
    await person('rpatel', 'Mr Raj Patel');
    await person('treed', 'Tom Reed');
    await person('iodegard', 'Ingrid Ødegård');
    await person('k_ng', 'Kim Ng');
    // An account that has done nothing the log records: no one to find entries by.
    await person('ppatel', 'Priya Patel', ['teacher'], false);
  });
  afterAll(() => hub.close());

  it('finds the entries of everyone whose name or username holds the text, in any capitals', async () => {
    expect(await whoActed('patel')).toEqual(['apatel', 'rpatel']);
    for (const typed of ['Patel', 'PATEL', 'pAtEl', '  patel ']) {
      expect([typed, await whoActed(typed)]).toEqual([typed, ['apatel', 'rpatel']]);
    }
    // Part of one name, the whole of it as the account has it, or part of a username.
    expect(await whoActed('Anita')).toEqual(['apatel']);
    expect(await whoActed('mrs anita patel')).toEqual(['apatel']);
    expect(await whoActed('Mrs  Anita   Patel')).toEqual(['apatel']);
    expect(await whoActed('rpat')).toEqual(['rpatel']);
    expect(await whoActed('reed')).toEqual(['treed']);
    // Every entry of both, not just some: as many as each of them has by their id.
    const both = await audit('patel');
    const byId = (await audit(staff.apatel.id)).total + (await audit(staff.rpatel.id)).total;
    expect(both.total).toBe(byId);
    expect(both.total).toBeGreaterThanOrEqual(4);
  });

  it('still takes an id or a username exactly, as before', async () => {
    expect(await whoActed(staff.treed.id)).toEqual(['treed']);
    expect(await whoActed(staff.treed.id.toUpperCase())).toEqual(['treed']);
    expect(await whoActed('TReed')).toEqual(['treed']);
    expect(await whoActed('nobody-here')).toEqual([]);
  });

  it('reads % and _ as letters, never as patterns', async () => {
    // "%" would be every name, "a_i" would be "Anita" ("a", any letter, "i") as LIKE patterns.
    expect(await whoActed('%')).toEqual([]);
    expect(await whoActed('a_i')).toEqual([]);
    expect(await whoActed('p%l')).toEqual([]);
    expect(await whoActed('_')).toEqual(['k_ng']);
    expect((await people('%')).body.items).toEqual([]);
    expect((await people('_')).body.items.map((p) => p.username)).toEqual(['k_ng']);
  });

  it('folds capitals beyond A to Z alike on SQLite and PostgreSQL', async () => {
    expect(await whoActed('ødegård')).toEqual(['iodegard']);
    expect(await whoActed('ØDEGÅRD')).toEqual(['iodegard']);
    expect(await whoActed('Ingrid Ødegård')).toEqual(['iodegard']);
  });

  it('lists the people it names by name for the type-ahead: who acted, and nothing else', async () => {
    const patels = await people('patel');
    expect(patels.status).toBe(200);
    // Priya Patel has no entry as the one who acted, so there is nothing to find her by.
    expect(patels.body).toEqual({
      items: [
        { id: staff.rpatel.id, username: 'rpatel', displayName: 'Mr Raj Patel' },
        { id: staff.apatel.id, username: 'apatel', displayName: 'Mrs Anita Patel' },
      ],
      total: 2,
      page: 1,
      pageSize: 20,
    });
    // A chosen person's id names that person alone (the console's address after a choice).
    expect((await people(staff.apatel.id.toUpperCase())).body.items).toEqual([
      { id: staff.apatel.id, username: 'apatel', displayName: 'Mrs Anita Patel' },
    ]);
    // Left out: everyone who acted, admin among them, by name; a page at a time.
    const everyone = await hub.http
      .get('/api/audit/people')
      .query({ pageSize: 3, page: 2 })
      .set('Authorization', as(admin));
    expect(everyone.status).toBe(200);
    expect(everyone.body).toMatchObject({ total: 7, page: 2, pageSize: 3 });
    // Administrator, Ingrid Ødegård, Kim Ng | Mr Raj Patel, Mrs Anita Patel, Sam Safe | Tom Reed
    expect((everyone.body as Page<AuditPerson>).items.map((p) => p.username)).toEqual([
      'rpatel',
      'apatel',
      'safelead',
    ]);
  });

  it('is for safeguarding and ICT only, and names a bad search', async () => {
    expect((await people('patel', staff.treed.token)).status).toBe(403);
    expect((await people('patel', admin)).status).toBe(200);
    const bad = await hub.http
      .get('/api/audit/people')
      .query({ search: 'x'.repeat(129) })
      .set('Authorization', as(admin));
    expect([bad.status, (bad.body as { message: string }).message]).toEqual([
      400,
      expect.stringMatching(/^search /),
    ]);
  });

  it('exports the same entries as CSV, the text given as typed in the export’s own entry', async () => {
    const response = await hub.http
      .get('/api/audit/export.csv')
      .query({ actor: 'Patel' })
      .set('Authorization', as(staff.safelead.token));
    expect(response.status).toBe(200);
    const [header, ...rows] = parse(response.text) as string[][];
    const actorColumn = header.indexOf('actor');
    expect([...new Set(rows.map((row) => row[actorColumn]))].sort()).toEqual(['apatel', 'rpatel']);
    expect(rows).toHaveLength((await audit('patel')).total);
    const exported = (await audit('safelead')).items.find((row) => row.action === 'audit.exported');
    expect(exported?.detail).toEqual({ filters: { actor: 'Patel' }, rows: rows.length });
  });

  it('finds a renamed person by the name they have now, with the entries from before', async () => {
    const before = (await audit(staff.iodegard.id)).items;
    const renamed = await hub.http
      .patch(`/api/staff/${staff.iodegard.id}`)
      .set('Authorization', as(admin))
      .send({ displayName: 'Ingrid Berg' });
    expect(renamed.status).toBe(200);
    // Her earlier entries keep the name she had when each was written, and come with "Berg".
    const berg = await audit('berg');
    expect(berg.items.map((row) => row.id)).toEqual(before.map((row) => row.id));
    expect(berg.items.every((row) => row.actorName === 'Ingrid Ødegård')).toBe(true);
    // The name she had is not searched (her username, which never changes, still finds her).
    expect(await whoActed('Ødegård')).toEqual([]);
    expect(await whoActed('iodegard')).toEqual(['iodegard']);
  });

  it("reads an action prefix's _ as a letter too", async () => {
    // The prefix filter is the one LIKE the audit reader keeps: "ab_cd." took "_" as any letter.
    const audit = hub.app.get(AuditService);
    await hub.app.get(TransactionRunner).run((tx) =>
      audit.record(
        tx,
        ...['ab_cd.one', 'abxcd.two'].map((action) => ({
          actor: { kind: 'system' as const },
          action,
          target: null,
        })),
      ),
    );
    const response = await hub.http
      .get('/api/audit')
      .query({ action: 'ab_cd.' })
      .set('Authorization', as(admin));
    expect(response.status).toBe(200);
    expect((response.body as { items: AuditEntryView[] }).items.map((row) => row.action)).toEqual([
      'ab_cd.one',
    ]);
  });
});
