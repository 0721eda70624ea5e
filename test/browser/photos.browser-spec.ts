// The photo screens in a real browser (issue 14): real JPEGs made with sharp reach a real hub
// through tus with device proofs; a trip leader opens their trip and sees the thumbnails of its
// synced photos, each kit device's photos waiting and stored, opens a full picture, and goes on
// to the trip's photos by day (a photo without the trip is not among them). Then the store goes
// away (its folder moved, as an unmounted share): a new photo gets no receipt, the screen says
// the store is unavailable with how many wait, and once the folder is back the photo is stored
// and the words change back. On every screen at both iPad sizes: no serious or critical axe
// violation, no sideways scrolling, 44 px targets, no Content-Security-Policy violation.
import {
  fetchPhotoReceipt,
  photoSha256,
  SimulatedEnforcer,
  uploadPhoto,
  type DeviceIdentity,
} from '@app/devices';
import type { PhotoPage, Trip } from '@app/hub-api';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import {
  ADMIN_PASSWORD,
  apiSignIn,
  callApi,
  makeEnrollmentToken,
  signInWithForm,
  consoleSpec,
} from '../support/browser';
import { connectTestDevice, enrollTestDevice, TestDevice, waitFor } from '../support/devices';

// Uploads, thumbnails and several screens checked with axe on a shared two-core machine.
jest.setTimeout(300_000);

/** A real JPEG of one colour with a stripe (so each is a different file), `width`×`height`. */
function makeJpeg(seed: number, width = 640, height = 480): Promise<Buffer> {
  const stripe = Buffer.from(
    `<svg width="${width}" height="${height}"><rect x="${(seed * 53) % width}" y="0" width="60" height="${height}" fill="#fff"/></svg>`,
  );
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: (seed * 70) % 256, g: (seed * 120) % 256, b: (seed * 190) % 256 },
    },
  })
    .composite([{ input: stripe }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/**
 * Uploads `file` as `identity` through tus 1.0.0 (protocol section 5) with the devices' own
 * client (a fresh proof on every request), as a device does.
 *
 * @returns the file's SHA-256 (lowercase hex)
 */
async function upload(
  identity: DeviceIdentity,
  file: Buffer,
  meta: { takenAt: Date; tripId?: string },
): Promise<string> {
  const sha256 = photoSha256(file);
  await uploadPhoto(identity, {
    bytes: file,
    sha256,
    contentType: 'image/jpeg',
    takenAt: meta.takenAt.toISOString(),
    tripId: meta.tripId,
    retryDelays: [],
  });
  return sha256;
}

/** Whether the hub gives `sha256` a receipt yet (200: it is safely in the store). */
async function hasReceipt(identity: DeviceIdentity, sha256: string): Promise<boolean> {
  return (await fetchPhotoReceipt(identity, sha256)) !== null;
}

describe('the Photos screens', () => {
  let storeDir: string;
  const devices: TestDevice[] = [];
  const { hub, page, checkScreen } = consoleSpec({
    env: () => {
      // An explicit store folder, as a school's mounted share: the hub never creates it.
      storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-photo-store-'));
      return { HUB_STORE_DIR: storeDir, HUB_PHOTO_STORE_RETRY_MS: '300' };
    },
    // A wait that fails names its step well inside the test's own timeout.
    pageTimeout: 30_000,
    beforeClose: () => devices.forEach((device) => device.client.close()),
  });
  afterAll(() => {
    fs.rmSync(storeDir, { recursive: true, force: true });
    fs.rmSync(`${storeDir}-away`, { recursive: true, force: true });
  });

  /** How many of the images named like `name` have been decoded by the browser (width > 0). */
  const loadedImages = (name: RegExp) =>
    page()
      .getByRole('img', { name })
      .evaluateAll(
        (images) =>
          images.filter((image) => (image as unknown as { naturalWidth: number }).naturalWidth > 0)
            .length,
      );

  /** Enrols a tablet that is also an asset (matched by serial number), as the trip's kit is. */
  async function enrolTablet(adminToken: string, enrolToken: string, n: number) {
    const serialNumber = `ZOO-SERIAL-${n}`;
    await callApi(hub().url, 'POST', '/api/assets', adminToken, {
      assetTag: `TAB-0${n}`,
      kind: 'tablet',
      serialNumber,
      model: 'iPad',
    });
    return enrollTestDevice(hub(), enrolToken, {
      serialNumber,
      assetTag: `TAB-0${n}`,
      name: `Zoo iPad ${n}`,
    });
  }

  /** Waits until the hub gives every photo in `sha256s` a receipt (it is in the store). */
  async function waitForReceipts(identity: DeviceIdentity, sha256s: string[]): Promise<void> {
    for (const sha256 of sha256s) {
      await waitFor(
        () => hasReceipt(identity, sha256),
        `the receipt of ${sha256.slice(0, 8)}`,
        30_000,
      );
    }
  }

  /** A minute `minutesAgo` before now. */
  const taken = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);

  it("shows a trip leader the thumbnails of their trip's synced photos", async () => {
    const adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    const leader = await callApi<{ id: string }>(hub().url, 'POST', '/api/staff', adminToken, {
      username: 'dan',
      displayName: 'Dan Okafor',
      password: 'Staff-Pass1!',
      roles: ['trip_leader'],
    });
    const token = await makeEnrollmentToken(hub().url, adminToken, { maxUses: 5 });
    // Two tablets of the trip's kit.
    const identities = [
      await enrolTablet(adminToken, token, 1),
      await enrolTablet(adminToken, token, 2),
    ];
    const now = Date.now();
    const trip = await callApi<Trip>(hub().url, 'POST', '/api/trips', adminToken, {
      name: 'Zoo visit',
      shortName: 'y4-zoo',
      startsAt: new Date(now - 3_600_000).toISOString(),
      endsAt: new Date(now + 86_400_000).toISOString(),
      leaderIds: [leader.id],
      assetTags: ['TAB-01', 'TAB-02'],
    });
    const out = await callApi<Trip>(
      hub().url,
      'POST',
      `/api/trips/${trip.id}/check-out`,
      adminToken,
    );
    /** `seconds` after the kit went out: a photo is the trip's only while its tablet is out. */
    const onTrip = (seconds: number) =>
      new Date(Date.parse(out.checkedOutAt as string) + seconds * 1000);

    // The first tablet is online and says two more photos wait on it.
    devices.push(
      connectTestDevice(identities[0], {
        enforcer: new SimulatedEnforcer({ initialState: { pendingPhotos: 2 } }),
      }),
    );

    // Four photos from the trip (three from the first tablet, one from the second), and one
    // taken on the second tablet before the trip went out, which the leader must not see.
    const tripPhotos = [
      await upload(identities[0], await makeJpeg(1), {
        takenAt: onTrip(1),
        tripId: trip.id,
      }),
      await upload(identities[0], await makeJpeg(2), {
        takenAt: onTrip(2),
        tripId: trip.id,
      }),
      await upload(identities[0], await makeJpeg(3), {
        takenAt: onTrip(3),
        tripId: trip.id,
      }),
      await upload(identities[1], await makeJpeg(4), {
        takenAt: onTrip(4),
        tripId: trip.id,
      }),
    ];
    const otherPhoto = await upload(identities[1], await makeJpeg(5), {
      takenAt: taken(2),
    });
    await waitForReceipts(identities[0], [...tripPhotos, otherPhoto]);

    // The leader signs in for the first time, accepts the AUP and opens their trip.
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), 'dan', 'Staff-Pass1!');
    await page().getByRole('button', { name: 'I accept' }).click();
    await page().getByRole('heading', { name: 'Hello, Dan Okafor' }).waitFor();
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Trips' })
      .click();
    await page().getByRole('link', { name: 'Zoo visit' }).click();
    await page().getByRole('heading', { name: 'Trip: Zoo visit', level: 1 }).waitFor();

    // The trip's four photos as thumbnails, decoded by the browser; the other photo is not here.
    const strip = page().getByRole('grid', { name: 'Newest photos from Zoo visit' });
    await strip.waitFor();
    expect(await strip.getByRole('row').count()).toBe(4);
    // The strip is below the kit (and its add box): its thumbnails load as it nears the screen,
    // so the leader scrolls to it, as on an iPad.
    await strip.scrollIntoViewIfNeeded();
    await waitFor(async () => (await loadedImages(/^Photo taken at/)) === 4, 'four thumbnails');
    await page().getByText('The photo store is available.').waitFor();
    await page().getByText('4 photos from this trip').waitFor();

    // Per kit device: photos waiting on it (its own report) and photos stored.
    const kit = page().getByRole('grid', { name: 'Kit' });
    const kitRow = (tag: string) => kit.getByRole('row').filter({ hasText: tag });
    await kitRow('TAB-01').getByText('3 stored').waitFor();
    await kitRow('TAB-01').getByText('2 waiting').waitFor();
    await kitRow('TAB-02').getByText('1 stored').waitFor();
    await checkScreen('trip-photos');

    // A thumbnail opens the full picture; Next steps to the next photo; Escape closes.
    await strip.getByRole('row').first().click();
    const dialog = page().getByRole('dialog', { name: /^Photo taken at/ });
    await dialog.waitFor();
    await waitFor(
      async () => (await loadedImages(/^The full picture/)) === 1,
      'the full picture to show',
    );
    const fullWidth = await dialog
      .getByRole('img', { name: /^The full picture/ })
      .evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth);
    expect(fullWidth).toBe(640);
    await dialog.getByText('y4-zoo', { exact: true }).waitFor();
    await dialog.getByText('Photo 1 of 4').waitFor();
    await checkScreen('photo-dialog');
    await dialog.getByRole('button', { name: 'Next photo' }).click();
    await dialog.getByText('Photo 2 of 4').waitFor();
    await page().keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // The keyboard reaches the thumbnails too: an arrow key moves, Enter opens.
    await strip.getByRole('row').nth(1).focus();
    await page().keyboard.press('ArrowRight');
    await page().keyboard.press('Enter');
    await dialog.getByText('Photo 3 of 4').waitFor();
    await page().keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // All the trip's photos, by day, on the Photos screen; the photo without the trip is not.
    await page().getByRole('link', { name: 'All photos from this trip, by day' }).click();
    await page().getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    await page()
      .getByRole('grid', { name: /^Photos taken / })
      .first()
      .waitFor();
    await waitFor(async () => (await loadedImages(/^Photo taken at/)) === 4, 'the day thumbnails');
    expect(
      await page()
        .getByRole('grid', { name: /^Photos taken / })
        .getByRole('row')
        .count(),
    ).toBe(4);
    // The trip chosen in the filter, from the link's address.
    await page()
      .getByRole('button', { name: /Zoo visit \(y4-zoo\)/ })
      .waitFor();
    await page()
      .getByRole('grid', { name: 'Photos per device' })
      .getByRole('row')
      .filter({ hasText: 'Zoo iPad 1' })
      .getByText('2 on the device')
      .waitFor();
    await checkScreen('photos');
  });

  it('says in words when the store is unavailable and how many photos wait, then that it is back', async () => {
    const adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    const token = await makeEnrollmentToken(hub().url, adminToken, { maxUses: 1 });
    const camera = await enrollTestDevice(hub(), token, {
      serialNumber: 'CAM-SERIAL-1',
      assetTag: 'CAM-01',
      name: 'Office camera',
    });
    const first = await upload(camera, await makeJpeg(11), { takenAt: taken(3) });
    await waitForReceipts(camera, [first]);

    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), 'admin', ADMIN_PASSWORD);
    await page()
      .getByRole('heading', { name: /^Hello/ })
      .waitFor();
    await page()
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Photos' })
      .click();
    await page().getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    await page().getByText('The photo store is available.').waitFor();
    await page()
      .getByRole('img', { name: /by Office camera$/ })
      .waitFor();

    // The store goes away (an unmounted share): a new photo is kept at the hub, with no receipt.
    fs.renameSync(storeDir, `${storeDir}-away`);
    const late = await upload(camera, await makeJpeg(12), { takenAt: taken(1) });
    expect(await hasReceipt(camera, late)).toBe(false);
    await page().reload();
    await page()
      .getByText(/^The photo store is unavailable/)
      .waitFor();
    await page()
      .getByText(/1 photo is waiting safely at the hub/)
      .waitFor();
    await page().getByText('Waiting for the store', { exact: true }).waitFor();
    await checkScreen('photos-store-unavailable');

    // Back again: the photo is written once, gets its receipt, and the screen says so.
    fs.renameSync(`${storeDir}-away`, storeDir);
    await waitForReceipts(camera, [late]);
    await page().reload();
    await page().getByText('The photo store is available.').waitFor();
    await waitFor(
      async () =>
        (await page()
          .getByRole('img', { name: /by Office camera$/ })
          .count()) === 2,
      'both photos of the camera',
    );
    expect(await page().getByText('Waiting for the store', { exact: true }).count()).toBe(0);
    const stored = fs
      .readdirSync(storeDir, { recursive: true })
      .map(String)
      .filter((name) => name.includes('CAM-01-'));
    expect(stored).toHaveLength(2);
  });
  it('says why a stored photo cannot be shown when its file was deleted in the store', async () => {
    const adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    const token = await makeEnrollmentToken(hub().url, adminToken, { maxUses: 1 });
    const identity = await enrollTestDevice(hub(), token, {
      serialNumber: 'GONE-SERIAL-1',
      name: 'Office iPad',
    });
    const sha256 = await upload(identity, await makeJpeg(9), { takenAt: taken(1) });
    await waitForReceipts(identity, [sha256]);
    const [photo] = (
      await callApi<PhotoPage>(
        hub().url,
        'GET',
        `/api/photos?deviceId=${identity.deviceId}`,
        adminToken,
      )
    ).items;
    // Someone tidying the share deletes the file; the store itself is there.
    fs.rmSync(path.join(storeDir, ...photo.storedName.split('/')));

    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), 'admin', ADMIN_PASSWORD);
    await page()
      .getByRole('heading', { name: /^Hello/ })
      .waitFor();
    await page().goto(`${hub().url}/photos`);
    await page()
      .getByRole('row', { name: /by Office iPad$/ })
      .click();
    const dialog = page().getByRole('dialog', { name: /^Photo taken at/ });
    // The hub's reason, not "try again later": the file will not come back by waiting.
    await dialog
      .getByText(
        `This photo is no longer in the photo store (${photo.storedName} was moved or deleted there).`,
      )
      .waitFor();
    expect(await dialog.getByText(/Try again later/).count()).toBe(0);
  });

  it("says the hub's reason when a trip leader opens the photos of a trip they do not lead", async () => {
    const adminToken = await apiSignIn(hub().url, 'admin', ADMIN_PASSWORD);
    const account = (username: string) =>
      callApi<{ id: string }>(hub().url, 'POST', '/api/staff', adminToken, {
        username,
        displayName: username.charAt(0).toUpperCase() + username.slice(1),
        password: 'Staff-Pass1!',
        roles: ['trip_leader'],
      });
    const [mine, theirs] = [await account('priya'), await account('owen')];
    await callApi(hub().url, 'POST', '/api/assets', adminToken, {
      assetTag: 'BEACH-1',
      kind: 'tablet',
    });
    const now = Date.now();
    const tripOf = (leaderId: string, name: string, shortName: string) =>
      callApi<Trip>(hub().url, 'POST', '/api/trips', adminToken, {
        name,
        shortName,
        startsAt: new Date(now + 3_600_000).toISOString(),
        endsAt: new Date(now + 8 * 3_600_000).toISOString(),
        leaderIds: [leaderId],
        assetTags: ['BEACH-1'],
      });
    await tripOf(mine.id, 'Beach clean', 'beach');
    const other = await tripOf(theirs.id, 'Castle visit', 'castle');

    // Priya follows a link to Owen's trip's photos.
    await page().goto(`${hub().url}/sign-in`);
    await signInWithForm(page(), 'priya', 'Staff-Pass1!');
    await page().getByRole('button', { name: 'I accept' }).click();
    await page()
      .getByRole('heading', { name: /^Hello/ })
      .waitFor();
    await page().goto(`${hub().url}/photos?trip=${other.id}`);
    await page().getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    // The day filter says why it has no days: the hub's own words, not only that it failed.
    await page()
      .getByText(
        'Could not read the days. Only the leaders of this trip, ICT and safeguarding see its photos.',
      )
      .waitFor();
    await checkScreen('photos-not-your-trip');
  });
});
