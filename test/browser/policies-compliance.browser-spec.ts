// The Policies and Compliance screens in a real browser (issue 11): with simulated devices in a
// group, ICT assigns the group's policy to it and turns the camera off in the policy's editor;
// the Compliance screen, open in another tab, shows the push's progress live and reaches all
// applied without a reload, and opens onto the devices behind a number. A bad value shows the
// hub's error beside its field; a rollback happens only after a confirmation. On every screen at
// both iPad sizes: no serious or critical axe violation, no sideways scrolling, 44 px targets,
// no Content-Security-Policy violation.
import type { Page } from 'playwright-core';
import type { ComplianceSummary, Policy } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  makeEnrollmentToken,
  createStaffAccount,
  screenshot,
  signInWithForm,
  consoleSpec,
} from '../support/browser';
import { SimulatedEnforcer } from '@app/devices';
import { connectTestDevice, enrollTestDevice, TestDevice, waitFor } from '../support/devices';

const DEVICES = 3;

describe('the Policies and Compliance screens', () => {
  let adminToken: string;
  let ict: { username: string; password: string };
  let policy: Policy;
  const devices: TestDevice[] = [];
  const { hub, browser, page, usePage, checkScreen } = consoleSpec({
    beforeClose: () => devices.forEach((device) => device.client.close()),
  });

  beforeAll(async () => {
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    ict = await createStaffAccount(hub().url, adminToken, 'ivan', ['ict']);
    await apiSignIn(hub().url, ict.username, ict.password);
    // Setup through the API: a group of devices, and a policy for it that lets the camera work.
    const group = await callApi<{ id: string }>(hub().url, 'POST', '/api/groups', adminToken, {
      name: 'Year 4 Oak',
    });
    const token = await makeEnrollmentToken(hub().url, adminToken, {
      groupIds: [group.id],
      maxUses: DEVICES,
    });
    for (let i = 1; i <= DEVICES; i += 1) {
      const identity = await enrollTestDevice({ url: hub().url }, token, { name: `Oak iPad ${i}` });
      devices.push(connectTestDevice(identity));
    }
    policy = await callApi<Policy>(hub().url, 'POST', '/api/policies', adminToken, {
      name: 'Year 4 Oak tablets',
      description: 'The class takes photos for its nature diary.',
      settings: { camera: { allowed: true } },
    });
    await waitForAllApplied();
  });

  /** Waits until every device has applied its policy, as the hub counts it. */
  async function waitForAllApplied(): Promise<void> {
    await waitFor(
      async () => {
        const summary = await callApi<ComplianceSummary>(
          hub().url,
          'GET',
          '/api/compliance',
          adminToken,
        );
        return summary.devices === DEVICES && summary.byStatus.applied === DEVICES;
      },
      'every device to apply its policy',
      20_000,
    );
  }

  async function signIn(on: Page): Promise<void> {
    await on.goto(`${hub().url}/sign-in`);
    await signInWithForm(on, ict.username, ict.password);
    await on.getByRole('heading', { name: 'Hello, Ivan' }).waitFor();
  }

  it('turns the camera off in the group’s policy; Compliance reaches all applied live', async () => {
    await signIn(page());
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Policies' })
      .click();
    await page().getByRole('heading', { name: 'Policies', level: 1 }).waitFor();
    await page().getByRole('link', { name: 'School baseline' }).waitFor();
    await checkScreen('policies');

    // A new policy named like one there but for capitals and spaces: said beside its name.
    await page().getByRole('button', { name: 'New policy' }).click();
    const newPolicy = page().getByRole('dialog', { name: 'New policy' });
    await newPolicy.getByLabel('Name').fill('year 4  OAK tablets');
    await newPolicy.getByRole('button', { name: 'Make policy' }).click();
    await newPolicy
      .locator('.field-error')
      .filter({ hasText: 'A policy named "Year 4 Oak tablets" already exists' })
      .waitFor();
    await newPolicy.getByRole('button', { name: 'Cancel' }).click();
    await newPolicy.waitFor({ state: 'hidden' });

    // Assign the policy to the group through its screen, with a priority.
    await page().getByRole('link', { name: 'Year 4 Oak tablets' }).click();
    await page().getByRole('heading', { name: 'Year 4 Oak tablets', level: 1 }).waitFor();
    await page().getByRole('button', { name: 'Assign to a group' }).click();
    const assign = page().getByRole('dialog', { name: 'Assign to a group' });
    await assign.getByLabel('Priority').fill('5');
    await checkScreen('policy-assign');
    await assign.getByRole('button', { name: 'Assign' }).click();
    await assign.waitFor({ state: 'hidden' });
    const assignments = page().getByRole('grid', { name: 'Where this policy applies' });
    const groupRow = assignments.getByRole('row').filter({ hasText: 'Year 4 Oak (group)' });
    expect(await groupRow.getByRole('gridcell').allTextContents()).toEqual([
      '5',
      'Remove from Year 4 Oak (group)',
    ]);
    await waitForAllApplied();
    expect(devices.map((d) => (d.enforcer.settings as { camera: object }).camera)).toEqual(
      Array.from({ length: DEVICES }, () => ({ allowed: true })),
    );
    await checkScreen('policy-editor');

    // Compliance, open in a second tab, watches the push: never reloaded.
    const watcher = await browser().newPage();
    await signIn(watcher);
    await watcher
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Compliance' })
      .click();
    await watcher.getByText(`${DEVICES} of ${DEVICES} applied`).waitFor();
    await watcher.evaluate('window.sameDocument = true');

    // The devices take a moment each, so the push is seen in progress.
    devices.forEach((device) => (device.enforcer.actionDelayMs = 2_500));
    const camera = page().getByRole('switch', { name: 'Camera allowed', exact: true });
    expect(await camera.isChecked()).toBe(true);
    await camera.uncheck();
    // Enforced: a narrower policy (a device's own) may not turn the camera back on.
    const enforced = page().getByRole('switch', { name: 'Enforced (Camera allowed)' });
    expect(await enforced.isChecked()).toBe(false);
    await enforced.check();
    await page().getByRole('button', { name: 'Save changes' }).click();
    await page().getByRole('status').filter({ hasText: 'Saved as revision 2' }).waitFor();
    expect(
      (await callApi<Policy>(hub().url, 'GET', `/api/policies/${policy.id}`, adminToken)).enforced,
    ).toEqual(['camera.allowed']);

    await watcher
      .getByRole('progressbar', { name: 'All devices: policy push in progress' })
      .waitFor();
    await watcher.getByText(`0 of ${DEVICES} applied`).waitFor();
    await screenshot(watcher, 'compliance-push-in-progress-1024x768');
    await watcher.getByText(`${DEVICES} of ${DEVICES} applied`).waitFor({ timeout: 20_000 });
    expect(await watcher.getByRole('progressbar').count()).toBe(0);
    expect(await watcher.evaluate('window.sameDocument')).toBe(true);
    devices.forEach((device) => (device.enforcer.actionDelayMs = 0));
    expect(devices.map((d) => (d.enforcer.settings as { camera: object }).camera)).toEqual(
      Array.from({ length: DEVICES }, () => ({ allowed: false })),
    );
    usePage(watcher); // checked and closed by afterEach from here
    await checkScreen('compliance');

    // The number opens onto the devices behind it.
    const byPolicy = page().getByRole('grid', { name: 'Devices by policy' });
    await byPolicy.getByRole('link', { name: `${DEVICES} applied of Year 4 Oak tablets` }).click();
    const list = page().getByRole('grid', { name: 'Applied devices of Year 4 Oak tablets' });
    await list.getByRole('link', { name: 'Oak iPad 3' }).waitFor();
    expect((await list.getByRole('rowheader').allTextContents()).sort()).toEqual([
      'Oak iPad 1',
      'Oak iPad 2',
      'Oak iPad 3',
    ]);
    await checkScreen('compliance-devices');
  }, 300_000);

  it('says the range beside the field with the bad value, and saves nothing', async () => {
    await signIn(page());
    await page().goto(`${hub().url}/policies/${policy.id}`);
    await page().getByRole('heading', { name: 'Year 4 Oak tablets', level: 1 }).waitFor();
    await page()
      .getByRole('switch', { name: 'Set here (Lock the screen after (minutes))' })
      .check();
    const minutes = page().getByLabel('Lock the screen after (minutes)', { exact: true });
    await minutes.fill('90');
    await page().getByRole('button', { name: 'Save changes' }).click();
    const field = page().locator('.field').filter({ has: minutes });
    // The form's own check, with the range the hub's check takes (libs/policy LIMITS).
    await field
      .locator('.field-error')
      .filter({ hasText: 'Lock the screen after (minutes) must be a whole number from 1 to 60.' })
      .waitFor();
    expect(await minutes.getAttribute('aria-invalid')).toBe('true');
    await page().getByRole('alert').filter({ hasText: 'Could not save' }).waitFor();
    await checkScreen('policy-editor-error');

    // Nothing was saved: still revision 2, without an auto-lock setting.
    const stored = await callApi<Policy>(
      hub().url,
      'GET',
      `/api/policies/${policy.id}`,
      adminToken,
    );
    expect([stored.revision, stored.settings]).toEqual([2, { camera: { allowed: false } }]);
  });

  it('rolls back to an earlier revision after a confirmation', async () => {
    await signIn(page());
    await page().goto(`${hub().url}/policies/${policy.id}`);
    const history = page().getByRole('grid', { name: 'Revision history' });
    const current = history.getByRole('row').filter({ hasText: '2 (current)' });
    await current.waitFor();
    // Who changed what, and when.
    const cells = await current.getByRole('gridcell').allTextContents();
    expect([cells[1], cells[2]]).toEqual([
      'Ivan (ivan)',
      'Camera allowed, Which settings are enforced',
    ]);

    await history.getByRole('button', { name: 'Roll back to revision 1' }).click();
    const confirm = page().getByRole('alertdialog', { name: 'Roll back to revision 1?' });
    await confirm.waitFor();
    await checkScreen('policy-rollback-confirm');
    // Cancelling changes nothing.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(
      (await callApi<Policy>(hub().url, 'GET', `/api/policies/${policy.id}`, adminToken)).revision,
    ).toBe(2);

    await history.getByRole('button', { name: 'Roll back to revision 1' }).click();
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await confirm.waitFor({ state: 'hidden' });
    const rolledBack = history.getByRole('row').filter({ hasText: '3 (current)' });
    await rolledBack.waitFor();
    expect((await rolledBack.getByRole('gridcell').allTextContents())[2]).toBe(
      'Rolled back to revision 1: Camera allowed, Which settings are enforced',
    );
    expect(
      await page().getByRole('switch', { name: 'Camera allowed', exact: true }).isChecked(),
    ).toBe(true);
    const stored = await callApi<Policy>(
      hub().url,
      'GET',
      `/api/policies/${policy.id}`,
      adminToken,
    );
    expect([stored.revision, stored.settings, stored.enforced]).toEqual([
      3,
      { camera: { allowed: true } },
      [],
    ]);
    await waitForAllApplied();
    await checkScreen('policy-rolled-back');
  });

  it('keeps what one editor typed when another saves the policy first, and does not save it over theirs', async () => {
    // A policy of its own, assigned nowhere: the counts of the other tests are not touched.
    const shared = await callApi<Policy>(hub().url, 'POST', '/api/policies', adminToken, {
      name: 'Library laptops',
      settings: { camera: { allowed: true }, screen: { autoLockMinutes: 5 } },
    });
    const stored = () =>
      callApi<Policy>(hub().url, 'GET', `/api/policies/${shared.id}`, adminToken);
    const open = async (on: Page) => {
      await signIn(on);
      await on.goto(`${hub().url}/policies/${shared.id}`);
      await on.getByRole('heading', { name: 'Library laptops', level: 1 }).waitFor();
    };
    const camera = (on: Page) => on.getByRole('switch', { name: 'Camera allowed', exact: true });
    const minutes = (on: Page) => on.getByLabel('Lock the screen after (minutes)', { exact: true });
    const first = page();
    const second = await browser().newPage();
    await open(first);
    await open(second);

    // The second types a new auto-lock; the first turns the camera off and saves meanwhile.
    await minutes(second).fill('10');
    await camera(first).uncheck();
    await first.getByRole('button', { name: 'Save changes' }).click();
    await first.getByRole('status').filter({ hasText: 'Saved as revision 2' }).waitFor();

    // The second's save is refused, saying so, and what they typed is still there.
    await second.getByRole('button', { name: 'Save changes' }).click();
    const notice = second.getByRole('alert').filter({ hasText: 'Not saved.' });
    await notice
      .filter({ hasText: 'saved as revision 2 (by someone else, or by a rollback)' })
      .waitFor();
    expect(await minutes(second).inputValue()).toBe('10');
    expect(await camera(second).isChecked()).toBe(true);
    let now = await stored();
    expect([now.revision, now.settings]).toEqual([
      2,
      { camera: { allowed: false }, screen: { autoLockMinutes: 5 } },
    ]);
    usePage(second);
    await checkScreen('policy-changed-meanwhile');

    // Shown the newer revision, they make their change again, and both changes stand.
    await notice.getByRole('button', { name: 'Discard mine and show revision 2' }).click();
    await notice.waitFor({ state: 'hidden' });
    expect(await camera(second).isChecked()).toBe(false);
    expect(await minutes(second).inputValue()).toBe('5');
    await minutes(second).fill('10');
    await second.getByRole('button', { name: 'Save changes' }).click();
    await second.getByRole('status').filter({ hasText: 'Saved as revision 3' }).waitFor();
    now = await stored();
    expect([now.revision, now.settings]).toEqual([
      3,
      { camera: { allowed: false }, screen: { autoLockMinutes: 10 } },
    ]);

    // The first, with nothing typed, is shown revision 3 when it reads the policy again (the
    // tab shown again, once its read is 10 s old)...
    const shownAgain = async (on: Page) => {
      await on.waitForTimeout(10_500);
      await on.evaluate("window.dispatchEvent(new Event('visibilitychange'))");
    };
    await shownAgain(first);
    await waitFor(
      async () => (await minutes(first).inputValue()) === '10',
      'the first tab to show revision 3',
    );
    // ...but what it types is not replaced by a revision saved meanwhile.
    await camera(first).check();
    await callApi(hub().url, 'PATCH', `/api/policies/${shared.id}`, adminToken, {
      description: 'Laptops lent from the library',
    });
    await shownAgain(first);
    await first
      .getByRole('alert')
      .filter({ hasText: 'Changed by someone else.' })
      .filter({ hasText: 'saved as revision 4' })
      .waitFor();
    expect(await camera(first).isChecked()).toBe(true);
  }, 120_000);

  // Last: it adds a device, which the counts above do not expect.
  it('shows a device that could not enforce a setting as partly applied, naming the setting', async () => {
    const token = await makeEnrollmentToken(hub().url, adminToken, { maxUses: 1 });
    const identity = await enrollTestDevice({ url: hub().url }, token, { name: 'Loan laptop 9' });
    // A laptop answers the baseline with protocol 1.1's `unenforced` (issue 9).
    const enforcer = new SimulatedEnforcer();
    enforcer.unenforcedSettings = ['passcode.minLength'];
    devices.push(connectTestDevice(identity, { enforcer }));
    await waitFor(
      async () =>
        (await callApi<ComplianceSummary>(hub().url, 'GET', '/api/compliance', adminToken)).byStatus
          .partial === 1,
      'the laptop to be partial',
      20_000,
    );

    await signIn(page());
    await page().goto(`${hub().url}/compliance?status=partial#devices`);
    const list = page().getByRole('grid', { name: 'Partial devices' });
    const row = list.getByRole('row').filter({ hasText: 'Loan laptop 9' });
    await row.waitFor();
    expect(await list.getByRole('rowheader').allTextContents()).toEqual(['Loan laptop 9']);
    const cells = await row.getByRole('gridcell').allTextContents();
    expect(cells).toContain('Partial');
    expect(cells).toContain('Not enforced: passcode.minLength');
    await checkScreen('compliance-partial');

    // Its own record says the same, in words.
    await row.getByRole('link', { name: 'Loan laptop 9' }).click();
    await page().waitForURL(`**/devices/${identity.deviceId}`);
    const said = page()
      .locator('dt', { hasText: 'Settings it cannot enforce' })
      .locator('xpath=following-sibling::dd[1]');
    await said.waitFor();
    expect(await said.textContent()).toBe('Shortest passcode');
    expect(
      await page()
        .locator('dt', { hasText: /^Status$/ })
        .locator('xpath=following-sibling::dd[1]')
        .allTextContents(),
    ).toContain('Partly applied');
  }, 120_000);
});
