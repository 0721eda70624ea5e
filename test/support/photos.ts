// Real pictures for the photo specs (issue 14): JPEGs made with sharp, location written into
// them with exiftool (EXIF GPS, XMP exif:GPS*, IPTC and XMP place names), and a device's uploads
// and receipts through the same client library the agent uses.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { ExifTool } from 'exiftool-vendored';
import { fetchPhotoReceipt, photoSha256, uploadPhoto, type PhotoDevice } from '@app/devices';
import type { Trip } from '@app/hub-api';
import { createEnrollmentToken, enrollTestDevice } from './devices';
import type { TestHub } from './hub';

/** A JPEG of random pixels (so every one is a new photo), `width` x `height`. */
export async function makeJpeg(width = 640, height = 480): Promise<Buffer> {
  const pixels = crypto.randomBytes(width * height * 3);
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** Location tags the specs write and then look for. */
export const LOCATION_TAGS = {
  GPSLatitude: 51.5355,
  GPSLongitude: -0.1534,
  'XMP:GPSLatitude': 51.5355,
  'XMP:GPSLongitude': -0.1534,
  'IPTC:City': 'London',
  'IPTC:Sub-location': 'Regents Park Zoo',
  'XMP-photoshop:City': 'London',
  'XMP-iptcCore:Location': 'Regents Park Zoo',
} as const;

/**
 * Writes a JPEG with every kind of location into `dir` and returns its path and bytes. Also a
 * camera make and an orientation, which must survive.
 */
export async function makeJpegWithLocation(
  exiftool: ExifTool,
  dir: string,
  name = `gps-${crypto.randomUUID()}.jpg`,
): Promise<{ file: string; bytes: Buffer }> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, await makeJpeg(800, 600));
  await exiftool.write(file, { ...LOCATION_TAGS, Make: 'SchoolCam', 'Orientation#': 1 } as never, {
    writeArgs: ['-overwrite_original'],
  });
  return { file, bytes: fs.readFileSync(file) };
}

/** Every tag of a file whose group or name speaks of place (GPS, city, location...). */
export async function locationTagsOf(exiftool: ExifTool, file: string): Promise<string[]> {
  const tags = await exiftool.readRaw(file, { readArgs: ['-G1', '-a'] });
  return Object.keys(tags).filter((key) =>
    /gps|city|location|sub-location|province|state|country/i.test(key),
  );
}

/** Decoded RGB pixels of a picture, to compare two files' pictures. */
export async function pixelsOf(file: string | Buffer): Promise<Buffer> {
  return sharp(file).raw().toBuffer();
}

/** Uploads `bytes` as a photo and resolves with its upload URL (see uploadPhoto). */
export function sendPhoto(
  device: PhotoDevice,
  bytes: Buffer,
  options: { takenAt?: string; tripId?: string; sha256?: string; contentType?: 'image/jpeg' } = {},
): Promise<string> {
  return uploadPhoto(device, {
    bytes,
    sha256: options.sha256 ?? photoSha256(bytes),
    contentType: options.contentType ?? 'image/jpeg',
    takenAt: options.takenAt ?? '2026-06-12T13:22:33Z',
    tripId: options.tripId,
    retryDelays: [],
  });
}

/**
 * A tablet asset (`POST /api/assets` as `admin`, serial number `<assetTag>-<pid>`) with an
 * enrolled device of the same serial number, so a trip's kit names it; not connected. Its proofs
 * use the hub's clock, so a spec may move that clock.
 *
 * @param hubOf the hub now (a spec that restarts its hub passes a getter)
 * @throws Error (a failed expectation) unless the asset is made
 */
export async function enrolledAsset(
  hubOf: () => TestHub,
  admin: string,
  assetTag: string,
): Promise<PhotoDevice> {
  const hub = hubOf();
  const serialNumber = `${assetTag}-${process.pid}`;
  const asset = await hub.http
    .post('/api/assets')
    .set('Authorization', `Bearer ${admin}`)
    .send({ assetTag, kind: 'tablet', serialNumber, model: 'School iPad' });
  expect(asset.status).toBe(201);
  const identity = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin), {
    serialNumber,
    name: assetTag,
  });
  return {
    hubUrl: hub.url,
    deviceId: identity.deviceId,
    privateKeyPem: identity.privateKeyPem,
    now: () => hubOf().clock.nowMs(),
  };
}

/**
 * Sends a new JPEG taken at `takenAt` (ms), naming `tripId` if given, and waits for its receipt.
 *
 * @returns its SHA-256 and the trip its receipt names (null for none)
 * @throws Error (a failed expectation) when no receipt comes
 */
export async function photoTakenAt(device: PhotoDevice, takenAt: number, tripId?: string) {
  const bytes = await makeJpeg(320, 240);
  const sha256 = photoSha256(bytes);
  await sendPhoto(device, bytes, { takenAt: new Date(takenAt).toISOString(), tripId });
  const receipt = await waitForReceipt(device, sha256);
  expect(receipt).not.toBeNull();
  return { sha256, tripId: receipt?.tripId ?? null };
}

/**
 * Makes a trip of `assetTags` led by `leader` ("Year 5 <shortName> visit", from the hub's now for
 * ten hours) and checks it out.
 *
 * @returns the trip as checked out
 * @throws Error (a failed expectation) unless both are done
 */
export async function tripOut(
  hub: TestHub,
  leader: { id: string; token: string },
  assetTags: string[],
  shortName = 'museum',
): Promise<Trip> {
  const now = hub.clock.nowMs();
  const created = await hub.http
    .post('/api/trips')
    .set('Authorization', `Bearer ${leader.token}`)
    .send({
      name: `Year 5 ${shortName} visit`,
      shortName,
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 10 * 60 * 60 * 1000).toISOString(),
      leaderIds: [leader.id],
      assetTags,
    });
  expect(created.status).toBe(201);
  const out = await hub.http
    .post(`/api/trips/${(created.body as Trip).id}/check-out`)
    .set('Authorization', `Bearer ${leader.token}`);
  expect(out.status).toBe(200);
  return out.body as Trip;
}

/** Asks for a receipt until it comes (or `timeoutMs` passes); null if it never did. */
export async function waitForReceipt(
  device: PhotoDevice,
  sha256: string,
  timeoutMs = 15_000,
): Promise<Awaited<ReturnType<typeof fetchPhotoReceipt>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const receipt = await fetchPhotoReceipt(device, sha256);
    if (receipt || Date.now() > deadline) {
      return receipt;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every file under `dir` (relative paths, `/` separators), hidden files left out. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  const found: string[] = [];
  const walk = (at: string, prefix: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) {
        continue;
      }
      if (entry.isDirectory()) {
        walk(path.join(at, entry.name), `${prefix}${entry.name}/`);
      } else {
        found.push(`${prefix}${entry.name}`);
      }
    }
  };
  walk(dir, '');
  return found.sort();
}
