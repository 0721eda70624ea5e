// A teacher's class page while the hub is stopped cleanly and started again (a restart for an
// update, `systemctl restart`). The hub ends every console's live connection as it stops, and
// Socket.IO's client does not reconnect by itself after that: the grid then looked live and was
// frozen until a reload. The page must say that live updates are paused while the hub is away,
// keep what the teacher typed when a send fails, and follow the lesson live again once the hub is
// back.
import type { ChildProcess } from 'node:child_process';
import type { ClassDto, DeviceGroup } from '@app/hub-api';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  consoleSpec,
  CONSOLE_DIR,
  createStaffAccount,
  makeEnrollmentToken,
  signInWithForm,
} from '../support/browser';
import { startHubProcess, type HubProcess } from '../support/hub-process';
import { connectTestDevice, enrollTestDevice, type TestDevice } from '../support/devices';

jest.setTimeout(180_000);

/** Stops the hub as systemd does (SIGTERM: a clean shutdown) and resolves once it has exited. */
function stopHub(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('a class page across a hub restart', () => {
  const devices: TestDevice[] = [];
  let restarted: HubProcess | null = null;
  const { hub, page } = consoleSpec({
    pageTimeout: 30_000,
    beforeClose: async () => {
      devices.forEach((device) => device.client.close());
      if (restarted) {
        await stopHub(restarted.child);
      }
    },
  });

  it('says live updates are paused, keeps an unsent message, and follows the lesson again', async () => {
    const url = hub().url;
    const adminToken = await apiSignIn(url, 'admin', ADMIN_PASSWORD);
    const teacher = await createStaffAccount(url, adminToken, 'rowan', ['teacher']);
    const teacherToken = await apiSignIn(url, teacher.username, teacher.password);
    const group = await callApi<DeviceGroup>(url, 'POST', '/api/groups', adminToken, {
      name: 'Year 3 Elm',
    });
    const enrolToken = await makeEnrollmentToken(url, adminToken, { groupIds: [group.id] });
    devices.push(connectTestDevice(await enrollTestDevice(hub(), enrolToken, { name: 'Elm 01' })));
    const me = await callApi<{ id: string }>(url, 'GET', '/api/auth/me', teacherToken);
    const elm = await callApi<ClassDto>(url, 'POST', '/api/classes', adminToken, {
      name: 'Year 3 Elm',
      teacherIds: [me.id],
      groupId: group.id,
    });
    await callApi(url, 'POST', `/api/classes/${elm.id}/session`, teacherToken, {});

    await page().goto(`${url}/classes/${elm.id}`);
    await signInWithForm(page(), teacher.username, teacher.password);
    await page()
      .getByText(/^Lesson running until/)
      .waitFor();
    await page().getByText('Elm 01', { exact: true }).waitFor();

    await stopHub(hub().hub.child);
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
