// A teacher's class page while the hub is stopped cleanly and started again (a restart for an
// update, `systemctl restart`). The hub ends every console's live connection as it stops, and
// Socket.IO's client does not reconnect by itself after that: the grid then looked live and was
// frozen until a reload. The page must say that live updates are paused while the hub is away,
// keep what the teacher typed when a send fails, and follow the lesson live again once the hub is
// back.
import {
  callApi,
  consoleSpec,
  CONSOLE_DIR,
  signInWithForm,
  teacherWithClass,
} from '../support/browser';
import { startHubProcess, stopHubProcess, type HubProcess } from '../support/hub-process';
import type { TestDevice } from '../support/devices';

jest.setTimeout(180_000);

describe('a class page across a hub restart', () => {
  const devices: TestDevice[] = [];
  let restarted: HubProcess | null = null;
  const { hub, page } = consoleSpec({
    pageTimeout: 30_000,
    beforeClose: async () => {
      devices.forEach((device) => device.client.close());
      if (restarted) {
        await stopHubProcess(restarted.child);
      }
    },
  });

  it('says live updates are paused, keeps an unsent message, and follows the lesson again', async () => {
    const url = hub().url;
    const {
      teacher,
      teacherToken,
      klass: elm,
      device,
    } = await teacherWithClass(url, {
      username: 'rowan',
      className: 'Year 3 Elm',
      deviceName: 'Elm 01',
    });
    devices.push(device);
    await callApi(url, 'POST', `/api/classes/${elm.id}/session`, teacherToken, {});

    await page().goto(`${url}/classes/${elm.id}`);
    await signInWithForm(page(), teacher.username, teacher.password);
    await page()
      .getByText(/^Lesson running until/)
      .waitFor();
    await page().getByText('Elm 01', { exact: true }).waitFor();

    await stopHubProcess(hub().hub.child);
    const paused = page().getByText('Live updates paused: reconnecting to the hub…');
    await paused.waitFor({ timeout: 10_000 });

    // A message sent while the hub is away fails in words, and its text is still there.
    await page().getByRole('button', { name: 'Send message' }).click();
    const box = page().getByRole('textbox', { name: 'Message' });
    await box.fill('Tidy up now, please');
    await page().getByRole('button', { name: 'Send', exact: true }).click();
    await page()
      .getByRole('dialog')
      .getByText('The hub could not be reached. Check the network and try again.')
      .waitFor();
    expect(await box.inputValue()).toBe('Tidy up now, please');
    await page().getByRole('button', { name: 'Cancel' }).click();

    restarted = await startHubProcess(hub().dataDir, Number(new URL(url).port), {
      env: { HUB_CONSOLE_DIR: CONSOLE_DIR, HUB_SCHOOL_NAME: 'Oak Hill Primary' },
    });
    await paused.waitFor({ state: 'hidden', timeout: 45_000 });

    // The lesson ended elsewhere (a colleague, or another tab) shows here without a reload.
    await callApi(url, 'DELETE', `/api/classes/${elm.id}/session`, teacherToken);
    await page().getByText('No lesson running', { exact: true }).waitFor({ timeout: 15_000 });
  });
});
