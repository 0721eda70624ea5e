// `npm run screenshots`: starts the demo school on a free port, signs in with Debian's Chromium
// (playwright-core) and saves the console's main screens at 1024×768 into docs/screenshots/. The
// screens are the console's own navigation, read from the page (so from routes.tsx's APP_ROUTES
// as built), plus the few reached another way; a screen the console does not have yet is
// skipped with a message.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startDemoHub } from './demo/demo-hub';
import { setUpDemoSchool } from './demo/demo-school';

/** The screens the README shows, by their navigation link; those not in the console are skipped. */
const EXPECTED_SCREENS = [
  'Home',
  'My classes',
  'Manage classes',
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
  {
    name: 'enrol-token',
    from: 'Enrol',
    open: { role: 'button', name: 'Make token' },
    show: 'Enrolment QR code',
  },
];

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
      for (const label of EXPECTED_SCREENS) {
        const href = byLabel.get(label);
        if (href === undefined) {
          process.stdout.write(`  skipped "${label}": the console has no such screen yet\n`);
          continue;
        }
        await page.goto(`${hub.apiUrl}${href}`);
        await save(page, fileName(label));
      }
      for (const screen of FOLLOW_ON_SCREENS) {
        const href = byLabel.get(screen.from);
        if (href === undefined) {
          process.stdout.write(`  skipped "${screen.name}": no "${screen.from}" screen yet\n`);
          continue;
        }
        await page.goto(`${hub.apiUrl}${href}`);
        const control = page.getByRole(screen.open.role, { name: screen.open.name }).first();
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
          const image = page.getByRole('img', { name: screen.show });
          await image.waitFor({ timeout: 15_000 }).catch(() => undefined);
          await image.scrollIntoViewIfNeeded({ timeout: 5_000 }).catch(() => undefined);
        }
        await save(page, screen.name);
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
