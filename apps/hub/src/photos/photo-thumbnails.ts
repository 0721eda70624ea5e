// Thumbnails for staff browsing (issue 14): JPEGs of at most 320 px on the longer side, made with
// sharp off the request path (a stored photo is queued for one; a browse that finds none waits
// for its turn), a limited number at once (HUB_PHOTO_THUMBNAIL_CONCURRENCY), and kept in the
// hub's data dir beside the staging folder, never in the school's store.
//
// A thumbnail queued for a stored photo waits while photos are arriving (at most 30 s): decoding
// a 4 MB JPEG costs about as much CPU as taking the photo in, and on two cores it slowed the
// ingest that devices wait on for their receipts. A browse's thumbnail never waits for that.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import { durableRename, exists, removeIfThere } from './photo-files';

/** The longer side of a thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 320;

/** A queued thumbnail waits at most this long for the ingest to pause, ms. */
export const THUMBNAIL_DEFER_MAX_MS = 30_000;
/** How often a queued thumbnail looks again whether the ingest has paused, ms. */
const DEFER_POLL_MS = 100;

export class PhotoThumbnails {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Queued thumbnails not yet begun, oldest first: their source and when queued (ms). */
  private readonly queued = new Map<string, { source: string; at: number }>();
  private pumping = false;
  private ingestBusy: () => boolean = () => false;
  /** Thumbnails made since start, for the benchmark's figure. */
  made = 0;

  /**
   * @param dir where thumbnails live (`<HUB_DATA_DIR>/photos/thumbnails`)
   * @param concurrency how many sharp jobs at once (1 to 16)
   * @param deferMaxMs how long a queued thumbnail waits at most for the ingest to pause, ms
   */
  constructor(
    readonly dir: string,
    private readonly concurrency: number,
    private readonly deferMaxMs = THUMBNAIL_DEFER_MAX_MS,
  ) {}

  /** The thumbnail's path for a photo. */
  pathOf(sha256: string): string {
    return path.join(this.dir, `${sha256}.jpg`);
  }

  /**
   * The thumbnail of `sha256`, made from `source` if it is not there yet, waiting for a free
   * slot. Two calls for one photo share one job.
   *
   * @returns the thumbnail's path
   * @throws Error when sharp cannot decode `source` (HEVC HEIC, which sharp cannot read here)
   */
  async ensure(sha256: string, source: string): Promise<string> {
    const target = this.pathOf(sha256);
    if (await exists(target)) {
      return target;
    }
    let job = this.inFlight.get(sha256);
    if (!job) {
      job = this.withSlot(() => this.make(source, target)).finally(() =>
        this.inFlight.delete(sha256),
      );
      this.inFlight.set(sha256, job);
    }
    return job;
  }

  /**
   * Makes queued thumbnails wait while `busy()` is true (photos arriving), each at most
   * THUMBNAIL_DEFER_MAX_MS (30 s) after it was queued.
   */
  yieldTo(busy: () => boolean): void {
    this.ingestBusy = busy;
  }

  /**
   * Queues a thumbnail without waiting for it: made one at a time, oldest first, once the ingest
   * pauses (see yieldTo). A failure is left for a browse to report.
   */
  schedule(sha256: string, source: string): void {
    this.queued.set(sha256, { source, at: Date.now() });
    if (!this.pumping) {
      this.pumping = true;
      void this.pump().finally(() => {
        this.pumping = false;
      });
    }
  }

  private async pump(): Promise<void> {
    for (let next = this.queued.entries().next(); !next.done; next = this.queued.entries().next()) {
      const [sha256, { source, at }] = next.value;
      if (this.ingestBusy() && Date.now() - at < this.deferMaxMs) {
        await new Promise((resolve) => setTimeout(resolve, DEFER_POLL_MS).unref());
        continue;
      }
      this.queued.delete(sha256);
      await this.ensure(sha256, source).catch(() => undefined);
    }
  }

  private async make(source: string, target: string): Promise<string> {
    if (await exists(target)) {
      return target;
    }
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temporary = `${target}.${crypto.randomUUID()}.tmp`;
    try {
      await sharp(source)
        .rotate() // upright by its EXIF orientation
        .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 75 })
        .toFile(temporary);
      await durableRename(temporary, target);
      this.made += 1;
      return target;
    } finally {
      await removeIfThere(temporary);
    }
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      // The slot is handed over by the job that ends, so none is taken in between.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) {
        next();
      } else {
        this.running -= 1;
      }
    }
  }
}
