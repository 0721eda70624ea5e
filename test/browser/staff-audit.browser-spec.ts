// ICT's Staff screen and the safeguarding lead's audit log in a real browser (issue 11): ICT
// creates a teacher and a safeguarding account through the form (a bad username is said beside
// its field), changes a role, disables one and resets a password; a lock reaches a connected
// simulated device; the safeguarding account, signing in with the reset password, filters the
// log by action and exports the CSV, whose downloaded file holds the lock. On every screen at
// both iPad sizes: axe with no serious or critical violation, no sideways scrolling, 44 px
// targets. Also the operating figures in words.
import * as fs from 'node:fs';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  makeEnrollmentToken,
  createStaffAccount,
  signInWithForm,
  consoleSpec,
} from '../support/browser';
import { connectTestDevice, enrollTestDevice, TestDevice, waitFor } from '../support/devices';

describe('the Staff screen and the audit log', () => {
  let adminToken: string;
  const devices: TestDevice[] = [];
  const { hub, page, checkScreen } = consoleSpec({
    // A zone with no summer time and a half-hour offset, so the school's time cannot be UTC's
    // or the browser's by chance (issue 9).
    env: { HUB_TIME_ZONE: 'Asia/Kolkata' },
    beforeClose: () => devices.forEach((device) => device.client.close()),
  });

  beforeAll(async () => {
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    // ICT signs in through the console; the AUP is accepted already (the shell's spec covers it).
    await createStaffAccount(hub().url, adminToken, 'ivy', ['ict']);
    await apiSignIn(hub().url, 'ivy', 'Staff-Pass1!');
  });

  /** The accounts table's row for a person, found by their display name. */
  const accountRow = (name: string) =>
    page().getByRole('grid', { name: 'Staff accounts' }).getByRole('row').filter({ hasText: name });

  it('ICT creates accounts, sets a role, disables one and resets a password', async () => {
    await page().goto(`${hub().url}/staff`);
    await page().waitForURL(/\/sign-in\?next=%2Fstaff$/);
    await signInWithForm(page(), 'ivy', 'Staff-Pass1!');
    await page().getByRole('heading', { name: 'Staff', exact: true }).waitFor();
    await accountRow('Ivy').waitFor();
    await checkScreen('staff');

    // A username the hub refuses: its words appear beside the Username field.
    await page().getByRole('button', { name: 'New account' }).click();
    const dialog = page().getByRole('dialog', { name: 'New staff account' });
    await dialog.getByLabel('Username').fill('Tess Teacher');
    await dialog.getByLabel('Display name').fill('Tess Teacher');
    await dialog.getByLabel('First password').fill('Teach-Pass1!');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    const usernameError = dialog
      .locator('.field')
      .filter({ has: page().getByLabel('Username') })
      .locator('.field-error');
    await usernameError.filter({ hasText: 'lowercase letters' }).waitFor();
    expect(await dialog.getByLabel('Username').getAttribute('aria-invalid')).toBe('true');
    await checkScreen('staff-new-account-error');

    await dialog.getByLabel('Username').fill('tess');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await dialog.waitFor({ state: 'detached' });
    await accountRow('Tess Teacher').waitFor();
    expect(await accountRow('Tess Teacher').textContent()).toContain('Teacher');

    // A safeguarding account: Teacher (ticked at first) off, Safeguarding on.
    await page().getByRole('button', { name: 'New account' }).click();
    await dialog.getByLabel('Username').fill('sam');
    await dialog.getByLabel('Display name').fill('Sam Safe');
    await dialog.getByLabel('First password').fill('Safe-Pass1!');
    await dialog.getByRole('checkbox', { name: 'Teacher' }).uncheck();
    await dialog.getByRole('checkbox', { name: 'Safeguarding' }).check();
    await checkScreen('staff-new-account');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await dialog.waitFor({ state: 'detached' });
    await accountRow('Sam Safe').waitFor();
    expect(await accountRow('Sam Safe').getByRole('gridcell').nth(0).textContent()).toBe(
      'Safeguarding',
    );

    // Tess also leads trips.
    await page().getByRole('button', { name: 'Roles of Tess Teacher' }).click();
    const roles = page().getByRole('dialog', { name: 'Roles of Tess Teacher' });
    await roles.getByRole('checkbox', { name: 'Trip leader' }).check();
    await checkScreen('staff-roles');
    await roles.getByRole('button', { name: 'Save roles' }).click();
    await roles.waitFor({ state: 'detached' });
    await accountRow('Tess Teacher').filter({ hasText: 'Teacher, Trip leader' }).waitFor();

    // Disable Tess, after a confirmation: the row says so in words and she cannot sign in.
    await page().getByRole('button', { name: 'Disable Tess Teacher' }).click();
    const confirm = page().getByRole('alertdialog', { name: 'Disable Tess Teacher?' });
    await checkScreen('staff-disable');
    await confirm.getByRole('button', { name: 'Disable account' }).click();
    await confirm.waitFor({ state: 'detached' });
    await accountRow('Tess Teacher').filter({ hasText: 'Disabled' }).waitFor();
    await page().getByRole('button', { name: 'Enable Tess Teacher' }).waitFor();
    await expect(apiSignIn(hub().url, 'tess', 'Teach-Pass1!', false)).rejects.toThrow(/401/);

    // Reset Sam's password; a password the rule refuses first, said beside the field.
    await page().getByRole('button', { name: 'Reset password of Sam Safe' }).click();
    const reset = page().getByRole('dialog', { name: 'Reset the password of Sam Safe' });
    await reset.getByLabel('New password').fill('weakpass');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await reset.locator('.field-error').filter({ hasText: 'Password must have' }).waitFor();
    await checkScreen('staff-reset-password-error');
    await reset.getByLabel('New password').fill('New-Safe-Pass2!');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await reset.waitFor({ state: 'detached' });
    await expect(apiSignIn(hub().url, 'sam', 'Safe-Pass1!', false)).rejects.toThrow(/401/);
    await checkScreen('staff-after');
  });

  it('takes ICT to the field a refusal is beside, in view, when the button pressed is below it', async () => {
    await page().goto(`${hub().url}/staff`);
    await page().waitForURL(/\/sign-in\?next=%2Fstaff$/);
    await signInWithForm(page(), 'ivy', 'Staff-Pass1!');
    await page().getByRole('heading', { name: 'Staff', exact: true }).waitFor();
    // iPad landscape: the New account dialog scrolls, and its button is below the username.
    await page().getByRole('button', { name: 'New account' }).click();
    const dialog = page().getByRole('dialog', { name: 'New staff account' });
    const username = dialog.getByLabel('Username');
    await username.fill('ivy');
    await dialog.getByLabel('Display name').fill('Ivy Again');
    await dialog.getByLabel('First password').fill('Ivy-Pass1!');
    await dialog.getByLabel('Email (optional)').fill('ivy@school.example');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await dialog
      .locator('.field')
      .filter({ has: page().getByLabel('Username') })
      .locator('.field-error')
      .filter({ hasText: 'already taken' })
      .waitFor();
    // The refused field has the focus (a screen reader reads its label and error) and is seen.
    // (Run in the page as text: this file is compiled without the DOM's types.)
    const focused = `(() => {
      const input = document.activeElement;
      if (!input || input.getAttribute('aria-invalid') !== 'true') return null;
      const box = input.getBoundingClientRect();
      return { label: input.labels?.[0]?.textContent ?? '', inView: box.top >= 0 && box.bottom <= window.innerHeight };
    })()`;
    await waitFor(
      async () => (await page().evaluate(focused)) !== null,
      'the focus to move to the refused field',
    );
    expect(await page().evaluate(focused)).toEqual({ label: 'Username', inView: true });
    await checkScreen('staff-new-account-taken');
  });

  it('ICT gives an account an email for loan reminders, and changes its name and email', async () => {
    await page().goto(`${hub().url}/sign-in?next=%2Fstaff`);
    await signInWithForm(page(), 'ivy', 'Staff-Pass1!');
    await page().getByRole('heading', { name: 'Staff', exact: true }).waitFor();

    // Reminders of overdue loans go to an account's email: set when it is made ...
    await page().getByRole('button', { name: 'New account' }).click();
    const dialog = page().getByRole('dialog', { name: 'New staff account' });
    await dialog.getByLabel('Username').fill('owen');
    await dialog.getByLabel('Display name').fill('Owen Office');
    await dialog.getByLabel('First password').fill('Office-Pass1!');
    await dialog.getByRole('checkbox', { name: 'Office' }).check();
    await dialog.getByLabel('Email (optional)').fill('owen@oakhill.example');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await dialog.waitFor({ state: 'detached' });
    await accountRow('Owen Office').getByText('owen@oakhill.example').waitFor();
    await checkScreen('staff-with-email');

    // ... and its name and email changed later; an address the hub refuses is said beside it.
    await page().getByRole('button', { name: 'Details of Owen Office' }).click();
    const details = page().getByRole('dialog', { name: 'Details of Owen Office' });
    await details.getByLabel('Email (optional)').fill('owen at oakhill');
    await details.getByRole('button', { name: 'Save details' }).click();
    await details
      .locator('.field-error')
      .filter({ hasText: 'Email must be an email address' })
      .waitFor();
    await checkScreen('staff-details-error');
    await details.getByLabel('Display name').fill('Owen Price');
    await details.getByLabel('Email (optional)').fill('');
    await details.getByRole('button', { name: 'Save details' }).click();
    await details.waitFor({ state: 'detached' });
    await accountRow('Owen Price').waitFor();
    const accounts = await callApi<{
      items: { username: string; displayName: string; email: string | null }[];
    }>(hub().url, 'GET', '/api/staff?pageSize=100', adminToken);
    expect(accounts.items.find((account) => account.username === 'owen')).toMatchObject({
      displayName: 'Owen Price',
      email: null,
    });
  });

  it("keeps the roles ICT ticked when someone else changed the account's roles meanwhile, and says so", async () => {
    await createStaffAccount(hub().url, adminToken, 'wren', ['teacher']);
    const rolesOfWren = async () => {
      const accounts = await callApi<{
        items: { id: string; username: string; roles: string[] }[];
      }>(hub().url, 'GET', '/api/staff?pageSize=100', adminToken);
      return accounts.items.find((account) => account.username === 'wren')!;
    };
    await page().goto(`${hub().url}/sign-in?next=%2Fstaff`);
    await signInWithForm(page(), 'ivy', 'Staff-Pass1!');
    await page().getByRole('button', { name: 'Roles of Wren' }).click();
    const roles = page().getByRole('dialog', { name: 'Roles of Wren' });
    await roles.getByRole('checkbox', { name: 'Office' }).check();

    // Another member of ICT makes Wren a trip leader while this dialog is open.
    const wren = await rolesOfWren();
    await callApi(hub().url, 'PATCH', `/api/staff/${wren.id}`, adminToken, {
      roles: ['teacher', 'trip_leader'],
    });
    await roles.getByRole('button', { name: 'Save roles' }).click();
    const notice = roles.getByRole('alert').filter({ hasText: 'Not saved.' });
    await notice
      .filter({ hasText: 'Someone else saved this account after you opened it.' })
      .waitFor();
    await checkScreen('staff-roles-changed-meanwhile');
    // What was ticked stays; the other person's change stands.
    expect(await roles.getByRole('checkbox', { name: 'Office' }).isChecked()).toBe(true);
    expect(await roles.getByRole('checkbox', { name: 'Trip leader' }).isChecked()).toBe(false);
    expect((await rolesOfWren()).roles.sort()).toEqual(['teacher', 'trip_leader']);

    // Shown the account as it is now, ICT ticks Office again; both changes stand.
    await notice
      .getByRole('button', { name: 'Discard mine and show the account as it is now' })
      .click();
    await notice.waitFor({ state: 'detached' });
    expect(await roles.getByRole('checkbox', { name: 'Trip leader' }).isChecked()).toBe(true);
    expect(await roles.getByRole('checkbox', { name: 'Office' }).isChecked()).toBe(false);
    await roles.getByRole('checkbox', { name: 'Office' }).check();
    await roles.getByRole('button', { name: 'Save roles' }).click();
    await roles.waitFor({ state: 'detached' });
    expect((await rolesOfWren()).roles.sort()).toEqual(['office', 'teacher', 'trip_leader']);
  });

  it('sends ICT to Change password for their own, rather than a reset that signs them out', async () => {
    await page().goto(`${hub().url}/sign-in?next=%2Fstaff`);
    await signInWithForm(page(), 'ivy', 'Staff-Pass1!');
    const ownRow = accountRow('Ivy');
    await ownRow.waitFor();
    expect(await ownRow.getByRole('button', { name: 'Reset password of Ivy' }).count()).toBe(0);
    await ownRow.getByRole('link', { name: 'Change your password' }).click();
    await page().getByRole('heading', { name: 'Change password', level: 1 }).waitFor();
    // Others' rows keep the reset.
    await page().goBack();
    await page().getByRole('button', { name: 'Reset password of Administrator' }).waitFor();
  });

  it('tells a person whose account is disabled, in their open console, why they were signed out', async () => {
    const una = await createStaffAccount(hub().url, adminToken, 'una', ['teacher']);
    const { items } = await callApi<{ items: { id: string; username: string }[] }>(
      hub().url,
      'GET',
      '/api/staff?pageSize=100',
      adminToken,
    );
    const account = items.find((staff) => staff.username === 'una');
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), una.username, una.password);
    await page().getByRole('button', { name: 'I accept' }).click();
    await page().getByRole('heading', { name: 'Hello, Una' }).waitFor();

    // ICT disables the account elsewhere: Una's console goes to sign-in, saying why.
    await callApi(hub().url, 'PATCH', `/api/staff/${account?.id}`, adminToken, {
      disabled: true,
    });
    await page().waitForURL(/\/sign-in/);
    await page()
      .getByRole('alert')
      .filter({ hasText: 'You were signed out. This account has been disabled' })
      .waitFor();
    await checkScreen('signed-out-disabled');

    // Enabled again, she signs in; an ended sign-in (her password changed elsewhere) is said
    // as that, not as a disabled account.
    await callApi(hub().url, 'PATCH', `/api/staff/${account?.id}`, adminToken, {
      disabled: false,
    });
    await signInWithForm(page(), una.username, una.password);
    await page().getByRole('heading', { name: 'Hello, Una' }).waitFor();
    expect(await page().getByText('You were signed out.').count()).toBe(0);
    const unaToken = await apiSignIn(hub().url, una.username, una.password);
    await callApi(hub().url, 'PATCH', '/api/staff/me/password', unaToken, {
      currentPassword: una.password,
      newPassword: 'Una-New-Pass2!',
    });
    await page().waitForURL(/\/sign-in/);
    const notice = page().getByRole('alert').filter({ hasText: 'You were signed out.' });
    await notice.waitFor();
    expect(await notice.textContent()).not.toContain('disabled');
  });

  it('shows the operating figures in words', async () => {
    await page().goto(`${hub().url}/operating-figures`);
    await signInWithForm(page(), 'ivy', 'Staff-Pass1!');
    await page().getByRole('heading', { name: 'Operating figures' }).waitFor();
    await page().getByText('Devices connected now').waitFor();
    expect(await page().getByText('Keeping up').or(page().getByText('Busy:')).count()).toBe(1);
    const statuses = page()
      .getByRole('grid', { name: 'Commands by status' })
      .getByRole('rowheader');
    expect(await statuses.allTextContents()).toEqual([
      'Pending',
      'Sent',
      'Acknowledged',
      'Error',
      'Not now',
      'Expired',
      'Cancelled',
    ]);
    await checkScreen('operating-figures');
  });

  it('safeguarding filters the audit log by action and exports the CSV with the lock', async () => {
    // A tablet connected to the hub is locked by ICT and acknowledges it.
    const token = await makeEnrollmentToken(hub().url, adminToken, { maxUses: 1 });
    const identity = await enrollTestDevice({ url: hub().url }, token, { name: 'Oak tablet 7' });
    const device = connectTestDevice(identity);
    devices.push(device);
    await waitFor(() => device.client.connected, 'the tablet to connect');
    const lock = await callApi<{ id: string }>(
      hub().url,
      'POST',
      `/api/devices/${identity.deviceId}/commands`,
      adminToken,
      { type: 'device.lock', payload: { reason: 'class', message: 'Eyes on the board' } },
    );
    await waitFor(async () => {
      const list = await callApi<{ items: { id: string; status: string }[] }>(
        hub().url,
        'GET',
        `/api/devices/${identity.deviceId}/commands`,
        adminToken,
      );
      return list.items.find((command) => command.id === lock.id)?.status === 'acknowledged';
    }, 'the lock to be acknowledged');

    // Sam signs in with the password ICT set, and accepts the AUP first.
    await page().goto(`${hub().url}/audit`);
    // The school's name (HUB_SCHOOL_NAME) is on the sign-in page and in the console's header.
    await page().getByText('Oak Hill Primary', { exact: true }).waitFor();
    await signInWithForm(page(), 'sam', 'New-Safe-Pass2!');
    await page().getByRole('button', { name: 'I accept' }).click();
    await page().getByRole('heading', { name: 'Audit log' }).waitFor();
    expect(
      await page().getByRole('banner').getByText('Oak Hill Primary', { exact: true }).count(),
    ).toBe(1);
    const nav = page().getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Audit log' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Staff' }).count()).toBe(0);
    const entries = page().getByRole('grid', { name: 'Audit log entries' });
    // Each action in words, never as its code (`staff.disabled`).
    await entries.getByRole('row').filter({ hasText: 'Account created' }).first().waitFor();
    const disabled = entries.getByRole('row').filter({ hasText: 'Account disabled' }).first();
    await disabled.waitFor();
    const codes = (await entries.getByRole('rowheader').allTextContents()).filter((action) =>
      /^[a-z_]+\.[a-z_]+$/.test(action),
    );
    expect(codes).toEqual([]);
    // At portrait iPad width each entry is stacked, its detail as wide as the entry itself.
    await page().setViewportSize({ width: 768, height: 1024 });
    await page().waitForTimeout(100);
    const detail = disabled.getByRole('gridcell').filter({ hasText: 'changed: disabled' });
    const [detailBox, rowBox] = [await detail.boundingBox(), await disabled.boundingBox()];
    expect(detailBox && rowBox && detailBox.width / rowBox.width).toBeGreaterThan(0.9);
    await page().setViewportSize({ width: 1024, height: 768 });

    // Who accepted the AUP: Sam, by name, just now.
    const acceptances = page().getByRole('grid', {
      name: 'Acceptances of the current acceptable use policy',
    });
    await acceptances.getByRole('row').filter({ hasText: 'Sam Safe' }).waitFor();
    await checkScreen('audit-log');

    // The action is picked by its words.
    await page()
      .getByRole('button', { name: /Action$/ })
      .click();
    await page().getByRole('option', { name: 'Command sent', exact: true }).click();
    await page().getByRole('button', { name: 'Filter', exact: true }).click();
    await page().waitForURL(/action=command.issued/);
    // The filtered page has come when the count says one entry (the unfiltered one showed more).
    await page().getByText('(1 entry)').waitFor();
    await entries.getByRole('row').filter({ hasText: 'Oak tablet 7' }).waitFor();
    const actions = await entries.getByRole('rowheader').allTextContents();
    expect(actions).toEqual(['Command sent']);
    // When: the school's time (India, UTC+05:30 all year) with its offset, not UTC's.
    const issued = await callApi<{ items: { at: string }[] }>(
      hub().url,
      'GET',
      '/api/audit?action=command.issued',
      adminToken,
    );
    const inIndia = new Date(Date.parse(issued.items[0].at) + 330 * 60_000).toISOString();
    const when = entries.getByRole('row').filter({ hasText: 'Oak tablet 7' }).locator('time');
    expect((await when.textContent())?.replace(/\s+/g, ' ')).toBe(
      `${inIndia.slice(0, 10)} ${inIndia.slice(11, 19)} UTC+05:30`,
    );
    expect(await entries.textContent()).toContain('Eyes on the board');
    await checkScreen('audit-log-filtered');

    const [download] = await Promise.all([
      page().waitForEvent('download'),
      page().getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('audit-log.csv');
    const file = await download.path();
    const csv = fs.readFileSync(file, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe(
      'id,at,actorType,actorId,actor,actorName,action,targetType,targetId,targetLabel,detail,correlationId',
    );
    // The same filter as the screen: the lock and nothing else.
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('command.issued');
    expect(lines[1]).toContain(identity.deviceId);
    expect(lines[1]).toContain('Oak tablet 7');
    expect(lines[1]).toMatch(/lock/);
    expect(lines[1]).toContain('Eyes on the board');
    expect(lines[1]).toContain(`,${inIndia.slice(0, 19)}+05:30,`);
    await page().getByText('The CSV of the filtered log was downloaded').waitFor();
  });
});
