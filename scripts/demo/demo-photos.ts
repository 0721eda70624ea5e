// The demo school's synced photos (issue 14): a few pictures taken on the trip's tablets reach the
// hub the way a device sends them (tus with a device proof, then the receipt), so the Photos
// screen and the trip's page have thumbnails to show. One tablet still out says more photos wait
// on it, as one on the coach without the school's network would.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fetchPhotoReceipt, photoSha256, uploadPhoto, type PhotoDevice } from '@app/devices';
import type { Trip } from '@app/hub-api';
import sharp from 'sharp';
import type { SimulatorHandle } from '../../apps/device-agent/src/simulate';

/** Photos each of the first kit tablets took. */
const PHOTOS_PER_TABLET = 2;
/** Tablets of the kit that took photos. */
const TABLETS_WITH_PHOTOS = 3;
/** What the last of those says still waits on it (not on the school's network yet). */
const STILL_ON_THE_TABLET = 3;
const RECEIPT_WAIT_MS = 30_000;

/** The simulator's saved identities (apps/device-agent/src/simulate.ts, format 1). */
interface SimulatorIdentities {
  keys: { privateKeyPem: string }[];
  devices: { deviceId: string; keyIndex: number }[];
}

/**
 * Uploads a few generated photos from the trip's kit tablets with the trip's id, taken now (call
 * it while the kit is out: see addTrip), waits for each
 * receipt (so the photos are in the store when the demo says it is ready), and has one tablet
 * still out report photos waiting on it.
 *
 * @param stateFile the simulator's identities for the tablets (`<stateDir>/oak.json`)
 * @returns how many photos were stored
 * @throws PhotoUploadError when the hub refuses an upload; Error when a receipt does not come
 */
export async function addTripPhotos(
  hubUrl: string,
  trip: Trip,
  tablets: SimulatorHandle,
  stateFile: string,
  log: (line: string) => void,
): Promise<number> {
  const identities = JSON.parse(await readFile(stateFile, 'utf8')) as SimulatorIdentities;
  const keyOf = new Map(
    identities.devices.map((device) => [
      device.deviceId,
      identities.keys[device.keyIndex % identities.keys.length].privateKeyPem,
    ]),
  );
  const kitDevices = trip.kit
    .map((item) => item.deviceId)
    .filter((id): id is string => id !== null && keyOf.has(id))
    .slice(0, TABLETS_WITH_PHOTOS);
  let stored = 0;
  for (const [tabletIndex, deviceId] of kitDevices.entries()) {
    const device: PhotoDevice = { hubUrl, deviceId, privateKeyPem: keyOf.get(deviceId) as string };
    for (let n = 0; n < PHOTOS_PER_TABLET; n += 1) {
      const seed = tabletIndex * PHOTOS_PER_TABLET + n;
      const bytes = await demoPicture(seed);
      const sha256 = photoSha256(bytes);
      await uploadPhoto(device, {
        bytes,
        sha256,
        contentType: 'image/jpeg',
        // Taken now, on the trip: the hub files a photo under the trip it names only while its
        // tablet is out with that trip (addTrip calls this between the check-out and check-ins).
        takenAt: new Date().toISOString(),
        tripId: trip.id,
      });
      await waitForReceipt(device, sha256);
      stored += 1;
    }
  }
  const stillOut = trip.kit.filter((item) => item.status === 'out' && item.deviceId);
  const onTheCoach = tablets.devices.find(
    (device) => device.deviceId === stillOut[stillOut.length - 1]?.deviceId,
  );
  onTheCoach?.enforcer.simulateLocalChange({ pendingPhotos: STILL_ON_THE_TABLET });
  log(`${stored} photos from the trip's tablets stored`);
  return stored;
}

/** The simulator's state file for a group, as demo-school.ts names it. */
export function simulatorStateFile(stateDir: string, group: string): string {
  return path.join(stateDir, `${group}.json`);
}

async function waitForReceipt(device: PhotoDevice, sha256: string): Promise<void> {
  const deadline = Date.now() + RECEIPT_WAIT_MS;
  while (!(await fetchPhotoReceipt(device, sha256))) {
    if (Date.now() > deadline) {
      throw new Error(`no receipt for demo photo ${sha256.slice(0, 8)} within 30 s`);
    }
    await new Promise((wake) => setTimeout(wake, 200));
  }
}

/**
 * A 1200×900 JPEG made from an SVG: a sky, a lawn and a building of a different colour for each
 * `seed`, standing in for a photo of the museum visit. No people, no text: nothing personal.
 */
function demoPicture(seed: number): Promise<Buffer> {
  const hue = (seed * 47) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="900">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
    <stop offset="0" stop-color="hsl(${200 + (seed % 3) * 10},70%,60%)"/>
    <stop offset="1" stop-color="hsl(${200 + (seed % 3) * 10},60%,88%)"/>
  </linearGradient></defs>
  <rect width="1200" height="900" fill="url(#sky)"/>
  <circle cx="${150 + seed * 130}" cy="150" r="70" fill="hsl(48,95%,65%)"/>
  <rect y="620" width="1200" height="280" fill="hsl(110,40%,42%)"/>
  <rect x="${300 + (seed % 3) * 60}" y="330" width="560" height="300" fill="hsl(${hue},35%,72%)"/>
  <polygon points="${270 + (seed % 3) * 60},330 ${580 + (seed % 3) * 60},190 ${890 + (seed % 3) * 60},330" fill="hsl(${hue},30%,55%)"/>
  ${[0, 1, 2, 3, 4]
    .map(
      (column) =>
        `<rect x="${340 + (seed % 3) * 60 + column * 105}" y="360" width="40" height="260" fill="hsl(${hue},20%,90%)"/>`,
    )
    .join('')}
</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 82 }).toBuffer();
}
