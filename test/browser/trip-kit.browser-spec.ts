// A trip's kit changed from its page in a real browser, against a real hub (no request
// intercepted). A trip leader, on an iPad, adds a tablet to a planned trip by typing its tag and
// Enter (as a scanner does), takes one out by touch through "Remove from kit" and its question,
// checks the kit out, then finds a laptop on loan refused in plain words with the focus back in
// the box, adds an available tablet that goes out at once, and takes one out of the trip that is
// out: it is checked in and listed as back. A planned trip is called off by keyboard through
// "Close trip", whose question says so. What the page said is read back from the hub. The
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
import { waitFor } from '../support/devices';

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
  const { hub, browser, page, checkScreen } = consoleSpec({ pageTimeout: 20_000 });

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

  it('calls off a planned trip by keyboard: "Close trip" is offered and says what it does', async () => {
    const password = 'Staff-Pass1!';
    const leader = await api<{ id: string }>('POST', '/api/staff', {
      username: 'tia',
      displayName: 'Tia',
      password,
      roles: ['trip_leader'],
    });
    for (const tag of ['IPAD-11', 'IPAD-12']) {
      await api<HubAsset>('POST', '/api/assets', { assetTag: tag, kind: 'tablet', model: 'iPad' });
    }
    const now = Date.now();
    const trip = await api<Trip>('POST', '/api/trips', {
      name: 'Year 5 castle visit',
      shortName: 'y5-castle',
      startsAt: new Date(now + 24 * 3_600_000).toISOString(),
      endsAt: new Date(now + 30 * 3_600_000).toISOString(),
      leaderIds: [leader.id],
      assetTags: ['IPAD-11', 'IPAD-12'],
    });

    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), 'tia', password);
    await page().getByRole('button', { name: 'I accept' }).click();
    await page()
      .getByRole('heading', { name: /^Hello/ })
      .waitFor();
    await page().goto(`${hub().url}/trips/${trip.id}`);
    await page().getByRole('heading', { name: 'Trip: Year 5 castle visit', level: 1 }).waitFor();

    // The kit never went out, so the trip can be called off: nothing stands in the way.
    const close = page().getByRole('button', { name: 'Close trip' });
    expect(await close.isDisabled()).toBe(false);
    await close.focus();
    await page().keyboard.press('Enter');
    const question = page().getByRole('alertdialog', { name: 'Close Year 5 castle visit?' });
    await question
      .getByText(
        'The kit has not gone out, so closing calls the trip off: its devices stay in the register, free for loans and other trips, and the trip stays in the list as closed.',
      )
      .waitFor();
    await checkScreen('trip-call-off');
    await question.getByRole('button', { name: 'Close trip' }).focus();
    await page().keyboard.press('Enter');
    await page()
      .getByRole('status')
      .filter({ hasText: 'The trip is called off and closed: its kit never went out.' })
      .waitFor();
    // "Close trip" went with the trip it closed: the keyboard's place is the line saying so, not
    // the page's start (from which Tab would go through the navigation again).
    const focused = async () =>
      (await page().evaluate<string | null>('document.activeElement.textContent'))?.trim();
    await waitFor(
      async () =>
        (await focused()) === '✓ The trip is called off and closed: its kit never went out.',
      'the focus on the line saying the trip is closed',
    );
    await page().getByText('Closed', { exact: true }).waitFor();

    const after = await api<Trip>('GET', `/api/trips/${trip.id}`);
    expect([after.status, after.checkedOutAt]).toEqual(['closed', null]);
    for (const tag of ['IPAD-11', 'IPAD-12']) {
      expect((await api<HubAsset>('GET', `/api/assets/by-tag/${tag}`)).status).toBe('available');
    }
  });

  it("shows the kit as the hub has it when another tab's check-in came first", async () => {
    const password = 'Staff-Pass1!';
    const leader = await api<{ id: string }>('POST', '/api/staff', {
      username: 'tomas',
      displayName: 'Tomas',
      password,
      roles: ['trip_leader'],
    });
    for (const tag of ['IPAD-21', 'IPAD-22', 'IPAD-23']) {
      await api<HubAsset>('POST', '/api/assets', { assetTag: tag, kind: 'tablet', model: 'iPad' });
    }
    const now = Date.now();
    const trip = await api<Trip>('POST', '/api/trips', {
      name: 'Year 2 beach day',
      shortName: 'y2-beach',
      startsAt: new Date(now - 3_600_000).toISOString(),
      endsAt: new Date(now + 6 * 3_600_000).toISOString(),
      leaderIds: [leader.id],
      assetTags: ['IPAD-21', 'IPAD-22', 'IPAD-23'],
    });
    await api('POST', `/api/trips/${trip.id}/check-out`);

    // Two leaders at the coach, each with an iPad (two tabs, each signed in on its own).
    const first = page();
    const second = await browser().context.newPage();
    await second.setViewportSize({ width: 768, height: 1024 });
    for (const [index, tab] of [first, second].entries()) {
      await tab.goto(`${hub().url}/sign-in`);
      await signInWithForm(tab, 'tomas', password);
      if (index === 0) {
        await tab.getByRole('button', { name: 'I accept' }).click();
      }
      await tab.getByRole('heading', { name: /^Hello/ }).waitFor();
      await tab.goto(`${hub().url}/trips/${trip.id}`);
      await tab.getByRole('heading', { name: 'Trip: Year 2 beach day', level: 1 }).waitFor();
    }
    const scan = async (tab: Page, tag: string) => {
      const box = tab.getByRole('textbox', { name: 'Scan or type an asset tag' });
      await box.fill(tag);
      await box.press('Enter');
    };
    const stateOf = (tab: Page, tag: string) =>
      tab
        .getByRole('grid', { name: 'Kit' })
        .getByRole('row')
        .filter({ hasText: tag })
        .locator('.kit-status');
    /** Well before the page's own 30 s reading, so only the refusal can have read it again. */
    const soon = { timeout: 5_000 };

    // The first checks IPAD-21 in; the second, not knowing, scans it too.
    await scan(first, 'IPAD-21');
    await first.getByText('IPAD-21 is back. 1 of 3 back, 2 out.').waitFor();
    await scan(second, 'IPAD-21');
    await second
      .getByRole('alert')
      .filter({ hasText: 'Could not check in IPAD-21. IPAD-21 is already checked in.' })
      .waitFor();
    await stateOf(second, 'IPAD-21').filter({ hasText: 'Back' }).waitFor(soon);
    await second.getByText('1 of 3 back, 2 out', { exact: true }).waitFor(soon);

    // The first checks IPAD-22 in; the second tries to mark it lost: refused, and once the
    // question is closed the row says it is back.
    await scan(first, 'IPAD-22');
    await first.getByText('IPAD-22 is back. 2 of 3 back, 1 out.').waitFor();
    await stateOf(second, 'IPAD-22').filter({ hasText: 'Out' }).waitFor();
    const row = second.getByRole('grid', { name: 'Kit' }).getByRole('row').filter({
      hasText: 'IPAD-22',
    });
    await row.getByRole('button', { name: 'Mark lost' }).click();
    const question = second.getByRole('alertdialog', { name: 'Mark IPAD-22 lost?' });
    await question.getByRole('button', { name: 'Mark lost' }).click();
    await question.getByText('IPAD-22 is not out on this trip (it is back).').waitFor();
    await checkScreen('trip-kit-refused-lost', second);
    await question.getByRole('button', { name: 'Cancel' }).click();
    await stateOf(second, 'IPAD-22').filter({ hasText: 'Back' }).waitFor(soon);
    await second.getByText('2 of 3 back, 1 out', { exact: true }).waitFor(soon);
    expect((await api<Trip>('GET', `/api/trips/${trip.id}`)).kitCounts).toEqual({
      ready: 0,
      out: 1,
      back: 2,
      lost: 0,
    });
  });
});
