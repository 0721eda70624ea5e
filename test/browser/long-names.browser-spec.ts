// Names staff type may be one long word: a group, a policy, a class, a device, an asset's model,
// a colleague's display name (up to 100 or 128 characters, spaces or not). Walks were finding
// them one screen at a time pushing a portrait iPad's page sideways (a trip's name, a tag, a
// group's checkbox). This spec gives every kind of name one 100-character word and opens every
// screen that shows it, at 768×1024: none may scroll sideways.
import type { Page as ApiPage } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  consoleSpec,
  scrollsSideways,
} from '../support/browser';
import { enrollTestDevice } from '../support/devices';

/** One word of 100 letters, as a name pasted from elsewhere or typed without spaces. */
const LONG = 'Supercalifragilisticexpialidocious'.repeat(3).slice(0, 100);

describe('names of one long word on a portrait iPad', () => {
  let adminToken: string;
  const { hub, page } = consoleSpec({ pageTimeout: 20_000 });

  const api = <T>(method: string, path: string, body?: unknown) =>
    callApi<T>(hub().url, method, path, adminToken, body);

  beforeAll(async () => {
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
  });

  it('no screen scrolls sideways with such names', async () => {
    const group = await api<{ id: string }>('POST', '/api/groups', { name: `G${LONG}` });
    const policy = await api<{ id: string }>('POST', '/api/policies', {
      name: `P${LONG}`,
      settings: { camera: { allowed: false } },
    });
    await api('POST', `/api/policies/${policy.id}/assignments`, {
      scope: 'group',
      targetId: group.id,
    });
    const token = (
      await api<{ token: string }>('POST', '/api/enrollment-tokens', {
        groupIds: [group.id],
        label: `T${LONG}`,
      })
    ).token;
    const device = await enrollTestDevice(hub(), token, { name: `D${LONG}` });
    const teacher = await api<{ id: string }>('POST', '/api/staff', {
      username: 'long.name',
      displayName: `S${LONG}`,
      password: 'Staff-Pass1!',
      roles: ['teacher', 'office', 'trip_leader'],
    });
    const klass = await api<{ id: string }>('POST', '/api/classes', {
      name: `C${LONG}`.slice(0, 100),
      teacherIds: [teacher.id],
      deviceIds: [device.deviceId],
    });
    const asset = await api<{ id: string; assetTag: string }>('POST', '/api/assets', {
      assetTag: `A${'B'.repeat(63)}`,
      kind: 'laptop',
      model: `M${LONG}`,
    });
    await api('POST', '/api/loans', {
      assetTag: asset.assetTag,
      borrowerId: teacher.id,
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      aupAcceptedAtDesk: true,
    });
    const audit = await api<ApiPage<unknown>>('GET', '/api/audit?pageSize=1');
    expect(audit.total).toBeGreaterThan(5);

    await page().setViewportSize({ width: 768, height: 1024 });
    await page().goto(`${hub().url}/sign-in`);
    await page().getByLabel('Username').fill('admin');
    await page().getByLabel('Password').fill(ADMIN_PASSWORD);
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().waitForURL((url) => !url.pathname.startsWith('/sign-in'));

    /** Each screen, and a name it shows once it has read its data. */
    const screens: [string, string][] = [
      ['/devices', `D${LONG}`],
      [`/devices/${device.deviceId}`, `D${LONG}`],
      ['/groups', `G${LONG}`],
      [`/groups/${group.id}`, `G${LONG}`],
      ['/enrol', `T${LONG}`],
      ['/policies', `P${LONG}`],
      [`/policies/${policy.id}`, `P${LONG}`],
      ['/compliance', `P${LONG}`],
      ['/staff', `S${LONG}`],
      ['/audit', `S${LONG}`],
      ['/manage-classes', `C${LONG}`.slice(0, 100)],
      [`/manage-classes/${klass.id}`, `S${LONG}`],
      [`/classes/${klass.id}`, `D${LONG}`],
      ['/inventory', `M${LONG}`],
      [`/inventory/${asset.id}`, `M${LONG}`],
      [`/desk?tag=${asset.assetTag}`, `S${LONG}`],
      ['/loans/overdue', 'Overdue loans'],
    ];
    const sideways: string[] = [];
    for (const [path, shows] of screens) {
      await page().goto(`${hub().url}${path}`);
      await page().getByText(shows, { exact: false }).first().waitFor();
      await page().waitForTimeout(200);
      if (await scrollsSideways(page())) {
        sideways.push(path);
      }
    }
    // A trip's other leader, picked by name, sits beside its Remove button.
    await page().goto(`${hub().url}/trips/new`);
    await page().getByRole('combobox', { name: 'Add another leader' }).fill('Supercal');
    await page()
      .getByRole('option', { name: new RegExp(`^S${LONG.slice(0, 20)}`) })
      .click();
    await page()
      .getByRole('button', { name: `Remove S${LONG}` })
      .waitFor();
    if (await scrollsSideways(page())) {
      sideways.push('/trips/new');
    }
    expect(sideways).toEqual([]);
  });
});
