// The harness for browser specs (test/browser/*.browser-spec.ts, `npm run test:browser`): Debian's
// Chromium driven by playwright-core with a fresh profile, against a real hub process serving the
// built console (built once by browser-global-setup.ts) on its own temporary data directory.
import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { ClassDto, DeviceGroup } from '@app/hub-api';
import { connectTestDevice, enrollTestDevice, type TestDevice } from './devices';
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

/** A real hub process (its compiled main.js) on a new data directory, serving dist/console. */
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

export interface ConsoleSpecOptions {
  /**
   * Extra `HUB_*` settings for the hub, or a function that returns them, called in `beforeAll`
   * just before the hub starts (make there what a setting names, such as a store folder).
   */
  env?: Record<string, string> | (() => Record<string, string>);
  /** How long (ms) a page's waits last before they fail; Playwright's default is 30 000. */
  pageTimeout?: number;
  /** Runs in `afterAll` before the browser and the hub close: disconnect the spec's devices. */
  beforeClose?: () => void | Promise<void>;
}

/** What `consoleSpec` gives a browser spec: getters, valid from its `beforeAll` on. */
export interface ConsoleSpec {
  /** The spec file's hub process, serving the console. */
  hub(): ConsoleHub;
  /** The spec file's Chromium. */
  browser(): Browser;
  /** The test's tab: a new one for every test. */
  page(): Page;
  /** Makes `page` another tab (one the test opened) for the rest of the test. */
  usePage(page: Page): void;
  /** `checkScreen` (both iPad sizes, axe, 44 px targets) on the test's tab, or on `on`. */
  checkScreen(name: string, on?: Page): Promise<void>;
}

/**
 * The set-up every browser spec shares; call it first in the spec's `describe`. It registers
 * `beforeAll` (a console hub and Chromium, started together), `beforeEach` (a new tab),
 * `afterEach` (a screenshot of the last screen, saved when SCREENSHOT_DIR is set; the tabs the
 * test opened closed; then the test fails on any CSP violation or uncaught page error) and
 * `afterAll` (`beforeClose`, then the browser and the hub closed, their folders deleted).
 * Hooks the spec registers after this call run after these. The getters throw before
 * `beforeAll` has run.
 */
export function consoleSpec(options: ConsoleSpecOptions = {}): ConsoleSpec {
  let hub: ConsoleHub | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  /** The tabs open before the test began (Chromium's first, empty one): left open. */
  let before = new Set<Page>();
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) {
      throw new Error(`consoleSpec: no ${what} yet (use it in a test or a hook)`);
    }
    return value;
  };

  beforeAll(async () => {
    const env = typeof options.env === 'function' ? options.env() : options.env;
    [hub, browser] = await Promise.all([startConsoleHub(env), launchBrowser()]);
  });
  afterAll(async () => {
    await options.beforeClose?.();
    await browser?.close();
    await hub?.close();
  });
  beforeEach(async () => {
    const context = started(browser, 'browser').context;
    before = new Set(context.pages());
    page = await context.newPage();
    if (options.pageTimeout !== undefined) {
      page.setDefaultTimeout(options.pageTimeout);
    }
  });
  afterEach(async () => {
    if (!browser || !page) {
      return;
    }
    const testName = expect.getState().currentTestName ?? 'test';
    await screenshot(page, `last-${testName.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)}`);
    await Promise.all(
      browser.context
        .pages()
        .filter((open) => !before.has(open))
        .map((open) => open.close()),
    );
    page = undefined;
    // No CSP violation or uncaught error on any page of the test.
    expect(browser.problems.splice(0)).toEqual([]);
  });

  return {
    hub: () => started(hub, 'hub'),
    browser: () => started(browser, 'browser'),
    page: () => started(page, 'page'),
    usePage(other: Page) {
      page = other;
    },
    checkScreen: (name, on) => checkScreen(on ?? started(page, 'page'), name),
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

/**
 * An enrolment token made through the API as a test's setup does (ICT's or the admin's token):
 * POST /api/enrollment-tokens with `body` (`maxUses`, `groupIds`...); returns the token itself.
 */
export async function makeEnrollmentToken(
  hubUrl: string,
  token: string,
  body: { maxUses?: number; groupIds?: string[] } = {},
): Promise<string> {
  return (await callApi<{ token: string }>(hubUrl, 'POST', '/api/enrollment-tokens', token, body))
    .token;
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

/**
 * A new teacher (`username`) with a class over a new group of one connected test device, made
 * through the API as admin: the class and the group are named `className`, the device
 * `deviceName`. The caller closes `device.client`.
 */
export async function teacherWithClass(
  hubUrl: string,
  names: { username: string; className: string; deviceName: string },
): Promise<{
  teacher: { username: string; password: string };
  teacherToken: string;
  klass: ClassDto;
  device: TestDevice;
}> {
  const adminToken = await apiSignIn(hubUrl, 'admin', ADMIN_PASSWORD);
  const teacher = await createStaffAccount(hubUrl, adminToken, names.username, ['teacher']);
  const teacherToken = await apiSignIn(hubUrl, teacher.username, teacher.password);
  const group = await callApi<DeviceGroup>(hubUrl, 'POST', '/api/groups', adminToken, {
    name: names.className,
  });
  const enrolToken = await makeEnrollmentToken(hubUrl, adminToken, { groupIds: [group.id] });
  const device = connectTestDevice(
    await enrollTestDevice({ url: hubUrl }, enrolToken, { name: names.deviceName }),
  );
  const me = await callApi<{ id: string }>(hubUrl, 'GET', '/api/auth/me', teacherToken);
  const klass = await callApi<ClassDto>(hubUrl, 'POST', '/api/classes', adminToken, {
    name: names.className,
    teacherIds: [me.id],
    groupId: group.id,
  });
  return { teacher, teacherToken, klass, device };
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
  const results = await new AxeBuilder({ page })
    // Only the violations are read: axe then reports one node of each passing rule, not all.
    .options({ resultTypes: ['violations'] })
    .analyze();
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
