// Photo sync on the hub (issue 14, protocol section 5): tus uploads from devices, and each
// completed photo's way to the school's store.
//
//   upload complete (tus file in <data>/photos/uploads, hashed as it arrived: HashingFileStore)
//     -> SHA-256 checked (460), kind sniffed (415), duplicate? keep the one copy
//     -> row `staged` inserted, file renamed to <data>/photos/staging/<sha>.orig.<ext>
//        (204 answered)
//     -> worker lane: exiftool writes it without its location straight into a temporary file in
//        the store's folder, which is flushed, hashed, renamed into place, the folder flushed
//     -> row `stored` + audit in one transaction: the receipt; then the original is deleted
//
// While the store is unavailable the lane strips the original into staging instead
// (<sha>.<ext>, flushed and renamed), and that copy is written to the store when it is back.
// Each step is repeatable from the files it leaves, so a hub killed at any point and started
// again completes the photo exactly once: a finished tus upload found at start is completed, a
// staged row is carried on from whichever staging file exists, a stored file found with the
// same bytes is taken as written, and staging files of photos already stored are deleted at
// start. When the store cannot be written, photos stay staged (no receipt; the device keeps its
// copy) and the store is tried again every HUB_PHOTO_STORE_RETRY_MS.
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
import type { PhotoStoreProblem } from '@app/hub-api';
import { deviceActor } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import type { RequestWithPrincipal } from '../common/access';
import { Clock } from '../common/clock';
import { DailyTask, DAY_MS } from '../common/daily-task';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { ScheduledWorkLease } from '../database/scheduled-work-lease';
import { runAsBackgroundWork, TransactionRunner } from '../database/transaction-runner';
import { DevicesRepository } from '../devices/devices.repository';
import { HashingFileStore } from './hashing-file-store';
import { LocationStripper } from './location-stripper';
import { PhotoEntity } from './photo.entity';
import {
  durableRename,
  exists,
  fsyncDir,
  fsyncFile,
  readHead,
  removeIfThere,
  sha256OfFile,
} from './photo-files';
import {
  checkUploadMetadata,
  PHOTO_EXTENSIONS,
  PhotoMetadataError,
  sniffImage,
  storedPhotoName,
} from './photo-rules';
import { PhotoStore, StoreUnavailableError, type StoreWriteOutcome } from './photo-store';
import { PhotoThumbnails } from './photo-thumbnails';
import { PhotosRepository } from './photos.repository';

/** The tus route (protocol section 5). */
export const PHOTO_UPLOAD_PATH = '/api/photos/uploads';
/** The metadata key the hub adds at creation: the device that made the upload. */
const DEVICE_KEY = 'hubDeviceId';
/** Staged rows the worker takes at a time. */
const WORKER_BATCH = 50;
/**
 * Photos the worker carries to the store at once. Their steps wait on different things (the one
 * exiftool process, the disk's flushes, the database), so a few at once keep each busy: one at a
 * time held 20 devices' uploads to under 10 MB/s (bench:photos).
 */
const STORE_CONCURRENCY = 4;

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

/** Whether the store takes photos now, as last found. */
export interface StoreStatus {
  problem: PhotoStoreProblem | null;
  checkedAt: Date;
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
  private status: StoreStatus;
  private working: Promise<void> | null = null;
  /** tus requests being served now: while any is, or the worker runs, thumbnails wait. */
  private uploading = 0;
  /** Uploads being completed now, so the periodic pass never takes one in twice at once. */
  private readonly completing = new Map<string, Promise<void>>();
  private workAgain = false;
  /** The running round's lanes (see work): how many run, and a way to start one more. */
  private lanes: { running: number; start: () => void } | null = null;
  private stopped = false;
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
    this.thumbnails.yieldTo(() => this.uploading > 0 || this.working !== null);
    this.status = { problem: null, checkedAt: clock.now() };
    this.fileStore = new HashingFileStore({ directory: this.uploadsDir });
    this.tus = new Server({
      path: PHOTO_UPLOAD_PATH,
      datastore: this.fileStore,
      relativeLocation: true,
      maxSize: config.photos.maxBytes,
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
    await this.sweepStaging();
    // A hub killed with uploads complete but not yet taken in: take them in now.
    await this.completeFinishedUploads();
    await this.checkStore();
    this.kick();
    this.retryTimer = setInterval(() => {
      this.completeFinishedUploads(60_000)
        .then(() => this.checkStore())
        .then(() => this.kick())
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
    this.stopped = true;
    this.retention.stop();
    if (this.retryTimer) {
      clearInterval(this.retryTimer);
    }
    if (this.cleanupTimer) {
      clearInterval(this.cleanupTimer);
    }
    await this.working;
  }

  /**
   * Serves one tus request (POST, HEAD, PATCH, DELETE) of an authenticated device. A creation's
   * metadata is checked first (protocol section 5: 400, 415); any other request must name an
   * upload this device created (404 otherwise, as for an unknown upload).
   *
   * @throws BadRequestException, HttpException(415), NotFoundException
   */
  async handleTus(req: IncomingMessage, res: ServerResponse, deviceId: string): Promise<void> {
    if (req.method === 'POST') {
      await this.checkCreation(req);
    } else {
      const id = decodeURIComponent(
        (req.url ?? '').split('?')[0].slice(PHOTO_UPLOAD_PATH.length + 1),
      );
      const upload = await this.fileStore.getUpload(id).catch(() => null);
      if (upload && upload.metadata?.[DEVICE_KEY] !== deviceId) {
        throw new NotFoundException('No such upload for this device');
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
    const staged = this.stagedOriginal({ sha256, contentType: metadata.contentType });
    const existing = await this.photos.findBySha(sha256);
    if (existing) {
      await this.takeOverIfLost(existing, upload.id, file, staged);
      this.kick();
      return;
    }
    const device = await this.devices.findById(deviceId);
    const tripShortName = metadata.tripId
      ? ((await this.photos.tripShortName(metadata.tripId)) ?? null)
      : null;
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
      tripId: metadata.tripId,
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
      this.kick();
      return;
    }
    await durableRename(file, staged);
    await this.fileStore.configstore.delete(upload.id);
    this.kick();
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
      !(await exists(this.stagedClean(existing)))
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
    return { status: this.status, ...counts };
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
    const clean = this.stagedClean(photo);
    return (await exists(clean)) ? clean : null;
  }

  /** Tries the store and records what it found. */
  async checkStore(): Promise<void> {
    const { stored } = await this.photos.counts();
    const problem = await this.store.probe(stored > 0);
    this.setStatus(problem);
  }

  /**
   * Starts the worker that carries staged photos into the store, unless it is running (then it
   * goes round once more). Never throws; failures are logged and tried again.
   */
  kick(): void {
    if (this.stopped) {
      return;
    }
    if (this.working) {
      // A lane more if one is free now; and a round more after this one, for a photo staged
      // after the last lane's last look.
      this.lanes?.start();
      this.workAgain = true;
      return;
    }
    // Background work on SQLite: a teacher's request goes ahead of the store worker's writes.
    this.working = runAsBackgroundWork(() => this.work())
      .catch((error: unknown) => this.logger.error(`Photo store worker: ${String(error)}`))
      .finally(() => {
        this.working = null;
        if (this.workAgain && !this.stopped) {
          this.workAgain = false;
          this.kick();
        }
      });
  }

  /** Resolves once the worker has nothing left that it can do now (for tests and the bench). */
  async settled(): Promise<void> {
    while (this.working) {
      await this.working;
    }
  }

  /**
   * One round of the worker: up to STORE_CONCURRENCY lanes, each taking the next staged photo
   * as soon as it has finished one, reading the staged rows again whenever its queue is empty,
   * until there is nothing left it can do. A photo staged while the round runs is taken by the
   * next free lane (`kick` adds a lane if fewer run), not after the round's slowest photo.
   * Photos meant for the same stored name never go at once: the second waits for the first and
   * then finds its file (`name_taken`) instead of racing it. The first StoreUnavailableError
   * stops every lane; the store is tried again on the next retry tick.
   */
  private async work(): Promise<void> {
    this.workAgain = false;
    // Once the store has had a photo it must carry its marker (photo-store.ts); known once here.
    const marker = { expected: (await this.photos.counts()).stored > 0 };
    const skipped = new Set<string>();
    const inFlight = new Set<string>();
    const namesInUse = new Set<string>();
    let queue: PhotoEntity[] = [];
    let refilling: Promise<void> | null = null;
    let unavailable: StoreUnavailableError | null = null;

    const take = (): PhotoEntity | null => {
      const index = queue.findIndex((row) => !namesInUse.has(row.storedName));
      if (index < 0) {
        return null;
      }
      const [row] = queue.splice(index, 1);
      inFlight.add(row.sha256);
      namesInUse.add(row.storedName);
      return row;
    };
    const refill = (): Promise<void> =>
      (refilling ??= this.photos
        .staged(WORKER_BATCH + skipped.size + inFlight.size)
        .then((rows) => {
          queue = rows.filter((row) => !skipped.has(row.sha256) && !inFlight.has(row.sha256));
        })
        .finally(() => {
          refilling = null;
        }));
    const lane = async (): Promise<void> => {
      while (!this.stopped && !unavailable && skipped.size <= 1000) {
        let row = take();
        if (!row) {
          if (queue.length > 0) {
            return; // only photos whose name a running lane holds: that lane takes them next
          }
          await refill();
          row = take();
          if (!row) {
            return;
          }
        }
        try {
          if (!(await this.storeOne(row, marker))) {
            skipped.add(row.sha256);
          }
        } catch (error) {
          if (error instanceof StoreUnavailableError) {
            unavailable = error;
            return;
          }
          // A damaged picture exiftool cannot write, say: leave it staged, log, go on.
          this.logger.error(
            `Photo ${row.sha256.slice(0, 8)} could not be stored: ${String(error)}`,
          );
          skipped.add(row.sha256);
        } finally {
          inFlight.delete(row.sha256);
          namesInUse.delete(row.storedName);
        }
      }
    };

    await new Promise<void>((resolve) => {
      const lanes = {
        running: 0,
        start: () => {
          if (lanes.running >= STORE_CONCURRENCY || this.stopped || unavailable) {
            return;
          }
          lanes.running += 1;
          // Lanes added by `kick` start from a request: they too are background work.
          void runAsBackgroundWork(lane)
            .catch((error: unknown) => this.logger.error(`Photo store lane: ${String(error)}`))
            .finally(() => {
              lanes.running -= 1;
              if (lanes.running === 0) {
                this.lanes = null;
                resolve();
              }
            });
        },
      };
      this.lanes = lanes;
      for (let i = 0; i < STORE_CONCURRENCY; i += 1) {
        lanes.start();
      }
      if (lanes.running === 0) {
        this.lanes = null;
        resolve();
      }
    });
    if (unavailable && !this.stopped) {
      this.setStatus((unavailable as StoreUnavailableError).problem);
    }
  }

  /**
   * Carries one staged photo on from whichever step it reached. While the store is available,
   * exiftool writes the stripped photo straight into the store's temporary file; when it is not
   * (or was not at the last look), the photo is stripped into staging and waits there, stripped,
   * to be copied later. `marker.expected`: whether the store must already carry its marker (it
   * has had a photo); set once this photo is written.
   *
   * @returns false when its staging files are not on this hub (nothing to do here)
   * @throws StoreUnavailableError when the store cannot be written
   */
  private async storeOne(row: PhotoEntity, marker: { expected: boolean }): Promise<boolean> {
    const clean = this.stagedClean(row);
    const original = this.stagedOriginal(row);
    // Another picture with this device, second and hash prefix: the second is named by its whole hash.
    const names = [
      row.storedName,
      row.storedName.replace(/-[0-9a-f]{8}\.(\w+)$/, `-${row.sha256}.$1`),
    ];
    const copyClean = (temporary: string) => fs.copyFile(clean, temporary);
    let outcome: StoreWriteOutcome;
    if (await exists(clean)) {
      outcome = await this.store.write(names, copyClean, marker.expected);
    } else if (!(await exists(original))) {
      return false;
    } else if (this.status.problem === null) {
      try {
        outcome = await this.store.write(
          names,
          (temporary) => this.stripper.stripInto(original, temporary),
          marker.expected,
        );
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          await this.stripIntoStaging(row, original, clean);
        }
        throw error;
      }
    } else {
      await this.stripIntoStaging(row, original, clean);
      outcome = await this.store.write(names, copyClean, marker.expected);
    }
    marker.expected = true;
    this.setStatus(null);
    const storedAt = this.clock.now();
    const device = await this.devices.findById(row.deviceId);
    await this.tx.run(async (tx) => {
      const stored = await this.photos.markStored(tx, row.sha256, {
        storedSha256: outcome.sha256,
        sizeBytes: outcome.sizeBytes,
        storedAt,
        storedName: outcome.name,
      });
      if (stored) {
        await this.audit.record(tx, {
          actor: deviceActor(
            device ?? { id: row.deviceId, name: null, assetTag: row.deviceTag, serialNumber: '' },
          ),
          action: 'photo.stored',
          target: { type: 'photo', id: row.sha256, label: outcome.name },
          detail: { deviceId: row.deviceId, tripId: row.tripId, storedName: outcome.name },
        });
      }
    });
    this.thumbnails.schedule(row.sha256, this.store.pathOf(outcome.name));
    // Only now, with the photo in the store and its receipt recorded: the original (with its
    // location) goes. A crash before this leaves it to the sweep at start (sweepStaging).
    await removeIfThere(original);
    await removeIfThere(clean);
    await fsyncDir(this.stagingDir);
    return true;
  }

  /**
   * Makes the stripped copy a photo waits as while the store is unavailable (staff browse it;
   * the original with its location is then deleted): exiftool writes it beside the original,
   * it is flushed and renamed into place.
   */
  private async stripIntoStaging(row: PhotoEntity, original: string, clean: string): Promise<void> {
    const working = path.join(
      this.stagingDir,
      `${row.sha256}.strip.${PHOTO_EXTENSIONS[row.contentType]}`,
    );
    await removeIfThere(working);
    await this.stripper.stripInto(original, working);
    await fsyncFile(working);
    await durableRename(working, clean);
    await removeIfThere(original);
  }

  /**
   * At start: staging files left by a hub stopped between steps. A photo already stored (its
   * receipt recorded) or without a row has its files deleted, so no original with a location
   * stays behind; an original staged by an earlier version of the hub (`<sha256>.orig`, no
   * extension) is given its kind's extension, which exiftool needs.
   */
  private async sweepStaging(): Promise<void> {
    for (const file of await fs.readdir(this.stagingDir)) {
      const sha256 = /^([0-9a-f]{64})\./.exec(file)?.[1];
      if (!sha256) {
        continue;
      }
      const full = path.join(this.stagingDir, file);
      const row = await this.photos.findBySha(sha256);
      if (!row || row.status === 'stored') {
        await removeIfThere(full);
      } else if (file === `${sha256}.orig`) {
        await durableRename(full, this.stagedOriginal(row));
      }
    }
    await fsyncDir(this.stagingDir);
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

  /** Deletes receipts older than HUB_AUDIT_RETENTION_DAYS; stored files stay (the school's). */
  async applyRetention(): Promise<number> {
    const cutoff = new Date(this.clock.nowMs() - this.config.auditRetentionDays * DAY_MS);
    return this.tx.run((tx) => this.photos.deleteStoredBefore(tx, cutoff));
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

  private setStatus(problem: PhotoStoreProblem | null): void {
    if (problem !== this.status.problem) {
      if (problem) {
        this.logger.warn(`The photo store is unavailable (${problem}); photos wait in staging`);
      } else {
        this.logger.log('The photo store is available');
      }
    }
    this.status = { problem, checkedAt: this.clock.now() };
  }

  /** The original as uploaded: `<sha256>.orig.<ext>` (exiftool goes by the extension). */
  private stagedOriginal(photo: Pick<PhotoEntity, 'sha256' | 'contentType'>): string {
    return path.join(
      this.stagingDir,
      `${photo.sha256}.orig.${PHOTO_EXTENSIONS[photo.contentType]}`,
    );
  }

  private stagedClean(photo: Pick<PhotoEntity, 'sha256' | 'contentType'>): string {
    return path.join(this.stagingDir, `${photo.sha256}.${PHOTO_EXTENSIONS[photo.contentType]}`);
  }
}
