// What a teacher's class page says when the lesson ends (issue 12). When its end time came, the
// action bar and the dialog the teacher was typing in vanished and the page said only "No lesson
// running"; "End session" wrote "The lesson has ended…" into the bar it was removing, so it was
// never seen. The page now says that the lesson ended, when, and that the tablets are being put
// back, whichever way it ended.
import { callApi, consoleSpec, signInWithForm, teacherWithClass } from '../support/browser';
import type { TestDevice } from '../support/devices';

jest.setTimeout(120_000);

describe('the end of a lesson on the class page', () => {
  const devices: TestDevice[] = [];
  const { hub, page } = consoleSpec({
    pageTimeout: 30_000,
    beforeClose: () => devices.forEach((device) => device.client.close()),
  });

  it('says the lesson ended at its end time, and when the teacher ends it', async () => {
    const url = hub().url;
    const {
      teacher,
      teacherToken,
      klass: ash,
      device,
    } = await teacherWithClass(url, {
      username: 'sasha',
      className: 'Year 6 Ash',
      deviceName: 'Ash 01',
    });
    devices.push(device);
    await callApi(url, 'POST', `/api/classes/${ash.id}/session`, teacherToken, {
      endsAt: new Date(Date.now() + 12_000).toISOString(),
    });

    await page().goto(`${url}/classes/${ash.id}`);
    await signInWithForm(page(), teacher.username, teacher.password);
    await page()
      .getByText(/^Lesson running until/)
      .waitFor();
    await page().getByText('Ash 01', { exact: true }).waitFor();
    await page().getByRole('button', { name: 'Send message' }).click();
    await page().getByRole('textbox', { name: 'Message' }).fill('Five minutes left');

    // The end time comes while the teacher types.
    await page()
      .getByText(
        /^The lesson ended at \d\d:\d\d, its end time\. Every tablet is being put back as it was\.$/,
      )
      .waitFor({ timeout: 30_000 });
    expect(await page().getByRole('dialog').count()).toBe(0);

    // Started again, and ended with "End session".
    await page().getByRole('button', { name: 'Start lesson' }).click();
    await page()
      .getByText(/^Lesson running until/)
      .waitFor();
    await page().getByRole('button', { name: 'End session' }).click();
    await page().getByRole('button', { name: 'End the lesson' }).click();
    await page()
      .getByText(/^The lesson ended at \d\d:\d\d\. Every tablet is being put back as it was\.$/)
      .waitFor();
    await page().getByText('No lesson running', { exact: true }).waitFor();
  });
});
