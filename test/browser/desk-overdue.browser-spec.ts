// The office desk's check-in says a loan is overdue by the same count as Overdue loans (issue
// 13): calendar days in the school's zone, at least 1 once the due time has passed. The desk
// worked it out in the browser as whole 24-hour periods, so a laptop due yesterday evening and
// brought back this morning was "1 day overdue" on Overdue loans and not overdue at the desk.
import type { Loan } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  consoleSpec,
  createStaffAccount,
  signInWithForm,
} from '../support/browser';

describe('the office desk and an overdue loan', () => {
  const { hub, page } = consoleSpec({ pageTimeout: 20_000 });

  it('says at check-in how many days overdue the loan is, as Overdue loans does', async () => {
    const url = hub().url;
    const admin = await apiSignIn(url, 'admin', ADMIN_PASSWORD);
    const clerk = await createStaffAccount(url, admin, 'clerk', ['office']);
    const borrower = await createStaffAccount(url, admin, 'jbrown', ['teacher']);
    await apiSignIn(url, borrower.username, borrower.password);
    const clerkToken = await apiSignIn(url, clerk.username, clerk.password);
    const people = await callApi<{ items: { id: string; username: string }[] }>(
      url,
      'GET',
      '/api/loans/borrowers?search=jbrown',
      clerkToken,
    );
    await callApi(url, 'POST', '/api/assets', clerkToken, { assetTag: 'LOAN-007', kind: 'laptop' });
    // Due a moment from now, then waited out (the hub refuses a due date in the past).
    await callApi<Loan>(url, 'POST', '/api/loans', clerkToken, {
      assetTag: 'LOAN-007',
      borrowerId: people.items[0].id,
      dueAt: new Date(Date.now() + 1500).toISOString(),
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));

    await page().goto(`${url}/loans/overdue`);
    await signInWithForm(page(), clerk.username, clerk.password);
    await page()
      .getByRole('row', { name: /LOAN-007/ })
      .getByText('1 day', { exact: true })
      .waitFor();

    await page().goto(`${url}/desk`);
    const box = page().getByLabel('Scan or type an asset tag');
    await box.fill('LOAN-007');
    await box.press('Enter');
    const panel = page().getByRole('region', { name: 'Check in LOAN-007' });
    await panel.getByText('Jbrown').waitFor();
    expect(await panel.locator('.desk-asset').innerText()).toMatch(/, due .+ \(1 day overdue\)\.$/);
  });
});
