// Taking the audit log away is itself in the log: each CSV export writes one `audit.exported`
// entry, by the person who asked, with the filters they used and how many rows the file holds.
// The entry is written before the first row is sent, so it is never in its own export; the next
// export that matches it has it. Reading the log on screen (GET /api/audit) writes nothing.
import { parse } from 'csv-parse/sync';
import type { Response } from 'supertest';
import { AuditService, type AuditEntryView } from '../apps/hub/src/audit/audit.service';
import { TransactionRunner } from '../apps/hub/src/database/transaction-runner';
import { createStaff, startHub, TestHub } from './support/hub';

describe('exporting the audit log', () => {
  let hub: TestHub;
  let admin: string;
  let sally: { id: string; token: string };

  const as = (token: string) => `Bearer ${token}`;

  async function exportCsv(token: string, query: Record<string, string> = {}) {
    const response = await hub.http
      .get('/api/audit/export.csv')
      .query(query)
      .set('Authorization', as(token));
    expect(response.status).toBe(200);
    const [header, ...rows] = parse(response.text) as string[][];
    return {
      response,
      rows: rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]]))),
    };
  }

  async function exported(): Promise<AuditEntryView[]> {
    const response = await hub.http
      .get('/api/audit')
      .query({ action: 'audit.exported', pageSize: 500 })
      .set('Authorization', as(admin));
    expect(response.status).toBe(200);
    return (response.body as { items: AuditEntryView[] }).items;
  }

  const requestId = (response: Response) => response.headers['x-request-id'] as string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    sally = await createStaff(hub, admin, 'sally', ['safeguarding']);
    await createStaff(hub, admin, 'tariq', ['teacher']);
    await createStaff(hub, admin, 'olive', ['office']);
  });
  afterAll(() => hub.close());

  it('records who exported, with the filters as used and the rows the file holds', async () => {
    const filters = {
      action: 'staff.created',
      actor: 'admin',
      from: '2020-01-01T09:00:00+01:00',
      to: '2999-01-01T00:00:00Z',
    };
    const first = await exportCsv(sally.token, filters);
    expect(first.rows.map((row) => row.action)).toEqual([
      'staff.created',
      'staff.created',
      'staff.created',
    ]);

    expect(await exported()).toEqual([
      expect.objectContaining({
        actorType: 'staff',
        actorId: sally.id,
        actor: 'sally',
        actorName: 'sally',
        action: 'audit.exported',
        actionText: 'Log exported as a CSV file',
        targetType: null,
        targetId: null,
        targetLabel: null,
        // The times as the instants the export used, in UTC as every time in a detail is.
        detail: {
          filters: {
            action: 'staff.created',
            actor: 'admin',
            from: '2020-01-01T08:00:00.000Z',
            to: '2999-01-01T00:00:00.000Z',
          },
          rows: 3,
        },
        detailText:
          '3 entries in the export; filters: actor admin, action staff.created, ' +
          'from 2020-01-01T08:00:00+00:00, to 2999-01-01T00:00:00+00:00',
        correlationId: requestId(first.response),
      }),
    ]);
  });

  it('is never in its own export, and is in the next export that matches it', async () => {
    const before = await exported();
    const second = await exportCsv(sally.token, { action: 'audit.' });

    // Only the earlier export's entry: this export's own is written after its rows are fixed.
    expect(second.rows.map((row) => [row.id, row.action, row.actor])).toEqual(
      before.map((entry) => [String(entry.id), 'audit.exported', 'sally']),
    );
    const after = await exported();
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toMatchObject({
      actor: 'sally',
      detail: { filters: { action: 'audit.' }, rows: before.length },
      correlationId: requestId(second.response),
    });
    expect(after[0].id).toBeGreaterThan(Math.max(...second.rows.map((row) => Number(row.id))));
  });

  it('counts an export of the whole log, many pages long, as every row it sent', async () => {
    const auditService = hub.app.get(AuditService);
    await hub.app.get(TransactionRunner).run((tx) =>
      auditService.record(
        tx,
        ...Array.from({ length: 2300 }, (_, i) => ({
          actor: { kind: 'system' as const },
          action: 'test.bulk',
          target: { type: 'test', id: String(i), label: null },
        })),
      ),
    );

    const all = await exportCsv(admin);
    expect(all.rows.length).toBeGreaterThan(2300);
    const [entry] = await exported();
    expect(entry).toMatchObject({
      actor: 'admin',
      detail: { filters: {}, rows: all.rows.length },
      detailText: `${all.rows.length} entries in the export; filters: none, the whole log`,
      correlationId: requestId(all.response),
    });

    await exportCsv(sally.token, { action: 'test.bulk' });
    expect((await exported())[0].detail).toEqual({ filters: { action: 'test.bulk' }, rows: 2300 });
  });

  it('writes nothing for an export refused for its filters, or for reading the log on screen', async () => {
    const before = await hub.http
      .get('/api/audit')
      .query({ pageSize: 1 })
      .set('Authorization', as(sally.token));
    const refused = await hub.http
      .get('/api/audit/export.csv')
      .query({ from: 'yesterday' })
      .set('Authorization', as(sally.token));
    expect(refused.status).toBe(400);
    for (let page = 1; page <= 3; page++) {
      const read = await hub.http
        .get('/api/audit')
        .query({ page, pageSize: 10 })
        .set('Authorization', as(sally.token));
      expect(read.status).toBe(200);
    }

    const after = await hub.http
      .get('/api/audit')
      .query({ pageSize: 1 })
      .set('Authorization', as(sally.token));
    expect(after.body.total).toBe(before.body.total);
    expect(after.body.items[0].id).toBe(before.body.items[0].id);
  });
});
