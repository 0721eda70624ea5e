// The store worker of photo sync (issue 14, protocol section 5): carries each staged photo into
// the school's store, stripped of its location, and records its receipt.
//
//   staged original <staging>/<sha>.orig.<ext>
//     -> a lane: exiftool writes it without its location straight into a temporary file in the
//        store's folder, which is flushed, hashed, renamed into place, the folder flushed
//     -> row `stored` + audit in one transaction: the receipt; then the original is deleted
//
// While the store is unavailable a lane strips the original into staging instead (<sha>.<ext>,
// flushed and renamed), and that copy is written to the store when it is back. Each step is
// repeatable from the files it leaves: a staged row is carried on from whichever staging file
// exists, a stored file found with the same bytes is taken as written, and staging files of
// photos already stored are deleted at start (sweepStaging). The uploads that become staged
// photos are the ingest's (photo-ingest.service.ts).
import { Logger } from '@nestjs/common';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { PhotoStoreProblem } from '@app/hub-api';
import { deviceActor } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { runAsBackgroundWork, TransactionRunner } from '../database/transaction-runner';
import { DevicesRepository } from '../devices/devices.repository';
import { LocationStripper } from './location-stripper';
import { PhotoEntity } from './photo.entity';
import { durableRename, exists, fsyncDir, fsyncFile, removeIfThere } from './photo-files';
import { PHOTO_EXTENSIONS } from './photo-rules';
import { PhotoStore, StoreUnavailableError, type StoreWriteOutcome } from './photo-store';
import { PhotoThumbnails } from './photo-thumbnails';
import { PhotosRepository } from './photos.repository';

/** Staged rows the worker takes at a time. */
const WORKER_BATCH = 50;
/**
 * Photos the worker carries to the store at once. Their steps wait on different things (the one
 * exiftool process, the disk's flushes, the database, the CPU the uploads share), so several at
 * once keep each busy: one at a time held 20 devices' uploads to under 10 MB/s (bench:photos),
 * and four left photos waiting in staging over a second while a core stood idle (eight: 43 MB/s
 * against 29-31 MB/s with four, side by side; docs/decisions.md).
 */
const STORE_CONCURRENCY = 8;

/** Whether the store takes photos now, as last found. */
export interface StoreStatus {
  problem: PhotoStoreProblem | null;
  checkedAt: Date;
}

/** What the worker works with: the ingest's folders, store and thumbnails, and the hub's parts. */
export interface PhotoStoreWorkerParts {
  stagingDir: string;
  store: PhotoStore;
  thumbnails: PhotoThumbnails;
  stripper: LocationStripper;
  photos: PhotosRepository;
  devices: DevicesRepository;
  audit: AuditService;
  tx: TransactionRunner;
  clock: Clock;
}

/**
 * Carries staged photos into the store (`kick` to start it; it runs until nothing is left that it
 * can do now) and knows whether the store takes photos (`status`). Made by PhotoIngestService.
 */
export class PhotoStoreWorker {
  private readonly logger = new Logger(PhotoStoreWorker.name);
  private currentStatus: StoreStatus;
  private working: Promise<void> | null = null;
  private workAgain = false;
  /** The running round's lanes (see work): how many run, and a way to start one more. */
  private lanes: { running: number; start: () => void } | null = null;
  private stopped = false;

  constructor(private readonly parts: PhotoStoreWorkerParts) {
    this.currentStatus = { problem: null, checkedAt: parts.clock.now() };
  }

  /** Whether the store takes photos now, as last found. */
  get status(): StoreStatus {
    return this.currentStatus;
  }

  /** Whether a round is running (thumbnails wait meanwhile). */
  get busy(): boolean {
    return this.working !== null;
  }

  /** Stops starting work and waits for the round that runs, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.working;
  }

  /** Tries the store and records what it found. */
  async checkStore(): Promise<void> {
    const { stored } = await this.parts.photos.counts();
    this.setStatus(await this.parts.store.probe(stored > 0));
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
    const marker = { expected: (await this.parts.photos.counts()).stored > 0 };
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
      (refilling ??= this.parts.photos
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
      this.setStatus(unavailable);
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
      outcome = await this.parts.store.write(names, copyClean, marker.expected);
    } else if (!(await exists(original))) {
      return false;
    } else if (this.currentStatus.problem === null) {
      try {
        outcome = await this.parts.store.write(
          names,
          (temporary) => this.parts.stripper.stripInto(original, temporary),
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
      outcome = await this.parts.store.write(names, copyClean, marker.expected);
    }
    marker.expected = true;
    this.setStatus(null);
    const storedAt = this.parts.clock.now();
    const device = await this.parts.devices.findById(row.deviceId);
    await this.parts.tx.run(async (tx) => {
      const stored = await this.parts.photos.markStored(tx, row.sha256, {
        storedSha256: outcome.sha256,
        sizeBytes: outcome.sizeBytes,
        storedAt,
        storedName: outcome.name,
      });
      if (stored) {
        await this.parts.audit.record(tx, {
          actor: deviceActor(
            device ?? { id: row.deviceId, name: null, assetTag: row.deviceTag, serialNumber: '' },
          ),
          action: 'photo.stored',
          target: { type: 'photo', id: row.sha256, label: outcome.name },
          detail: { deviceId: row.deviceId, tripId: row.tripId, storedName: outcome.name },
        });
      }
    });
    this.parts.thumbnails.schedule(row.sha256, this.parts.store.pathOf(outcome.name));
    // Only now, with the photo in the store and its receipt recorded: the original (with its
    // location) goes. A crash before this leaves it to the sweep at start (sweepStaging).
    await removeIfThere(original);
    await removeIfThere(clean);
    await fsyncDir(this.parts.stagingDir);
    return true;
  }

  /**
   * Makes the stripped copy a photo waits as while the store is unavailable (staff browse it;
   * the original with its location is then deleted): exiftool writes it beside the original,
   * it is flushed and renamed into place.
   */
  private async stripIntoStaging(row: PhotoEntity, original: string, clean: string): Promise<void> {
    const working = path.join(
      this.parts.stagingDir,
      `${row.sha256}.strip.${PHOTO_EXTENSIONS[row.contentType]}`,
    );
    await removeIfThere(working);
    await this.parts.stripper.stripInto(original, working);
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
  async sweepStaging(): Promise<void> {
    const files = (await fs.readdir(this.parts.stagingDir)).flatMap((file) => {
      const sha256 = /^([0-9a-f]{64})\./.exec(file)?.[1];
      return sha256 ? [{ file, sha256 }] : [];
    });
    const rows = await this.parts.photos.findByShas(files.map(({ sha256 }) => sha256));
    for (const { file, sha256 } of files) {
      const full = path.join(this.parts.stagingDir, file);
      const row = rows.get(sha256);
      if (!row || row.status === 'stored') {
        await removeIfThere(full);
      } else if (file === `${sha256}.orig`) {
        await durableRename(full, this.stagedOriginal(row));
      }
    }
    await fsyncDir(this.parts.stagingDir);
  }

  /** Records whether the store takes photos; says a change in the log, naming the store. */
  private setStatus(unavailable: StoreUnavailableError | null): void {
    const problem = unavailable?.problem ?? null;
    if (problem !== this.currentStatus.problem) {
      if (unavailable) {
        this.logger.warn(
          `The photo store ${this.parts.store.root} (HUB_STORE_DIR) is unavailable: ${unavailable.message}; photos wait in staging`,
        );
      } else {
        this.logger.log('The photo store is available');
      }
    }
    this.currentStatus = { problem, checkedAt: this.parts.clock.now() };
  }

  /** The original as uploaded: `<sha256>.orig.<ext>` (exiftool goes by the extension). */
  stagedOriginal(photo: Pick<PhotoEntity, 'sha256' | 'contentType'>): string {
    return path.join(
      this.parts.stagingDir,
      `${photo.sha256}.orig.${PHOTO_EXTENSIONS[photo.contentType]}`,
    );
  }

  /** The stripped copy a photo waits as while the store is unavailable: `<sha256>.<ext>`. */
  stagedClean(photo: Pick<PhotoEntity, 'sha256' | 'contentType'>): string {
    return path.join(
      this.parts.stagingDir,
      `${photo.sha256}.${PHOTO_EXTENSIONS[photo.contentType]}`,
    );
  }
}
