// An asset's page open in two tabs (two office staff, or one clerk's two iPads), against a real
// hub: the first marks the laptop lost; the second, still showing it available, tries too and is
// refused in the hub's words, and once the question is closed the page shows the asset as the hub
// has it (lost, with "Found: make available"), not the status it last read. The refused question
// at both iPad sizes: no serious or critical axe violation, no sideways scrolling, 44 px targets.
import type { Asset } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  consoleSpec,
  signInWithForm,
} from '../support/browser';
import { waitFor } from '../support/devices';

describe("an asset's page when another tab changed it first", () => {
  let adminToken: string;
  const { hub, browser, page, checkScreen } = consoleSpec({ pageTimeout: 20_000 });

  beforeAll(async () => {
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
  });

  it('shows the asset as the hub has it once a refused "Mark lost" is closed', async () => {
    const password = 'Staff-Pass1!';
    await callApi(hub().url, 'POST', '/api/staff', adminToken, {
      username: 'olive',
      displayName: 'Olive',
      password,
      roles: ['office'],
    });
    const asset = await callApi<Asset>(hub().url, 'POST', '/api/assets', adminToken, {
      assetTag: 'LAP-31',
      kind: 'laptop',
      model: 'ThinkPad',
    });

    const first = page();
    const second = await browser().context.newPage();
    await second.setViewportSize({ width: 768, height: 1024 });
    for (const [index, tab] of [first, second].entries()) {
      await tab.goto(`${hub().url}/sign-in`);
      await signInWithForm(tab, 'olive', password);
      if (index === 0) {
        await tab.getByRole('button', { name: 'I accept' }).click();
      }
      await tab.getByRole('heading', { name: /^Hello/ }).waitFor();
      await tab.goto(`${hub().url}/inventory/${asset.id}`);
      await tab.getByRole('heading', { name: 'Asset LAP-31', level: 1 }).waitFor();
    }
    const markLost = async (tab: typeof first) => {
      await tab.getByRole('button', { name: 'Mark lost' }).click();
      const question = tab.getByRole('alertdialog', { name: 'Mark LAP-31 lost?' });
      await question.getByRole('button', { name: 'Mark lost' }).click();
      return question;
    };

    await markLost(first);
    await first.getByText('LAP-31 is marked lost.').waitFor();
    // "Mark lost" went with the status it changed: the focus is on the line saying what was
    // done, not back at the page's start.
    await waitFor(
      async () =>
        (await first.evaluate<string | null>('document.activeElement.textContent')) ===
        'LAP-31 is marked lost.',
      'the focus on "LAP-31 is marked lost."',
    );
    const question = await markLost(second);
    await question.getByText('Asset LAP-31 is already lost').waitFor();
    await checkScreen('asset-refused-lost', second);
    await question.getByRole('button', { name: 'Cancel' }).click();
    // Well before any reading of its own: only the refusal can have read it again.
    const soon = { timeout: 5_000 };
    await second.getByRole('button', { name: 'Found: make available' }).waitFor(soon);
    await second.locator('.asset-status').filter({ hasText: 'Lost' }).waitFor(soon);
    expect(await second.getByRole('button', { name: 'Mark lost' }).count()).toBe(0);
  });
});
