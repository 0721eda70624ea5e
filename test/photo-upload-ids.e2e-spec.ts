// The tus routes act only on upload ids the hub made. Probing the API with bad input found that an
// enrolled device's `DELETE /api/photos/uploads/..%2F..%2Fhub.sqlite` deleted the hub's database
// (the file store joins the id to its folder) and answered 500 with the file's path. Every id that
// is not one the hub makes is now a 404 before the file store sees it, however it is spelt: in
// the path, after a query string, encoded once or twice.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeProof, type DeviceIdentity } from '@app/devices';
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import { startHub, TestHub } from './support/hub';

describe('tus upload ids', () => {
  let hub: TestHub;
  let device: DeviceIdentity;
  /**
   * Files beside the hub's own: one with a `.json` twin (what the file store reads of an upload),
   * one without (as the database has none).
   */
  let keep: string[];

  const tus = (method: 'head' | 'patch' | 'delete', url: string) =>
    hub.http[method](url)
      .set('Authorization', `Device ${makeProof(device.deviceId, device.privateKeyPem)}`)
      .set('Tus-Resumable', '1.0.0');

  beforeAll(async () => {
    hub = await startHub();
    const admin = await hub.login();
    device = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    keep = ['school-data', 'school-data.json', 'school-notes'].map((name) =>
      path.join(hub.dataDir, name),
    );
    keep.forEach((file) => fs.writeFileSync(file, '{"size":10,"offset":0,"metadata":{}}'));
  });
  afterAll(() => hub.close());

  it('answers 404 to an id the hub did not make, and touches no file outside its uploads', async () => {
    const answers: string[] = [];
    for (const id of [
      '..%2F..%2Fschool-notes',
      '..%2F..%2Fschool-data',
      '..%252F..%252Fschool-data',
      '%2E%2E%2F%2E%2E%2Fschool-data',
      '0123456789abcdef0123456789abcdef?next=/..%2F..%2Fschool-data',
      'ABCDEF0123456789ABCDEF0123456789',
    ]) {
      for (const method of ['head', 'delete'] as const) {
        const answer = await tus(method, `/api/photos/uploads/${id}`);
        answers.push(`${method} ${id} ${answer.status}`);
      }
      const patch = await tus('patch', `/api/photos/uploads/${id}`)
        .set('Upload-Offset', '0')
        .set('Content-Type', 'application/offset+octet-stream')
        .send(Buffer.from('0123456789'));
      answers.push(`patch ${id} ${patch.status}`);
    }
    expect(answers.filter((answer) => !answer.endsWith(' 404'))).toEqual([]);
    expect(keep.filter((file) => !fs.existsSync(file))).toEqual([]);
    expect(fs.readFileSync(keep[0], 'utf8')).toBe('{"size":10,"offset":0,"metadata":{}}');
    expect((await hub.http.get('/api/health')).body).toMatchObject({ database: 'ok' });
  });
});
