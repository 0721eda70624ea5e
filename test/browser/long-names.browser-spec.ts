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
  screenshot,
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

  it('no table widens its page with a cell of one long word, at either iPad size', async () => {
    // The longest words the hub takes in a table's cells: a colleague's name (128), a serial
    // number and a model (128), an asset tag (64), a condition (200), none with a space.
    const word = (first: string, length: number) =>
      `${first}${'Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(5)}`.slice(0, length);
    const borrower = await api<{ id: string }>('POST', '/api/staff', {
      username: 'longest.word',
      displayName: word('W', 128),
      password: 'Staff-Pass1!',
      roles: ['teacher'],
    });
    const asset = await api<{ id: string; assetTag: string }>('POST', '/api/assets', {
      assetTag: `Z${'Y'.repeat(63)}`,
      kind: 'laptop',
      serialNumber: word('N', 128),
      model: word('R', 128),
      condition: word('K', 200),
    });
    await api('POST', '/api/loans', {
      assetTag: asset.assetTag,
      borrowerId: borrower.id,
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      conditionOut: word('O', 200),
      aupAcceptedAtDesk: true,
    });
    await page().goto(`${hub().url}/sign-in`);
    await page().getByLabel('Username').fill('admin');
    await page().getByLabel('Password').fill(ADMIN_PASSWORD);
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().waitForURL((url) => !url.pathname.startsWith('/sign-in'));

    /** Each screen that lists one of the words in a table, and the word it shows. */
    const screens: [string, string][] = [
      ['/staff', word('W', 128)],
      ['/inventory', word('N', 128)],
      [`/inventory/${asset.id}`, word('O', 200)],
      ['/audit', word('W', 128)],
    ];
    const sideways: string[] = [];
    for (const size of [
      { width: 1024, height: 768 },
      { width: 768, height: 1024 },
    ]) {
      await page().setViewportSize(size);
      for (const [path, shows] of screens) {
        await page().goto(`${hub().url}${path}`);
        await page().locator('table').getByText(shows, { exact: false }).first().waitFor();
        await page().waitForTimeout(200);
        if (await scrollsSideways(page())) {
          sideways.push(`${path} at ${size.width}x${size.height}`);
        }
        // Nor may a table outgrow its own box, hiding its other columns off to the side.
        const clipped = await page().evaluate<number>(
          `[...document.querySelectorAll('.table-scroll')].filter((box) => box.scrollWidth > box.clientWidth).length`,
        );
        if (clipped > 0) {
          sideways.push(
            `${path} at ${size.width}x${size.height}: ${clipped} table(s) wider than their box`,
          );
        }
        await screenshot(
          page(),
          `long-word-${path.split('/').slice(1, 2).join('')}${path.split('/').length > 2 ? '-one' : ''}-${size.width}x${size.height}`,
        );
      }
    }
    expect(sideways).toEqual([]);
  });
});
