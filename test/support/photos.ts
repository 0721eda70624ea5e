// Real pictures for the photo specs (issue 14): JPEGs made with sharp, location written into
// them with exiftool (EXIF GPS, XMP exif:GPS*, IPTC and XMP place names), and a device's uploads
// and receipts through the same client library the agent uses.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { ExifTool } from 'exiftool-vendored';
import { fetchPhotoReceipt, photoSha256, uploadPhoto, type PhotoDevice } from '@app/devices';

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
