// The office desk's check-in says a loan is overdue by the same count as Overdue loans (issue
// 13): calendar days in the school's zone, at least 1 once the due time has passed. The desk
// worked it out in the browser as whole 24-hour periods, so a laptop due yesterday evening and
// brought back this morning was "1 day overdue" on Overdue loans and not overdue at the desk.
// A borrower who has left the school (ICT disabled their account) is marked "Account disabled" in
// words on Overdue loans, the asset's page, the assets list and the desk, with "no reminders go
// to a disabled account: chase it another way" where the office chases loans.
import type { Loan } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  consoleSpec,
  createStaffAccount,
  signInWithForm,
} from '../support/browser';

jest.setTimeout(120_000);

describe('the office desk and an overdue loan', () => {
  const { hub, page, checkScreen } = consoleSpec({ pageTimeout: 20_000 });

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

  it('says "Account disabled" for a borrower who has left, where the office chases the loan', async () => {
    const url = hub().url;
    const admin = await apiSignIn(url, 'admin', ADMIN_PASSWORD);
    const clerk = await createStaffAccount(url, admin, 'olive', ['office']);
    for (const username of ['pleft', 'kwilson']) {
      const account = await createStaffAccount(url, admin, username, ['teacher']);
      await apiSignIn(url, account.username, account.password);
    }
    const clerkToken = await apiSignIn(url, clerk.username, clerk.password);
    const idOf = async (username: string) =>
      (
        await callApi<{ items: { id: string }[] }>(
          url,
          'GET',
          `/api/loans/borrowers?search=${username}`,
          clerkToken,
        )
      ).items[0].id;
    const leaverId = await idOf('pleft');
    for (const [assetTag, borrowerId] of [
      ['LEFT-1', leaverId],
      ['STAY-1', await idOf('kwilson')],
    ]) {
      await callApi(url, 'POST', '/api/assets', clerkToken, { assetTag, kind: 'laptop' });
      // Due a moment from now, then waited out (the hub refuses a due date in the past).
      await callApi<Loan>(url, 'POST', '/api/loans', clerkToken, {
        assetTag,
        borrowerId,
        dueAt: new Date(Date.now() + 1500).toISOString(),
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Pat has left the school: ICT disables the account, the laptop still out.
    await callApi(url, 'PATCH', `/api/staff/${leaverId}`, admin, { disabled: true });

    await page().goto(`${url}/loans/overdue`);
    await signInWithForm(page(), clerk.username, clerk.password);
    const overdue = page().getByRole('grid', { name: 'Overdue loans' });
    const leftRow = overdue.getByRole('row', { name: /LEFT-1/ });
    await leftRow.getByText('Account disabled', { exact: true }).waitFor();
    await leftRow
      .getByText('No reminders go to a disabled account: chase it another way.')
      .waitFor();
    const stayRow = overdue.getByRole('row', { name: /STAY-1/ });
    await stayRow.getByText('Kwilson', { exact: true }).waitFor();
    expect(await stayRow.getByText('Account disabled').count()).toBe(0);
    await checkScreen('overdue-loans-account-disabled');

    // The asset's page: who has it, their account disabled, and what to do.
    await leftRow.getByRole('link', { name: 'LEFT-1' }).click();
    await page().getByRole('heading', { name: 'Asset LEFT-1', level: 1 }).waitFor();
    const onLoanTo = page().locator('.facts div').filter({ hasText: 'On loan to' });
    await onLoanTo.getByText('Account disabled', { exact: true }).waitFor();
    await onLoanTo.getByText('chase it another way', { exact: false }).waitFor();
    await page()
      .getByRole('grid', { name: 'Loan history' })
      .getByText('Account disabled', { exact: true })
      .waitFor();

    // The assets list, and the desk's check-in when the laptop comes back.
    await page().goto(`${url}/inventory?status=on_loan`);
    await page()
      .getByRole('grid', { name: 'Assets' })
      .getByRole('row', { name: /LEFT-1/ })
      .getByText('Account disabled', { exact: true })
      .waitFor();
    await page().goto(`${url}/desk`);
    const box = page().getByLabel('Scan or type an asset tag');
    await box.fill('LEFT-1');
    await box.press('Enter');
    const panel = page().getByRole('region', { name: 'Check in LEFT-1' });
    await panel.getByText('Account disabled', { exact: true }).waitFor();
  });
});
