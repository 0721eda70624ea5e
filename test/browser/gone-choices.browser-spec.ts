// A choice that names something deleted meanwhile (another tab, another member of staff) never
// leaves a form stuck: the form drops what the hub named as gone, reads the list again, says in
// plain words what was removed, and the next press goes through, without a reload. The hub has no
// route that deletes a group yet, so the browser is given the hub's own answers for the deleted
// group (the words of EnrollmentService.createToken, ClassesService and PoliciesService.assign)
// and a group list without it; every other request reaches the real hub.
import type { Page, Request } from 'playwright-core';
import type { DeviceGroup } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  consoleSpec,
  createStaffAccount,
  signInWithForm,
} from '../support/browser';

describe('a choice deleted meanwhile', () => {
  let adminToken: string;
  let ict: { username: string; password: string };
  let oak: DeviceGroup;
  let ash: DeviceGroup;
  const { hub, page } = consoleSpec();

  beforeAll(async () => {
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    ict = await createStaffAccount(hub().url, adminToken, 'gina', ['ict', 'teacher']);
    await apiSignIn(hub().url, ict.username, ict.password);
    oak = await callApi<DeviceGroup>(hub().url, 'POST', '/api/groups', adminToken, {
      name: 'Year 4 Oak',
    });
    ash = await callApi<DeviceGroup>(hub().url, 'POST', '/api/groups', adminToken, {
      name: 'Year 5 Ash',
    });
  });

  async function signInAt(path: string): Promise<void> {
    await page().goto(`${hub().url}${path}`);
    await page().waitForURL(/\/sign-in/);
    await signInWithForm(page(), ict.username, ict.password);
  }

  /**
   * From now on the hub, as this page sees it, has no "Year 4 Oak": GET /api/groups lists the
   * others, and a request naming it is refused with `refusal` (status and message) as the hub
   * words it. Returns the bodies of the requests to `sentTo` (method and path) that went through.
   */
  async function deleteOakFor(
    on: Page,
    sentTo: { method: string; path: RegExp },
    refusal: { status: number; message: string },
  ): Promise<unknown[]> {
    const passed: unknown[] = [];
    await on.route(
      (url) => url.pathname === '/api/groups',
      async (route) => {
        const answer = await route.fetch();
        const groups = (await answer.json()) as DeviceGroup[];
        await route.fulfill({ response: answer, json: groups.filter((g) => g.id !== oak.id) });
      },
    );
    await on.route(
      (url) => sentTo.path.test(url.pathname),
      async (route, request: Request) => {
        if (request.method() !== sentTo.method) {
          return route.continue();
        }
        const body = request.postData() ?? '';
        if (body.includes(oak.id)) {
          return route.fulfill({
            status: refusal.status,
            json: { statusCode: refusal.status, message: refusal.message },
          });
        }
        passed.push(JSON.parse(body));
        return route.continue();
      },
    );
    return passed;
  }

  it('the new-token form unticks a deleted group, says so, and makes the token on the next press', async () => {
    await signInAt('/enrol');
    await page().getByRole('heading', { name: 'Enrol devices', level: 1 }).waitFor();
    await page().getByRole('checkbox', { name: 'Year 4 Oak' }).check({ force: true });
    await page().getByRole('checkbox', { name: 'Year 5 Ash' }).check({ force: true });

    const sent = await deleteOakFor(
      page(),
      { method: 'POST', path: /^\/api\/enrollment-tokens$/ },
      { status: 400, message: `groupIds: no such groups: ${oak.id}` },
    );
    await page().getByRole('button', { name: 'Make token' }).click();
    await page()
      .getByText('Year 4 Oak was deleted meanwhile, so it is no longer ticked.', { exact: false })
      .waitFor();
    // Read again, the list no longer has it.
    await page().getByRole('checkbox', { name: 'Year 4 Oak' }).waitFor({ state: 'detached' });
    expect(await page().getByRole('checkbox', { name: 'Year 5 Ash' }).isChecked()).toBe(true);

    // The next press goes through, with the group that is left.
    await page().getByRole('button', { name: 'Make token' }).click();
    await page().getByRole('img', { name: 'Enrolment QR code' }).waitFor();
    expect(sent).toEqual([expect.objectContaining({ groupIds: [ash.id] })]);
  });

  it('the Assign to a group dialog stops offering a deleted group, says so, and assigns another', async () => {
    const policy = await callApi<{ id: string }>(hub().url, 'POST', '/api/policies', adminToken, {
      name: 'Camera on for trips',
      settings: { camera: { allowed: true } },
    });
    await signInAt(`/policies/${policy.id}`);
    await page().getByRole('heading', { name: 'Camera on for trips', level: 1 }).waitFor();
    await page().getByRole('button', { name: 'Assign to a group' }).click();
    const dialog = page().getByRole('dialog', { name: 'Assign to a group' });
    await dialog.getByRole('button', { name: /Group$/ }).click();
    await page().getByRole('option', { name: 'Year 4 Oak' }).click();

    const sent = await deleteOakFor(
      page(),
      { method: 'POST', path: /^\/api\/policies\/[^/]+\/assignments$/ },
      { status: 404, message: `No group ${oak.id}` },
    );
    await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
    await dialog
      .getByText('Year 4 Oak was deleted meanwhile, so it is no longer offered.', { exact: false })
      .waitFor();
    await dialog.getByRole('button', { name: /Year 5 Ash/ }).waitFor();

    await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(sent).toEqual([expect.objectContaining({ targetId: ash.id })]);
    await page()
      .getByRole('grid', { name: 'Where this policy applies' })
      .getByRole('row')
      .filter({ hasText: 'Year 5 Ash (group)' })
      .waitFor();
  });

  it('the class form drops a deleted group, says so, and saves on the next press', async () => {
    await signInAt('/manage-classes/new');
    await page().getByRole('heading', { name: 'New class', level: 1 }).waitFor();
    await page().getByRole('checkbox', { name: 'Gina' }).check({ force: true });
    await page().getByRole('textbox', { name: 'Name' }).fill('Year 4 Science');
    await page()
      .getByRole('button', { name: /Group$/ })
      .click();
    await page()
      .getByRole('option', { name: /^Year 4 Oak/ })
      .click();

    const sent = await deleteOakFor(
      page(),
      { method: 'POST', path: /^\/api\/classes$/ },
      { status: 400, message: `groupId: no group ${oak.id}` },
    );
    await page().getByRole('button', { name: 'Make class' }).click();
    await page()
      .getByText('Year 4 Oak was deleted meanwhile, so it is no longer chosen.', { exact: false })
      .waitFor();

    await page().getByRole('button', { name: 'Make class' }).click();
    await page().waitForURL(/\/manage-classes$/);
    await page().getByText('Year 4 Science').first().waitFor();
    expect(sent).toEqual([expect.not.objectContaining({ groupId: expect.anything() })]);
  });
});
