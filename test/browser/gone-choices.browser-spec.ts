// A choice that names something deleted meanwhile (another tab, another member of staff) never
// leaves a form stuck: the form drops what the hub named as gone, reads the list again, says in
// plain words what was removed, and the next press goes through, without a reload.
// The group is deleted in the hub's database while the page is open because no route deletes a
// group yet; every request the page makes reaches the real hub, which gives its own refusal.
import * as path from 'node:path';
import type { Page, Response } from 'playwright-core';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { ClassDto, DeviceGroup, Policy } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  consoleSpec,
  createStaffAccount,
  signInWithForm,
} from '../support/browser';
import { waitFor } from '../support/devices';
import { databaseEnv } from '../support/test-database';

describe('a choice deleted meanwhile', () => {
  let adminToken: string;
  let ict: { username: string; password: string };
  let oak: DeviceGroup;
  let ash: DeviceGroup;
  const { hub, page, checkScreen } = consoleSpec();

  beforeAll(async () => {
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    ict = await createStaffAccount(hub().url, adminToken, 'gina', ['ict', 'teacher']);
    await apiSignIn(hub().url, ict.username, ict.password);
    ash = await callApi<DeviceGroup>(hub().url, 'POST', '/api/groups', adminToken, {
      name: 'Year 5 Ash',
    });
  });

  // Each test deletes "Year 4 Oak", so each makes it again (its name is free once its row is gone).
  beforeEach(async () => {
    oak = await callApi<DeviceGroup>(hub().url, 'POST', '/api/groups', adminToken, {
      name: 'Year 4 Oak',
    });
  });

  async function signInAt(pagePath: string): Promise<void> {
    await page().goto(`${hub().url}${pagePath}`);
    await page().waitForURL(/\/sign-in/);
    await signInWithForm(page(), ict.username, ict.password);
  }

  /** The spec hub's own database: its PostgreSQL database (HUB_DB) or its SQLite file. */
  async function hubDatabase(): Promise<DataSourceOptions> {
    const { HUB_DB } = await databaseEnv(hub().dataDir);
    return HUB_DB
      ? { type: 'postgres', url: HUB_DB }
      : {
          type: 'sqlite',
          database: path.join(hub().dataDir, 'hub.sqlite'),
          // The running hub may be writing (its leases, its scheduled work): wait, do not fail.
          busyTimeout: 10_000,
        };
  }

  /**
   * Deletes `group` as another member of staff would have, straight in the running hub's
   * database, in one transaction: what refers to it first (its memberships, the policies
   * assigned to it, the classes over it), then its row. Then checks the hub no longer lists it.
   */
  async function deleteGroupInDatabase(group: DeviceGroup): Promise<void> {
    const db = await new DataSource(await hubDatabase()).initialize();
    try {
      const id = db.options.type === 'postgres' ? '$1' : '?';
      await db.transaction(async (tx) => {
        await tx.query(`DELETE FROM device_group_members WHERE group_id = ${id}`, [group.id]);
        await tx.query(
          `DELETE FROM policy_assignments WHERE scope = 'group' AND target_id = ${id}`,
          [group.id],
        );
        await tx.query(`UPDATE classes SET group_id = NULL WHERE group_id = ${id}`, [group.id]);
        await tx.query(`DELETE FROM device_groups WHERE id = ${id}`, [group.id]);
      });
    } finally {
      await db.destroy();
    }
    const groups = await callApi<DeviceGroup[]>(hub().url, 'GET', '/api/groups', adminToken);
    expect(groups.map((g) => g.name)).not.toContain(group.name);
  }

  /** The hub's answer to the page's next `method` request to a path that `pathname` matches. */
  function nextAnswer(on: Page, method: string, pathname: RegExp): Promise<Response> {
    return on.waitForResponse(
      (response) =>
        response.request().method() === method && pathname.test(new URL(response.url()).pathname),
    );
  }

  /** What the hub answered: its status and its message. */
  async function refusalOf(
    answer: Promise<Response>,
  ): Promise<{ status: number; message: unknown }> {
    const response = await answer;
    const body = (await response.json()) as { message?: unknown };
    return { status: response.status(), message: body.message };
  }

  it('the new-token form unticks a deleted group, says so, and makes the token on the next press', async () => {
    await signInAt('/enrol');
    await page().getByRole('heading', { name: 'Enrol devices', level: 1 }).waitFor();
    await page().getByRole('checkbox', { name: 'Year 4 Oak' }).check({ force: true });
    await page().getByRole('checkbox', { name: 'Year 5 Ash' }).check({ force: true });

    await deleteGroupInDatabase(oak);
    const refused = nextAnswer(page(), 'POST', /^\/api\/enrollment-tokens$/);
    await page().getByRole('button', { name: 'Make token' }).click();
    expect(await refusalOf(refused)).toEqual({
      status: 400,
      message: `groupIds: no such groups: ${oak.id}`,
    });
    await page()
      .getByText('Year 4 Oak was deleted meanwhile, so it is no longer ticked.', { exact: false })
      .waitFor();
    // Read again, the list no longer has it.
    await page().getByRole('checkbox', { name: 'Year 4 Oak' }).waitFor({ state: 'detached' });
    expect(await page().getByRole('checkbox', { name: 'Year 5 Ash' }).isChecked()).toBe(true);

    // The next press goes through, with the group that is left.
    await page().getByRole('button', { name: 'Make token' }).click();
    await page().getByRole('img', { name: 'Enrolment QR code' }).waitFor();
    const tokens = await callApi<{ groupIds: string[] }[]>(
      hub().url,
      'GET',
      '/api/enrollment-tokens',
      adminToken,
    );
    expect(tokens.map((token) => token.groupIds)).toEqual([[ash.id]]);
  });

  it('the Assign to a group dialog stops offering a deleted group, says so, and assigns another', async () => {
    const policy = await callApi<Policy>(hub().url, 'POST', '/api/policies', adminToken, {
      name: 'Camera on for trips',
      settings: { camera: { allowed: true } },
    });
    await signInAt(`/policies/${policy.id}`);
    await page().getByRole('heading', { name: 'Camera on for trips', level: 1 }).waitFor();
    await page().getByRole('button', { name: 'Assign to a group' }).click();
    const dialog = page().getByRole('dialog', { name: 'Assign to a group' });
    await dialog.getByRole('button', { name: /Group$/ }).click();
    await page().getByRole('option', { name: 'Year 4 Oak' }).click();

    await deleteGroupInDatabase(oak);
    const refused = nextAnswer(page(), 'POST', /^\/api\/policies\/[^/]+\/assignments$/);
    await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
    expect(await refusalOf(refused)).toEqual({ status: 404, message: `No group ${oak.id}` });
    await dialog
      .getByText('Year 4 Oak was deleted meanwhile, so it is no longer offered.', { exact: false })
      .waitFor();
    await dialog.getByRole('button', { name: /Year 5 Ash/ }).waitFor();

    await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page()
      .getByRole('grid', { name: 'Where this policy applies' })
      .getByRole('row')
      .filter({ hasText: 'Year 5 Ash (group)' })
      .waitFor();
    const saved = await callApi<Policy>(hub().url, 'GET', `/api/policies/${policy.id}`, adminToken);
    expect(saved.assignments).toEqual([
      expect.objectContaining({ scope: 'group', targetId: ash.id }),
    ]);
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

    await deleteGroupInDatabase(oak);
    const refused = nextAnswer(page(), 'POST', /^\/api\/classes$/);
    await page().getByRole('button', { name: 'Make class' }).click();
    expect(await refusalOf(refused)).toEqual({
      status: 400,
      message: `groupId: no group ${oak.id}`,
    });
    await page()
      .getByText('Year 4 Oak was deleted meanwhile, so it is no longer chosen.', { exact: false })
      .waitFor();

    await page().getByRole('button', { name: 'Make class' }).click();
    await page().waitForURL(/\/manage-classes$/);
    await page().getByText('Year 4 Science').first().waitFor();
    const classes = await callApi<ClassDto[]>(hub().url, 'GET', '/api/classes', adminToken);
    expect(classes.map((c) => ({ name: c.name, groupId: c.groupId }))).toEqual([
      { name: 'Year 4 Science', groupId: null },
    ]);
  });

  // Last: it makes a class, which the list above does not expect.
  it('the class form, saved over a change made meanwhile, says so, keeps what was typed, and saves from the class as it is', async () => {
    const gina = await apiSignIn(hub().url, ict.username, ict.password);
    const me = await callApi<{ id: string }>(hub().url, 'GET', '/api/auth/me', gina);
    const monday = { weekday: 1, start: '09:00', end: '10:00' };
    const friday = { weekday: 5, start: '13:30', end: '14:30' };
    const klass = await callApi<ClassDto>(hub().url, 'POST', '/api/classes', adminToken, {
      name: 'Year 6 Elm',
      teacherIds: [me.id],
      timetable: [monday],
    });
    await signInAt(`/manage-classes/${klass.id}`);
    await page().getByRole('heading', { name: 'Class: Year 6 Elm', level: 1 }).waitFor();

    // Someone else adds a lesson while the form is open; this person renames the class.
    await callApi(hub().url, 'PATCH', `/api/classes/${klass.id}`, adminToken, {
      timetable: [monday, friday],
    });
    const name = page().getByRole('textbox', { name: 'Name' });
    await name.fill('Year 6 Elm and Ash');
    const refused = nextAnswer(page(), 'PATCH', /^\/api\/classes\//);
    await page().getByRole('button', { name: 'Save class' }).click();
    expect((await refused).status()).toBe(409);
    const notice = page().getByRole('alert').filter({ hasText: 'Not saved.' });
    await notice
      .filter({ hasText: 'Someone else saved this class after you opened it.' })
      .waitFor();
    expect(await name.inputValue()).toBe('Year 6 Elm and Ash');
    expect(await name.getAttribute('aria-invalid')).toBeNull();
    let stored = await callApi<ClassDto>(hub().url, 'GET', `/api/classes/${klass.id}`, gina);
    expect([stored.name, stored.timetable]).toEqual(['Year 6 Elm', [monday, friday]]);
    await checkScreen('class-changed-meanwhile');

    // Shown the class as it is now, they rename it again; both changes stand.
    await notice
      .getByRole('button', { name: 'Discard mine and show the class as it is now' })
      .click();
    await notice.waitFor({ state: 'hidden' });
    expect(await name.inputValue()).toBe('Year 6 Elm');
    expect(await page().getByRole('textbox', { name: 'Starts (lesson 2)' }).inputValue()).toBe(
      '13:30',
    );
    // A name another class has: said beside the name, which takes the focus from Save (far
    // below it), in view.
    await callApi(hub().url, 'POST', '/api/classes', adminToken, {
      name: 'Year 6 Ash',
      teacherIds: [me.id],
    });
    await name.fill('year 6  ASH');
    await page().getByRole('button', { name: 'Save class' }).click();
    await page()
      .locator('.field-error')
      .filter({ hasText: 'A class named "Year 6 Ash" already exists' })
      .waitFor();
    const focused = `(() => {
      const input = document.activeElement;
      const box = input ? input.getBoundingClientRect() : null;
      return input && box ? { name: input.getAttribute('aria-invalid') === 'true' && input.labels?.[0]?.textContent, inView: box.top >= 0 && box.bottom <= window.innerHeight } : null;
    })()`;
    await waitFor(
      async () => (await page().evaluate<{ name: unknown } | null>(focused))?.name === 'Name',
      'the focus to move to Name',
    );
    expect(await page().evaluate(focused)).toEqual({ name: 'Name', inView: true });
    await name.fill('Year 6 Elm and Ash');
    await page().getByRole('button', { name: 'Save class' }).click();
    await page().waitForURL(/\/manage-classes$/);
    stored = await callApi<ClassDto>(hub().url, 'GET', `/api/classes/${klass.id}`, gina);
    expect([stored.name, stored.timetable]).toEqual(['Year 6 Elm and Ash', [monday, friday]]);
  });
});
