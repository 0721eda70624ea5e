// The Devices and Device detail screens in a real browser (issue 11): ICT signs in for the first
// time and accepts the AUP; a simulated device enrols with a token made through the API and
// appears online in the list without a reload; the list's search and online filter go to the
// hub; ICT opens the device by its link, locks it from its detail page (a dialog, "Lock device")
// and sees the command reach acknowledged, reads its battery and which profile decided each
// setting, sends it a message, then sees it go offline, live, on both screens; an iPad's signed
// .mobileconfig downloads from its page. On
// every screen at both iPad sizes: no serious or critical axe violation, no sideways scrolling,
// 44 px targets, no Content-Security-Policy violation.
import * as fs from 'node:fs';
import type { WebSocketRoute } from 'playwright-core';
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

// Each test signs in, enrols and checks several screens with axe on a shared two-core machine.
jest.setTimeout(240_000);

describe('the Devices screens', () => {
  let device: TestDevice | null = null;
  const { hub, page, checkScreen } = consoleSpec({
    // A wait that fails names its step well inside the test's own timeout.
    pageTimeout: 20_000,
    beforeClose: () => device?.client.close(),
  });

  /** The device list's row for a device, found by the link that names it. */
  const rowOf = (label: string) =>
    page()
      .getByRole('grid', { name: 'Devices' })
      .getByRole('row')
      .filter({ has: page().getByRole('link', { name: label, exact: true }) });

  it('lists a device that enrols, live; ICT locks it from its page and sees it acknowledged', async () => {
    const adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    const ict = await createStaffAccount(hub().url, adminToken, 'iris', ['ict']);

    // First sign-in: the AUP comes first, then the navigation.
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), ict.username, ict.password);
    await page().getByRole('button', { name: 'I accept' }).click();
    await page().getByRole('heading', { name: 'Hello, Iris' }).waitFor();
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Devices' })
      .click();
    await page().getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    await page().getByText('No devices are enrolled yet.').waitFor();

    // A token made through the API; a device that will stay offline, and one that connects.
    const ictToken = await apiSignIn(hub().url, ict.username, ict.password);
    const token = await makeEnrollmentToken(hub().url, ictToken, { maxUses: 5 });
    await enrollTestDevice(hub(), token, { name: 'Spare laptop', assetTag: 'SPARE-1' });
    const identity = await enrollTestDevice(hub(), token, {
      name: 'Oak laptop 7',
      assetTag: 'OAK-007',
    });
    device = connectTestDevice(identity);

    // Without a reload, the connected device appears, online in words.
    await rowOf('Oak laptop 7').getByText('Online', { exact: true }).waitFor();
    await rowOf('Spare laptop').getByText('Offline', { exact: true }).waitFor();
    await checkScreen('devices');

    // Filters go to the hub: online only, then a search by asset tag.
    await page()
      .getByRole('button', { name: /^Online/ })
      .click();
    await page().getByRole('option', { name: 'Online now' }).click();
    await page().waitForURL(/online=true/);
    // A row gone also while the page loads: wait for the row that stays, then for the other to go.
    await rowOf('Oak laptop 7').waitFor();
    await waitFor(async () => (await rowOf('Spare laptop').count()) === 0, 'the offline row to go');
    await rowOf('Oak laptop 7').waitFor();
    // A search typed, then another filter picked before the typing pause ends: both hold.
    await page().getByRole('searchbox', { name: 'Search' }).fill('spare-1');
    await page()
      .getByRole('button', { name: /^Online/ })
      .click();
    await page().getByRole('option', { name: 'Online or offline' }).click();
    await page().waitForURL(/q=spare-1/);
    expect(page().url()).not.toMatch(/online=/);
    await waitFor(async () => (await rowOf('Oak laptop 7').count()) === 0, 'the search to apply');
    await rowOf('Spare laptop').waitFor();
    expect(await rowOf('Oak laptop 7').count()).toBe(0);
    await page().getByRole('searchbox', { name: 'Search' }).fill('');
    await rowOf('Oak laptop 7').waitFor();

    // Opened by its link: identity, online, and its policy setting by setting.
    await page().getByRole('link', { name: 'Oak laptop 7', exact: true }).click();
    await page().getByRole('heading', { name: 'Oak laptop 7', level: 1 }).waitFor();
    await page().getByText('OAK-007', { exact: true }).waitFor();
    await page()
      .getByRole('grid', { name: 'Resolved policy' })
      .getByText('Camera allowed')
      .waitFor();
    await page().getByRole('grid', { name: 'Reported state beside desired state' }).waitFor();
    await checkScreen('device-detail');

    // Lock: a dialog asks the reason and a message, confirmed with "Lock device".
    await page().getByRole('button', { name: 'Lock', exact: true }).click();
    const dialog = page().getByRole('dialog', { name: 'Lock Oak laptop 7' });
    await dialog.waitFor();
    await dialog
      .getByRole('textbox', { name: 'Message on the screen (optional)' })
      .fill('Please bring this laptop to the ICT office');
    await checkScreen('device-lock-dialog');
    await dialog.getByRole('button', { name: 'Lock device' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The command reaches the device and its status changes live to acknowledged.
    const commands = page().getByRole('grid', { name: 'Commands' });
    await commands
      .getByRole('row')
      .filter({ hasText: 'Lock' })
      .getByText('acknowledged')
      .waitFor({ timeout: 15_000 });
    // What the device really did: it is locked, showing the message.
    expect(device.enforcer.currentState().locked).toBe(true);
    await page()
      .getByRole('grid', { name: 'Reported state beside desired state' })
      .getByRole('row', { name: /Screen/ })
      .getByText('Locked', { exact: true })
      .waitFor();

    // Each setting of the resolved policy names the profile that decided it.
    const camera = page()
      .getByRole('grid', { name: 'Resolved policy' })
      .getByRole('row')
      .filter({ hasText: 'Camera allowed' });
    expect(await camera.getByRole('gridcell').last().textContent()).toBe(
      'School baseline (whole school)',
    );
    // The battery the device reports, in words, changing live.
    device.enforcer.simulateLocalChange({ battery: 63, charging: true });
    await page().locator('.device-facts').getByText('63%, charging', { exact: true }).waitFor();

    // Send message: the text and who it is from reach the device. The hub names the sender
    // (whoever is signed in), so the dialog says so rather than offer a "From" it would ignore.
    await page().getByRole('button', { name: 'Send message' }).click();
    const messageDialog = page().getByRole('dialog', { name: 'Send a message to Oak laptop 7' });
    await messageDialog.getByText('The device shows it as from you, Iris.').waitFor();
    expect(await messageDialog.getByRole('textbox', { name: 'From' }).count()).toBe(0);
    // Nothing typed: said beside the field in words, nothing sent.
    await messageDialog.getByRole('button', { name: 'Send', exact: true }).click();
    await messageDialog.locator('.field-error').getByText('Type the message to show.').waitFor();
    await messageDialog
      .getByRole('textbox', { name: 'Message', exact: true })
      .fill('Lunch is at 12');
    await messageDialog.getByRole('button', { name: 'Send', exact: true }).click();
    await messageDialog.waitFor({ state: 'detached' });
    await commands
      .getByRole('row')
      .filter({ hasText: 'Show a message' })
      .getByText('acknowledged')
      .waitFor({ timeout: 15_000 });
    expect(device.enforcer.messages.map(({ text, from }) => ({ text, from }))).toEqual([
      { text: 'Lunch is at 12', from: 'Iris' },
    ]);

    // The device goes away: Offline, live, here and in the list.
    device.client.close();
    await page().locator('.device-facts').getByText('Offline', { exact: true }).waitFor();
    await page().getByRole('link', { name: 'All devices' }).click();
    await rowOf('Oak laptop 7').getByText('Offline', { exact: true }).waitFor();
  });

  it('reads the list afresh when its live connection comes back, so nothing missed meanwhile stays shown', async () => {
    // The console's WebSocket to the hub goes through the test, which can cut it.
    let cut = false;
    const open: WebSocketRoute[] = [];
    await page().routeWebSocket(/\/socket\.io\//, (ws) => {
      if (cut) {
        void ws.close();
        return;
      }
      ws.connectToServer();
      open.push(ws);
    });
    const adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    const ict = await createStaffAccount(hub().url, adminToken, 'ivy', ['ict']);
    const token = await makeEnrollmentToken(hub().url, adminToken, { maxUses: 1 });
    const laptop = connectTestDevice(
      await enrollTestDevice(hub(), token, { name: 'Beech laptop 2', assetTag: 'BEECH-2' }),
    );
    try {
      await page().goto(`${hub().url}/sign-in`);
      await signInWithForm(page(), ict.username, ict.password);
      await page().getByRole('button', { name: 'I accept' }).click();
      await page().getByRole('heading', { name: 'Hello, Ivy' }).waitFor();
      await page()
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Devices' })
        .click();
      await rowOf('Beech laptop 2').getByText('Online', { exact: true }).waitFor();

      // The connection drops; the laptop goes offline while the console cannot hear it.
      cut = true;
      open.splice(0).forEach((ws) => void ws.close());
      await page().getByText('Live updates paused: reconnecting to the hub…').waitFor();
      laptop.client.close();
      await waitFor(async () => {
        const devices = await callApi<{ items: { name: string; online: boolean }[] }>(
          hub().url,
          'GET',
          '/api/devices?search=BEECH-2',
          adminToken,
        );
        return devices.items.length === 1 && !devices.items[0].online;
      }, 'the hub to see the laptop offline');
      await rowOf('Beech laptop 2').getByText('Online', { exact: true }).waitFor();

      // Back: the notice goes, and the list says what the hub knows now.
      cut = false;
      await page()
        .getByText('Live updates paused: reconnecting to the hub…')
        .waitFor({ state: 'detached' });
      await rowOf('Beech laptop 2').getByText('Offline', { exact: true }).waitFor();
    } finally {
      laptop.client.close();
    }
  });

  it("moves the list's Last seen with each report the device sends, without a reload", async () => {
    const adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    const token = await makeEnrollmentToken(hub().url, adminToken, { maxUses: 1 });
    const laptop = connectTestDevice(
      await enrollTestDevice(hub(), token, { name: 'Birch laptop 3', assetTag: 'BIRCH-3' }),
    );
    try {
      await waitFor(() => laptop.client.connected, 'the laptop to connect');
      await page().goto(`${hub().url}/devices`);
      await signInWithForm(page(), 'admin', ADMIN_PASSWORD);
      const lastSeen = rowOf('Birch laptop 3').getByRole('gridcell').nth(3);
      await rowOf('Birch laptop 3').getByText('Online', { exact: true }).waitFor();
      const before = (await lastSeen.textContent()) ?? '';
      expect(before).toMatch(/\d{2}:\d{2}$/);

      // "Last seen" is to the minute: the laptop reports (its battery) once the minute has
      // turned, and the row says the new time while the page stays as it is.
      await page().waitForTimeout(60_000 - (Date.now() % 60_000) + 1_000);
      laptop.enforcer.simulateLocalChange({ battery: 41, charging: false });
      await waitFor(
        async () => ((await lastSeen.textContent()) ?? '') !== before,
        "the row's Last seen to move",
        15_000,
      );
      // The time shown is the hub's (its write of the report is gathered with others).
      const inWords = (iso: string) =>
        new Date(iso).toLocaleString('en-GB', {
          dateStyle: 'medium',
          timeStyle: 'short',
          timeZone: 'Europe/London',
        });
      const stored = await waitFor(async () => {
        const device = await callApi<{ lastSeenAt: string }>(
          hub().url,
          'GET',
          `/api/devices/${laptop.identity.deviceId}`,
          adminToken,
        );
        return inWords(device.lastSeenAt) !== before && inWords(device.lastSeenAt);
      }, 'the hub to store the report');
      expect(await lastSeen.textContent()).toBe(stored);
    } finally {
      laptop.client.close();
    }
  });

  it('names a device and gives it an asset tag from its page, saying beside the tag one another device has', async () => {
    const adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    const token = await makeEnrollmentToken(hub().url, adminToken, { maxUses: 2 });
    // Enrolled as the device names itself; the school knows it by another name and its label.
    const tablet = await enrollTestDevice(hub(), token, { name: "Sam's iPad" });
    await enrollTestDevice(hub(), token, { name: 'Ash 12', assetTag: 'ASH-12' });
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), 'admin', ADMIN_PASSWORD);
    await page()
      .getByRole('heading', { name: /^Hello/ })
      .waitFor();
    await page().goto(`${hub().url}/devices/${tablet.deviceId}`);
    await page().getByRole('heading', { name: "Sam's iPad", level: 1 }).waitFor();

    await page().getByRole('button', { name: 'Name and asset tag' }).click();
    const dialog = page().getByRole('dialog', { name: "Name and asset tag of Sam's iPad" });
    expect(await dialog.getByLabel('Name').inputValue()).toBe("Sam's iPad");
    const tagField = dialog.locator('.field').filter({ has: page().getByLabel('Asset tag') });
    await dialog.getByLabel('Name').fill('Ash 07');
    // A tag another device has: the hub's words, naming that device, beside the tag.
    await dialog.getByLabel('Asset tag').fill('ash-12');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await tagField
      .locator('.field-error')
      .filter({ hasText: 'Asset tag "ash-12" is already on Ash 12' })
      .waitFor();
    // A tag the hub's rule refuses: its words beside the tag, in plain words.
    await dialog.getByLabel('Asset tag').fill('ASH 07');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await tagField
      .locator('.field-error')
      .filter({ hasText: /^Asset tag must be 1 to 64 letters/ })
      .waitFor();
    await checkScreen('device-name-dialog');
    let stored = await callApi<{ name: string; assetTag: string | null }>(
      hub().url,
      'GET',
      `/api/devices/${tablet.deviceId}`,
      adminToken,
    );
    expect([stored.name, stored.assetTag]).toEqual(["Sam's iPad", null]);

    await dialog.getByLabel('Asset tag').fill('ASH-07');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page().getByRole('heading', { name: 'Ash 07', level: 1 }).waitFor();
    const facts = page().locator('.device-facts');
    await facts.getByText('ASH-07', { exact: true }).waitFor();
    stored = await callApi(hub().url, 'GET', `/api/devices/${tablet.deviceId}`, adminToken);
    expect([stored.name, stored.assetTag]).toEqual(['Ash 07', 'ASH-07']);
  });

  it('revokes after a confirmation, and shows a hub refusal in words beside the action', async () => {
    const adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    const token = await makeEnrollmentToken(hub().url, adminToken, { maxUses: 3 });
    const first = await enrollTestDevice(hub(), token, { name: 'Old netbook' });
    const second = await enrollTestDevice(hub(), token, { name: 'Lost tablet' });
    const ipad = await enrollTestDevice(hub(), token, { name: 'Class iPad', platform: 'ipados' });
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), 'admin', ADMIN_PASSWORD);
    await page()
      .getByRole('heading', { name: /^Hello/ })
      .waitFor();

    // An iPad's signed profile downloads from its page; a laptop's page does not offer one.
    await page().goto(`${hub().url}/devices/${ipad.deviceId}`);
    await page().getByRole('heading', { name: 'Class iPad', level: 1 }).waitFor();
    const [download] = await Promise.all([
      page().waitForEvent('download'),
      page().getByRole('button', { name: 'Download .mobileconfig' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Class-iPad.mobileconfig');
    const profile = fs.readFileSync((await download.path()) as string);
    // A signed profile is CMS (DER: a SEQUENCE) holding the plist that installs the policy.
    expect(profile[0]).toBe(0x30);
    expect(profile.toString('latin1')).toContain('PayloadContent');

    // Revoke asks first; then the page says so and the actions are off.
    await page().goto(`${hub().url}/devices/${first.deviceId}`);
    await page().getByRole('heading', { name: 'Old netbook', level: 1 }).waitFor();
    expect(await page().getByRole('button', { name: 'Download .mobileconfig' }).count()).toBe(0);
    await page().getByRole('button', { name: 'Revoke', exact: true }).click();
    const confirm = page().getByRole('alertdialog', { name: 'Revoke Old netbook?' });
    await checkScreen('device-revoke-confirm');
    await confirm.getByRole('button', { name: 'Revoke device' }).click();
    await page().getByText('This device is revoked.').waitFor();
    expect(await page().getByRole('button', { name: 'Lock', exact: true }).isDisabled()).toBe(true);
    const revoked = await callApi<{ status: string }>(
      hub().url,
      'GET',
      `/api/devices/${first.deviceId}`,
      adminToken,
    );
    expect(revoked.status).toBe('revoked');

    // Revoked elsewhere while its page is open: the hub's refusal appears beside Unlock.
    await page().goto(`${hub().url}/devices/${second.deviceId}`);
    await page().getByRole('heading', { name: 'Lost tablet', level: 1 }).waitFor();
    await callApi(hub().url, 'DELETE', `/api/devices/${second.deviceId}`, adminToken);
    await page().getByRole('button', { name: 'Unlock', exact: true }).click();
    await page()
      .getByRole('alert')
      .filter({ hasText: 'Could not unlock. This device is revoked; re-enrol it first.' })
      .waitFor();
    await checkScreen('device-error');
  });
});
