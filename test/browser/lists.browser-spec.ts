// A list opened at a page past its last (an old link, a bookmark, a log shortened by retention)
// says so and offers the last page, rather than an empty table that reads as if nothing matched.
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  consoleSpec,
  signInWithForm,
} from '../support/browser';

describe('a list opened past its last page', () => {
  const { hub, page, checkScreen } = consoleSpec({ pageTimeout: 20_000 });

  it('says the page is past the last and goes to the last page', async () => {
    const admin = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    await callApi(hub().url, 'POST', '/api/groups', admin, { name: 'Year 4 Oak' });
    await page().goto(`${hub().url}/audit?page=999`);
    await page().waitForURL(/\/sign-in/);
    await signInWithForm(page(), 'admin', ADMIN_PASSWORD);
    const pager = page().getByRole('navigation', { name: 'Audit log pages' });
    await pager
      .getByText(/^Page 999 is past the last page: the list has 1 page \(\d+ entries\)\.$/)
      .waitFor();
    await checkScreen('list-past-last-page');
    await pager.getByRole('button', { name: 'Go to the last page' }).click();
    await page().waitForURL(/\/audit(\?page=1)?$/);
    await page()
      .getByRole('navigation', { name: 'Audit log pages' })
      .getByText(/^Page 1 of 1/)
      .waitFor();
    await page()
      .getByText(/Year 4 Oak/)
      .first()
      .waitFor();
  });
});
