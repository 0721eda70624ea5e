// Photo sync (issue 14, protocol section 5): what the hub's staff photo routes answer. Devices
// upload with tus at /api/photos/uploads and ask for receipts; staff (ICT, safeguarding, and a
// trip's own leaders for their trip) browse what reached the school's store.

/** The kinds of picture a device may upload (protocol section 5, `contentType`). */
export const PHOTO_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/heic'] as const;
export type PhotoContentType = (typeof PHOTO_CONTENT_TYPES)[number];

/**
 * Where a photo is: `stored` once it is written, flushed and renamed into the store (it then has
 * a receipt); `waiting` while the store is unavailable and it sits in the hub's staging folder
 * (no receipt yet, the device keeps its copy).
 */
export type PhotoStatus = 'stored' | 'waiting';

/** One photo as staff see it: an item of GET /api/photos. */
export interface Photo {
  /** Lowercase hex SHA-256 of the file as the device took it; the photo's id in every route. */
  sha256: string;
  /** SHA-256 of the stored bytes (after location removal); null while waiting. */
  storedSha256: string | null;
  status: PhotoStatus;
  /** The protocol's name inside the store, e.g. `2026/2026-06-12-Y4ZOO/OAK-07-142233-3fa9c0de.jpg`. */
  storedName: string;
  contentType: PhotoContentType;
  /** Size of the file with location removed, in bytes. */
  sizeBytes: number;
  /** When the device took it: ISO 8601 UTC. */
  takenAt: string;
  /** The same moment in the school's time zone, with its offset. */
  takenAtLocal: string;
  /** The school-time-zone day it was taken, `YYYY-MM-DD`. */
  day: string;
  /** When the upload completed at the hub: ISO 8601 UTC. */
  receivedAt: string;
  /** When it was safely in the store (the receipt's `storedAt`); null while waiting. */
  storedAt: string | null;
  deviceId: string;
  /** The device's name at upload, if it has one. */
  deviceName: string | null;
  /** The asset tag, or the serial where the device has none (as in the stored name). */
  deviceTag: string;
  tripId: string | null;
  tripShortName: string | null;
  /** GET: a JPEG of at most 320 px on its longer side (`image/jpeg`). */
  thumbnailUrl: string;
  /** GET: the full picture as stored (or as staged while waiting), with its content type. */
  pictureUrl: string;
}

/**
 * GET /api/photos?tripId=&day=YYYY-MM-DD&deviceId=&page=&pageSize= : newest taken first.
 * Without `tripId`, only ICT and safeguarding; a trip leader must name one of their trips.
 */
export interface PhotoPage {
  items: Photo[];
  total: number;
  page: number;
  pageSize: number;
}

/** One day with photos: an item of GET /api/photos/days?tripId= (newest day first). */
export interface PhotoDay {
  /** `YYYY-MM-DD` in the school's time zone. */
  day: string;
  count: number;
}

/** Why the store cannot be written, as far as the hub can tell. */
export type PhotoStoreProblem = 'missing' | 'read_only' | 'full' | 'error';

/** GET /api/photos/store: whether the school's store takes photos now. */
export interface PhotoStoreState {
  available: boolean;
  /** Null when available. */
  problem: PhotoStoreProblem | null;
  /** Photos received and waiting in staging for the store (no receipt yet). */
  waiting: number;
  /** Photos in the store with a receipt. */
  stored: number;
  /** When the hub last tried the store: ISO 8601 UTC. */
  checkedAt: string;
}

/**
 * Per device, photos waiting on the device and photos stored: an item of
 * GET /api/photos/devices?tripId= (a trip's kit devices and any device with photos for it) or
 * GET /api/photos/devices?deviceId=a&deviceId=b.
 */
export interface DevicePhotoCounts {
  deviceId: string;
  deviceName: string | null;
  /** Asset tag, or serial where none. */
  deviceTag: string;
  /** From the device's last reported `pendingPhotos`; null if it never reported one. */
  pendingPhotos: number | null;
  /** Photos of this device in the store (for the trip, when asked by trip). */
  storedPhotos: number;
  /** Photos of this device waiting in the hub's staging for the store. */
  waitingPhotos: number;
}

/** GET /api/photos/receipts/:sha256 (device proof), protocol section 5. */
export interface PhotoReceipt {
  sha256: string;
  storedAt: string;
  storedSha256: string;
  tripId?: string;
}
