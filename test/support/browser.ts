// The harness for browser specs (test/browser/*.browser-spec.ts, `npm run test:browser`): Debian's
// Chromium driven by playwright-core with a fresh profile, against a real hub process serving the
// built console (built once by browser-global-setup.ts) on its own temporary data directory.
import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_PASSWORD } from './hub';
import { freePort, HubProcess, killHubProcess, startHubProcess } from './hub-process';

export const ROOT = path.join(__dirname, '..', '..');
export const CONSOLE_DIR = path.join(ROOT, 'dist', 'console');
export { ADMIN_PASSWORD };

/** The two iPad sizes every screen is checked at (issue 11). */
export const IPAD_SIZES = [
  { name: 'landscape', width: 1024, height: 768 },
  { name: 'portrait', width: 768, height: 1024 },
] as const;

/** The flags from stack-notes.md: headless, no sandbox, and no calls to the closed network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Browser {
  context: BrowserContext;
  /** A new tab at 1024×768; it records CSP violations and page errors (see `problems`). */
  newPage(): Promise<Page>;
  /** CSP violations and uncaught errors seen in any tab so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Launches /usr/bin/chromium (CHROMIUM_PATH to override) with an empty profile of its own. */
export async function launchBrowser(): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1024, height: 768 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    acceptDownloads: true,
  });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) {
        problems.push(`CSP: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    problems,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface ConsoleHub {
  hub: HubProcess;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** A real hub process (ts-node) on a new data directory, serving dist/console. */
export async function startConsoleHub(env: Record<string, string> = {}): Promise<ConsoleHub> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-browser-'));
  const hub = await startHubProcess(dataDir, await freePort(), {
    env: { HUB_CONSOLE_DIR: CONSOLE_DIR, HUB_SCHOOL_NAME: 'Oak Hill Primary', ...env },
  });
  return {
    hub,
    url: hub.url,
    dataDir,
    async close() {
      await killHubProcess(hub.child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the hub's API as a test's setup does (not what the browser does). */
export async function callApi<T>(
  hubUrl: string,
  method: string,
  apiPath: string,
  token?: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${hubUrl}${apiPath}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${method} ${apiPath}: ${response.status} ${await response.text()}`);
  }
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** Signs in through the API and accepts the AUP (unless told not to); returns the token. */
export async function apiSignIn(
  hubUrl: string,
  username: string,
  password: string,
  acceptAup = true,
): Promise<string> {
  const { accessToken } = await callApi<{ accessToken: string }>(
    hubUrl,
    'POST',
    '/api/auth/login',
    undefined,
    { username, password },
  );
  if (acceptAup) {
    const aup = await callApi<{ version: string; acceptedAt: string | null }>(
      hubUrl,
      'GET',
      '/api/aup',
      accessToken,
    );
    if (!aup.acceptedAt) {
      await callApi(hubUrl, 'POST', '/api/staff/me/aup-acceptance', accessToken, {
        version: aup.version,
      });
    }
  }
  return accessToken;
}

/** Creates a staff account as ICT (`adminToken`). */
export async function createStaffAccount(
  hubUrl: string,
  adminToken: string,
  username: string,
  roles: string[],
  password = 'Staff-Pass1!',
): Promise<{ username: string; password: string }> {
  await callApi(hubUrl, 'POST', '/api/staff', adminToken, {
    username,
    displayName: username.charAt(0).toUpperCase() + username.slice(1),
    password,
    roles,
  });
  return { username, password };
}

/** Signs in through the console's form, as a person does. */
export async function signInWithForm(
  page: Page,
  username: string,
  password: string,
): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * axe-core on the page as it is: the serious and critical violations, one line each (empty when
 * none). Run it on every screen at both IPAD_SIZES.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
          .map((node) => `${node.target.join(' ')} ${node.html.slice(0, 200)}`)
          .join(', ')}`,
    );
}

/** Whether the page scrolls sideways (it must not, at either iPad size). */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate<boolean>(
    'document.documentElement.scrollWidth > document.documentElement.clientWidth',
  );
}

/**
 * Visible controls smaller than 44×44 px (touch targets, issue 11): buttons, links, inputs.
 * Links inside running text are exempt (WCAG 2.5.8's inline exception). Run in the page (as a
 * string: this file is compiled without the DOM's types).
 */
export function smallTouchTargets(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const small = [];
    for (const element of document.querySelectorAll('button, a[href], input, select')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) {
        continue;
      }
      // Hidden from people and out of the tab order (react-aria's Select keeps such a native
      // <select> for the browser's autofill): not something anyone touches.
      if (element.closest('[aria-hidden="true"]') && element.tabIndex < 0) {
        continue;
      }
      if (element.tagName === 'A' && element.closest('p, li:not(.link-list li):not(.nav li)')) {
        continue;
      }
      if (box.height < 44 || box.width < 44) {
        const text = (element.textContent || '').trim();
        small.push(element.tagName.toLowerCase() + ' "' + text + '" ' +
          Math.round(box.width) + 'x' + Math.round(box.height));
      }
    }
    return small;
  })()`);
}

/** Saves a screenshot for a person to look at (SCREENSHOT_DIR, when set). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
  }
}

/**
 * Checks the screen `page` shows now at both iPad sizes (issue 11): no serious or critical axe
 * violation, no sideways scrolling, no touch target under 44 px; takes its screenshots (saved
 * when SCREENSHOT_DIR is set) and leaves the page at 1024×768. Fails the test naming the screen
 * and the size.
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  for (const size of IPAD_SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.waitForTimeout(100);
    const seen = {
      screen: name,
      size: size.name,
      axe: await seriousAxeViolations(page),
      sideways: await scrollsSideways(page),
      smallTargets: await smallTouchTargets(page),
    };
    expect(seen).toEqual({
      screen: name,
      size: size.name,
      axe: [],
      sideways: false,
      smallTargets: [],
    });
    await screenshot(page, `${name}-${size.width}x${size.height}`);
  }
  await page.setViewportSize({ width: 1024, height: 768 });
}
