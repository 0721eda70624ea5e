// A trip's kit changed from its page in a real browser, against a real hub (no request
// intercepted). A trip leader, on an iPad, adds a tablet to a planned trip by typing its tag and
// Enter (as a scanner does), takes one out by touch through "Remove from kit" and its question,
// checks the kit out, then finds a laptop on loan refused in plain words with the focus back in
// the box, adds an available tablet that goes out at once, and takes one out of the trip that is
// out: it is checked in and listed as back. What the page said is read back from the hub. The
// screen at both iPad sizes: no serious or critical axe violation, no sideways scrolling, 44 px
// targets, no CSP violation.
import type { Locator, Page } from 'playwright-core';
import type { Asset as HubAsset, Trip } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  consoleSpec,
  scrollsSideways,
  signInWithForm,
} from '../support/browser';

jest.setTimeout(240_000);

const ADD_BOX = 'Asset tag to add to the kit';

/**
 * A finger's tap on `target`: Chromium's touch events through the DevTools protocol (the shared
 * browser has no touch screen of its own), so the page sees pointer events of type touch, as on
 * an iPad.
 */
async function tap(page: Page, target: Locator): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (!box) {
    throw new Error('tap: the target is not on the screen');
  }
  const session = await page.context().newCDPSession(page);
  await session.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
  const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await session.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
  await session.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await session.detach();
}

describe("a trip's kit changed from its page", () => {
  let adminToken: string;
  const { hub, page, checkScreen } = consoleSpec({ pageTimeout: 20_000 });

  beforeAll(async () => {
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
  });
  const api = <T>(method: string, path: string, body?: unknown) =>
    callApi<T>(hub().url, method, path, adminToken, body);

  it('adds a device by keyboard, removes one by touch, and says why one on loan cannot join the kit that is out', async () => {
    const password = 'Staff-Pass1!';
    const account = (username: string, displayName: string, roles: string[]) =>
      api<{ id: string }>('POST', '/api/staff', { username, displayName, password, roles });
    const leader = await account('tess', 'Tess', ['trip_leader']);
    const borrower = await account('ben', 'Ben', ['teacher']);
    for (const tag of ['IPAD-01', 'IPAD-02', 'IPAD-03', 'IPAD-04']) {
      await api<HubAsset>('POST', '/api/assets', { assetTag: tag, kind: 'tablet', model: 'iPad' });
    }
    await api('POST', '/api/assets', { assetTag: 'LAP-07', kind: 'laptop', model: 'ThinkPad' });
    // Ben has the laptop on loan, with the AUP accepted at the desk.
    await api('POST', '/api/loans', {
      assetTag: 'LAP-07',
      borrowerId: borrower.id,
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      aupAcceptedAtDesk: true,
    });
    const now = Date.now();
    const trip = await api<Trip>('POST', '/api/trips', {
      name: 'Year 3 farm visit',
      shortName: 'y3-farm',
      startsAt: new Date(now + 3_600_000).toISOString(),
      endsAt: new Date(now + 8 * 3_600_000).toISOString(),
      leaderIds: [leader.id],
      assetTags: ['IPAD-01', 'IPAD-02'],
    });

    await page().setViewportSize({ width: 768, height: 1024 });
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), 'tess', password);
    await page().getByRole('button', { name: 'I accept' }).click();
    await page()
      .getByRole('heading', { name: /^Hello/ })
      .waitFor();
    await page().goto(`${hub().url}/trips/${trip.id}`);
    await page().getByRole('heading', { name: 'Trip: Year 3 farm visit', level: 1 }).waitFor();
    const kit = page().getByRole('grid', { name: 'Kit' });
    const row = (tag: string) => kit.getByRole('row').filter({ hasText: tag });
    const box = page().getByRole('textbox', { name: ADD_BOX });
    const boxHasFocus = () =>
      box.evaluate((element) => element === element.ownerDocument.activeElement);

    // By keyboard, as a scanner types: the tag (in lower case) and Enter.
    await box.fill('ipad-03');
    await box.press('Enter');
    await page()
      .getByRole('status')
      .filter({ hasText: 'IPAD-03 is added to the kit. 3 ready to check out.' })
      .waitFor();
    await row('IPAD-03').getByText('Ready').waitFor();
    expect(await boxHasFocus()).toBe(true);
    await checkScreen('trip-kit-planned');

    // By touch: the row's "Remove from kit", then the question's own button.
    await tap(page(), row('IPAD-01').getByRole('button', { name: 'Remove from kit' }));
    const question = page().getByRole('alertdialog', { name: 'Remove IPAD-01 from the kit?' });
    await question
      .getByText('IPAD-01 will not go on this trip. It stays in the register.')
      .waitFor();
    await tap(page(), question.getByRole('button', { name: 'Remove from kit' }));
    await page().getByText('IPAD-01 is out of the kit. 2 ready to check out.').waitFor();
    await row('IPAD-01').waitFor({ state: 'detached' });

    // The kit goes out.
    await page().getByRole('button', { name: 'Check out' }).click();
    await page().getByText('Kit checked out: 2 devices out.').waitFor();

    // A laptop on loan cannot join a kit that is out: said in plain words, the focus back.
    await box.fill('LAP-07');
    await tap(page(), page().getByRole('button', { name: 'Add to kit' }));
    await page()
      .getByRole('alert')
      .filter({
        hasText:
          'Could not add LAP-07 to the kit. LAP-07 cannot join the kit while it is out: it is on loan.',
      })
      .waitFor();
    expect(await boxHasFocus()).toBe(true);
    expect(await scrollsSideways(page())).toBe(false);

    // An available tablet joins and goes out at once.
    await box.fill('IPAD-04');
    await box.press('Enter');
    await page()
      .getByText('IPAD-04 is added to the kit and checked out. 0 of 3 back, 3 out.')
      .waitFor();
    await row('IPAD-04').getByText('Out').waitFor();
    expect((await api<HubAsset>('GET', '/api/assets/by-tag/IPAD-04')).status).toBe('on_trip');

    // Taken out of the trip that is out: checked in, and listed as back.
    await row('IPAD-02').getByRole('button', { name: 'Remove from kit' }).click();
    const outQuestion = page().getByRole('alertdialog', { name: 'Remove IPAD-02 from the kit?' });
    await outQuestion
      .getByText(
        "IPAD-02 is checked in as it leaves the kit: it is available again, the trip's settings come off it, and it stays listed as back.",
      )
      .waitFor();
    await checkScreen('trip-kit-remove-out');
    await outQuestion.getByRole('button', { name: 'Remove from kit' }).click();
    await page()
      .getByText('IPAD-02 is checked in and taken out of the kit. 1 of 3 back, 2 out.')
      .waitFor();
    await row('IPAD-02').getByText('Back').waitFor();
    await checkScreen('trip-kit-out');

    const after = await api<Trip>('GET', `/api/trips/${trip.id}`);
    expect(after.kit.map((device) => [device.assetTag, device.status])).toEqual([
      ['IPAD-02', 'back'],
      ['IPAD-03', 'out'],
      ['IPAD-04', 'out'],
    ]);
    expect((await api<HubAsset>('GET', '/api/assets/by-tag/IPAD-02')).status).toBe('available');
    expect((await api<HubAsset>('GET', '/api/assets/by-tag/LAP-07')).status).toBe('on_loan');
  });
});
