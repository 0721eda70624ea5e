// A borrower who has left the school (issue 13): ICT disables their staff account, and a laptop
// is still out with them. The office chases it, so every place the office reads that loan (the
// overdue list, a loan, an asset with its open loan and its history) says the account is
// disabled (`borrowerDisabled`), and only to the roles that read loans; the hub sends such a
// borrower no reminders (no record, no email) until the account is enabled again. A check-out to
// them is refused in words, also when ICT disables the account at the same moment.
import { AddressInfo } from 'node:net';
import { simpleParser, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Asset, Loan, Page, Reminder } from '@app/hub-api';
import { LoanRemindersService } from '../apps/hub/src/loans/loan-reminders.service';
import { TransactionRunner } from '../apps/hub/src/database/transaction-runner';
import { StaffRepository } from '../apps/hub/src/staff/staff.repository';
import { createStaff, startHub, TestHub } from './support/hub';
import { waitFor } from './support/devices';
import { ON_POSTGRES, TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

const DAY = 24 * 60 * 60 * 1000;
const PASSWORD = 'Staff-Pass1!';

/** Whom an email was sent to, as its To: line says. */
const addressedTo = (mail: ParsedMail) => (Array.isArray(mail.to) ? '' : (mail.to?.text ?? ''));

describe(`loans of a borrower whose account is disabled (${TEST_DATABASE_NAME})`, () => {
  let smtp: SMTPServer;
  const mails: ParsedMail[] = [];
  let hub: TestHub;
  let admin: string;
  let clerk: { id: string; token: string };
  let leaver: { id: string; token: string };
  let stayer: { id: string; token: string };
  let leader: { id: string; token: string };

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const read = async <T>(token: string, path: string): Promise<T> => {
    const response = await hub.http.get(path).set(as(token));
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return response.body as T;
  };
  const setDisabled = async (id: string, disabled: boolean) =>
    hub.http.patch(`/api/staff/${id}`).set(as(admin)).send({ disabled }).expect(200);
  const checkOut = (assetTag: string, borrowerId: string, dueAt: string) =>
    hub.http.post('/api/loans').set(as(clerk.token)).send({ assetTag, borrowerId, dueAt });
  const newAsset = async (assetTag: string): Promise<Asset> => {
    const created = await hub.http
      .post('/api/assets')
      .set(as(clerk.token))
      .send({ assetTag, kind: 'laptop' });
    expect(created.status).toBe(201);
    return created.body as Asset;
  };
  /** Sessions last 12 hours: after the clock moves by days, everyone signs in again. */
  const signInAgain = async () => {
    admin = await hub.login();
    clerk.token = await hub.login('clerk', PASSWORD);
    stayer.token = await hub.login('kwilson', PASSWORD);
    leader.token = await hub.login('dokafor', PASSWORD);
  };

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
    const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    // Reminders are sent when the test asks (sendDue), not by the hub's timer meanwhile.
    hub = await startHub({ env: { HUB_SMTP_URL: smtpUrl, HUB_REMINDER_CHECK_MS: '3600000' } });
    admin = await hub.login();
    clerk = await createStaff(hub, admin, 'clerk', ['office']);
    leaver = await createStaff(hub, admin, 'pleft', ['teacher']);
    stayer = await createStaff(hub, admin, 'kwilson', ['teacher']);
    leader = await createStaff(hub, admin, 'dokafor', ['trip_leader']);
    for (const [id, email] of [
      [leaver.id, 'pleft@school.example'],
      [stayer.id, 'kwilson@school.example'],
    ]) {
      await hub.http.patch(`/api/staff/${id}`).set(as(admin)).send({ email }).expect(200);
    }
  });

  afterAll(async () => {
    await hub?.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('says so wherever the office reads the loan, and sends the borrower no reminder until enabled again', async () => {
    const left = await newAsset('LEFT-1');
    const stays = await newAsset('STAY-1');
    const dueAt = new Date(hub.clock.nowMs() + DAY).toISOString();
    expect((await checkOut('LEFT-1', leaver.id, dueAt)).status).toBe(201);
    expect((await checkOut('STAY-1', stayer.id, dueAt)).status).toBe(201);
    // Pat leaves the school: ICT disables the account with the laptop still out.
    await setDisabled(leaver.id, true);

    // A week and a day after the due date: both overdue, the first weekly reminder due for each.
    hub.clock.advance(8 * DAY);
    await signInAgain();
    expect(await hub.app.get(LoanRemindersService).sendDue()).toBe(1);
    const reminders = await read<Page<Reminder>>(clerk.token, '/api/reminders');
    expect(reminders.items.map((r) => [r.assetTag, r.borrowerId, r.step])).toEqual([
      ['STAY-1', stayer.id, 'overdue'],
    ]);
    await waitFor(() => mails.length === 1, 'the one reminder emailed');
    expect(mails.map(addressedTo)).toEqual(['kwilson@school.example']);

    // The overdue list, a loan, a borrower's loans: each says whose account is disabled.
    const overdue = await read<Page<Loan>>(clerk.token, '/api/loans?status=overdue');
    expect(
      overdue.items.map((loan) => [loan.assetTag, loan.borrowerName, loan.borrowerDisabled]).sort(),
    ).toEqual([
      ['LEFT-1', 'pleft', true],
      ['STAY-1', 'kwilson', false],
    ]);
    const leftLoan = overdue.items.find((loan) => loan.assetTag === 'LEFT-1') as Loan;
    expect((await read<Loan>(clerk.token, `/api/loans/${leftLoan.id}`)).borrowerDisabled).toBe(
      true,
    );
    const theirs = await read<Page<Loan>>(clerk.token, `/api/loans?borrowerId=${leaver.id}`);
    expect(theirs.items.map((loan) => loan.borrowerDisabled)).toEqual([true]);
    // The asset, however it is read, and its history.
    for (const one of [
      await read<Asset>(clerk.token, `/api/assets/${left.id}`),
      await read<Asset>(clerk.token, '/api/assets/by-tag/left-1'),
      (await read<Page<Asset>>(clerk.token, '/api/assets?search=LEFT-1')).items[0],
    ]) {
      expect(one.currentLoan).toMatchObject({ borrowerName: 'pleft', borrowerDisabled: true });
    }
    expect(
      (await read<Asset>(clerk.token, `/api/assets/${stays.id}`)).currentLoan?.borrowerDisabled,
    ).toBe(false);
    const history = await read<Page<Loan>>(clerk.token, `/api/assets/${left.id}/loans`);
    expect(history.items.map((loan) => loan.borrowerDisabled)).toEqual([true]);

    // Only the roles that read loans learn it: a trip leader reads the asset without its loan, a
    // teacher reads only their own loans and reminders.
    const seenByLeader = await read<Asset>(leader.token, `/api/assets/${left.id}`);
    expect(seenByLeader.currentLoan).toBeNull();
    expect(JSON.stringify(seenByLeader)).not.toMatch(/pleft|borrowerDisabled/);
    const mine = await read<Page<Loan>>(stayer.token, '/api/staff/me/loans');
    expect(mine.items.map((loan) => [loan.assetTag, loan.borrowerDisabled])).toEqual([
      ['STAY-1', false],
    ]);
    const asked = await read<Page<Reminder>>(
      stayer.token,
      `/api/reminders?borrowerId=${leaver.id}`,
    );
    expect(asked.items.map((r) => r.borrowerId)).toEqual([stayer.id]);
    expect((await hub.http.get('/api/loans').set(as(stayer.token))).status).toBe(403);

    // The desk does not lend to them: refused in words, with the code the desk reads.
    await newAsset('LEFT-2');
    const refused = await checkOut(
      'LEFT-2',
      leaver.id,
      new Date(hub.clock.nowMs() + DAY).toISOString(),
    );
    expect(refused.body).toEqual({
      statusCode: 409,
      code: 'borrower_disabled',
      message: "pleft's account is disabled: loans go to current staff only",
    });

    // Enabled again (disabled by mistake, or back at the school): the next step due is sent.
    await setDisabled(leaver.id, false);
    expect(await hub.app.get(LoanRemindersService).sendDue()).toBe(1);
    await waitFor(() => mails.length === 2, 'the reminder to the enabled borrower emailed');
    expect(mails.map(addressedTo)).toEqual(['kwilson@school.example', 'pleft@school.example']);
    expect((await read<Loan>(clerk.token, `/api/loans/${leftLoan.id}`)).borrowerDisabled).toBe(
      false,
    );
  });

  it('refuses a check-out that meets ICT disabling its borrower at the same moment', async () => {
    await newAsset('RACE-1');
    const racer = await createStaff(hub, admin, 'racer', ['teacher']);
    const runner = hub.app.get(TransactionRunner);
    const staff = hub.app.get(StaffRepository);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // ICT's disable, as StaffService.update makes it: the account locked and written, not yet
    // committed.
    let locked!: () => void;
    const lockedNow = new Promise<void>((resolve) => (locked = resolve));
    const disabling = runner.run(async (tx) => {
      await staff.lockAccounts(tx, [racer.id]);
      await staff.updateAccountWhere(tx, racer.id, { disabled: false }, { disabled: true });
      locked();
      await gate;
    });
    await lockedNow;
    let answered = false;
    const lending = Promise.resolve(
      checkOut('RACE-1', racer.id, new Date(hub.clock.nowMs() + DAY).toISOString()),
    ).finally(() => (answered = true));
    try {
      // The check-out answers at once, or waits for the disable: for its row lock on PostgreSQL,
      // behind its transaction on SQLite (which runs one at a time).
      await waitFor(async () => {
        if (answered) {
          return true;
        }
        if (!ON_POSTGRES) {
          return runner.waiting().first > 0;
        }
        const [{ n }] = (await runner.reader.query(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )) as { n: string }[];
        return Number(n) > 0;
      }, 'the check-out answered or waiting for the disable');
    } finally {
      release();
    }
    await disabling;
    const lent = await lending;
    expect(lent.body).toEqual({
      statusCode: 409,
      code: 'borrower_disabled',
      message: "racer's account is disabled: loans go to current staff only",
    });
    const theirs = await read<Page<Loan>>(clerk.token, `/api/loans?borrowerId=${racer.id}`);
    expect(theirs.total).toBe(0);
    expect((await read<Asset>(clerk.token, '/api/assets/by-tag/RACE-1')).status).toBe('available');
  });
});
