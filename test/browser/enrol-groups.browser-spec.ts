// The Enrol and Groups screens in a real browser (issue 11): ICT signs in for the first time,
// accepts the AUP and makes a token; the QR code appears holding the hub's address and that
// token, and a simulated device enrols with the token shown. Copying works, and says how to copy
// by hand where the browser has no clipboard. A token is revoked after a confirmation. Then a
// group is made, renamed (a taken name is said beside the field), and the device is added by
// the hub's search and taken out again. Every screen: axe with no serious or critical violation,
// no sideways scrolling and 44 px targets at both iPad sizes, and no CSP violation. A double
// click on "Make token" or "Make group" sends one request.
import type { DeviceIdentity } from '@app/devices';
import type { EnrolmentTokenView } from '@app/hub-api';
import type { Request as SentRequest } from 'playwright-core';
import QRCode from 'qrcode';
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
import { connectTestDevice, enrollTestDevice, TestDevice } from '../support/devices';

describe('the Enrol and Groups screens', () => {
  let adminToken: string;
  let ict: { username: string; password: string };
  /** Enrolled in the first test with the token the page showed; grouped in the second. */
  let enrolled: DeviceIdentity | undefined;
  const connected: TestDevice[] = [];
  const { hub, browser, page, checkScreen } = consoleSpec({
    beforeClose: () => connected.forEach((device) => device.client.close()),
  });

  beforeAll(async () => {
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    ict = await createStaffAccount(hub().url, adminToken, 'iris', ['ict']);
  });

  /** Every POST the test's tab sends to `pathname` from now on, as it is sent. */
  function postsFromPage(pathname: string): SentRequest[] {
    const sent: SentRequest[] = [];
    page().on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === pathname) {
        sent.push(request);
      }
    });
    return sent;
  }

  async function signInAsIct(path: string): Promise<void> {
    await page().goto(`${hub().url}${path}`);
    await page().waitForURL(/\/sign-in/);
    await signInWithForm(page(), ict.username, ict.password);
  }

  it('ICT makes a token: the QR code appears, and a device enrols with the token shown', async () => {
    await browser().context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: hub().url,
    });
    // First sign-in: the AUP comes first, then the page asked for.
    await signInAsIct('/');
    await page().getByRole('button', { name: 'I accept' }).click();
    await page().getByRole('heading', { name: 'Hello, Iris' }).waitFor();
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Enrol' })
      .click();
    await page().getByRole('heading', { name: 'Enrol devices', level: 1 }).waitFor();
    await page().getByText('No tokens made yet.').waitFor();
    await checkScreen('enrol');

    // A number of devices the hub would refuse is said beside the field.
    await page().getByLabel('Label (optional)').fill('Trolley A laptops');
    const uses = page().getByLabel('How many devices may use it');
    await uses.fill('0');
    await page().getByRole('button', { name: 'Make token' }).click();
    await page().locator('.field-error').filter({ hasText: 'whole number of devices' }).waitFor();
    expect(await uses.getAttribute('aria-invalid')).toBe('true');

    // A double click makes one token: the second click comes before the button is drawn busy.
    await uses.fill('2');
    const sent = postsFromPage('/api/enrollment-tokens');
    await page().getByRole('button', { name: 'Make token' }).dblclick();
    const qr = page().getByRole('img', { name: 'Enrolment QR code' });
    await qr.waitFor();
    await Promise.all(sent.map((request) => request.response()));
    expect(sent).toHaveLength(1);
    const made = await callApi<EnrolmentTokenView[]>(
      hub().url,
      'GET',
      '/api/enrollment-tokens',
      adminToken,
    );
    expect(made.filter((token) => token.label === 'Trolley A laptops')).toHaveLength(1);
    expect(await qr.isVisible()).toBe(true);
    const token = await page()
      .getByRole('textbox', { name: 'Enrolment token', exact: true })
      .inputValue();
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);

    // The code holds the hub's address and the token, exactly (drawn again here to compare).
    const expectedSvg = await QRCode.toString(
      JSON.stringify({ type: 'classroom-hub-enrolment', hub: hub().url, token }),
      { type: 'svg', errorCorrectionLevel: 'M', margin: 4 },
    );
    expect(await qr.getAttribute('src')).toBe(
      `data:image/svg+xml,${encodeURIComponent(expectedSvg)}`,
    );
    // The laptop's command, with the agent's real flags.
    const command = page().getByRole('textbox', {
      name: 'Command to enrol a laptop with the agent',
    });
    expect(await command.inputValue()).toBe(
      `npm run agent -- enroll --hub ${hub().url} --token ${token}`,
    );
    // The hub is at 127.0.0.1 here: the page says devices elsewhere cannot use that address.
    await page().getByText('Only this computer can use this address.').waitFor();
    await checkScreen('enrol-token');

    // Copy puts the token on the clipboard.
    await page().getByRole('button', { name: 'Copy token' }).click();
    await page().getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
    expect(await page().evaluate<string>('navigator.clipboard.readText()')).toBe(token);

    // For an https:// address the command and the code carry the CA's fingerprint.
    const school = await callApi<{ caFingerprint: string }>(hub().url, 'GET', '/api/school');
    const address = page().getByRole('textbox', { name: 'Hub address for devices' });
    await address.fill('https://hub.oakhill.example:8443/');
    expect(await command.inputValue()).toBe(
      `npm run agent -- enroll --hub https://hub.oakhill.example:8443 --token ${token} ` +
        `--ca-fingerprint ${school.caFingerprint}`,
    );
    const httpsSvg = await QRCode.toString(
      JSON.stringify({
        type: 'classroom-hub-enrolment',
        hub: 'https://hub.oakhill.example:8443',
        token,
        caFingerprint: school.caFingerprint,
      }),
      { type: 'svg', errorCorrectionLevel: 'M', margin: 4 },
    );
    await page()
      .locator(`img[src="data:image/svg+xml,${encodeURIComponent(httpsSvg)}"]`)
      .waitFor();
    // An address that is not one is said beside the field, and no code is drawn for it.
    await address.fill('hub.oakhill');
    await page().locator('.field-error').filter({ hasText: 'http:// or https://' }).waitFor();
    expect(await qr.count()).toBe(0);

    // A simulated device enrols with the token the page showed, and the list counts the use.
    enrolled = await enrollTestDevice(hub(), token, { name: 'Trolley A 01' });
    expect(enrolled.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    await page().reload();
    const row = page().getByRole('row').filter({ hasText: 'Trolley A laptops' });
    await row.getByRole('gridcell', { name: '1 of 2' }).waitFor();
    await row.getByRole('gridcell', { name: 'Usable' }).waitFor();

    // Revoked after a confirmation: the list says so, and the hub refuses the token.
    await row.getByRole('button', { name: 'Revoke' }).click();
    const confirm = page().getByRole('alertdialog', { name: 'Revoke this enrolment token?' });
    await confirm.getByText('“Trolley A laptops”').waitFor();
    await checkScreen('enrol-revoke');
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await row.getByRole('gridcell', { name: 'Revoked' }).waitFor();
    expect(await row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    await expect(enrollTestDevice(hub(), token)).rejects.toThrow(/401/);
  });

  it('says how to copy by hand where the browser has no clipboard', async () => {
    // As on an http:// address other than this computer: no navigator.clipboard at all.
    await page().addInitScript(
      "Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined })",
    );
    await page().goto(`${hub().url}/sign-in?next=%2Fenrol`);
    await signInWithForm(page(), ict.username, ict.password);
    await page().getByRole('heading', { name: 'Enrol devices', level: 1 }).waitFor();
    await page().getByRole('button', { name: 'Make token' }).click();
    await page().getByRole('img', { name: 'Enrolment QR code' }).waitFor();
    const token = await page()
      .getByRole('textbox', { name: 'Enrolment token', exact: true })
      .inputValue();
    await page().getByRole('button', { name: 'Copy token' }).click();
    await page().getByRole('status').filter({ hasText: 'The text is selected' }).waitFor();
    // The token is selected in its field, ready for Ctrl+C.
    expect(
      await page().evaluate<string>(
        '(() => { const f = document.activeElement; return f.value.slice(f.selectionStart, f.selectionEnd); })()',
      ),
    ).toBe(token);
  });

  it('hides the token shown before when making the next one fails, so it is not handed out as new', async () => {
    await page().goto(`${hub().url}/sign-in?next=%2Fenrol`);
    await signInWithForm(page(), ict.username, ict.password);
    await page().getByRole('heading', { name: 'Enrol devices', level: 1 }).waitFor();
    const tokenField = page().getByRole('textbox', { name: 'Enrolment token', exact: true });
    const qr = page().getByRole('img', { name: 'Enrolment QR code' });
    await page().getByRole('button', { name: 'Make token' }).click();
    await qr.waitFor();

    // A number the console refuses: said beside the field, and the old token's panel is gone.
    const uses = page().getByLabel('How many devices may use it');
    await uses.fill('0');
    await page().getByRole('button', { name: 'Make token' }).click();
    await page().locator('.field-error').filter({ hasText: 'whole number of devices' }).waitFor();
    expect(await tokenField.count()).toBe(0);
    expect(await qr.count()).toBe(0);

    // A refusal from the hub (here its answer is replaced by a 500): the same.
    await uses.fill('1');
    await page().getByRole('button', { name: 'Make token' }).click();
    await qr.waitFor();
    await page().route('**/api/enrollment-tokens', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 500,
            contentType: 'application/json',
            body: JSON.stringify({ statusCode: 500, message: 'Internal server error' }),
          })
        : route.fallback(),
    );
    await page().getByRole('button', { name: 'Make token' }).click();
    await page().getByRole('alert').filter({ hasText: 'Could not make the token.' }).waitFor();
    expect(await tokenField.count()).toBe(0);
    expect(await qr.count()).toBe(0);
    await checkScreen('enrol-error');
  });

  it('makes a group, renames it, and adds and removes a device found by search', async () => {
    // The device the first test enrolled with the page's token (or, run alone, one enrolled here).
    enrolled ??= await enrollTestDevice(hub(), await makeEnrollmentToken(hub().url, adminToken), {
      name: 'Trolley A 01',
    });
    const device = connectTestDevice(enrolled);
    connected.push(device);
    await callApi(hub().url, 'POST', '/api/groups', adminToken, { name: 'Year 5 Ash' });

    await apiSignIn(hub().url, ict.username, ict.password); // the AUP, when run alone
    await page().goto(`${hub().url}/sign-in?next=%2Fgroups`);
    await signInWithForm(page(), ict.username, ict.password);
    await page().getByRole('heading', { name: 'Device groups', level: 1 }).waitFor();
    await page().getByRole('link', { name: 'Year 5 Ash' }).waitFor();
    await checkScreen('groups');

    // A taken name is said beside the name, also typed in other capitals and spacing: the
    // hub names the group as it is written.
    const name = page().getByLabel('Name', { exact: true });
    await name.fill('year 5  ash ');
    await page().getByRole('button', { name: 'Make group' }).click();
    await page()
      .locator('.field-error')
      .filter({ hasText: 'A group named "Year 5 Ash" already exists' })
      .waitFor();
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await checkScreen('groups-name-taken');

    // Made: its page opens.
    await name.fill('Year 4 Oak');
    await page().getByLabel('Description (optional)').fill('The Year 4 class set');
    // A double click sends the form once: no second request that the hub refuses as taken.
    const sent = postsFromPage('/api/groups');
    await page().getByRole('button', { name: 'Make group' }).dblclick();
    await page().getByRole('heading', { name: 'Group: Year 4 Oak', level: 1 }).waitFor();
    await Promise.all(sent.map((request) => request.response()));
    expect(sent).toHaveLength(1);
    const groupId = /\/groups\/([0-9a-f-]{36})$/.exec(page().url())?.[1] as string;
    expect(groupId).toBeDefined();
    await page().getByText('No devices in this group yet.').waitFor();

    // Renamed: a taken name beside the field first, then the new name everywhere.
    const rename = page().getByLabel('Name', { exact: true });
    await rename.fill('YEAR 5 ASH');
    await page().getByRole('button', { name: 'Save name and description' }).click();
    await page()
      .locator('.field-error')
      .filter({ hasText: 'A group named "Year 5 Ash" already exists' })
      .waitFor();
    await rename.fill('Year 4 Oak iPads');
    await page().getByRole('button', { name: 'Save name and description' }).click();
    await page().getByRole('heading', { name: 'Group: Year 4 Oak iPads', level: 1 }).waitFor();
    await page().getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const renamed = await callApi<{ name: string }>(
      hub().url,
      'GET',
      `/api/groups/${groupId}`,
      adminToken,
    );
    expect(renamed.name).toBe('Year 4 Oak iPads');

    // Added by the hub's search: part of its serial number finds it.
    const serial = (
      await callApi<{ serialNumber: string }>(
        hub().url,
        'GET',
        `/api/devices/${enrolled.deviceId}`,
        adminToken,
      )
    ).serialNumber;
    const picker = page().getByRole('combobox', { name: 'Find a device' });
    await picker.fill(serial.slice(-6));
    const option = page().getByRole('option', { name: /Trolley A 01/ });
    await option.waitFor();
    expect(await option.textContent()).toContain(`serial ${serial}`);
    // Not checked with axe while open: React Aria hides the rest of the page from assistive
    // technology while its list is open (aria-hidden on focusable content, by design).
    await screenshot(page(), 'group-search-1024x768');
    await option.click();
    await page().getByRole('button', { name: 'Add to group' }).click();
    await page()
      .getByRole('status')
      .filter({ hasText: 'Trolley A 01 was added to the group.' })
      .waitFor();
    const members = page().getByRole('grid', { name: 'Devices in this group' });
    const memberRow = members.getByRole('row').filter({ hasText: 'Trolley A 01' });
    await memberRow.getByRole('gridcell', { name: 'Online' }).waitFor();
    expect(
      (
        await callApi<{ deviceIds: string[] }>(
          hub().url,
          'GET',
          `/api/groups/${groupId}`,
          adminToken,
        )
      ).deviceIds,
    ).toEqual([enrolled.deviceId]);
    await checkScreen('group');

    // A device already in the group is not offered again.
    await picker.fill(serial.slice(-6));
    await page().getByText('No device outside this group matches.').waitFor();
    await picker.fill('');
    await page().keyboard.press('Escape'); // closes the list, and with it React Aria's aria-hidden

    // Taken out.
    await members.getByRole('button', { name: 'Remove Trolley A 01 from the group' }).click();
    await page()
      .getByRole('status')
      .filter({ hasText: 'Trolley A 01 was taken out of the group.' })
      .waitFor();
    await page().getByText('No devices in this group yet.').waitFor();
    expect(
      (
        await callApi<{ deviceIds: string[] }>(
          hub().url,
          'GET',
          `/api/groups/${groupId}`,
          adminToken,
        )
      ).deviceIds,
    ).toEqual([]);

    // The list shows the new name and its count.
    await page().getByRole('link', { name: 'All groups' }).click();
    const listRow = page().getByRole('row').filter({ hasText: 'Year 4 Oak iPads' });
    await listRow.getByRole('gridcell', { name: '0' }).waitFor();
  });

  it('keeps a group whose name is one long word on a portrait iPad', async () => {
    // The hub takes a group's name of up to 128 characters, spaces or not.
    const longName = `Trolley${'X'.repeat(121)}`;
    await callApi(hub().url, 'POST', '/api/groups', adminToken, { name: longName });
    await apiSignIn(hub().url, ict.username, ict.password); // the AUP, when run alone
    await page().goto(`${hub().url}/sign-in?next=%2Fenrol`);
    await signInWithForm(page(), ict.username, ict.password);
    await page().getByRole('checkbox', { name: longName }).waitFor({ state: 'attached' });
    // The group's box on the token form breaks its label rather than push the page sideways.
    await checkScreen('enrol-long-group');
  });
});
