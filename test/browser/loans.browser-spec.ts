// Loans and trips in a real browser (issue 13). At the office desk a clerk types a tag into the
// scan box and presses Enter (what a keyboard-wedge scanner does), checks the laptop out to a
// member of staff who has not accepted the AUP ("Accepted in person"), and the focus is back in
// the scan box; the borrower then sees the loan on their home page; the same scan checks it back
// in. The focus follows the work: a scan that opens a check-out or check-in puts it in the first
// field (the borrower, the condition coming back), one with nothing to do leaves it in the box.
// The office's other screens: overdue loans, the asset search and an asset's history with
// "Mark lost", the labels sheet and the CSV import (dry run first, then its per-row report). A trip
// leader makes a trip, checks its kit out, checks devices in by scan, marks one lost and closes
// the trip once "Close trip" allows it. Every screen at both iPad sizes: no serious or critical
// axe violation, no sideways scrolling, 44 px targets, no CSP violation.
import type { Asset, Loan, Page as ApiPage, Trip } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  createStaffAccount,
  screenshot,
  scrollsSideways,
  signInWithForm,
  consoleSpec,
} from '../support/browser';
import { waitFor } from '../support/devices';

jest.setTimeout(240_000);

const SCAN_BOX = 'Scan or type an asset tag';

describe('loans and trips in the console', () => {
  let adminToken: string;
  const { hub, browser, page, usePage, checkScreen } = consoleSpec({ pageTimeout: 20_000 });

  beforeAll(async () => {
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
  });
  const api = <T>(method: string, path: string, body?: unknown, token = adminToken) =>
    callApi<T>(hub().url, method, path, token, body);
  const newAsset = (assetTag: string, kind = 'laptop', extra: Record<string, string> = {}) =>
    api<Asset>('POST', '/api/assets', { assetTag, kind, model: 'ThinkPad 14', ...extra });

  /** Types a tag into the scan box and presses Enter, as a keyboard-wedge scanner does. */
  const scan = async (tag: string) => {
    const box = page().getByRole('textbox', { name: SCAN_BOX });
    await box.fill(tag);
    await box.press('Enter');
  };
  const scanBoxHasFocus = () =>
    page()
      .getByRole('textbox', { name: SCAN_BOX })
      .evaluate((element) => element === element.ownerDocument.activeElement);
  /** Waits until the field named `name` (a text box or combo box) has the keyboard's focus. */
  const focusReaches = (role: 'combobox' | 'textbox', name: string) =>
    waitFor(
      () =>
        page()
          .getByRole(role, { name })
          .evaluate((element) => element === element.ownerDocument.activeElement),
      `the focus in ${name}`,
    );

  const signInAs = async (username: string, password: string, acceptAup = true) => {
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), username, password);
    if (acceptAup) {
      await page().getByRole('button', { name: 'I accept' }).click();
    }
    await page()
      .getByRole('heading', { name: /^Hello/ })
      .waitFor();
  };

  it('checks a laptop out at the desk with the AUP accepted in person, then back in', async () => {
    const clerk = await createStaffAccount(hub().url, adminToken, 'olive', ['office']);
    // Bella has never signed in, so has not accepted the AUP.
    const bella = await createStaffAccount(hub().url, adminToken, 'bella', ['teacher']);
    const laptop = await newAsset('LOAN-101', 'laptop', { serialNumber: 'SER-101' });

    await signInAs(clerk.username, clerk.password);
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Office desk' })
      .click();
    await page().getByRole('heading', { name: 'Office desk', level: 1 }).waitFor();
    // The scan box has the focus at once: the scanner can type into it.
    expect(await scanBoxHasFocus()).toBe(true);
    await checkScreen('office-desk');

    // A tag nobody has: said in words.
    await scan('NOPE-1');
    await page().getByText('No asset has the tag NOPE-1.').waitFor();
    // Nothing to do with it: the focus stays in the box for the next scan.
    expect(await scanBoxHasFocus()).toBe(true);

    // An available laptop opens check-out, with the focus in its first step, the borrower: the
    // clerk types the name and picks it by keyboard, never touching the screen.
    await scan('LOAN-101');
    const panel = page().getByRole('region', { name: 'Check out LOAN-101' });
    await panel.waitFor();
    await focusReaches('combobox', 'Borrower');
    await page().keyboard.type('Bel');
    await page()
      .getByRole('option', { name: /^Bella/ })
      .waitFor();
    await page().keyboard.press('ArrowDown');
    await page().keyboard.press('Enter');
    // Bella has not accepted the AUP: the text to read, and no check-out until she has.
    await panel
      .getByRole('heading', { name: 'Bella has not accepted the acceptable use policy' })
      .waitFor();
    await panel.getByRole('document', { name: 'Acceptable use policy' }).waitFor();
    expect(await panel.getByRole('button', { name: 'Check out' }).isDisabled()).toBe(true);
    await checkScreen('desk-check-out-aup');
    await panel.getByRole('button', { name: 'Accepted in person' }).click();
    await panel.getByText('Accepted in person: you are recorded as the witness').waitFor();
    // A mistyped year is caught on the form, before the hub refuses it.
    const dueBack = panel.getByLabel('Due back');
    const dueAsGiven = await dueBack.inputValue();
    await dueBack.fill(`${Number(dueAsGiven.slice(0, 4)) + 100}${dueAsGiven.slice(4)}`);
    await panel
      .getByText('The due day is more than a year away: check the year.')
      .first()
      .waitFor();
    expect(await panel.getByRole('button', { name: 'Check out' }).isDisabled()).toBe(true);
    await dueBack.fill(dueAsGiven);
    await panel.getByRole('button', { name: 'Check out' }).click();

    // Done: said above the box, and the focus is back in the scan box for the next person.
    await page().getByRole('status').filter({ hasText: 'LOAN-101 checked out to Bella' }).waitFor();
    await panel.waitFor({ state: 'detached' });
    expect(await scanBoxHasFocus()).toBe(true);
    // Done with that asset: it leaves the address, so a reload does not bring it back.
    expect(new URL(page().url()).search).toBe('');
    const out = await api<ApiPage<Loan>>('GET', `/api/loans?assetId=${laptop.id}`);
    expect(
      out.items.map((loan) => [loan.status, loan.borrowerName, loan.aupAcceptedAtDesk]),
    ).toEqual([['open', 'Bella', true]]);
    // Her acceptance was recorded at the desk: she signs in without the AUP page and sees the
    // loan on her home page.
    const bellaToken = await apiSignIn(hub().url, bella.username, bella.password, false);
    const aup = await callApi<{ acceptedAt: string | null }>(
      hub().url,
      'GET',
      '/api/aup',
      bellaToken,
    );
    expect(aup.acceptedAt).not.toBeNull();
    const bellaPage = await browser().newPage();
    const clerkPage = page();
    usePage(bellaPage);
    await signInAs(bella.username, bella.password, false);
    await page().getByRole('heading', { name: 'Your loans' }).waitFor();
    await page()
      .getByText(/LOAN-101.*due back/)
      .waitFor();
    await checkScreen('home-my-loans');
    await page().close();
    usePage(clerkPage);

    // The same scan brings up check-in.
    await scan('LOAN-101');
    const checkIn = page().getByRole('region', { name: 'Check in LOAN-101' });
    await checkIn.getByText('On loan to').waitFor();
    await focusReaches('textbox', 'Condition coming back');
    await checkIn.getByText('Bella', { exact: true }).waitFor();
    await checkScreen('desk-check-in');
    await checkIn.getByRole('textbox', { name: 'Condition coming back' }).fill('Scratched lid');
    await checkIn.getByRole('button', { name: 'Check in' }).click();
    await page()
      .getByRole('status')
      .filter({ hasText: 'LOAN-101 checked in from Bella' })
      .waitFor();
    expect(await scanBoxHasFocus()).toBe(true);
    const back = await api<Asset>('GET', `/api/assets/${laptop.id}`);
    expect(back.status).toBe('available');
    const returned = await api<ApiPage<Loan>>('GET', `/api/loans?assetId=${laptop.id}`);
    expect(returned.items.map((loan) => [loan.status, loan.conditionIn])).toEqual([
      ['returned', 'Scratched lid'],
    ]);

    // A laptop in repair is not lent: the desk says why.
    await newAsset('LOAN-102');
    const repair = (await api<Asset>('GET', '/api/assets/by-tag/LOAN-102')).id;
    await api('PATCH', `/api/assets/${repair}`, { status: 'in_repair' });
    await scan('LOAN-102');
    await page().getByRole('heading', { name: 'LOAN-102: In repair' }).waitFor();
    expect(await scanBoxHasFocus()).toBe(true);

    // The asset looked up is in the address: a reload (or the link, shared) shows it again.
    await page().waitForURL(/\/desk\?tag=LOAN-102$/);
    await page().reload();
    await page().getByRole('heading', { name: 'LOAN-102: In repair' }).waitFor();
    // And an available one comes back with its check-out, from a link to the desk.
    await page().goto(`${hub().url}/desk?tag=LOAN-101`);
    await page().getByRole('region', { name: 'Check out LOAN-101' }).waitFor();
    await focusReaches('combobox', 'Borrower');
    // The same tag scanned again reads it afresh, and its check-out takes the focus again.
    await scan('LOAN-101');
    await focusReaches('combobox', 'Borrower');

    // Another desk checks it out while this one has the form open: the clerk is told, and the
    // desk shows it as it is now (its check-in), not a form that can only be refused again.
    const race = page().getByRole('region', { name: 'Check out LOAN-101' });
    await race.getByRole('combobox', { name: 'Borrower' }).fill('Bel');
    await page()
      .getByRole('option', { name: /^Bella/ })
      .click();
    const bellaId = (
      await api<ApiPage<{ id: string; username: string }>>('GET', '/api/staff?pageSize=100')
    ).items.find((account) => account.username === 'bella')?.id;
    const elsewhere = await api<Loan>('POST', '/api/loans', {
      assetTag: 'LOAN-101',
      borrowerId: bellaId,
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await race.getByRole('button', { name: 'Check out' }).click();
    await page()
      .getByRole('alert')
      .filter({ hasText: 'Asset LOAN-101 is not available: it is on loan. Someone else' })
      .waitFor();
    const nowOnLoan = page().getByRole('region', { name: 'Check in LOAN-101' });
    await nowOnLoan.getByText('Bella', { exact: true }).waitFor();
    // And the same for a check-in another desk did first: it shows as available again.
    await api('POST', `/api/loans/${elsewhere.id}/return`, { condition: 'Good' });
    await nowOnLoan.getByRole('button', { name: 'Check in' }).click();
    await page()
      .getByRole('alert')
      .filter({ hasText: 'LOAN-101 has already been checked in from Bella. Someone else' })
      .waitFor();
    await page().getByRole('region', { name: 'Check out LOAN-101' }).waitFor();
  });

  it('lists overdue loans, finds assets, shows a history, marks one lost, prints labels and imports a CSV', async () => {
    const ict = await createStaffAccount(hub().url, adminToken, 'iris', ['ict']);
    const borrower = await createStaffAccount(hub().url, adminToken, 'carl', ['teacher']);
    const carlId = (
      await callApi<{ id: string }>(
        hub().url,
        'GET',
        '/api/auth/me',
        await apiSignIn(hub().url, borrower.username, borrower.password),
      )
    ).id;
    const late = await newAsset('LATE-1');
    // Due in a moment, then waited out: the hub refuses a due date already passed.
    await api<Loan>('POST', '/api/loans', {
      assetTag: late.assetTag,
      borrowerId: carlId,
      dueAt: new Date(Date.now() + 1_000).toISOString(),
    });
    await waitFor(async () => {
      const overdue = await api<ApiPage<Loan>>('GET', '/api/loans?status=overdue');
      return overdue.total === 1;
    }, 'the loan to be overdue');
    await signInAs(ict.username, ict.password);

    await page().goto(`${hub().url}/loans/overdue`);
    await page().getByRole('heading', { name: 'Overdue loans', level: 1 }).waitFor();
    const overdue = page().getByRole('grid', { name: 'Overdue loans' });
    await overdue.getByRole('row').filter({ hasText: 'LATE-1' }).getByText('1 day').waitFor();
    await checkScreen('overdue-loans');

    // The asset search: by tag, with the status filter in the address.
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Assets' })
      .click();
    await page().getByRole('heading', { name: 'Assets', level: 1 }).waitFor();
    const assets = page().getByRole('grid', { name: 'Assets' });
    await assets.getByRole('link', { name: 'LATE-1' }).waitFor();
    await page()
      .getByRole('button', { name: /^Any status/ })
      .click();
    await page().getByRole('option', { name: 'On loan' }).click();
    await page().waitForURL(/status=on_loan/);
    await assets.getByRole('row').filter({ hasText: 'Carl' }).waitFor();
    await checkScreen('assets');

    // Its page: the loan in its history, and "Mark lost" after a confirmation.
    await assets.getByRole('link', { name: 'LATE-1' }).click();
    await page().getByRole('heading', { name: 'Asset LATE-1', level: 1 }).waitFor();
    await page().getByRole('grid', { name: 'Loan history' }).getByText('Carl').waitFor();
    await page()
      .getByRole('img', { name: /^Label of LATE-1/ })
      .waitFor();
    await checkScreen('asset-detail');
    await page().getByRole('button', { name: 'Mark lost' }).click();
    const confirm = page().getByRole('alertdialog', { name: 'Mark LATE-1 lost?' });
    await confirm.getByRole('button', { name: 'Mark lost' }).click();
    await page().getByText('LATE-1 is marked lost.').waitFor();
    expect((await api<Asset>('GET', `/api/assets/${late.id}`)).status).toBe('lost');
    // The page shows it as it is now, without a reload: lost while on loan, so its way back is
    // the desk's check-in, and "Mark lost" is not offered again.
    await page().getByText('It was lost while on loan to Carl.', { exact: false }).waitFor();
    await page().getByRole('link', { name: 'check it in at the office desk' }).waitFor();
    expect(await page().getByRole('button', { name: 'Mark lost' }).count()).toBe(0);

    // CSV import: a dry run that changes nothing, then the import, each with its per-row report.
    await page().goto(`${hub().url}/inventory/import`);
    await page().getByRole('heading', { name: 'Import assets', level: 1 }).waitFor();
    const csv = [
      'kind,assetTag,serialNumber',
      'laptop,CSV-1,S-1',
      'toaster,CSV-2,S-2',
      'tablet,LATE-1,S-3',
      'tablet,CSV-3,S-4',
    ].join('\n');
    const chooser = page().waitForEvent('filechooser');
    await page().getByRole('button', { name: 'Choose a CSV file' }).click();
    await (
      await chooser
    ).setFiles({
      name: 'assets.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page().getByText('2 assets would be created.').waitFor();
    const problems = page().getByRole('grid', { name: 'Rows with a problem (check)' });
    await problems.getByRole('row').filter({ hasText: 'toaster' }).getByText('3').waitFor();
    await problems.getByRole('row').filter({ hasText: 'assetTag' }).getByText('4').waitFor();
    expect((await api<ApiPage<Asset>>('GET', '/api/assets?search=CSV-')).total).toBe(0);
    await checkScreen('asset-import-checked');
    await page().getByRole('button', { name: 'Import 2 assets' }).click();
    await page().getByText('2 assets were created.').waitFor();
    await checkScreen('asset-import-done');
    const imported = await api<ApiPage<Asset>>('GET', '/api/assets?search=CSV-');
    expect(imported.items.map((asset) => asset.assetTag).sort()).toEqual(['CSV-1', 'CSV-3']);
    // Pasted text with no good row: the page says to fix the pasted text, not to choose a file.
    await page().reload();
    await page().getByText('Or paste the CSV').click();
    await page()
      .getByRole('textbox', { name: 'CSV text' })
      .fill(['kind,assetTag', 'toaster,CSV-9'].join('\n'));
    await page().getByRole('button', { name: 'Check the pasted text' }).click();
    await page().getByText('0 assets would be created.').waitFor();
    await page()
      .getByText(
        'No row can be imported: fix the rows listed above in the pasted text and check it again.',
        { exact: true },
      )
      .waitFor();

    // The labels sheet for the imported assets: one label image each.
    await page().goto(`${hub().url}/inventory?q=CSV-`);
    await page().getByRole('link', { name: 'Print labels' }).click();
    await page().getByRole('heading', { name: 'Asset labels', level: 1 }).waitFor();
    await page()
      .getByRole('img', { name: /^Label of CSV-1/ })
      .waitFor();
    await page()
      .getByRole('img', { name: /^Label of CSV-3/ })
      .waitFor();
    expect(await page().getByRole('list', { name: 'Labels' }).getByRole('listitem').count()).toBe(
      2,
    );
    const sizes = await page()
      .getByRole('img', { name: /^Label of/ })
      .evaluateAll((images) =>
        images.map((image) => (image as { naturalWidth: number }).naturalWidth),
      );
    expect(sizes.every((width) => width > 0)).toBe(true);
    await checkScreen('asset-labels');
    // Printed: the labels alone, without the navigation, the heading or the buttons.
    await page().emulateMedia({ media: 'print' });
    expect(await page().getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    expect(await page().getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    expect(
      await page()
        .getByRole('img', { name: /^Label of CSV-1/ })
        .isVisible(),
    ).toBe(true);
    await screenshot(page(), 'asset-labels-printed');
    await page().emulateMedia({ media: null });
  });

  it('a trip leader makes a trip, checks the kit out, checks it in by scan and closes it', async () => {
    const leader = await createStaffAccount(hub().url, adminToken, 'tara', ['trip_leader']);
    await createStaffAccount(hub().url, adminToken, 'omar', ['trip_leader']);
    await createStaffAccount(hub().url, adminToken, 'olga', ['trip_leader']);
    for (const tag of ['TAB-1', 'TAB-2', 'TAB-3']) {
      await newAsset(tag, 'tablet');
    }
    await signInAs(leader.username, leader.password);
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Trips' })
      .click();
    await page().getByRole('heading', { name: 'My trips', level: 1 }).waitFor();
    await page().getByText('You lead no trips yet.').waitFor();
    await page().getByRole('link', { name: 'New trip' }).click();
    await page().getByRole('heading', { name: 'New trip', level: 1 }).waitFor();
    await page().getByRole('textbox', { name: 'Name', exact: true }).fill('Year 6 museum visit');
    // The short name's rule is shown, and a name with capitals and spaces is refused as typed.
    const shortName = page().getByRole('textbox', { name: 'Short name' });
    await shortName.fill('museum day');
    await page()
      .getByText(/Use 1 to 24 of a-z, 0-9 and -/)
      .waitFor();
    await shortName.fill('y6-museum');
    // A tag scanned twice, once as typed in lower case, is one asset, as the hub counts it.
    await page()
      .getByRole('textbox', { name: 'Kit: asset tags' })
      .fill('TAB-1\nTAB-2\ntab-2\nTAB-3\n');
    await page().getByText('3 assets so far.', { exact: false }).waitFor();
    // A second leader, found by part of their name and chosen from the list: the list closes,
    // and they are shown (and read out) under "Other leaders", the search box empty for the next.
    const leaderSearch = page().getByRole('combobox', { name: 'Add another leader' });
    await leaderSearch.fill('oma');
    await page().getByRole('option', { name: /^Omar/ }).click();
    await page()
      .getByRole('list', { name: 'Other leaders' })
      .getByRole('button', { name: 'Remove Omar' })
      .waitFor();
    expect(await leaderSearch.getAttribute('aria-expanded')).toBe('false');
    expect(await leaderSearch.inputValue()).toBe('');
    // A third by keyboard alone: Down arrow to the option, Enter to choose it.
    await leaderSearch.fill('olg');
    await page().getByRole('option', { name: /^Olga/ }).waitFor();
    await leaderSearch.press('ArrowDown');
    await leaderSearch.press('Enter');
    await page().getByRole('button', { name: 'Remove Olga' }).waitFor();
    expect(await leaderSearch.getAttribute('aria-expanded')).toBe('false');
    await checkScreen('trip-new');
    await page().getByRole('button', { name: 'Add trip' }).click();

    await page().getByRole('heading', { name: 'Trip: Year 6 museum visit', level: 1 }).waitFor();
    // All three lead it (in name order): the one who added it and the two they chose.
    await page().getByText('Olga, Omar, Tara', { exact: true }).waitFor();
    const kit = page().getByRole('grid', { name: 'Kit' });
    /** The kit's rows whose state reads `state` (the word after its mark). */
    const rowsIn = (state: string) =>
      kit.getByRole('row').filter({ has: page().getByRole('gridcell', { name: state }) });
    await rowsIn('Ready').first().waitFor();
    expect(await rowsIn('Ready').count()).toBe(3);
    await checkScreen('trip-planned');
    // A day trip's dates name the day once, with both clock times.
    await page()
      .getByText(/^\d{1,2} \w{3} \d{4}, 08:30 to 16:00$/)
      .waitFor();

    // The leader's home lists the trip, and so does My trips, each opening it.
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Home' })
      .click();
    const yourTrips = page()
      .getByRole('list')
      .filter({
        has: page().getByRole('link', { name: 'Year 6 museum visit' }),
      });
    await yourTrips.getByText('Planned: kit not checked out yet', { exact: false }).waitFor();
    await yourTrips.getByText('Kit: 3 ready to check out').waitFor();
    await checkScreen('home-trip-leader');
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Trips' })
      .click();
    const tripRow = page()
      .getByRole('grid', { name: 'My trips' })
      .getByRole('row')
      .filter({ has: page().getByRole('link', { name: 'Year 6 museum visit' }) });
    // One day, said once ("Wed, 2 Dec 2026"), not "… to" the same day.
    await tripRow.getByRole('gridcell', { name: /^\w{3}, \d{1,2} \w{3} \d{4}$/ }).waitFor();
    await checkScreen('trips');
    await tripRow.getByRole('link', { name: 'Year 6 museum visit' }).click();
    await page().getByRole('heading', { name: 'Trip: Year 6 museum visit', level: 1 }).waitFor();
    await page().getByRole('button', { name: 'Check out' }).click();
    await page().getByText('Kit checked out: 3 devices out.').waitFor();
    expect(await rowsIn('Out').count()).toBe(3);
    // Not all back: "Close trip" is off, with the reason beside it.
    expect(await page().getByRole('button', { name: 'Close trip' }).isDisabled()).toBe(true);
    await page().getByText('3 devices are still out').waitFor();

    // Back at school: one scanned in, one marked lost.
    await scan('TAB-2');
    await page().getByText('TAB-2 is back. 1 of 3 back, 2 out.').waitFor();
    expect(await scanBoxHasFocus()).toBe(true);
    await kit.getByRole('row').filter({ hasText: 'TAB-2' }).getByText('Back').waitFor();
    await checkScreen('trip-out');
    await kit
      .getByRole('row')
      .filter({ hasText: 'TAB-3' })
      .getByRole('button', { name: 'Mark lost' })
      .click();
    await page()
      .getByRole('alertdialog', { name: 'Mark TAB-3 lost?' })
      .getByRole('button', { name: 'Mark lost' })
      .click();
    await kit.getByRole('row').filter({ hasText: 'TAB-3' }).getByText('Lost').waitFor();
    await page().getByText('1 device is still out').waitFor();
    await scan('TAB-1');
    await page().getByText('TAB-1 is back. 2 of 3 back, 1 lost.').waitFor();

    // Every device back or lost: the trip closes.
    await page().getByRole('button', { name: 'Close trip' }).click();
    await page()
      .getByRole('alertdialog', { name: 'Close Year 6 museum visit?' })
      .getByRole('button', { name: 'Close trip' })
      .click();
    await page().getByText('The trip is closed.').waitFor();
    const trips = await api<ApiPage<Trip>>('GET', '/api/trips');
    expect(trips.items.map((trip) => [trip.name, trip.status])).toEqual([
      ['Year 6 museum visit', 'closed'],
    ]);
    await checkScreen('trip-closed');
  });

  it('keeps a message naming a long scanned tag on a portrait iPad, never scrolling sideways; "Check in" names the tag as labelled', async () => {
    await newAsset('LONG-1', 'tablet');
    const me = await api<{ id: string }>('GET', '/api/auth/me');
    const now = Date.now();
    const trip = await api<Trip>('POST', '/api/trips', {
      name: 'Year 5 castle visit',
      shortName: 'castle',
      startsAt: new Date(now + 3_600_000).toISOString(),
      endsAt: new Date(now + 8 * 3_600_000).toISOString(),
      leaderIds: [me.id],
      assetTags: ['LONG-1'],
    });
    await api('POST', `/api/trips/${trip.id}/check-out`);
    await signInAs('admin', ADMIN_PASSWORD, false);
    await page().setViewportSize({ width: 768, height: 1024 });
    await page().goto(`${hub().url}/trips/${trip.id}`);
    await page().getByRole('heading', { name: 'Trip: Year 5 castle visit', level: 1 }).waitFor();
    // A tag of the longest kind the register takes (64 characters), not in this kit; then a
    // scanner's misread, one long word.
    const longTag = `LONG-${'0'.repeat(59)}`;
    await scan(longTag);
    await page().getByText(`${longTag} is not in this trip's kit.`).waitFor();
    expect(await scrollsSideways(page())).toBe(false);
    const misread = 'X'.repeat(90);
    await scan(misread);
    await page().getByText(`Could not check in ${misread}.`).waitFor();
    expect(await scrollsSideways(page())).toBe(false);
    // Typed by hand in lower case, with the button that says what it does: the message names the
    // tag as its label spells it.
    await page().getByRole('textbox', { name: SCAN_BOX }).fill('long-1');
    await page().getByRole('button', { name: 'Check in' }).click();
    await page().getByText('LONG-1 is back. 1 of 1 back.').waitFor();
  });
  it('keeps a trip whose name is one long word on a portrait iPad: home, the trip and its photos', async () => {
    await newAsset('LONG-2', 'tablet');
    const me = await api<{ id: string }>('GET', '/api/auth/me');
    const now = Date.now();
    const name = 'Year6SciencemuseumvisitwithHollyfieldandOakclasses'.repeat(2);
    const trip = await api<Trip>('POST', '/api/trips', {
      name,
      shortName: 'science',
      startsAt: new Date(now + 3_600_000).toISOString(),
      endsAt: new Date(now + 8 * 3_600_000).toISOString(),
      leaderIds: [me.id],
      assetTags: ['LONG-2'],
    });
    await signInAs('admin', ADMIN_PASSWORD, false);
    await page().setViewportSize({ width: 768, height: 1024 });
    const sideways: string[] = [];
    for (const [address, seen] of [
      ['/', page().getByRole('link', { name })],
      [`/trips/${trip.id}`, page().getByRole('heading', { name: `Trip: ${name}`, level: 1 })],
      [`/photos?trip=${trip.id}`, page().getByRole('button', { name: new RegExp(name) })],
    ] as const) {
      await page().goto(`${hub().url}${address}`);
      await seen.waitFor();
      if (await scrollsSideways(page())) {
        sideways.push(address);
      }
    }
    expect(sideways).toEqual([]);
  });
});
