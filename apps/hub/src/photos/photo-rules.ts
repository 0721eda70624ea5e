// The rules of protocol section 5 as plain functions: what an upload's metadata must say, what
// kind of picture its bytes really are, and the name the hub gives it in the store. No Nest, no
// database: the ingest, the specs and the agent's simulator use the same rules.
import { randomBytes } from 'node:crypto';
import { rfc3339Problem } from '@app/devices';
import { PHOTO_CONTENT_TYPES, type PhotoContentType } from '@app/hub-api';
import { formatLocalTime } from '../audit/audit-text';

/** The metadata of an upload once checked (protocol section 5). */
export interface PhotoUploadMetadata {
  /** Lowercase hex SHA-256 of the file as taken. */
  sha256: string;
  contentType: PhotoContentType;
  /** When it was taken, as a Date (the device sent RFC 3339). */
  takenAt: Date;
  tripId: string | null;
}

/** Metadata that breaks the protocol's rules: `status` is 400 (missing, malformed) or 415. */
export class PhotoMetadataError extends Error {
  override readonly name = 'PhotoMetadataError';
  constructor(
    readonly status: 400 | 415,
    message: string,
  ) {
    super(message);
  }
}

const SHA256 = /^[0-9a-f]{64}$/;
/**
 * A trip id as the hub makes them (UUIDs, in either case) or anything of that size: checked
 * against trips later.
 */
const TRIP_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Checks the decoded `Upload-Metadata` of a tus creation against protocol section 5. Keys the
 * protocol does not name (tus clients add `filename`, `filetype`) are ignored, and a file name is
 * never used.
 *
 * @param metadata key to value as @tus/server decoded it (a key without a value maps to null)
 * @returns the metadata, `tripId` in lower case (the hub's trip ids are lower-case UUIDs)
 * @throws PhotoMetadataError 400 for a missing or malformed `sha256`, `contentType`, `takenAt`
 *   or `tripId`; 415 for a `contentType` outside image/jpeg, image/png, image/heic
 */
export function checkUploadMetadata(
  metadata: Record<string, string | null | undefined> | undefined,
): PhotoUploadMetadata {
  const sha256 = metadata?.sha256;
  if (typeof sha256 !== 'string' || !SHA256.test(sha256)) {
    throw new PhotoMetadataError(400, 'Upload-Metadata sha256 must be 64 lowercase hex digits');
  }
  const contentType = metadata?.contentType;
  if (typeof contentType !== 'string' || contentType === '') {
    throw new PhotoMetadataError(400, 'Upload-Metadata contentType is required');
  }
  if (!(PHOTO_CONTENT_TYPES as readonly string[]).includes(contentType)) {
    throw new PhotoMetadataError(
      415,
      `contentType must be one of ${PHOTO_CONTENT_TYPES.join(', ')}, got '${contentType.slice(0, 40)}'`,
    );
  }
  const takenAt = metadata?.takenAt;
  const timeProblem = rfc3339Problem(takenAt);
  if (typeof takenAt !== 'string' || timeProblem) {
    throw new PhotoMetadataError(400, `Upload-Metadata takenAt ${timeProblem ?? 'is required'}`);
  }
  const tripId = metadata?.tripId;
  if (tripId !== undefined && tripId !== null && !TRIP_ID.test(tripId)) {
    throw new PhotoMetadataError(400, 'Upload-Metadata tripId is not a trip id');
  }
  return {
    sha256,
    contentType: contentType as PhotoContentType,
    takenAt: new Date(takenAt),
    // The hub's trip ids are lower-case UUIDs, and UUIDs are case-insensitive on input (RFC
    // 4122): a Swift `UUID`'s `uuidString` is upper case.
    tripId: tripId?.toLowerCase() ?? null,
  };
}

/**
 * What kind of picture `head` (the first bytes of a file, at least 12) really is, by its magic
 * numbers: JPEG (FF D8 FF), PNG (the 8-byte signature), HEIC (an ISO BMFF `ftyp` box whose brand
 * is heic, heix, heim, heis, hevc, hevx, mif1 or msf1). Null for anything else: a renamed
 * non-image gets 415 (issue 14).
 */
export function sniffImage(head: Buffer): PhotoContentType | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    return 'image/jpeg';
  }
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (head.length >= 8 && head.subarray(0, 8).equals(png)) {
    return 'image/png';
  }
  if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp') {
    const brand = head.toString('latin1', 8, 12);
    if (['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'].includes(brand)) {
      return 'image/heic';
    }
  }
  return null;
}

/** The file extension of each kind, as the stored name ends. */
export const PHOTO_EXTENSIONS: Record<PhotoContentType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/heic': 'heic',
};

/**
 * A name part made safe for every file system the store may be (SMB, NFS, ext4): letters,
 * digits, `-` and `_` kept, anything else becomes `_`, at most 64 characters. Asset tags and
 * serials are printed on cases, never a person's name; trip short names follow their own rule.
 */
export function safeNamePart(text: string): string {
  const cleaned = text
    .trim()
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, 64);
  return cleaned === '' ? '_' : cleaned;
}

/**
 * The stored name of protocol section 5, relative to the store:
 * `<yyyy>/<yyyy-mm-dd>[-<trip>]/<tag>-<hhmmss>-<first 8 hex of sha256>.<ext>`, the date and time
 * being `takenAt` in the hub's time zone (HUB_TIME_ZONE), `<trip>` the trip's short name and
 * `<tag>` the device's asset tag, or its serial where it has none. Nothing a person typed about
 * the photo goes into it.
 *
 * @returns the name with `/` separators, and the day (`yyyy-mm-dd`) it files the photo under
 */
export function storedPhotoName(input: {
  takenAt: Date;
  timeZone: string;
  tripShortName: string | null;
  deviceTag: string;
  sha256: string;
  contentType: PhotoContentType;
}): { name: string; day: string } {
  const local = formatLocalTime(input.takenAt, input.timeZone); // 2026-06-12T14:22:33+01:00
  const day = local.slice(0, 10);
  const hhmmss = local.slice(11, 19).replace(/:/g, '');
  const folder = input.tripShortName ? `${day}-${safeNamePart(input.tripShortName)}` : day;
  const file = `${safeNamePart(input.deviceTag)}-${hhmmss}-${input.sha256.slice(0, 8)}.${
    PHOTO_EXTENSIONS[input.contentType]
  }`;
  return { name: `${day.slice(0, 4)}/${folder}/${file}`, day };
}

/** An upload id as the hub makes them (`newUploadId`): 16 random bytes in lowercase hex. */
const UPLOAD_ID = /^[0-9a-f]{32}$/;

/** A new tus upload's id (16 random bytes in lowercase hex, as @tus/server's own Uid.rand). */
export function newUploadId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The upload id a tus request names (`/api/photos/uploads/<id>`): the last segment of its path,
 * without the query string, decoded, and only if it is an id the hub makes (`newUploadId`).
 * Anything else is undefined, so it never reaches the file store: the store joins the id to its
 * folder, and `..%2F..%2Fhub.sqlite` would name the database (a device deleted it so).
 *
 * @param url the request's URL as Node gives it (path and query)
 */
export function uploadIdOf(url: string | undefined): string | undefined {
  const segment = (url ?? '').split('?')[0].replace(/\/+$/, '').split('/').pop() ?? '';
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  return UPLOAD_ID.test(id) ? id : undefined;
}
