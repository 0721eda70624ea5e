// The console's shell in a real browser (issue 11): first sign-in and the AUP, home, change of
// password with the rule shown as you type, navigation by role and "no access", sign-out, a
// session ended elsewhere (401) that returns to sign-in and back, a newly published AUP that
// comes before everything again, and on every screen at both iPad sizes: axe with no serious
// or critical violation, no sideways scrolling, 44 px targets and no Content-Security-Policy
// violation.
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  createStaffAccount,
  signInWithForm,
  consoleSpec,
} from '../support/browser';

/** The ICT-only navigation, by the names the issue fixes (those built so far appear). */
const ICT_LINKS = [
  'Devices',
  'Enrol',
  'Groups',
  'Policies',
  'Compliance',
  'Staff',
  'Operating figures',
];

describe('the console shell', () => {
  let adminToken: string;
  const { hub, page, checkScreen } = consoleSpec();

  beforeAll(async () => {
    // The first admin sets up the accounts the tests use, each signing in for the first time.
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
  });

  it('ICT signs in for the first time, accepts the AUP and reaches home', async () => {
    const ict = await createStaffAccount(hub().url, adminToken, 'ivan', ['ict', 'safeguarding']);
    await page().goto(`${hub().url}/`);
    await page().waitForURL(/\/sign-in$/);
    await page().getByRole('heading', { name: 'Sign in' }).waitFor();
    await checkScreen('sign-in');

    // A wrong password is said in words beside the form.
    await signInWithForm(page(), ict.username, 'not-the-password');
    await page().getByRole('alert').filter({ hasText: 'Could not sign in' }).waitFor();
    await checkScreen('sign-in-error');

    await signInWithForm(page(), ict.username, ict.password);
    await page().getByRole('heading', { name: 'Acceptable use policy' }).waitFor();
    // Nothing else until accepted: no navigation.
    expect(await page().getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await checkScreen('aup');

    await page().getByRole('button', { name: 'I accept' }).click();
    await page().getByRole('heading', { name: 'Hello, Ivan' }).waitFor();
    const nav = page().getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Operating figures' }).waitFor();
    expect(await page().getByText('ICT, Safeguarding').isVisible()).toBe(true);
    await checkScreen('home-ict');
    // ICT holds nearly every screen: on a landscape iPad its navigation still takes two rows of
    // links (each at least 44 px tall), not three, so the page starts high on the screen.
    await page().setViewportSize({ width: 1024, height: 768 });
    const links = await nav.getByRole('link').all();
    expect(links.length).toBeGreaterThanOrEqual(15);
    const rows = new Set<number>();
    for (const link of links) {
      rows.add(Math.round((await link.boundingBox())?.y ?? -1));
    }
    expect([...rows].sort((a, b) => a - b)).toHaveLength(2);

    await nav.getByRole('link', { name: 'Operating figures' }).click();
    await page().getByRole('heading', { name: 'Operating figures' }).waitFor();
    await page().getByText('Devices connected now').waitFor();
    await checkScreen('operating-figures');
  });

  it('changes a password with the rule shown as it is typed', async () => {
    const person = await createStaffAccount(hub().url, adminToken, 'carol', ['teacher']);
    await apiSignIn(hub().url, person.username, person.password);
    await page().goto(`${hub().url}/account/password`);
    await page().waitForURL(/\/sign-in\?next=%2Faccount%2Fpassword$/);
    await signInWithForm(page(), person.username, person.password);
    await page().waitForURL(/\/account\/password$/);
    await page().getByRole('heading', { name: 'Change password' }).waitFor();

    const rule = page().locator('.rule-list li');
    const newPassword = page().getByLabel('New password', { exact: true });
    await newPassword.fill('short');
    expect(await rule.allTextContents()).toEqual([
      '• at least 6 characters: not yet',
      '• upper and lower case letters: not yet',
      '• a number: not yet',
      '• a symbol: not yet',
    ]);
    await checkScreen('change-password');
    await newPassword.fill('Longer-Pass2');
    expect(await rule.allTextContents()).toEqual([
      '✓ at least 6 characters: done',
      '✓ upper and lower case letters: done',
      '✓ a number: done',
      '✓ a symbol: done',
    ]);

    // The wrong current password is said beside that field.
    await page().getByLabel('Current password').fill('Wrong-Pass1!');
    await page().getByLabel('Repeat new password').fill('Longer-Pass2');
    await page().getByRole('button', { name: 'Change password' }).click();
    await page()
      .locator('.field-error')
      .filter({ hasText: /password/i })
      .waitFor();
    await checkScreen('change-password-error');

    await page().getByLabel('Current password').fill(person.password);
    await page().getByRole('button', { name: 'Change password' }).click();
    await page().getByRole('status').filter({ hasText: 'Your password was changed' }).waitFor();
    // The new password works, the old one no longer does.
    await apiSignIn(hub().url, person.username, 'Longer-Pass2');
    await expect(apiSignIn(hub().url, person.username, person.password)).rejects.toThrow(/401/);
  });

  it("shows a teacher no ICT navigation, and an ICT page's address says no access", async () => {
    const teacher = await createStaffAccount(hub().url, adminToken, 'tom', ['teacher']);
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), teacher.username, teacher.password);
    await page().getByRole('button', { name: 'I accept' }).click();
    await page().getByRole('heading', { name: 'Hello, Tom' }).waitFor();
    const links = await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link')
      .allTextContents();
    // A teacher's own screens: their classes (issue 12), nothing of ICT's.
    expect(links).toEqual(['Home', 'My classes', 'Change password']);
    for (const name of ICT_LINKS) {
      expect(await page().getByRole('link', { name }).count()).toBe(0);
    }

    await page().goto(`${hub().url}/operating-figures`);
    await page().getByText("You don't have access to this page").waitFor();
    await checkScreen('no-access');

    await page().goto(`${hub().url}/no/such/page`);
    await page().getByRole('heading', { name: 'Page not found' }).waitFor();
  });

  it('signs out: the sign-in page, and the pages need signing in again', async () => {
    const person = await createStaffAccount(hub().url, adminToken, 'sally', ['safeguarding']);
    await apiSignIn(hub().url, person.username, person.password);
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), person.username, person.password);
    await page().getByRole('heading', { name: 'Hello, Sally' }).waitFor();
    const token = await page().evaluate<string | null>("sessionStorage.getItem('hub.token')");

    await page().getByRole('button', { name: 'Sign out' }).click();
    await page().waitForURL(/\/sign-in$/);
    await page().getByRole('button', { name: 'Sign in' }).waitFor();
    // The token is forgotten here and ended at the hub.
    expect(await page().evaluate<string | null>("sessionStorage.getItem('hub.token')")).toBeNull();
    await expect(callApi(hub().url, 'GET', '/api/auth/me', token as string)).rejects.toThrow(/401/);

    await page().goto(`${hub().url}/account/password`);
    await page().waitForURL(/\/sign-in\?next=/);
  });

  it('returns to sign-in when the session ends elsewhere (401), then back to where it was', async () => {
    const person = await createStaffAccount(hub().url, adminToken, 'olga', ['office']);
    await apiSignIn(hub().url, person.username, person.password);
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), person.username, person.password);
    await page().getByRole('heading', { name: 'Hello, Olga' }).waitFor();
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Change password' })
      .click();
    await page().waitForURL(/\/account\/password$/);

    // The session ends elsewhere (signed out on another device): the hub tells the live
    // connection, and the page goes to sign-in, remembering where it was.
    const token = await page().evaluate<string | null>("sessionStorage.getItem('hub.token')");
    await callApi(hub().url, 'POST', '/api/auth/logout', token as string);
    await page().waitForURL(/\/sign-in\?next=%2Faccount%2Fpassword$/);

    await signInWithForm(page(), person.username, person.password);
    await page().waitForURL(/\/account\/password$/);
    await page().getByRole('heading', { name: 'Change password' }).waitFor();

    // A token the hub no longer knows, on a fresh load: the first call's 401 does the same.
    await page().evaluate("sessionStorage.setItem('hub.token', 'x'.repeat(43))");
    await page().goto(`${hub().url}/`);
    await page().waitForURL(/\/sign-in$/);
    await page().evaluate("sessionStorage.setItem('hub.token', 'y'.repeat(43))");
    await page().goto(`${hub().url}/account/password`);
    await page().waitForURL(/\/sign-in\?next=%2Faccount%2Fpassword$/);
    await signInWithForm(page(), person.username, person.password);
    await page().getByRole('heading', { name: 'Change password' }).waitFor();
  });

  // Last: it publishes a new AUP, which every account must then accept again.
  it('puts a newly published AUP before everything again, until it is accepted', async () => {
    const teacher = await createStaffAccount(hub().url, adminToken, 'abel', ['teacher']);
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), teacher.username, teacher.password);
    await page().getByRole('button', { name: 'I accept' }).click();
    await page().getByRole('heading', { name: 'Hello, Abel' }).waitFor();

    // ICT publishes a new version while the teacher's console is open.
    const text =
      'Acceptable use, second version.\n\nSchool tablets stay in school unless a trip takes them.';
    await callApi(hub().url, 'PUT', '/api/aup', adminToken, { text });
    // The hub tells the open console at once: the AUP screen takes the page, with the new text
    // and no navigation, until it is accepted.
    await page().getByText('School tablets stay in school unless a trip takes them.').waitFor();
    await page().getByRole('heading', { name: 'Acceptable use policy' }).waitFor();
    expect(await page().getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await page().goto(`${hub().url}/classes`);
    await page().getByRole('button', { name: 'I accept' }).waitFor();
    expect(await page().getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await page().getByRole('button', { name: 'I accept' }).click();
    // Then the page that was asked for.
    await page().getByRole('heading', { name: 'My classes', level: 1 }).waitFor();
    await page().getByRole('navigation', { name: 'Main' }).waitFor();
    const aup = await callApi<{ acceptedAt: string | null; text: string }>(
      hub().url,
      'GET',
      '/api/aup',
      await apiSignIn(hub().url, teacher.username, teacher.password, false),
    );
    expect([aup.text, aup.acceptedAt === null]).toEqual([text, false]);
  });
});
