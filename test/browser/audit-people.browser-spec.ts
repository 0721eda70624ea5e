// The audit log's Person filter in a real browser, as a safeguarding lead uses it: typing part
// of a surname offers the staff it names by name (from GET /api/audit/people; the staff list is
// ICT's alone), Filter shows the entries of all of them and says who they are, choosing one shows
// theirs alone (and survives a reload), and a name nobody has is said as such. The filter is
// checked at both iPad sizes (axe with the list closed: react-aria hides the rest of the page
// while it is open) and photographed with the list open.
import * as path from 'node:path';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  consoleSpec,
  IPAD_SIZES,
  signInWithForm,
} from '../support/browser';
import { waitFor } from '../support/devices';

const PASSWORD = 'Staff-Pass1!';

describe("the audit log's Person filter", () => {
  const { hub, page, checkScreen } = consoleSpec();
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const admin = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    for (const [username, displayName, roles] of [
      ['safelead', 'Sam Safe', ['safeguarding']],
      ['apatel', 'Mrs Anita Patel', ['teacher']],
      ['rpatel', 'Mr Raj Patel', ['teacher']],
      ['treed', 'Tom Reed', ['teacher']],
    ] as const) {
      const created = await callApi<{ id: string }>(hub().url, 'POST', '/api/staff', admin, {
        username,
        displayName,
        password: PASSWORD,
        roles,
      });
      ids[username] = created.id;
      // Signing in and accepting the AUP: entries with them as the one who acted.
      await apiSignIn(hub().url, username, PASSWORD);
    }
  });

  /** Who acted in each entry the table shows (name and username as the Who column has them). */
  const whoIsShown = async () =>
    [
      ...new Set(
        await page()
          .getByRole('grid', { name: 'Audit log entries' })
          .locator('.staff-name')
          .allTextContents(),
      ),
    ].sort();

  it('safeguarding finds Mrs Patel by name: everyone the text names, or the one chosen', async () => {
    await page().goto(`${hub().url}/sign-in?next=%2Faudit`);
    await signInWithForm(page(), 'safelead', PASSWORD);
    await page().getByRole('heading', { name: 'Audit log' }).waitFor();
    const person = page().getByRole('combobox', { name: 'Person' });
    const list = page().getByRole('listbox');

    // Part of a surname: both Patels are offered by name, with their usernames.
    await person.fill('patel');
    await list.getByRole('option').filter({ hasText: 'Mrs Anita Patel' }).waitFor();
    expect(await list.getByRole('option').allTextContents()).toEqual([
      'Mr Raj Patelrpatel',
      'Mrs Anita Patelapatel',
    ]);
    for (const size of IPAD_SIZES) {
      await page().setViewportSize({ width: size.width, height: size.height });
      await page().waitForTimeout(150);
      // The screen as seen (not the whole page): the list open under the box.
      if (process.env.SCREENSHOT_DIR) {
        await page().screenshot({
          path: path.join(process.env.SCREENSHOT_DIR, `audit-person-list-${size.name}.png`),
        });
      }
    }
    await page().setViewportSize({ width: 1024, height: 768 });

    // Escape closes the list and keeps the text; Filter then shows the entries of both, and who
    // the filter takes in, in words.
    await page().keyboard.press('Escape');
    await list.waitFor({ state: 'detached' });
    expect(await person.inputValue()).toBe('patel');
    await page().getByRole('button', { name: 'Filter', exact: true }).click();
    await page().waitForURL(/[?&]actor=patel(&|$)/);
    await page()
      .getByRole('status')
      .filter({ hasText: 'Person filter: Mr Raj Patel (rpatel) and Mrs Anita Patel (apatel).' })
      .waitFor();
    expect(await whoIsShown()).toEqual(['Mr Raj Patelrpatel', 'Mrs Anita Patelapatel']);
    expect(await person.inputValue()).toBe('patel');
    await checkScreen('audit-person-filtered');

    // Choosing one person: her entries alone, by her id in the address.
    await person.fill('anita');
    await list.getByRole('option').filter({ hasText: 'Mrs Anita Patel' }).click();
    expect(await person.inputValue()).toBe('Mrs Anita Patel');
    await page().getByRole('button', { name: 'Filter', exact: true }).click();
    await page().waitForURL(new RegExp(`[?&]actor=${ids.apatel}(&|$)`));
    await page()
      .getByRole('status')
      .filter({ hasText: 'Person filter: Mrs Anita Patel (apatel).' })
      .waitFor();
    expect(await whoIsShown()).toEqual(['Mrs Anita Patelapatel']);
    await checkScreen('audit-person-chosen');

    // A reload (or the address passed on) shows her name in the box, not her id.
    await page().reload();
    await page().getByRole('heading', { name: 'Audit log' }).waitFor();
    await waitFor(
      async () => (await person.inputValue()) === 'Mrs Anita Patel',
      'her name in the Person box',
    );
    expect(await whoIsShown()).toEqual(['Mrs Anita Patelapatel']);

    // A name nobody has: said in the list, and above the empty table.
    await person.fill('patle');
    await list.getByText('Nobody with entries in the log has that name or username.').waitFor();
    await page().keyboard.press('Escape');
    await list.waitFor({ state: 'detached' });
    await page().getByRole('button', { name: 'Filter', exact: true }).click();
    await page().waitForURL(/[?&]actor=patle(&|$)/);
    await page()
      .getByRole('status')
      .filter({ hasText: 'Nobody with entries in the log has “patle” in their name or username.' })
      .waitFor();
    await page().getByText('No entries match these filters.').waitFor();
  });

  it("Back and Forward bring each Filter's fields back with its entries", async () => {
    await page().goto(`${hub().url}/sign-in?next=%2Faudit`);
    await signInWithForm(page(), 'safelead', PASSWORD);
    await page().getByRole('heading', { name: 'Audit log' }).waitFor();
    const person = page().getByRole('combobox', { name: 'Person' });
    const action = page().getByRole('button', { name: /Action$/ });
    const filter = async (text: string, actionWords: string) => {
      await person.fill(text);
      await page().keyboard.press('Escape');
      await action.click();
      await page().getByRole('option', { name: actionWords, exact: true }).click();
      await page().getByRole('button', { name: 'Filter', exact: true }).click();
    };
    /** What the form says, and who acted in the entries shown, once both have settled. */
    const shown = async (entriesOf: string[]) => {
      await waitFor(
        async () => JSON.stringify(await whoIsShown()) === JSON.stringify(entriesOf),
        `the entries of ${entriesOf.join(', ') || 'everyone'}`,
      );
      return {
        person: await person.inputValue(),
        action: await action.locator('.select-value').textContent(),
      };
    };

    await filter('patel', 'Signed in');
    await page().waitForURL(/[?&]actor=patel(&|$)/);
    const patels = ['Mr Raj Patelrpatel', 'Mrs Anita Patelapatel'];
    expect(await shown(patels)).toEqual({ person: 'patel', action: 'Signed in' });
    await filter('reed', 'Acceptable use policy accepted');
    await page().waitForURL(/[?&]actor=reed(&|$)/);
    expect(await shown(['Tom Reedtreed'])).toEqual({
      person: 'reed',
      action: 'Acceptable use policy accepted',
    });

    // Back: the Patels' sign-ins again, and the fields say so (they kept "reed" before).
    await page().goBack();
    await page().waitForURL(/[?&]actor=patel(&|$)/);
    expect(await shown(patels)).toEqual({ person: 'patel', action: 'Signed in' });
    // Filter pressed now filters by what the fields show.
    await page().getByRole('button', { name: 'Filter', exact: true }).click();
    expect(await shown(patels)).toEqual({ person: 'patel', action: 'Signed in' });
    // Forward: Tom Reed's acceptance, with its fields.
    await page().goForward();
    await page().waitForURL(/[?&]actor=reed(&|$)/);
    expect(await shown(['Tom Reedtreed'])).toEqual({
      person: 'reed',
      action: 'Acceptable use policy accepted',
    });
  });
});
