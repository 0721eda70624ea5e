// Photos for the simulator (issue 14: "the simulator can upload generated JPEGs for the
// benchmarks and the demo"): real JPEGs made with sharp, each made unique by a comment segment,
// uploaded through the same library as the agent (uploadPhoto, fetchPhotoReceipt).
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import {
  fetchPhotoReceipt,
  photoSha256,
  uploadPhoto,
  type PhotoDevice,
  type PhotoReceiptBody,
} from '@app/devices';
import { RECEIPT_POLL_MS } from './photo-sync';

/** What a simulated device uploads (see uploadSimulatedPhotos). */
export interface SimulatedPhotoOptions {
  /** Photos each device uploads, one after another. */
  perDevice: number;
  /** Size of each photo in bytes (a JPEG of noise, padded to exactly this size). */
  sizeBytes: number;
  /**
   * The trip each upload names (protocol section 5 `tripId`); none by default. The hub files a
   * photo under it only while the device is out with that trip (its kit), as any device's.
   */
  tripId?: string;
  /** When each was taken (RFC 3339); default now. */
  takenAt?: (deviceIndex: number, photoIndex: number) => string;
  /** Bytes per tus PATCH; default uploadPhoto's (8 MiB). */
  chunkSize?: number;
  /** Wait for each photo's receipt before the device sends its next; default true. */
  waitForReceipt?: boolean;
  /** How long to wait for one receipt, ms; default 120 s. */
  receiptTimeoutMs?: number;
  /** Asked for a receipt this often while waiting, ms; default the agent's (RECEIPT_POLL_MS, 250). */
  receiptPollMs?: number;
}

/** One simulated photo's way to the store; times are Date.now() values (ms). */
export interface SimulatedPhotoResult {
  deviceId: string;
  sha256: string;
  sizeBytes: number;
  startedAt: number;
  /** The final PATCH was answered (204). */
  uploadedAt: number;
  /** The receipt came (200); null without waitForReceipt. */
  receiptAt: number | null;
  receipt: PhotoReceiptBody | null;
}

/** The most a JPEG comment segment holds (its 2-byte length counts itself). */
const MAX_COMMENT = 65_533;

/**
 * A JPEG of random pixels (so it compresses like a detailed photo) of at most `sizeBytes`, made
 * with sharp; the caller pads it (see uniqueJpeg). Noise at quality 85 is about 0.7 bytes a
 * pixel, so 4 MB is about 2,400 x 1,800.
 *
 * @throws RangeError when sizeBytes is under 4 KiB
 */
export async function noiseJpeg(sizeBytes: number): Promise<Buffer> {
  if (!Number.isInteger(sizeBytes) || sizeBytes < 4096) {
    throw new RangeError('a simulated photo is at least 4096 bytes');
  }
  let pixels = Math.max(1024, Math.floor((sizeBytes / 0.72) * 0.95));
  for (let attempt = 0; ; attempt += 1) {
    const width = Math.max(32, Math.round(Math.sqrt((pixels * 4) / 3)));
    const height = Math.max(24, Math.round((width * 3) / 4));
    const jpeg = await sharp(randomBytes(width * height * 3), {
      raw: { width, height, channels: 3 },
    })
      .jpeg({ quality: 85 })
      .toBuffer();
    if (jpeg.length <= sizeBytes || attempt >= 4) {
      return jpeg;
    }
    pixels = Math.floor(pixels * (sizeBytes / jpeg.length) * 0.95);
  }
}

/**
 * `base` (a JPEG) made a photo of its own: comment segments after the start-of-image marker carry
 * `label` and padding up to exactly `sizeBytes` (never less than the base and the label need).
 * The picture data is untouched, so it decodes as the base does.
 */
export function uniqueJpeg(base: Buffer, label: string, sizeBytes: number): Buffer {
  const segment = (data: Buffer) => {
    const header = Buffer.from([0xff, 0xfe, 0, 0]);
    header.writeUInt16BE(data.length + 2, 2);
    return Buffer.concat([header, data]);
  };
  const parts = [base.subarray(0, 2), segment(Buffer.from(label, 'utf8'))];
  let missing = sizeBytes - base.length - parts[1].length;
  while (missing > 4) {
    const take = Math.min(MAX_COMMENT, missing - 4);
    parts.push(segment(Buffer.alloc(take, 0x20)));
    missing -= take + 4;
  }
  parts.push(base.subarray(2));
  return Buffer.concat(parts);
}

/**
 * Each device uploads `perDevice` generated JPEGs with tus, all devices at once and each
 * device's photos in turn, waiting for each receipt (unless told not to). One noise picture is
 * made and every photo is it with its own comment, so they all differ (one SHA-256 each) and
 * making them costs little next to sending them.
 *
 * @returns one result per photo, in the order they finished
 * @throws PhotoUploadError when the hub refuses one; Error when a receipt does not come in time
 */
export async function uploadSimulatedPhotos(
  devices: readonly PhotoDevice[],
  options: SimulatedPhotoOptions,
): Promise<SimulatedPhotoResult[]> {
  if (!Number.isInteger(options.perDevice) || options.perDevice < 1) {
    throw new RangeError('perDevice must be a whole number of at least 1');
  }
  const base = await noiseJpeg(options.sizeBytes);
  const run = randomBytes(6).toString('hex');
  const results: SimulatedPhotoResult[] = [];
  await Promise.all(
    devices.map(async (device, deviceIndex) => {
      for (let photoIndex = 0; photoIndex < options.perDevice; photoIndex += 1) {
        const bytes = uniqueJpeg(
          base,
          `simulated photo ${run}-${deviceIndex}-${photoIndex}`,
          options.sizeBytes,
        );
        const sha256 = photoSha256(bytes);
        const startedAt = Date.now();
        await uploadPhoto(device, {
          bytes,
          sha256,
          contentType: 'image/jpeg',
          takenAt: options.takenAt?.(deviceIndex, photoIndex) ?? new Date().toISOString(),
          tripId: options.tripId,
          chunkSize: options.chunkSize,
        });
        const uploadedAt = Date.now();
        const receipt =
          options.waitForReceipt === false ? null : await awaitReceipt(device, sha256, options);
        results.push({
          deviceId: device.deviceId,
          sha256,
          sizeBytes: bytes.length,
          startedAt,
          uploadedAt,
          receiptAt: receipt ? Date.now() : null,
          receipt,
        });
      }
    }),
  );
  return results;
}

async function awaitReceipt(
  device: PhotoDevice,
  sha256: string,
  options: SimulatedPhotoOptions,
): Promise<PhotoReceiptBody> {
  const deadline = Date.now() + (options.receiptTimeoutMs ?? 120_000);
  for (;;) {
    const receipt = await fetchPhotoReceipt(device, sha256);
    if (receipt) {
      return receipt;
    }
    if (Date.now() > deadline) {
      throw new Error(`no receipt for photo ${sha256.slice(0, 8)} in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.receiptPollMs ?? RECEIPT_POLL_MS));
  }
}
