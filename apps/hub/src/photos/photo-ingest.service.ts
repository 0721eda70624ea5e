// Photo sync on the hub (issue 14, protocol section 5): tus uploads from devices, taken in as
// staged photos; the store worker (photo-store-worker.ts) carries them on to the school's store.
//
//   upload complete (tus file in <data>/photos/uploads, hashed as it arrived: HashingFileStore)
//     -> SHA-256 checked (460), kind sniffed (415), duplicate? keep the one copy
//     -> row `staged` inserted, file renamed to <data>/photos/staging/<sha>.orig.<ext>
//        (204 answered), and the worker kicked
//
// Each step is repeatable from the files it leaves, so a hub killed at any point and started
// again completes the photo exactly once: a finished tus upload found at start is completed, and
// the worker carries each staged row on from whichever staging file exists. When the store
// cannot be written, photos stay staged (no receipt; the device keeps its copy) and the store is
// tried again every HUB_PHOTO_STORE_RETRY_MS.
import {
  BadRequestException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Metadata, Server, Upload } from '@tus/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { deviceActor, fitLabel } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import type { RequestWithPrincipal } from '../common/access';
import { Clock } from '../common/clock';
import { DailyTask, DAY_MS } from '../common/daily-task';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { ScheduledWorkLease } from '../database/scheduled-work-lease';
import { TransactionRunner } from '../database/transaction-runner';
import { DevicesRepository } from '../devices/devices.repository';
import { HashingFileStore } from './hashing-file-store';
import { LocationStripper } from './location-stripper';
import { PhotoEntity } from './photo.entity';
import { durableRename, exists, readHead, removeIfThere, sha256OfFile } from './photo-files';
import {
  checkUploadMetadata,
  newUploadId,
  PhotoMetadataError,
  sniffImage,
  storedPhotoName,
  uploadIdOf,
} from './photo-rules';
import { PhotoStore } from './photo-store';
import { PhotoStoreWorker, type StoreStatus } from './photo-store-worker';
import { PhotoThumbnails } from './photo-thumbnails';
import { PhotosRepository } from './photos.repository';

/** The tus route (protocol section 5). */
export const PHOTO_UPLOAD_PATH = '/api/photos/uploads';
/** The metadata key the hub adds at creation: the device that made the upload. */
const DEVICE_KEY = 'hubDeviceId';

/** A completed upload refused: 460 (SHA-256 mismatch) or 415 (not the declared kind). */
export class PhotoRejectedError extends Error {
  override readonly name = 'PhotoRejectedError';
  constructor(
    readonly status: 460 | 415,
    message: string,
  ) {
    super(message);
  }
}

@Injectable()
export class PhotoIngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PhotoIngestService.name);
  readonly uploadsDir: string;
  readonly stagingDir: string;
  readonly store: PhotoStore;
  readonly thumbnails: PhotoThumbnails;
  private readonly fileStore: HashingFileStore;
  private readonly tus: Server;
  /** Carries staged photos into the store (photo-store-worker.ts). */
  private readonly worker: PhotoStoreWorker;
  /** tus requests being served now: while any is, or the worker runs, thumbnails wait. */
  private uploading = 0;
  /** Uploads being completed now, so the periodic pass never takes one in twice at once. */
  private readonly completing = new Map<string, Promise<void>>();
  private retryTimer: NodeJS.Timeout | null = null;
  private cleanupTimer: NodeJS.Timeout | null = null;
  private readonly retention = new DailyTask(this.logger, 'Photo receipt retention', () =>
    this.applyRetention(),
  );

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly photos: PhotosRepository,
    private readonly devices: DevicesRepository,
    private readonly stripper: LocationStripper,
    private readonly audit: AuditService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly lease: ScheduledWorkLease,
  ) {
    const base = path.join(config.dataDir, 'photos');
    this.uploadsDir = path.join(base, 'uploads');
    this.stagingDir = path.join(base, 'staging');
    this.thumbnails = new PhotoThumbnails(
      path.join(base, 'thumbnails'),
      config.photos.thumbnailConcurrency,
    );
    this.store = new PhotoStore(
      config.storeDir,
      path.resolve(config.storeDir) === path.join(config.dataDir, 'store'),
    );
    this.worker = new PhotoStoreWorker({
      stagingDir: this.stagingDir,
      store: this.store,
      thumbnails: this.thumbnails,
      stripper,
      photos,
      devices,
      audit,
      tx,
      clock,
    });
    this.thumbnails.yieldTo(() => this.uploading > 0 || this.worker.busy);
    this.fileStore = new HashingFileStore({ directory: this.uploadsDir });
    this.tus = new Server({
      path: PHOTO_UPLOAD_PATH,
      datastore: this.fileStore,
      relativeLocation: true,
      maxSize: config.photos.maxBytes,
      // The id tus acts on is the one handleTus checked, read the same way, and only one the hub
      // made: the file store joins it to its folder (a `../` in it would reach outside).
      namingFunction: () => newUploadId(),
      getFileIdFromRequest: (req) => uploadIdOf(req.url),
      onUploadCreate: async (req, res, upload) => {
        const device = (req as RequestWithPrincipal).principal;
        if (device?.kind !== 'device') {
          throw { status_code: 401, body: 'A device proof is required\n' };
        }
        return { res, metadata: { ...upload.metadata, [DEVICE_KEY]: device.id } };
      },
      onUploadFinish: async (_req, res, upload) => {
        try {
          await this.complete(upload);
        } catch (error) {
          if (error instanceof PhotoRejectedError) {
            throw { status_code: error.status, body: `${error.message}\n` };
          }
          throw error;
        }
        return res;
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await fs.mkdir(this.uploadsDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.stagingDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.thumbnails.dir, { recursive: true, mode: 0o700 });
    await this.worker.sweepStaging();
    // A hub killed with uploads complete but not yet taken in: take them in now.
    await this.completeFinishedUploads();
    await this.worker.checkStore();
    this.worker.kick();
    this.retryTimer = setInterval(() => {
      this.completeFinishedUploads(60_000)
        .then(() => this.worker.checkStore())
        .then(() => this.worker.kick())
        .catch((error: unknown) => this.logger.error(`Photo store check: ${String(error)}`));
    }, this.config.photos.storeRetryMs);
    this.retryTimer.unref();
    const hourMs = 60 * 60 * 1000;
    this.cleanupTimer = setInterval(() => {
      this.removeStalePartials().catch((error: unknown) =>
        this.logger.error(`Partial upload clean-up failed: ${String(error)}`),
      );
    }, hourMs);
    this.cleanupTimer.unref();
    await this.removeStalePartials();
    this.retention.start(this.lease);
  }

  async onApplicationShutdown(): Promise<void> {
    this.retention.stop();
    if (this.retryTimer) {
      clearInterval(this.retryTimer);
    }
    if (this.cleanupTimer) {
      clearInterval(this.cleanupTimer);
    }
    await this.worker.stop();
  }

  /**
   * Serves one tus request (OPTIONS, POST, HEAD, PATCH, DELETE) of an authenticated device.
   * OPTIONS is tus 1.0.0's discovery (204 with Tus-Version, Tus-Extension, Tus-Max-Size). A
   * creation's metadata is checked first (protocol section 5: 400, 415); any other request must
   * name an upload this device created (404 otherwise, as for an unknown upload), and a PATCH
   * must carry `Content-Type: application/offset+octet-stream` (415, plain text, otherwise).
   *
   * @throws BadRequestException, HttpException(415), NotFoundException
   */
  async handleTus(req: IncomingMessage, res: ServerResponse, deviceId: string): Promise<void> {
    if (req.method === 'OPTIONS') {
      // Names no upload: tus answers it from its own configuration.
    } else if (req.method === 'POST') {
      await this.checkCreation(req);
    } else {
      const id = uploadIdOf(req.url);
      if (id === undefined) {
        throw new NotFoundException('No such upload for this device');
      }
      const upload = await this.fileStore.getUpload(id).catch(() => null);
      if (upload && upload.metadata?.[DEVICE_KEY] !== deviceId) {
        throw new NotFoundException('No such upload for this device');
      }
      if (req.method === 'PATCH' && !isTusPatchBody(req.headers['content-type'])) {
        // tus 1.0.0 (PATCH): the server SHOULD answer 415; @tus/server answers a generic 400.
        // A plain-text body, as for everything tus itself answers (docs/protocol.md section 5).
        res.writeHead(415, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Tus-Resumable': '1.0.0',
        });
        res.end('Content-Type must be application/offset+octet-stream\n');
        return;
      }
    }
    this.uploading += 1;
    try {
      await this.tus.handle(req, res);
    } finally {
      this.uploading -= 1;
    }
  }

  private async checkCreation(req: IncomingMessage): Promise<void> {
    if (req.headers['upload-defer-length'] !== undefined) {
      throw new BadRequestException('Upload-Length is required: a photo has a known size');
    }
    let raw: Record<string, string | null>;
    try {
      raw = Metadata.parse(req.headers['upload-metadata'] as string | undefined);
    } catch {
      throw new BadRequestException('Upload-Metadata is malformed');
    }
    let metadata;
    try {
      metadata = checkUploadMetadata(raw);
    } catch (error) {
      if (error instanceof PhotoMetadataError) {
        throw new HttpException(error.message, error.status);
      }
      throw error;
    }
    if (
      metadata.tripId !== null &&
      (await this.photos.tripShortName(metadata.tripId)) === undefined
    ) {
      throw new BadRequestException('Upload-Metadata tripId names no trip this hub knows');
    }
  }

  /**
   * Takes in a finished upload: checks its SHA-256 (PhotoRejectedError 460, upload discarded) and
   * its kind by content (415, discarded), then keeps one copy per SHA-256: a new photo gets its
   * `staged` row and its file moves into staging; a duplicate is discarded. Repeatable: run again
   * over the same upload after a crash, it finishes what the first run began.
   */
  async complete(upload: Upload): Promise<void> {
    // A second caller for the same upload shares the first one's outcome (460, 415 or done).
    let running = this.completing.get(upload.id);
    if (!running) {
      running = this.completeOnce(upload).finally(() => this.completing.delete(upload.id));
      this.completing.set(upload.id, running);
    }
    return running;
  }

  private async completeOnce(upload: Upload): Promise<void> {
    const file = path.join(this.uploadsDir, upload.id);
    const deviceId = upload.metadata?.[DEVICE_KEY];
    const metadata = checkUploadMetadata(upload.metadata ?? {});
    if (!deviceId) {
      await this.discard(upload.id);
      throw new PhotoRejectedError(415, 'The upload names no device');
    }
    // Hashed as it arrived when it came in one run on this hub; else read back (a resumed upload
    // after a restart, or one taken in at start).
    const sha256 =
      this.fileStore.takeDigest(upload.id, upload.size ?? upload.offset) ??
      (await sha256OfFile(file));
    if (sha256 !== metadata.sha256) {
      await this.discard(upload.id);
      await this.auditRejection(deviceId, 'sha256_mismatch');
      throw new PhotoRejectedError(460, 'The file does not match its sha256: nothing was kept');
    }
    const kind = sniffImage(await readHead(file, 16));
    if (kind !== metadata.contentType) {
      await this.discard(upload.id);
      await this.auditRejection(deviceId, 'not_declared_kind');
      throw new PhotoRejectedError(
        415,
        `The file is not ${metadata.contentType}: nothing was kept`,
      );
    }
    const staged = this.worker.stagedOriginal({ sha256, contentType: metadata.contentType });
    const existing = await this.photos.findBySha(sha256);
    if (existing) {
      await this.takeOverIfLost(existing, upload.id, file, staged);
      this.worker.kick();
      return;
    }
    const device = await this.devices.findById(deviceId);
    const { trip, namedNotTaken } = await this.tripOf(metadata.tripId, deviceId, metadata.takenAt);
    const tripShortName = trip?.shortName ?? null;
    const deviceTag = device?.assetTag?.trim() || device?.serialNumber || deviceId;
    const { name, day } = storedPhotoName({
      takenAt: metadata.takenAt,
      timeZone: this.config.timeZone,
      tripShortName,
      deviceTag,
      sha256,
      contentType: metadata.contentType,
    });
    const row: PhotoEntity = {
      sha256,
      status: 'staged',
      contentType: metadata.contentType,
      sizeBytes: upload.size ?? upload.offset,
      storedName: name,
      storedSha256: null,
      deviceId,
      deviceTag,
      deviceName: device?.name ?? null,
      tripId: trip?.id ?? null,
      tripShortName,
      takenAt: metadata.takenAt,
      day,
      receivedAt: this.clock.now(),
      storedAt: null,
    };
    if (!(await this.photos.insertReceived(row))) {
      // The same photo completed at the same moment from elsewhere: that one is kept.
      const winner = await this.photos.findBySha(sha256);
      if (winner) {
        await this.takeOverIfLost(winner, upload.id, file, staged);
      }
      this.worker.kick();
      return;
    }
    if (namedNotTaken && device && metadata.tripId) {
      // Said once, with the photo's row: the trips by id and by name (as the log names a trip,
      // tripTarget), nothing of the picture or a person.
      const namedTrip = fitLabel(await this.photos.tripName(metadata.tripId));
      await this.tx.run((tx) =>
        this.audit.record(tx, {
          actor: deviceActor(device),
          action: 'photo.trip_not_taken',
          target: null,
          detail: {
            sha256,
            namedTripId: metadata.tripId,
            namedTrip,
            tripId: trip?.id ?? null,
            trip: fitLabel(trip?.name),
          },
        }),
      );
    }
    await durableRename(file, staged);
    await this.fileStore.configstore.delete(upload.id);
    this.worker.kick();
  }

  /**
   * The trip a photo is filed under: the trip whose kit the device was out with when the photo
   * was taken (PhotosRepository.tripOfDeviceAt), and of two such, the one its upload named. The
   * protocol leaves `tripId` optional and the reference agent cannot know it, so without the kit
   * a kit laptop's photos from a trip were filed under no trip, unseen by its leaders. A named
   * trip the device was not out with then (another school's trip, one it was never in the kit
   * of, a closed trip from last year, or its own after it came back) is not taken: the photo is
   * filed as if it named none, and the receipt's `tripId` says where it went (protocol section 5
   * asks a 400 only for a trip the hub does not know, which the creation answers;
   * docs/decisions.md, "A photo's named trip is taken only while its device was out with it").
   *
   * @param tripId the upload's `tripId` (lower case), or null
   * @param takenAt the upload's `takenAt`
   * @returns the trip's id, short name and name, or null for a photo of no trip;
   *   `namedNotTaken` when the upload named a trip that was not taken
   */
  private async tripOf(
    tripId: string | null,
    deviceId: string,
    takenAt: Date,
  ): Promise<{
    trip: { id: string; shortName: string; name: string } | null;
    namedNotTaken: boolean;
  }> {
    const trip = (await this.photos.tripOfDeviceAt(deviceId, takenAt, tripId)) ?? null;
    return { trip, namedNotTaken: tripId !== null && trip?.id !== tripId };
  }

  /**
   * A photo whose row exists: if it is staged and neither of its staging files is there (a crash
   * between the row and the move), this upload's file becomes its staged copy; otherwise this
   * upload is a duplicate and is discarded.
   */
  private async takeOverIfLost(
    existing: PhotoEntity,
    uploadId: string,
    file: string,
    staged: string,
  ): Promise<void> {
    if (
      existing.status === 'staged' &&
      !(await exists(staged)) &&
      !(await exists(this.worker.stagedClean(existing)))
    ) {
      await durableRename(file, staged);
      await this.fileStore.configstore.delete(uploadId);
      return;
    }
    await this.discard(uploadId);
  }

  /** Whether the store takes photos now, and how many are waiting and stored. */
  async storeState(): Promise<{ status: StoreStatus; staged: number; stored: number }> {
    const counts = await this.photos.counts();
    return { status: this.worker.status, ...counts };
  }

  /**
   * Where a photo's bytes are now: the stored file, or the stripped staging copy while it waits.
   * Null while a staged photo has not been stripped yet (its original still holds its location,
   * which staff never see).
   */
  async pictureFile(photo: PhotoEntity): Promise<string | null> {
    if (photo.status === 'stored') {
      return this.store.pathOf(photo.storedName);
    }
    const clean = this.worker.stagedClean(photo);
    return (await exists(clean)) ? clean : null;
  }

  /**
   * Finishes uploads that are complete but not taken in: those of a hub that stopped in between,
   * or whose taking in failed (a database error); at start and on every retry tick.
   */
  private async completeFinishedUploads(quietForMs = 0): Promise<void> {
    for (const id of (await this.fileStore.configstore.list?.()) ?? []) {
      if (this.completing.has(id)) {
        continue;
      }
      const upload = await this.fileStore.getUpload(id).catch(() => null);
      if (!upload) {
        continue; // its file is gone: the clean-up removes the record
      }
      // While the hub runs, the final PATCH takes its own upload in; only one left alone a while
      // (its taking-in failed) is taken in here.
      const modified = quietForMs > 0 ? (await fs.stat(path.join(this.uploadsDir, id))).mtimeMs : 0;
      if (
        upload.size !== undefined &&
        upload.offset === upload.size &&
        Date.now() - modified >= quietForMs
      ) {
        await this.complete(upload).catch((error: unknown) =>
          this.logger.warn(`A finished upload was refused at start: ${String(error)}`),
        );
      }
    }
  }

  /**
   * Removes partial uploads older than HUB_PHOTO_PARTIAL_HOURS (by their creation time and the
   * hub's clock), and any upload record whose file is gone.
   *
   * @returns how many were removed
   */
  async removeStalePartials(): Promise<number> {
    const cutoff = this.clock.nowMs() - this.config.photos.partialHours * 60 * 60 * 1000;
    let removed = 0;
    for (const id of (await this.fileStore.configstore.list?.()) ?? []) {
      if (this.completing.has(id)) {
        continue;
      }
      const upload = await this.fileStore.getUpload(id).catch(() => null);
      if (!upload) {
        await this.fileStore.configstore.delete(id);
        removed += 1;
        continue;
      }
      const created = upload.creation_date ? Date.parse(upload.creation_date) : 0;
      if (upload.offset !== upload.size && created < cutoff) {
        await this.discard(id);
        removed += 1;
      }
    }
    if (removed > 0) {
      this.logger.log(`Removed ${removed} stale partial photo uploads`);
    }
    return removed;
  }

  /**
   * Deletes receipts older than HUB_AUDIT_RETENTION_DAYS (issue 14, "Retention"), and the hub's
   * thumbnails of those photos, which no screen reaches once the receipt is gone; the stored
   * files stay (the school's).
   *
   * @returns how many receipts were deleted
   */
  async applyRetention(): Promise<number> {
    const cutoff = new Date(this.clock.nowMs() - this.config.auditRetentionDays * DAY_MS);
    const gone = await this.tx.run((tx) => this.photos.deleteStoredBefore(tx, cutoff));
    for (const sha256 of gone) {
      await removeIfThere(this.thumbnails.pathOf(sha256));
    }
    return gone.length;
  }

  private async discard(uploadId: string): Promise<void> {
    this.fileStore.forget(uploadId);
    await removeIfThere(path.join(this.uploadsDir, uploadId));
    await this.fileStore.configstore.delete(uploadId);
  }

  private async auditRejection(deviceId: string, reason: string): Promise<void> {
    const device = await this.devices.findById(deviceId);
    if (!device) {
      return;
    }
    await this.tx.run((tx) =>
      this.audit.record(tx, {
        actor: deviceActor(device),
        action: 'photo.refused',
        target: null,
        detail: { reason },
      }),
    );
  }
}

/** Whether a PATCH's Content-Type is tus's `application/offset+octet-stream` (any case, no parameters). */
function isTusPatchBody(contentType: string | undefined): boolean {
  return contentType?.split(';')[0].trim().toLowerCase() === 'application/offset+octet-stream';
}
