// The lesson grid in a real browser follows the class's tablets as ICT changes them (issue 12):
// a teacher has the grid open while ICT takes a tablet off the class and names another for it;
// the grid drops the one that left and shows the one that joined, without a reload. Before, the
// grid kept the tablets it opened with until the page was reloaded, while "Lock all" already
// reached the new ones. The same grid shows a tablet going out on a trip and coming back, live,
// though the trip lays no settings on it (before, the tile changed only at the tablet's next
// report or a reload).
import type { ClassDto, DeviceGroup, Trip } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  createStaffAccount,
  consoleSpec,
  makeEnrollmentToken,
  signInWithForm,
} from '../support/browser';
import { connectTestDevice, enrollTestDevice, TestDevice } from '../support/devices';

jest.setTimeout(120_000);

/** A test tablet's serial number, from its name: its asset is matched with it by this. */
const serialOf = (name: string) => `${name.replace(' ', '-')}-SN-${process.pid}`;

describe("the lesson grid follows the class's tablets", () => {
  const devices: TestDevice[] = [];
  const { hub, page, checkScreen } = consoleSpec({
    pageTimeout: 30_000,
    beforeClose: () => devices.forEach((device) => device.client.close()),
  });

  it('drops a tablet taken off the class and shows one added to it, and its trips, live', async () => {
    const adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    const group = await callApi<DeviceGroup>(hub().url, 'POST', '/api/groups', adminToken, {
      name: 'Trolley 2',
    });
    const token = await makeEnrollmentToken(hub().url, adminToken, { maxUses: 3 });
    const [elm1, elm2, elm3] = await Promise.all(
      ['Elm 01', 'Elm 02', 'Elm 03'].map((name) =>
        enrollTestDevice(hub(), token, { name, serialNumber: serialOf(name) }),
      ),
    );
    devices.push(...[elm1, elm2, elm3].map((identity) => connectTestDevice(identity)));
    await callApi(hub().url, 'POST', `/api/groups/${group.id}/members`, adminToken, {
      deviceIds: [elm1.deviceId, elm2.deviceId],
    });
    const teacher = await createStaffAccount(hub().url, adminToken, 'tilly', ['teacher']);
    const staff = await callApi<{ items: Array<{ id: string; username: string }> }>(
      hub().url,
      'GET',
      '/api/staff?pageSize=500',
      adminToken,
    );
    const teacherId = staff.items.find((item) => item.username === 'tilly')?.id;
    const klass = await callApi<ClassDto>(hub().url, 'POST', '/api/classes', adminToken, {
      name: 'Year 2 Elm',
      teacherIds: [teacherId],
      deviceIds: [elm1.deviceId],
    });

    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), teacher.username, teacher.password);
    await page().getByRole('button', { name: 'I accept' }).click();
    await page().goto(`${hub().url}/classes/${klass.id}`);
    const tiles = page().getByRole('list', { name: 'Tablets' }).getByRole('listitem');
    await tiles.filter({ hasText: /^Elm 01/ }).waitFor();
    expect(await tiles.count()).toBe(1);

    // ICT gives the class the group (Elm 01, Elm 02) and names Elm 03 instead of Elm 01 alone.
    await callApi(hub().url, 'PATCH', `/api/classes/${klass.id}`, adminToken, {
      groupId: group.id,
      deviceIds: [elm3.deviceId],
    });
    await tiles.filter({ hasText: /^Elm 03/ }).waitFor();
    await tiles.filter({ hasText: /^Elm 02/ }).waitFor();
    expect(await tiles.count()).toBe(3);

    // ICT takes the group off again: Elm 01 and Elm 02 leave the grid.
    await callApi(hub().url, 'PATCH', `/api/classes/${klass.id}`, adminToken, { groupId: null });
    await tiles.filter({ hasText: /^Elm 01/ }).waitFor({ state: 'detached' });
    await tiles.filter({ hasText: /^Elm 02/ }).waitFor({ state: 'detached' });
    expect(await tiles.allInnerTexts()).toEqual([expect.stringMatching(/^Elm 03/)]);

    // Elm 03 goes out on a trip that lays no settings: its tile says so, live, in words beside
    // the trip's own shape, and the words are in the tile's accessible name.
    await callApi(hub().url, 'POST', '/api/assets', adminToken, {
      assetTag: 'ELM-03',
      kind: 'tablet',
      serialNumber: serialOf('Elm 03'),
    });
    const me = await callApi<{ id: string }>(hub().url, 'GET', '/api/auth/me', adminToken);
    const trip = await callApi<Trip>(hub().url, 'POST', '/api/trips', adminToken, {
      name: 'Year 2 pond dipping',
      shortName: 'pond',
      startsAt: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
      endsAt: new Date(Date.now() + 8 * 60 * 60 * 1000).toISOString(),
      leaderIds: [me.id],
      assetTags: ['ELM-03'],
      overlay: {},
    });
    await callApi(hub().url, 'POST', `/api/trips/${trip.id}/check-out`, adminToken);
    const elm3Tile = tiles.filter({ hasText: /^Elm 03/ });
    await elm3Tile.getByText('On trip: Year 2 pond dipping', { exact: true }).waitFor();
    await page()
      .getByRole('button', { name: /^Elm 03.*On trip: Year 2 pond dipping/ })
      .waitFor();
    expect(await elm3Tile.locator('.tile-line-trip svg.tile-icon-trip').count()).toBe(1);
    await checkScreen('class-on-trip');

    // Checked in: an ordinary class tablet again, without a reload.
    await callApi(hub().url, 'POST', `/api/trips/${trip.id}/check-in`, adminToken, {
      assetTag: 'ELM-03',
    });
    await elm3Tile.getByText(/^On trip/).waitFor({ state: 'detached' });
  });
});
