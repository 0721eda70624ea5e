// Receipt retention (issue 14, "Retention"): receipts older than HUB_AUDIT_RETENTION_DAYS go, and
// with them the hub's thumbnails of those photos, which no screen can reach once the receipt is
// gone (copies of pupils' pictures kept in the data folder for ever). The stored photos are the
// school's and stay.
import fs from 'node:fs';
import path from 'node:path';
import type { PhotoDevice } from '@app/devices';
import { PhotoIngestService } from '../apps/hub/src/photos/photo-ingest.service';
import { createEnrollmentToken, enrollTestDevice, testKeys, waitFor } from './support/devices';
import { startHub, TestHub } from './support/hub';
import { filesUnder, makeJpeg, sendPhoto, waitForReceipt } from './support/photos';
import { photoSha256 } from '@app/devices';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('photo receipt retention', () => {
  let hub: TestHub;
  let admin: string;
  let dataDir: string;

  beforeAll(async () => {
    hub = await startHub({ env: { HUB_AUDIT_RETENTION_DAYS: '30' } });
    dataDir = hub.dataDir;
    admin = await hub.login();
  });
  afterAll(() => hub.close());

  it('removes the thumbnails of the receipts it removes, and keeps the stored photos', async () => {
    const identity = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin), {
      assetTag: 'CAM-01',
    });
    const device: PhotoDevice = {
      hubUrl: hub.url,
      deviceId: identity.deviceId,
      privateKeyPem: (await testKeys()).privateKeyPem,
      now: () => hub.clock.nowMs(),
    };
    const bytes = await makeJpeg();
    const sha256 = photoSha256(bytes);
    await sendPhoto(device, bytes);
    expect(await waitForReceipt(device, sha256)).not.toBeNull();
    const thumbnail = path.join(dataDir, 'photos', 'thumbnails', `${sha256}.jpg`);
    await waitFor(async () => fs.existsSync(thumbnail), 'the thumbnail made');
    const stored = filesUnder(path.join(dataDir, 'store'));
    expect(stored).toHaveLength(1);

    const retention = hub.app.get(PhotoIngestService);
    // Within the 30 days both stay.
    hub.clock.advance(29 * DAY_MS);
    expect(await retention.applyRetention()).toBe(0);
    expect(fs.existsSync(thumbnail)).toBe(true);

    hub.clock.advance(2 * DAY_MS);
    expect(await retention.applyRetention()).toBe(1);
    expect(fs.existsSync(thumbnail)).toBe(false);
    expect(filesUnder(path.join(dataDir, 'store'))).toEqual(stored);
    const listed = await hub.http
      .get('/api/photos')
      .set('Authorization', `Bearer ${await hub.login()}`);
    expect(listed.body.total).toBe(0);
  });
});
