// `npm run screenshots`: starts the demo school on a free port, signs in with Debian's Chromium
// (playwright-core) and saves the console's main screens at 1024×768 into docs/screenshots/. The
// screens are the console's own navigation, read from the page (so from routes.tsx's APP_ROUTES
// as built), plus the few reached another way; a screen the console does not have yet is
// skipped with a message. Each screen is taken signed in as the demo account of the role that
// uses it (SCREEN_ROLES), so it shows that person's navigation.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StaffRole } from '@app/hub-api';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoHub } from './demo/demo-hub';
import { setUpDemoSchool } from './demo/demo-school';

/** The screens the README shows, by their navigation link; those not in the console are skipped. */
const EXPECTED_SCREENS = [
  'Home',
  'My classes',
  'Manage classes',
  'Office desk',
  'Overdue loans',
  'Assets',
  'Trips',
  'Devices',
  'Enrol',
  'Groups',
  'Policies',
  'Compliance',
  'Staff',
  'Photos',
  'Audit log',
  'Operating figures',
];

/**
 * Screens opened from another: from the screen with link `from`, the link or button named
 * `open`, then saved as `name` (scrolled to the image named `show`, if any). Skipped when `from`
 * is not in the console or `open` not on it.
 */
const FOLLOW_ON_SCREENS: Array<{
  name: string;
  from: string;
  open: { role: 'link' | 'button'; name: string };
  show?: string;
}> = [
  { name: 'device-detail', from: 'Devices', open: { role: 'link', name: 'Oak 01' } },
  { name: 'class', from: 'My classes', open: { role: 'link', name: 'Year 4 Oak' } },
  { name: 'trip', from: 'Trips', open: { role: 'link', name: 'Year 4 museum visit' } },
  { name: 'asset', from: 'Assets', open: { role: 'link', name: 'LOAN-001' } },
  {
    name: 'enrol-token',
    from: 'Enrol',
    open: { role: 'button', name: 'Make token' },
    show: 'Enrolment QR code',
  },
];

/**
 * Whose screen each one is: it is photographed signed in as the demo account of that role, so
 * it shows that person's navigation (the admin holds every role and would show every link).
 * Screens not named here are ICT's.
 */
const SCREEN_ROLES: Record<string, StaffRole> = {
  Home: 'teacher',
  'My classes': 'teacher',
  class: 'teacher',
  'Office desk': 'office',
  'Overdue loans': 'office',
  Assets: 'office',
  asset: 'office',
  Trips: 'trip_leader',
  trip: 'trip_leader',
  Photos: 'trip_leader',
  'Audit log': 'safeguarding',
};

/** The flags from ../shared/stack-notes.md: headless, no sandbox, no calls to the closed network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The repository's root: the nearest folder up from this file with a package.json. */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return dir;
}

const OUT_DIR = path.join(repositoryRoot(), 'docs', 'screenshots');

function fileName(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Waits until the page has stopped loading and says no "Loading…" (nor "Loading the device…"),
 * then a moment for live data.
 */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
  await page
    .getByText(/^Loading\b/)
    .first()
    .waitFor({ state: 'hidden', timeout: 10_000 })
    .catch(() => undefined);
  await page.waitForTimeout(500);
}

async function save(page: Page, name: string): Promise<void> {
  await settle(page);
  const file = path.join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  process.stdout.write(`  saved ${path.relative(process.cwd(), file)}\n`);
}

/** On a failure, what the page showed, for the person to look at. */
async function saveFailure(page: Page | undefined): Promise<void> {
  const file = path.join(os.tmpdir(), 'screenshots-failure.png');
  await page?.screenshot({ path: file }).then(
    () => process.stderr.write(`The page at the failure: ${file}\n`),
    () => undefined,
  );
}

async function main(): Promise<void> {
  const hub = await startDemoHub({ port: 0, env: process.env, output: 'ignore' });
  let school: Awaited<ReturnType<typeof setUpDemoSchool>> | undefined;
  try {
    process.stdout.write(`Setting up the demo school on ${hub.url}...\n`);
    school = await setUpDemoSchool(hub.apiUrl, hub.adminPassword, {
      stateDir: path.join(hub.dataDir, 'simulated-devices'),
    });
    fs.mkdirSync(OUT_DIR, { recursive: true });
    // launch() gives Chromium a new empty profile of its own, removed when it closes.
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    let page: Page | undefined;
    try {
      const context = await browser.newContext({
        viewport: { width: 1024, height: 768 },
        locale: 'en-GB',
        timezoneId: 'Europe/London',
      });
      page = await context.newPage();
      const teacher = school.accounts.find((account) => account.role === 'teacher');
      await page.goto(`${hub.apiUrl}/`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await save(page, 'sign-in');
      if (teacher) {
        // A first sign-in: the AUP comes before everything (left unaccepted).
        await signIn(page, teacher.username, teacher.password);
        await page.getByRole('button', { name: 'I accept' }).waitFor();
        await save(page, 'aup');
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
      }

      // The admin holds every role, so the navigation lists every screen there is.
      await signIn(page, 'admin', hub.adminPassword);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.waitFor();
      const byLabel = new Map<string, string>();
      for (const link of await nav.getByRole('link').all()) {
        byLabel.set(
          ((await link.textContent()) ?? '').trim(),
          (await link.getAttribute('href')) ?? '/',
        );
      }
      const admin = page;
      const pages = new Map<StaffRole, Page>();
      /** A page signed in as the demo account of the screen's role (the admin's if none). */
      const pageFor = async (screen: string): Promise<Page> => {
        const role = SCREEN_ROLES[screen] ?? 'ict';
        const account = school?.accounts.find((candidate) => candidate.role === role);
        if (!account) {
          return admin;
        }
        let rolePage = pages.get(role);
        if (!rolePage) {
          rolePage = await signedInPage(browser, hub.apiUrl, account.username, account.password);
          pages.set(role, rolePage);
        }
        page = rolePage;
        return rolePage;
      };
      for (const label of EXPECTED_SCREENS) {
        const href = byLabel.get(label);
        if (href === undefined) {
          process.stdout.write(`  skipped "${label}": the console has no such screen yet\n`);
          continue;
        }
        const shown = await pageFor(label);
        await shown.goto(`${hub.apiUrl}${href}`);
        await save(shown, fileName(label));
      }
      for (const screen of FOLLOW_ON_SCREENS) {
        const href = byLabel.get(screen.from);
        if (href === undefined) {
          process.stdout.write(`  skipped "${screen.name}": no "${screen.from}" screen yet\n`);
          continue;
        }
        const shown = await pageFor(screen.name);
        await shown.goto(`${hub.apiUrl}${href}`);
        const control = shown.getByRole(screen.open.role, { name: screen.open.name }).first();
        try {
          await control.waitFor({ timeout: 15_000 });
        } catch {
          process.stdout.write(
            `  skipped "${screen.name}": no ${screen.open.role} "${screen.open.name}" on ${screen.from}\n`,
          );
          continue;
        }
        await control.click();
        if (screen.show) {
          const image = shown.getByRole('img', { name: screen.show });
          await image.waitFor({ timeout: 15_000 }).catch(() => undefined);
          await image.scrollIntoViewIfNeeded({ timeout: 5_000 }).catch(() => undefined);
        }
        await save(shown, screen.name);
      }
    } catch (error) {
      await saveFailure(page);
      throw error;
    } finally {
      await browser.close();
    }
  } finally {
    await school?.stop();
    await hub.stop();
  }
}

/**
 * A new browser context signed in as `username`, past the AUP (a demo account accepts it at its
 * first sign-in), on its home page.
 */
async function signedInPage(
  browser: Browser,
  url: string,
  username: string,
  password: string,
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1024, height: 768 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await signIn(page, username, password);
  const nav = page.getByRole('navigation', { name: 'Main' });
  const accept = page.getByRole('button', { name: 'I accept' });
  await nav.or(accept).first().waitFor({ timeout: 30_000 });
  if (await accept.isVisible()) {
    await accept.click();
  }
  await nav.waitFor({ timeout: 30_000 });
  return page;
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`Screenshots failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
