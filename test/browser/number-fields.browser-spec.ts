// A whole-number field's own check says the hub's range, in plain words, before anything is sent:
// a number the hub would refuse, or one too long for JavaScript (which JSON sends as null, so the
// hub answered "must be an integer number" about a number the person typed), never reaches it.
import type { Page } from 'playwright-core';
import type { DeviceGroup, Policy } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  consoleSpec,
  createStaffAccount,
  signInWithForm,
} from '../support/browser';

/** 20 digits: more than JavaScript holds exactly (Number gives 1e20). */
const TWENTY_DIGITS = '99999999999999999999';
/** 400 digits: Number gives Infinity, which JSON sends as null. */
const FOUR_HUNDRED_DIGITS = '9'.repeat(400);

describe('whole-number fields', () => {
  let adminToken: string;
  let ict: { username: string; password: string };
  let policy: Policy;
  const { hub, page } = consoleSpec();

  beforeAll(async () => {
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    ict = await createStaffAccount(hub().url, adminToken, 'nora', ['ict']);
    await apiSignIn(hub().url, ict.username, ict.password);
    await callApi<DeviceGroup>(hub().url, 'POST', '/api/groups', adminToken, {
      name: 'Year 4 Oak',
    });
    policy = await callApi<Policy>(hub().url, 'POST', '/api/policies', adminToken, {
      name: 'Year 4 tablets',
      settings: { screen: { autoLockMinutes: 5 }, passcode: { minLength: 6 } },
    });
  });

  /** Signs in at `path`; returns the method and path of every request to the hub but GETs. */
  async function signInAt(path: string): Promise<string[]> {
    await page().goto(`${hub().url}${path}`);
    await page().waitForURL(/\/sign-in/);
    await signInWithForm(page(), ict.username, ict.password);
    await page().waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    const sent: string[] = [];
    page().on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/') && request.method() !== 'GET') {
        sent.push(`${request.method()} ${url.pathname}`);
      }
    });
    return sent;
  }

  async function fieldError(on: Page, text: string): Promise<void> {
    await on.locator('.field-error').filter({ hasText: text }).first().waitFor();
  }

  it('Priority says -1,000 to 1,000 for a number too long, and sends nothing', async () => {
    const sent = await signInAt(`/policies/${policy.id}`);
    await page().getByRole('button', { name: 'Assign to a group' }).click();
    const dialog = page().getByRole('dialog', { name: 'Assign to a group' });
    const priority = dialog.getByLabel('Priority');
    for (const typed of [TWENTY_DIGITS, '1001', '-1001']) {
      await priority.fill(typed);
      await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
      await fieldError(page(), 'Priority must be a whole number from -1,000 to 1,000.');
      expect(await priority.getAttribute('aria-invalid')).toBe('true');
    }
    expect(sent).toEqual([]);

    await priority.fill('1000');
    await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(sent).toEqual([`POST /api/policies/${policy.id}/assignments`]);
  });

  it("a policy's minutes and passcode length say their range for a number too long, and nothing is saved", async () => {
    const sent = await signInAt(`/policies/${policy.id}`);
    await page().getByRole('heading', { name: 'Year 4 tablets', level: 1 }).waitFor();
    const minutes = page().getByRole('textbox', { name: 'Lock the screen after (minutes)' });
    const passcode = page().getByRole('textbox', { name: 'Shortest passcode (characters)' });
    await minutes.fill(FOUR_HUNDRED_DIGITS);
    await passcode.fill(TWENTY_DIGITS);
    await page().getByRole('button', { name: 'Save changes' }).click();
    await fieldError(
      page(),
      'Lock the screen after (minutes) must be a whole number from 1 to 60.',
    );
    await fieldError(page(), 'Shortest passcode (characters) must be a whole number from 4 to 64.');
    expect(sent).toEqual([]);
  });
});
