// Loans at the office desk (issue 13), through the API with the hub clock set by the test: check-
// out and check-in, the AUP gate and acceptance at the desk, refusals, the same asset never out
// twice (parallel check-outs), and overdue loans with their reminders, each sent once (also by
// email, to a local SMTP sink read back with mailparser) across a restart of the hub.
import { AddressInfo } from 'node:net';
import { simpleParser, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Loan, Page, Reminder } from '@app/hub-api';
import { LoanRemindersService } from '../apps/hub/src/loans/loan-reminders.service';
import { createStaff, makeDataDir, startHub, TestHub } from './support/hub';
import { waitFor } from './support/devices';
import { TEST_DATABASE_NAME } from './support/test-database';

// Hubs start slowly on a busy machine (argon2 sign-ins, migrations on PostgreSQL).
jest.setTimeout(120_000);

const DAY = 24 * 60 * 60 * 1000;

/** Moves the hub clock to `at` (it follows real time from there). */
function setClock(hub: TestHub, at: Date): void {
  hub.clock.advance(at.getTime() - hub.clock.nowMs());
}

async function post(hub: TestHub, token: string, path: string, body: unknown) {
  return hub.http
    .post(path)
    .set('Authorization', `Bearer ${token}`)
    .send(body as object);
}

async function get<T>(hub: TestHub, token: string, path: string): Promise<T> {
  const response = await hub.http.get(path).set('Authorization', `Bearer ${token}`);
  if (response.status !== 200) {
    throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body as T;
}

async function createAsset(hub: TestHub, token: string, assetTag: string, kind = 'laptop') {
  const response = await post(hub, token, '/api/assets', { assetTag, kind, model: 'ThinkPad' });
  expect(response.status).toBe(201);
  return response.body as { id: string; assetTag: string };
}

describe(`loans at the desk (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let clerk: { id: string; token: string };
  let teacher: { id: string; token: string };

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    clerk = await createStaff(hub, admin, 'clerk', ['office']);
    teacher = await createStaff(hub, admin, 'mrsjones', ['teacher']);
  });

  afterAll(async () => {
    await hub.close();
  });

  it('checks a laptop out and back in, and keeps its history', async () => {
    const asset = await createAsset(hub, clerk.token, 'LOAN-001');
    const dueAt = new Date(hub.clock.nowMs() + 7 * DAY).toISOString();
    const out = await post(hub, clerk.token, '/api/loans', {
      assetTag: 'loan-001',
      borrowerId: teacher.id,
      dueAt,
      conditionOut: 'Good',
    });
    expect(out.status).toBe(201);
    expect(out.body).toMatchObject({
      assetId: asset.id,
      assetTag: 'LOAN-001',
      borrowerId: teacher.id,
      issuedBy: clerk.id,
      dueAt,
      status: 'open',
      daysOverdue: 0,
    });
    const loan = out.body as Loan;
    expect(
      (await get<{ status: string }>(hub, clerk.token, `/api/assets/${asset.id}`)).status,
    ).toBe('on_loan');
    const mine = await get<Page<Loan>>(hub, teacher.token, '/api/staff/me/loans');
    expect(mine.items.map((l) => l.assetTag)).toEqual(['LOAN-001']);

    const again = await post(hub, clerk.token, '/api/loans', {
      assetTag: 'LOAN-001',
      borrowerId: clerk.id,
      dueAt,
    });
    expect(again.status).toBe(409);

    const back = await post(hub, clerk.token, `/api/loans/${loan.id}/return`, {
      condition: 'Scratched lid',
      damageNotes: 'Lid scratched',
      toRepair: true,
    });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({
      status: 'returned',
      conditionIn: 'Scratched lid',
      toRepair: true,
    });
    const after = await get<{ status: string; condition: string }>(
      hub,
      clerk.token,
      `/api/assets/${asset.id}`,
    );
    expect(after).toMatchObject({ status: 'in_repair', condition: 'Scratched lid' });
    expect(
      (await post(hub, clerk.token, `/api/loans/${loan.id}/return`, { condition: 'Good' })).status,
    ).toBe(409);
    const history = await get<Page<Loan>>(hub, clerk.token, `/api/assets/${asset.id}/loans`);
    expect(history.items.map((l) => l.status)).toEqual(['returned']);

    const audit = await get<
      Page<{
        action: string;
        actor: string;
        actorName: string | null;
        targetLabel: string | null;
        detailText: string;
      }>
    >(hub, admin, '/api/audit?pageSize=100');
    const actions = audit.items.map((e) => `${e.action} by ${e.actor}`);
    expect(actions).toEqual(
      expect.arrayContaining(['loan.checked_out by clerk', 'loan.returned by clerk']),
    );
    // Each names the clerk, the laptop and the borrower, as the safeguarding lead reads them
    // (issue 9): names, not ids.
    for (const action of ['loan.checked_out', 'loan.returned']) {
      const entry = audit.items.find((e) => e.action === action);
      expect(entry).toMatchObject({
        actorName: 'clerk',
        targetLabel: 'asset tag LOAN-001 (laptop)',
      });
      expect(entry?.detailText).toContain('borrower: mrsjones (mrsjones)');
    }
  });

  it('refuses unknown tags and borrowers, disabled borrowers, past due dates and teachers at the desk', async () => {
    await createAsset(hub, clerk.token, 'LOAN-002');
    const dueAt = new Date(hub.clock.nowMs() + DAY).toISOString();
    const noAsset = await post(hub, clerk.token, '/api/loans', {
      assetTag: 'NOPE-1',
      borrowerId: teacher.id,
      dueAt,
    });
    const noBorrower = await post(hub, clerk.token, '/api/loans', {
      assetTag: 'LOAN-002',
      borrowerId: '4a1f0a3e-6f1e-4c1b-9a59-2b1f3c1d9e00',
      dueAt,
    });
    // Both are 404s: the code says which was not found, so the desk says each at its own field.
    expect([noAsset.body, noBorrower.body]).toEqual([
      { statusCode: 404, code: 'asset_not_found', message: 'No asset with tag NOPE-1' },
      {
        statusCode: 404,
        code: 'borrower_not_found',
        message: 'No staff account 4a1f0a3e-6f1e-4c1b-9a59-2b1f3c1d9e00',
      },
    ]);
    const past = await post(hub, clerk.token, '/api/loans', {
      assetTag: 'LOAN-002',
      borrowerId: teacher.id,
      dueAt: new Date(hub.clock.nowMs() - 60_000).toISOString(),
    });
    expect(past.status).toBe(400);
    // A mistyped year: never overdue, so the office would never chase it.
    const century = await post(hub, clerk.token, '/api/loans', {
      assetTag: 'LOAN-002',
      borrowerId: teacher.id,
      dueAt: new Date(hub.clock.nowMs() + 367 * DAY).toISOString(),
    });
    expect([century.status, century.body.message]).toEqual([
      400,
      expect.stringMatching(
        /^dueAt is more than a year ahead \(\w+ \d{1,2} \w+ \d{4}\): check the year$/,
      ),
    ]);
    const yearAhead = await post(hub, clerk.token, '/api/loans', {
      assetTag: 'LOAN-002',
      borrowerId: teacher.id,
      dueAt: new Date(hub.clock.nowMs() + 365 * DAY).toISOString(),
    });
    expect(yearAhead.status).toBe(201);
    await post(hub, clerk.token, `/api/loans/${yearAhead.body.id}/return`, { condition: 'Good' });
    const leaver = await createStaff(hub, admin, 'leaver', ['teacher']);
    await hub.http
      .patch(`/api/staff/${leaver.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ disabled: true })
      .expect(200);
    const disabled = await post(hub, clerk.token, '/api/loans', {
      assetTag: 'LOAN-002',
      borrowerId: leaver.id,
      dueAt,
    });
    expect(disabled.status).toBe(409);
    expect(disabled.body.message).toMatch(/disabled/);
    expect(
      (
        await post(hub, teacher.token, '/api/loans', {
          assetTag: 'LOAN-002',
          borrowerId: teacher.id,
          dueAt,
        })
      ).status,
    ).toBe(403);
  });

  it('gates a check-out on the AUP, and records acceptance at the desk with the clerk as witness', async () => {
    await createAsset(hub, clerk.token, 'LOAN-003');
    const newcomer = await createStaff(hub, admin, 'newcomer', ['teacher'], 'Staff-Pass1!', {
      acceptAup: false,
    });
    const dueAt = new Date(hub.clock.nowMs() + 3 * DAY).toISOString();
    const borrowers = await get<Page<{ id: string; aupAccepted: boolean }>>(
      hub,
      clerk.token,
      '/api/loans/borrowers?search=newc',
    );
    expect(borrowers.items).toEqual([
      expect.objectContaining({ id: newcomer.id, aupAccepted: false }),
    ]);
    const refused = await post(hub, clerk.token, '/api/loans', {
      assetTag: 'LOAN-003',
      borrowerId: newcomer.id,
      dueAt,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/has not accepted the current acceptable use policy/);
    expect(
      (await get<{ status: string }>(hub, clerk.token, '/api/assets/by-tag/LOAN-003')).status,
    ).toBe('available');

    const accepted = await post(hub, clerk.token, '/api/loans', {
      assetTag: 'LOAN-003',
      borrowerId: newcomer.id,
      dueAt,
      aupAcceptedAtDesk: true,
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ status: 'open', aupAcceptedAtDesk: true });
    // The newcomer has accepted now: the hub lets them in.
    const aup = await get<{ version: string; acceptedAt: string | null }>(
      hub,
      newcomer.token,
      '/api/aup',
    );
    expect(aup.acceptedAt).not.toBeNull();
    expect(
      (await hub.http.get('/api/staff/me/loans').set('Authorization', `Bearer ${newcomer.token}`))
        .status,
    ).toBe(200);
    const audit = await get<
      Page<{ action: string; actor: string; detail: Record<string, unknown> }>
    >(hub, admin, '/api/audit?pageSize=100');
    const desk = audit.items.find((e) => e.action === 'aup.accepted_at_desk');
    expect(desk).toMatchObject({
      actor: 'clerk',
      detail: expect.objectContaining({
        version: aup.version,
        borrowerId: newcomer.id,
        witnessedBy: clerk.id,
        acceptedAt: aup.acceptedAt,
      }),
    });
    // Who accepted the AUP names the borrower, and the clerk who saw it at the desk.
    const acceptances = await get<{ items: { staffId: string }[] }>(
      hub,
      admin,
      '/api/aup/acceptances',
    );
    expect(acceptances.items.find((item) => item.staffId === newcomer.id)).toEqual({
      staffId: newcomer.id,
      username: 'newcomer',
      displayName: 'newcomer',
      acceptedAt: aup.acceptedAt,
      witnessedBy: { staffId: clerk.id, username: 'clerk', displayName: 'clerk' },
    });
  });

  it('says what each check-out refusal is in a code, beside its message in plain words', async () => {
    // The console decides by `code` what to show (the AUP to accept, the asset as it is now, the
    // borrower field), never by the message, whose words may change.
    await createAsset(hub, clerk.token, 'LOAN-CODE-1');
    await createAsset(hub, clerk.token, 'LOAN-CODE-2');
    const dueAt = new Date(hub.clock.nowMs() + 2 * DAY).toISOString();
    const checkOut = (assetTag: string, borrowerId: string) =>
      post(hub, clerk.token, '/api/loans', { assetTag, borrowerId, dueAt });
    expect((await checkOut('LOAN-CODE-1', teacher.id)).status).toBe(201);
    const onLoan = await checkOut('LOAN-CODE-1', clerk.id);
    const gone = await createStaff(hub, admin, 'gone.teacher', ['teacher']);
    await hub.http
      .patch(`/api/staff/${gone.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ disabled: true })
      .expect(200);
    const disabled = await checkOut('LOAN-CODE-2', gone.id);
    const newcomer = await createStaff(hub, admin, 'new.teacher', ['teacher'], 'Staff-Pass1!', {
      acceptAup: false,
    });
    const noAup = await checkOut('LOAN-CODE-2', newcomer.id);

    expect([onLoan.body, disabled.body, noAup.body]).toEqual([
      {
        statusCode: 409,
        code: 'asset_not_available',
        message: 'Asset LOAN-CODE-1 is not available: it is on loan',
      },
      {
        statusCode: 409,
        code: 'borrower_disabled',
        message: "gone.teacher's account is disabled: loans go to current staff only",
      },
      {
        statusCode: 409,
        code: 'aup_not_accepted',
        message: expect.stringMatching(
          /^new\.teacher has not accepted the current acceptable use policy/,
        ),
      },
    ]);
    // Other 409s carry no code: only the refusals the docs name have one.
    const loan = (await get<Page<Loan>>(hub, clerk.token, '/api/loans?status=open')).items.find(
      (item) => item.assetTag === 'LOAN-CODE-1',
    ) as Loan;
    await post(hub, clerk.token, `/api/loans/${loan.id}/return`, { condition: 'Good' });
    const twice = await post(hub, clerk.token, `/api/loans/${loan.id}/return`, {
      condition: 'Good',
    });
    expect(twice.body).toEqual({ statusCode: 409, message: 'This loan has already been returned' });
  });

  it('lets exactly one of twenty parallel check-outs of one asset succeed', async () => {
    const asset = await createAsset(hub, clerk.token, 'LOAN-RACE');
    const dueAt = new Date(hub.clock.nowMs() + DAY).toISOString();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(hub, clerk.token, '/api/loans', {
          assetTag: 'LOAN-RACE',
          borrowerId: i % 2 === 0 ? teacher.id : clerk.id,
          dueAt,
        }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
    // Whether it found the asset on loan or lost the race to it, each is told the asset is gone.
    expect(
      new Set(responses.filter((r) => r.status === 409).map((r) => String(r.body.code))),
    ).toEqual(new Set(['asset_not_available']));
    const loans = await get<Page<Loan>>(hub, clerk.token, `/api/assets/${asset.id}/loans`);
    expect(loans.total).toBe(1);
  });
});

describe(`overdue loans and their reminders (${TEST_DATABASE_NAME})`, () => {
  let smtp: SMTPServer;
  const mails: ParsedMail[] = [];
  let smtpUrl: string;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            mails.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('sends each step once: two school days before, on the day, weekly overdue; not again after a restart', async () => {
    const dataDir = makeDataDir();
    const env = { HUB_SMTP_URL: smtpUrl, HUB_REMINDER_CHECK_MS: '200' };
    let hub = await startHub({ dataDir, env });
    const admin = await hub.login();
    const clerk = await createStaff(hub, admin, 'clerk', ['office']);
    const created = await hub.http
      .post('/api/staff')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        username: 'mrpatel',
        displayName: 'Mr Patel',
        password: 'Staff-Pass1!',
        roles: ['teacher'],
        email: 'patel@school.example',
      });
    expect(created.status).toBe(201);
    const borrowerId = created.body.id as string;
    await hub.login('mrpatel', 'Staff-Pass1!');
    await createAsset(hub, clerk.token, 'LOAN-010');
    // Due on a Wednesday at least nine days from now, at 15:00 UTC (the afternoon in London).
    const due = new Date(hub.clock.nowMs() + 9 * DAY);
    while (due.getUTCDay() !== 3) {
      due.setTime(due.getTime() + DAY);
    }
    due.setUTCHours(15, 0, 0, 0);
    const out = await post(hub, clerk.token, '/api/loans', {
      assetTag: 'LOAN-010',
      borrowerId,
      dueAt: due.toISOString(),
    });
    expect(out.status).toBe(201);
    const reminders = async (h: TestHub, token: string) =>
      (await get<Page<Reminder>>(h, token, '/api/reminders')).items
        .map((r) => `${r.step}/${r.week}`)
        .sort();

    // Sessions last 12 hours: each move of the clock by days needs a new sign-in.
    const as = (h: TestHub, username: string) =>
      h.login(username, username === 'admin' ? undefined : 'Staff-Pass1!');
    try {
      // Two school days before a Wednesday is the Monday.
      setClock(hub, new Date(due.getTime() - 2 * DAY - 3 * 60 * 60 * 1000)); // Monday 12:00 UTC
      let mine = await as(hub, 'mrpatel');
      await waitFor(async () => (await reminders(hub, mine)).length === 1, 'the first reminder');
      expect(await reminders(hub, mine)).toEqual(['before_due/0']);
      // The borrower sees theirs; a colleague sees none of it; the office sees all.
      const colleague = await createStaff(hub, await as(hub, 'admin'), 'colleague', ['teacher']);
      expect(await reminders(hub, colleague.token)).toEqual([]);
      expect(await reminders(hub, await as(hub, 'clerk'))).toEqual(['before_due/0']);

      setClock(hub, new Date(due.getTime() - 3 * 60 * 60 * 1000)); // the due date, 12:00 UTC
      mine = await as(hub, 'mrpatel');
      await waitFor(async () => (await reminders(hub, mine)).length === 2, 'the due-date reminder');
      await waitFor(() => mails.length === 2, 'two emails');

      // The hub restarts on the due date: that day's reminder is not sent again.
      await hub.close();
      hub = await startHub({ dataDir, env });
      setClock(hub, new Date(due.getTime() - 2 * 60 * 60 * 1000));
      expect(await hub.app.get(LoanRemindersService).sendDue()).toBe(0);
      mine = await as(hub, 'mrpatel');
      expect(await reminders(hub, mine)).toEqual(['before_due/0', 'due/0']);

      // A week after the due date: overdue by 7 days, and one weekly reminder.
      setClock(hub, new Date(due.getTime() + 7 * DAY - 3 * 60 * 60 * 1000));
      mine = await as(hub, 'mrpatel');
      await waitFor(async () => (await reminders(hub, mine)).length === 3, 'the weekly reminder');
      expect(await hub.app.get(LoanRemindersService).sendDue()).toBe(0);
      expect(await reminders(hub, mine)).toEqual(['before_due/0', 'due/0', 'overdue/1']);
      const overdue = await get<Page<Loan>>(
        hub,
        await as(hub, 'clerk'),
        '/api/loans?status=overdue',
      );
      expect(overdue.items.map((l) => [l.assetTag, l.status, l.daysOverdue])).toEqual([
        ['LOAN-010', 'overdue', 7],
      ]);

      await waitFor(() => mails.length === 3, 'three emails');
      expect(mails.map((m) => m.subject)).toEqual([
        expect.stringContaining('LOAN-010 is due back on Wednesday'),
        'LOAN-010 is due back today',
        'LOAN-010 is overdue',
      ]);
      expect(mails.map((m) => (Array.isArray(m.to) ? '' : m.to?.text))).toEqual(
        Array<string>(3).fill('patel@school.example'),
      );
      expect(mails[2].text).toContain('7 days overdue');
      const audit = await get<
        Page<{ action: string; actorName: string | null; targetLabel: string; detailText: string }>
      >(hub, await as(hub, 'admin'), '/api/audit?pageSize=200');
      const sent = audit.items.filter((e) => e.action === 'loan.reminder_sent');
      expect(sent).toHaveLength(3);
      // The hub sent them; each names the loan and its borrower (issue 9).
      for (const entry of sent) {
        expect(entry).toMatchObject({
          actorName: 'hub',
          targetLabel: 'loan of asset tag LOAN-010',
        });
        expect(entry.detailText).toContain('borrower: Mr Patel (mrpatel)');
      }
    } finally {
      await hub.close();
    }
  }, 120_000);
});
