// The classroom screens in a real browser (issue 12). A teacher signs in, finds the class under
// "My classes", starts the lesson, taps "Lock all" and sees all 30 tiles turn locked, live,
// without a reload, while 30 real device clients (the simulated enforcer, over Socket.IO with
// their certificates) take the lock; a tile opens to mark its tablet absent; "End session"
// unlocks them all. ICT makes a class through the management screen (teachers, group, a lesson)
// and sees the hub's refusal of a bad lesson time beside it. Every screen is checked at both
// iPad sizes: no serious axe violation, no sideways scrolling, 44 px targets, no CSP violation.
import type { Locator } from 'playwright-core';
import type { ClassDto, DeviceGroup, Page as ApiPage, StaffAccount } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  makeEnrollmentToken,
  createStaffAccount,
  signInWithForm,
  consoleSpec,
} from '../support/browser';
import { connectTestDevice, enrollTestDevice, TestDevice, waitFor } from '../support/devices';

// 30 devices enrol and connect, and several screens are checked with axe, on two shared cores.
jest.setTimeout(300_000);

const TABLETS = 30;

describe('the classroom screens', () => {
  let adminToken: string;
  let group: DeviceGroup;
  const devices: TestDevice[] = [];
  const { hub, page, checkScreen } = consoleSpec({
    pageTimeout: 45_000,
    beforeClose: () => devices.forEach((device) => device.client.close()),
  });

  beforeAll(async () => {
    adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    group = await callApi<DeviceGroup>(hub().url, 'POST', '/api/groups', adminToken, {
      name: 'Year 4 Oak',
    });
    const token = await makeEnrollmentToken(hub().url, adminToken, {
      maxUses: TABLETS,
      groupIds: [group.id],
    });
    const identities = await Promise.all(
      Array.from({ length: TABLETS }, (_, index) => {
        const number = String(index + 1).padStart(2, '0');
        return enrollTestDevice(hub(), token, { name: `Oak ${number}`, assetTag: `OAK-${number}` });
      }),
    );
    devices.push(...identities.map((identity) => connectTestDevice(identity)));
  });

  /** The staff id of an account, as ICT reads it. */
  const staffId = async (username: string): Promise<string> => {
    const staff = await callApi<ApiPage<StaffAccount>>(
      hub().url,
      'GET',
      '/api/staff?pageSize=500',
      adminToken,
    );
    const person = staff.items.find((item) => item.username === username);
    if (!person) {
      throw new Error(`no account ${username}`);
    }
    return person.id;
  };

  /** The grid's tiles, one per tablet. */
  const tiles = () => page().getByRole('list', { name: 'Tablets' }).getByRole('listitem');
  const tileOf = (name: string): Locator => tiles().filter({ hasText: new RegExp(`^${name}`) });

  /** How many tiles say `words` on a line of their own. */
  const tilesSaying = (words: string | RegExp) =>
    tiles().filter({ has: page().getByText(words, { exact: true }) });

  /** For a failure's message: what each tile says, what the tablets did, the hub's last log. */
  const whatTheGridSays = async (): Promise<string> => {
    const texts = await tiles().allInnerTexts();
    const locked = devices.map((d) => `${d.identity.deviceId}:${d.enforcer.currentState().locked}`);
    return [
      `tiles: ${texts.map((text) => text.replace(/\s+/g, ' ')).join(' | ')}`,
      `tablets locked: ${locked.join(' ')}`,
      `hub: ${hub().hub.stdout().slice(-6000)}`,
    ].join('\n');
  };

  it('a teacher starts the lesson, taps "Lock all" and sees all 30 tiles turn locked', async () => {
    const teacher = await createStaffAccount(hub().url, adminToken, 'tess', ['teacher']);
    /** The focused element's text; '' when the focus is nowhere (on the page's body). */
    const focusedName = () =>
      page().evaluate<string>(
        '(() => { const a = document.activeElement; return a && a !== document.body ? (a.textContent ?? "").trim() : ""; })()',
      );
    const other = await createStaffAccount(hub().url, adminToken, 'otto', ['teacher']);
    const oak = await callApi<ClassDto>(hub().url, 'POST', '/api/classes', adminToken, {
      name: 'Year 4 Oak',
      teacherIds: [await staffId(teacher.username)],
      groupId: group.id,
      timetable: [{ weekday: 1, start: '09:00', end: '10:00' }],
    });
    const otherClass = await callApi<ClassDto>(hub().url, 'POST', '/api/classes', adminToken, {
      name: 'Year 6 Ash',
      teacherIds: [await staffId(other.username)],
    });
    // A second class of Tess's, with weekend lessons (no lesson of it runs while the spec does):
    // days with the same lessons are said together.
    await callApi<ClassDto>(hub().url, 'POST', '/api/classes', adminToken, {
      name: 'Year 3 Birch',
      teacherIds: [await staffId(teacher.username)],
      timetable: [6, 7].flatMap((weekday) => [
        { weekday, start: '07:00', end: '07:30' },
        { weekday, start: '19:00', end: '19:30' },
      ]),
    });
    await waitFor(
      () => devices.every((device) => device.client.connected),
      'all 30 tablets to connect',
      60_000,
    );

    // First sign-in: the AUP, then "My classes" lists the teacher's class only.
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), teacher.username, teacher.password);
    await page().getByRole('button', { name: 'I accept' }).click();
    await page().getByRole('heading', { name: 'Hello, Tess' }).waitFor();
    // Home: the classes Tess teaches, each opening its page, with its lessons; not Otto's.
    const yourClasses = page()
      .getByRole('list')
      .filter({
        has: page().getByRole('link', { name: 'Year 4 Oak' }),
      });
    await yourClasses.getByRole('link', { name: 'Year 3 Birch' }).waitFor();
    await yourClasses.getByText('Lessons: Sat–Sun 07:00–07:30 and 19:00–19:30').waitFor();
    await yourClasses.getByText('Lessons: Mon 09:00–10:00').waitFor();
    expect(await page().getByRole('link', { name: 'Year 6 Ash' }).count()).toBe(0);
    await checkScreen('home-teacher');
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'My classes' })
      .click();
    const classes = page().getByRole('grid', { name: 'Classes' });
    const row = classes.getByRole('row').filter({ hasText: 'Year 4 Oak' });
    await row.getByText('No lesson running').waitFor();
    await row.getByText('Mon 09:00–10:00').waitFor();
    expect(await classes.getByRole('row').filter({ hasText: 'Year 6 Ash' }).count()).toBe(0);
    await checkScreen('classes');

    // "Start lesson" opens the class with the lesson running: 30 tiles, online, unlocked.
    await row.getByRole('button', { name: 'Start lesson: Year 4 Oak' }).click();
    await page().getByRole('heading', { name: 'Year 4 Oak', level: 1 }).waitFor();
    await page()
      .getByText(/^Lesson running until \d\d:\d\d$/)
      .waitFor();
    await waitFor(async () => (await tiles().count()) === TABLETS, '30 tiles');
    await waitFor(
      async () => (await tilesSaying('Online').count()) === TABLETS,
      'every tile to say Online',
      20_000,
    );
    await waitFor(
      async () => (await tilesSaying('Unlocked').count()) === TABLETS,
      'every tile to say Unlocked',
      20_000,
    );
    await tileOf('Oak 07').getByText('OAK-07', { exact: true }).waitFor();
    await checkScreen('class');

    // A tablet in a bag with no Wi-Fi: its tile says Offline, live.
    const bagged = devices[TABLETS - 1];
    bagged.client.close();
    await tileOf('Oak 30').getByText('Offline', { exact: true }).waitFor();

    // One tap: every tile turns locked as the tablets report it, without a reload; the one
    // that cannot hear it yet says "Not done yet", and the summary counts it.
    await page().getByRole('button', { name: 'Lock all', exact: true }).click();
    await page().getByText('Lock sent to 30 tablets.').waitFor();
    await waitFor(
      async () =>
        (await tilesSaying('Locked').count()) === TABLETS - 1 &&
        (await tilesSaying('Done').count()) === TABLETS - 1,
      '29 tiles to say Locked and Done',
      20_000,
      whatTheGridSays,
    );
    await tileOf('Oak 30').getByText('Not done yet', { exact: true }).waitFor();
    await page()
      .getByRole('list', { name: 'The class at a glance' })
      .getByText(/^1 not done yet$/)
      .waitFor();
    await checkScreen('class-waiting');

    // Back on the network, it takes the lock and its tile catches up: all 30 locked.
    bagged.client.connect();
    await waitFor(
      async () =>
        (await tilesSaying('Locked').count()) === TABLETS &&
        (await tilesSaying('Done').count()) === TABLETS,
      'all 30 tiles to say Locked and Done',
      20_000,
      whatTheGridSays,
    );
    // What the tablets really did.
    expect(devices.filter((device) => device.enforcer.currentState().locked)).toHaveLength(TABLETS);
    await checkScreen('class-locked');

    // A tile opens to act on that tablet: marked absent, it says so on its tile.
    await tileOf('Oak 03').getByRole('button').click();
    const dialog = page().getByRole('dialog', { name: 'Oak 03' });
    await dialog.getByText('Asset tag OAK-03').waitFor();
    await checkScreen('class-tile');
    await dialog.getByRole('button', { name: 'Mark absent', exact: true }).click();
    await dialog.getByText('Oak 03 is marked absent.').waitFor();
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await tileOf('Oak 03').getByText('Absent', { exact: true }).waitFor();

    // "Unlock all" leaves the absent tablet as it was: 29 unlocked, Oak 03 still locked.
    await page().getByRole('button', { name: 'Unlock all', exact: true }).click();
    await page().getByText('Unlock sent to 29 tablets.').waitFor();
    await waitFor(
      async () => (await tilesSaying('Unlocked').count()) === TABLETS - 1,
      '29 tiles to say Unlocked',
      20_000,
    );
    await tileOf('Oak 03').getByText('Locked', { exact: true }).waitFor();

    // "Keep in app": the app typed in a dialog; the present tablets say they are kept in it.
    await page().getByRole('button', { name: 'Keep in app', exact: true }).click();
    const appDialog = page().getByRole('dialog', { name: 'Keep the class in one app' });
    await appDialog.getByRole('textbox', { name: 'App' }).fill('com.apple.Pages');
    await checkScreen('class-keep-in-app');
    await appDialog.getByRole('button', { name: 'Keep in this app' }).click();
    await appDialog.waitFor({ state: 'detached' });
    await page().getByText('Keep in app sent to 29 tablets.').waitFor();
    await waitFor(
      async () => (await tilesSaying('Kept in com.apple.Pages').count()) === TABLETS - 1,
      '29 tiles to say Kept in com.apple.Pages',
      20_000,
    );

    // "Allow camera" for a chosen time.
    await page().getByRole('button', { name: 'Allow camera', exact: true }).click();
    const cameraDialog = page().getByRole('dialog', { name: 'Allow the camera' });
    await cameraDialog.getByRole('button', { name: /For how long$/ }).click();
    await page().getByRole('option', { name: '15 minutes' }).click();
    await cameraDialog.getByRole('button', { name: 'Allow camera', exact: true }).click();
    await cameraDialog.waitFor({ state: 'detached' });
    await page().getByText('Camera allowed sent to 29 tablets.').waitFor();
    // Each of the 29 tiles says until when, and the summary counts them.
    await waitFor(
      async () => (await tilesSaying(/^Camera until \d{2}:\d{2}$/).count()) === TABLETS - 1,
      '29 tiles to say Camera until …',
      20_000,
    );
    await page()
      .getByRole('list', { name: 'The class at a glance' })
      .getByText('29 with the camera allowed')
      .waitFor();
    await checkScreen('class-camera-allowed');

    // End session: asked first, then every tablet is unlocked, the absent one too.
    await page().getByRole('button', { name: 'End session', exact: true }).click();
    const confirm = page().getByRole('alertdialog', { name: 'End the lesson now?' });
    await checkScreen('class-end-confirm');
    await confirm.getByRole('button', { name: 'End the lesson' }).click();
    await page().getByText('No lesson running', { exact: true }).waitFor();
    // The buttons pressed went with the lesson: the focus rests on the lesson's state line, not
    // the page's start, so the next Tab reaches "Start lesson" (keyboard only, issue 11).
    await waitFor(
      async () => (await focusedName()) === 'No lesson running',
      'the focus on the lesson state',
      5_000,
      async () => `focus on "${await focusedName()}"`,
    );
    await page().keyboard.press('Tab');
    expect(await focusedName()).toBe('Start lesson');
    // Started by keyboard, the same: the state line, then "Lock all".
    await page().keyboard.press('Enter');
    await waitFor(
      async () => /^Lesson running until/.test(await focusedName()),
      'the focus on the running lesson',
      5_000,
      async () => `focus on "${(await focusedName()).slice(0, 80)}"`,
    );
    await page().keyboard.press('Tab');
    expect(await focusedName()).toBe('Lock all');
    await callApi(hub().url, 'DELETE', `/api/classes/${oak.id}/session`, adminToken);
    await page().getByText('No lesson running', { exact: true }).waitFor();
    await waitFor(
      async () => (await tilesSaying('Unlocked').count()) === TABLETS,
      'all 30 tiles to say Unlocked after the end',
      20_000,
    );
    await waitFor(
      async () => (await tilesSaying('Any app').count()) === TABLETS,
      'all 30 tiles to say Any app after the end',
      20_000,
    );
    // The session's end takes the camera allowance with it.
    await waitFor(
      async () => (await tilesSaying(/^Camera until/).count()) === 0,
      'no tile to say Camera until … after the end',
      20_000,
    );
    expect(devices.filter((device) => device.enforcer.currentState().locked)).toHaveLength(0);
    expect(devices.filter((device) => device.enforcer.currentState().appLock)).toHaveLength(0);
    // A double tap on "Start lesson" starts the lesson and says nothing went wrong.
    await page().getByRole('button', { name: 'Start lesson', exact: true }).dblclick();
    await page()
      .getByText(/^Lesson running until/)
      .waitFor();
    await page().waitForTimeout(1000);
    expect(await page().getByRole('alert').allTextContents()).toEqual([]);

    // Another teacher's class: the hub refuses, and the page says so in words.
    await page().goto(`${hub().url}/classes/${otherClass.id}`);
    await page()
      .getByRole('alert')
      // The same words whether the page asked the API (403) or the live connection (forbidden).
      .filter({
        hasText: /^Could not open the class\. You may act only on the classes you teach\.$/,
      })
      .waitFor();
    expect(oak.id).not.toBe(otherClass.id);

    // Taken off her own class while its page is open: the grid gives way to the same refusal.
    await page().goto(`${hub().url}/classes/${oak.id}`);
    await waitFor(async () => (await tiles().count()) === TABLETS, '30 tiles again');
    await callApi<ClassDto>(hub().url, 'PATCH', `/api/classes/${oak.id}`, adminToken, {
      teacherIds: [await staffId(other.username)],
    });
    await page()
      .getByRole('alert')
      .filter({
        hasText: /^Could not open the class\. You may act only on the classes you teach\.$/,
      })
      .waitFor();
    await waitFor(async () => (await tiles().count()) === 0, 'the grid gone');
    await page().getByRole('heading', { name: 'Class', level: 1 }).waitFor();
    expect(
      await page()
        .getByText(/^Lessons:/)
        .count(),
    ).toBe(0);
  });

  it('ICT makes a class with teachers, a group and a lesson, and sees a refusal beside its field', async () => {
    const ict = await createStaffAccount(hub().url, adminToken, 'iris', ['ict']);
    await createStaffAccount(hub().url, adminToken, 'tara', ['teacher']);
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), ict.username, ict.password);
    await page().getByRole('button', { name: 'I accept' }).click();
    await page().getByRole('heading', { name: 'Hello, Iris' }).waitFor();
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Manage classes' })
      .click();
    await page().getByRole('heading', { name: 'Manage classes', level: 1 }).waitFor();
    await page().getByRole('grid', { name: 'Classes' }).waitFor();
    await checkScreen('manage-classes');

    await page().getByRole('link', { name: 'New class' }).click();
    await page().getByRole('heading', { name: 'New class', level: 1 }).waitFor();
    await page().getByRole('textbox', { name: 'Name' }).fill('Year 5 Elm');
    await page().getByRole('checkbox', { name: 'Tara (tara)' }).check();
    await page()
      .getByRole('button', { name: /Group$/ })
      .click();
    await page().getByRole('option', { name: 'Year 4 Oak (30 devices)' }).click();
    await page().getByRole('button', { name: 'Add a lesson' }).click();
    await page()
      .getByRole('button', { name: /Day \(lesson 1\)$/ })
      .click();
    await page().getByRole('option', { name: 'Wednesday' }).click();
    await page().getByRole('textbox', { name: 'Starts (lesson 1)' }).fill('13:15');
    // A time the hub refuses: its words appear beside the timetable, naming the lesson.
    await page().getByRole('textbox', { name: 'Ends (lesson 1)' }).fill('25:00');
    await page().getByRole('button', { name: 'Make class' }).click();
    await page()
      .getByText(/^Lesson 1: end must be a time HH:MM/)
      .waitFor();
    await checkScreen('class-new');

    await page().getByRole('textbox', { name: 'Ends (lesson 1)' }).fill('14:15');
    await page().getByRole('button', { name: 'Make class' }).click();
    await page().getByRole('heading', { name: 'Manage classes', level: 1 }).waitFor();
    const row = page()
      .getByRole('grid', { name: 'Classes' })
      .getByRole('row')
      .filter({
        has: page().getByRole('link', { name: 'Year 5 Elm', exact: true }),
      });
    await row.getByText('Tara (tara)').waitFor();
    await row.getByText('Group Year 4 Oak').waitFor();
    await row.getByText('Wed 13:15–14:15').waitFor();

    // What the hub holds.
    const iris = await apiSignIn(hub().url, ict.username, ict.password);
    const saved = (await callApi<ClassDto[]>(hub().url, 'GET', '/api/classes', iris)).find(
      (item) => item.name === 'Year 5 Elm',
    );
    expect(saved).toMatchObject({
      teacherIds: [await staffId('tara')],
      groupId: group.id,
      timetable: [{ weekday: 3, start: '13:15', end: '14:15' }],
    });

    // Opened again by its name: the form holds what was saved.
    await row.getByRole('link', { name: 'Year 5 Elm' }).click();
    await page().getByRole('heading', { name: 'Class: Year 5 Elm', level: 1 }).waitFor();
    expect(await page().getByRole('textbox', { name: 'Starts (lesson 1)' }).inputValue()).toBe(
      '13:15',
    );
    await checkScreen('class-edit');

    // A second class named alike but for capitals and spaces: said beside the name.
    await page().goto(`${hub().url}/manage-classes`);
    await page().getByRole('link', { name: 'New class' }).click();
    await page().getByRole('heading', { name: 'New class', level: 1 }).waitFor();
    const name = page().getByRole('textbox', { name: 'Name' });
    await name.fill('year 5  elm');
    await page().getByRole('checkbox', { name: 'Tara (tara)' }).check();
    await page().getByRole('button', { name: 'Make class' }).click();
    await page()
      .locator('.field-error')
      .filter({ hasText: 'A class named "Year 5 Elm" already exists' })
      .waitFor();
    expect(await name.getAttribute('aria-invalid')).toBe('true');
  });
});
