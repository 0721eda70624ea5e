// `device-agent run --photos DIR` (issue 14): watches a folder for new pictures (a laptop's camera
// roll, a trip camera's import folder), uploads each to the hub with tus, resumable across
// restarts, asks for its receipt, and deletes its own copy only after a 200 receipt whose sha256
// is that of the file, when the policy says `deleteAfterUpload`. Offline, photos wait and are
// sent when the hub answers again. `photos.sync` sends them now; the count still to send is
// reported as `pendingPhotos` in the device's state.
import { watch, type FSWatcher } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  fetchPhotoReceipt,
  photoKindOf,
  photoSha256,
  PHOTO_REQUEST_IDLE_MS,
  PhotoUploadError,
  StateChangeListeners,
  uploadPhoto,
  type CommandAnswer,
  type CommandEnvelope,
  type DeviceState,
  type Enforcer,
  type PhotoDevice,
  type PhotoReceiptBody,
} from '@app/devices';

/** The file in the state dir that remembers upload URLs (to resume) and the photo policy. */
export const PHOTO_JOURNAL_FILE = 'photo-uploads.json';
/**
 * The file in the state dir that remembers the photos kept in the folder (no deleteAfterUpload)
 * that the hub already has: each by its name and the file as it was (size, times, inode).
 */
export const PHOTO_STORED_FILE = 'photo-stored.json';
/** Extensions taken as pictures; the content decides the kind. */
const PICTURE = /\.(jpe?g|png|heic)$/i;
/** A file changed this recently may still be being written by the camera import. */
const SETTLE_MS = 1500;
/** How often the agent asks again for a photo's receipt while it waits for one, ms. */
export const RECEIPT_POLL_MS = 250;

/** A photo the hub took (final PATCH 204) but gave no receipt for this long is sent again. */
const RESEND_AFTER_MS = 6 * 60 * 60 * 1000;

interface PhotoJournal {
  /**
   * By file name: the SHA-256 the upload was made for, its URL at the hub, and when the hub took
   * it whole (then only its receipt is awaited: a store that is away is no reason to send it again).
   */
  uploads: Record<string, { sha256: string; uploadUrl: string; completedAt?: string }>;
  /** The photo settings of the last policy applied (protocol section 4 `photos`). */
  policy: { autoUpload: boolean; deleteAfterUpload: boolean } | null;
}

/**
 * Whether a device may delete its copy: only with a receipt (a 200) whose sha256 is the SHA-256
 * of the file as it is now (protocol section 5; the AUP: deleted from the device only once the
 * school has it).
 */
export function mayDeletePhoto(fileSha256: string, receipt: PhotoReceiptBody | null): boolean {
  return receipt !== null && receipt.sha256 === fileSha256 && /^[0-9a-f]{64}$/.test(fileSha256);
}

export interface PhotoSyncOptions {
  device: PhotoDevice;
  /** The folder to watch. */
  dir: string;
  /** The agent's state dir (PHOTO_JOURNAL_FILE goes there). */
  stateDir: string;
  /** Overrides the policy's deleteAfterUpload (tests); otherwise the last policy decides. */
  deleteAfterUpload?: boolean;
  /** How often to look again without a change (offline catch-up, receipts), ms; default 30 s. */
  intervalMs?: number;
  /** Bytes per PATCH (tus chunk); default 8 MiB. */
  chunkSize?: number;
  /** How long to ask for a receipt after an upload before leaving it to the next pass, ms. */
  receiptWaitMs?: number;
  /** Waits between retries of a dropped upload request, ms; default uploadPhoto's. */
  retryDelays?: number[];
  /** A request idle this long is dropped (and retried), ms; default PHOTO_REQUEST_IDLE_MS. */
  idleTimeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * Watches one folder and carries its pictures to the hub (protocol section 5): one pass at a
 * time, each photo uploaded (resumed from the journal's URL), its receipt awaited, and the file
 * deleted only by `mayDeletePhoto`. Passes end on their own when the hub is away (every request
 * gives up after `idleTimeoutMs`), so the agent never waits for a hub without end.
 */
export class PhotoSync {
  private journal: PhotoJournal = { uploads: {}, policy: null };
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The pass under way, and the one asked for while it runs (at most one waits). */
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private stopped = false;
  private saving: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private pending = 0;
  private readonly listeners = new StateChangeListeners();
  /** Files named as pictures whose content is not one, already logged. */
  private readonly notPictures = new Set<string>();
  /** What each file's header said, so that counting reads only new or changed files. */
  private readonly headers = new PictureHeaders();
  /** Photos kept in the folder that the hub has (a receipt), so that a pass leaves them be. */
  private stored = new StoredPhotos();

  constructor(private readonly options: PhotoSyncOptions) {}

  /** Photos in the folder not yet confirmed by a receipt (protocol section 3 `pendingPhotos`). */
  get pendingPhotos(): number {
    return this.pending;
  }

  /** Whether photos upload on their own (the policy's autoUpload; true before any policy). */
  get autoUpload(): boolean {
    return this.journal.policy?.autoUpload ?? true;
  }

  /** Reads the journal, watches the folder and makes a first pass. */
  async start(): Promise<void> {
    this.journal = await readJournal(this.journalPath());
    this.stored = await StoredPhotos.read(path.join(this.options.stateDir, PHOTO_STORED_FILE));
    await fs.mkdir(this.options.dir, { recursive: true });
    this.watcher = watch(this.options.dir, () => this.onChange());
    this.timer = setInterval(() => this.onChange(), this.options.intervalMs ?? 30_000);
    this.timer.unref();
    await this.countPending();
    this.onChange();
  }

  /**
   * Stops watching and any upload or receipt request under way (an upload resumes at the next
   * start); resolves once the pass under way has ended, which the abort makes prompt.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    if (this.timer) {
      clearInterval(this.timer);
    }
    this.abort.abort();
    await this.queued;
    await this.running;
  }

  /** Calls `listener` when pendingPhotos changes. */
  onPendingChange(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** Remembers the photo settings of an applied policy. */
  async policyApplied(photos: { autoUpload: boolean; deleteAfterUpload: boolean }): Promise<void> {
    this.journal.policy = { ...photos };
    await this.saveJournal();
  }

  /**
   * A pass over the folder (the `photos.sync` command), whatever autoUpload says. Resolves when a
   * pass that began after this call has ended: the one started now, or, while one runs, the next
   * one, which every call made meanwhile shares. So a caller waits for at most two passes, however
   * often the folder changes or the timer ticks (waiting for "no more changes" never ends while the
   * timer ticks faster than a pass takes: that hung the agent while the store was away). Never
   * rejects.
   */
  syncNow(): Promise<void> {
    if (this.queued) {
      return this.queued;
    }
    if (this.running) {
      const queued = this.running.then(() => {
        this.queued = null;
        return this.startPass();
      });
      this.queued = queued;
      return queued;
    }
    return this.startPass();
  }

  private startPass(): Promise<void> {
    if (this.stopped) {
      return Promise.resolve();
    }
    const running = this.pass()
      .catch((error: unknown) => this.log(`photo sync: ${String(error)}`))
      .finally(() => {
        if (this.running === running) {
          this.running = null;
        }
      });
    this.running = running;
    return running;
  }

  private onChange(): void {
    if (this.stopped) {
      return;
    }
    if (this.autoUpload) {
      void this.syncNow();
    } else {
      void this.countPending();
    }
  }

  private async pass(): Promise<void> {
    const pictures = await this.pictures();
    try {
      for (const { name, stat } of pictures) {
        if (this.stopped) {
          return;
        }
        if (!this.deletesAfterUpload() && this.stored.has(name, stat)) {
          // The hub has it and it stays here: not read, hashed or asked about again.
          continue;
        }
        try {
          await this.syncOne(name, stat);
        } catch (error) {
          if (this.stopped || (error as Error).name === 'AbortError') {
            return;
          }
          if (error instanceof PhotoUploadError && error.status === 0) {
            this.log('photo sync: the hub cannot be reached; photos wait');
            break; // offline: the next pass catches up
          }
          this.log(`photo sync: ${name}: ${(error as Error).message}`);
        }
      }
    } finally {
      // Written once a pass, not once a photo: lost in a crash, it only costs a re-check.
      this.stored.keepOnly(pictures.map((picture) => picture.name));
      await this.stored
        .save()
        .catch((error: unknown) =>
          this.log(`photo sync: the list of stored photos could not be written: ${String(error)}`),
        );
    }
    await this.countPending();
  }

  /** Whether photos are deleted here once the hub has them (the option, else the policy). */
  private deletesAfterUpload(): boolean {
    return this.options.deleteAfterUpload ?? this.journal.policy?.deleteAfterUpload ?? false;
  }

  /**
   * Sends one photo unless the hub has it, and deletes it after its receipt when the policy says
   * so; one kept here is remembered as stored, by `seen` (its stat before it was read), when the
   * file is still as it was then.
   */
  private async syncOne(name: string, seen: FileIdentity): Promise<void> {
    const file = path.join(this.options.dir, name);
    const bytes = await fs.readFile(file).catch(() => null);
    const kind = bytes ? photoKindOf(bytes) : null;
    if (!bytes || !kind) {
      // Gone, or not a picture (a renamed document, a broken copy): never sent, said once.
      if (bytes && !this.notPictures.has(name)) {
        this.notPictures.add(name);
        this.log(`photo sync: ${name} is not a JPEG, PNG or HEIC picture: not sent`);
      }
      return;
    }
    const sha256 = photoSha256(bytes);
    let receipt = await this.receiptOf(sha256);
    const known = this.journal.uploads[name]?.sha256 === sha256 ? this.journal.uploads[name] : null;
    const takenWhole =
      known?.completedAt !== undefined &&
      Date.now() - Date.parse(known.completedAt) < RESEND_AFTER_MS;
    if (!receipt && !takenWhole) {
      const stat = await fs.stat(file);
      const uploadUrl = await uploadPhoto(this.options.device, {
        bytes,
        sha256,
        contentType: kind,
        takenAt: stat.mtime.toISOString(),
        uploadUrl: known?.uploadUrl ?? null,
        chunkSize: this.options.chunkSize,
        retryDelays: this.options.retryDelays,
        idleTimeoutMs: this.options.idleTimeoutMs,
        signal: this.abort.signal,
        onUploadUrl: (url) => {
          this.journal.uploads[name] = { sha256, uploadUrl: url };
          void this.saveJournal();
        },
      });
      this.journal.uploads[name] = { sha256, uploadUrl, completedAt: new Date().toISOString() };
      await this.saveJournal();
      receipt = await this.waitForReceipt(sha256);
    }
    if (!receipt) {
      return; // the store is unavailable: the photo stays here until it has its receipt
    }
    delete this.journal.uploads[name];
    await this.saveJournal();
    if (!this.deletesAfterUpload()) {
      const after = await fs.stat(file).catch(() => null);
      if (after && sameFile(after, seen) && receipt.sha256 === sha256) {
        this.stored.remember(name, after);
      }
      return;
    }
    // Hashed again: a file changed since it was read is a different photo, never deleted.
    const now = await fs.readFile(file).catch(() => null);
    if (now && mayDeletePhoto(photoSha256(now), receipt)) {
      await fs.unlink(file);
      this.log(`photo stored at the hub and deleted here (${sha256.slice(0, 8)})`);
    }
  }

  private async waitForReceipt(sha256: string): Promise<PhotoReceiptBody | null> {
    const deadline = Date.now() + (this.options.receiptWaitMs ?? 5000);
    for (;;) {
      const receipt = await this.receiptOf(sha256);
      if (receipt || Date.now() >= deadline || this.stopped) {
        return receipt;
      }
      await new Promise((resolve) => setTimeout(resolve, RECEIPT_POLL_MS));
    }
  }

  /** The photo's receipt, or null; given up after the idle timeout, or at stop. */
  private receiptOf(sha256: string): Promise<PhotoReceiptBody | null> {
    return fetchPhotoReceipt(
      this.options.device,
      sha256,
      this.abort.signal,
      this.options.idleTimeoutMs ?? PHOTO_REQUEST_IDLE_MS,
    );
  }

  /** Picture files of the folder that have settled, oldest first, each with its stat. */
  private async pictures(): Promise<{ name: string; stat: FileIdentity }[]> {
    const entries = await fs.readdir(this.options.dir, { withFileTypes: true }).catch(() => []);
    const found: { name: string; stat: FileIdentity }[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.startsWith('.') || !PICTURE.test(entry.name)) {
        continue;
      }
      const stat = await fs.stat(path.join(this.options.dir, entry.name)).catch(() => null);
      if (stat && Date.now() - stat.mtimeMs >= SETTLE_MS) {
        found.push({ name: entry.name, stat: identityOf(stat) });
      }
    }
    return found.sort((a, b) => a.stat.mtimeMs - b.stat.mtimeMs);
  }

  private async countPending(): Promise<void> {
    const entries = await fs.readdir(this.options.dir).catch(() => [] as string[]);
    const deleting = this.deletesAfterUpload();
    // Without deleting, a stored photo stays in the folder: only those in the journal wait.
    // Deleting, every picture in the folder waits; a file named like one whose content is not a
    // picture is never sent, so it is not counted (staff would wait for it for ever).
    let count = Object.keys(this.journal.uploads).length;
    if (deleting) {
      count = 0;
      const named = entries
        .filter((n) => !n.startsWith('.') && PICTURE.test(n))
        .map((n) => path.join(this.options.dir, n));
      for (const file of named) {
        if (await this.headers.isPicture(file)) {
          count += 1;
        }
      }
      this.headers.keepOnly(named);
    }
    if (count !== this.pending) {
      this.pending = count;
      this.listeners.notify();
    }
  }

  private journalPath(): string {
    return path.join(this.options.stateDir, PHOTO_JOURNAL_FILE);
  }

  /** Writes the journal (temporary file, rename), one write at a time. */
  private saveJournal(): Promise<void> {
    const write = async () => {
      const file = this.journalPath();
      const temporary = `${file}.tmp`;
      await fs.writeFile(temporary, JSON.stringify(this.journal), { mode: 0o600 });
      await fs.rename(temporary, file);
    };
    const saved = this.saving.then(write, write);
    this.saving = saved.catch((error: unknown) =>
      this.log(`photo sync: the journal could not be written: ${String(error)}`),
    );
    return saved;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

async function readJournal(file: string): Promise<PhotoJournal> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<PhotoJournal>;
    return { uploads: parsed.uploads ?? {}, policy: parsed.policy ?? null };
  } catch {
    return { uploads: {}, policy: null };
  }
}

/**
 * An Enforcer with photo sync added: `photos.sync` makes a pass now, `policy.apply` also tells
 * photo sync the photo settings, and the state carries `pendingPhotos`. Everything else goes to
 * the platform's own enforcer.
 */
export class PhotoSyncEnforcer implements Enforcer {
  constructor(
    private readonly inner: Enforcer,
    private readonly photos: PhotoSync,
  ) {}

  async execute(command: CommandEnvelope): Promise<CommandAnswer> {
    if (command.type === 'photos.sync') {
      await this.photos.syncNow();
      return { status: 'acknowledged' };
    }
    const answer = await this.inner.execute(command);
    if (command.type === 'policy.apply' && answer.status === 'acknowledged') {
      const photos = (command.payload.settings as { photos?: unknown }).photos as
        { autoUpload?: unknown; deleteAfterUpload?: unknown } | undefined;
      if (photos) {
        await this.photos.policyApplied({
          autoUpload: photos.autoUpload !== false,
          deleteAfterUpload: photos.deleteAfterUpload === true,
        });
      }
    }
    return answer;
  }

  currentState(): DeviceState {
    return { ...this.inner.currentState(), pendingPhotos: this.photos.pendingPhotos };
  }

  onStateChange(listener: () => void): () => void {
    const stopInner = this.inner.onStateChange(listener);
    const stopPhotos = this.photos.onPendingChange(listener);
    return () => {
      stopInner();
      stopPhotos();
    };
  }
}

/** A file as its header was read: any write or replacement since changes one of these. */
/** A file as it is now, as far as telling it from a changed or replaced one goes. */
interface FileIdentity {
  size: number;
  mtimeMs: number;
  /** Changed by every write, and not settable (as mtime is, by a camera import keeping times). */
  ctimeMs: number;
  ino: number;
}

function identityOf(stat: FileIdentity): FileIdentity {
  return { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino };
}

/** Whether two stats are of the same file, unchanged. */
function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

interface HeaderCheck extends FileIdentity {
  picture: boolean;
}

/**
 * The photos kept in the folder (the policy does not delete after upload) that the hub has
 * confirmed with a receipt, by name and the file as it was then (PHOTO_STORED_FILE). A pass
 * leaves such a photo be: a camera roll of thousands of photos is not read, hashed and asked
 * about again every 30 s. A file changed or replaced since (any of size, times, inode) is a new
 * photo and is sent. A list that cannot be read starts empty, which only costs one re-check.
 */
export class StoredPhotos {
  private dirty = false;

  /** `file` null: a list that is never saved (before start). */
  constructor(
    private readonly file: string | null = null,
    private readonly byName = new Map<string, FileIdentity>(),
  ) {}

  /** Reads the list from `file` (empty when missing or unreadable). */
  static async read(file: string): Promise<StoredPhotos> {
    try {
      const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, FileIdentity>;
      const entries = Object.entries(parsed).filter(
        ([, stat]) =>
          typeof stat === 'object' &&
          stat !== null &&
          ['size', 'mtimeMs', 'ctimeMs', 'ino'].every(
            (key) => typeof (stat as unknown as Record<string, unknown>)[key] === 'number',
          ),
      );
      return new StoredPhotos(
        file,
        new Map(entries.map(([name, stat]) => [name, identityOf(stat)])),
      );
    } catch {
      return new StoredPhotos(file, new Map());
    }
  }

  /** Whether the photo `name`, as `stat` says it is now, is one the hub has. */
  has(name: string, stat: FileIdentity): boolean {
    const known = this.byName.get(name);
    return known !== undefined && sameFile(known, stat);
  }

  /** Notes that the hub has the photo `name` as `stat` says it is. */
  remember(name: string, stat: FileIdentity): void {
    this.byName.set(name, identityOf(stat));
    this.dirty = true;
  }

  /** Forgets every photo but those still in the folder. */
  keepOnly(names: readonly string[]): void {
    const present = new Set(names);
    for (const name of this.byName.keys()) {
      if (!present.has(name)) {
        this.byName.delete(name);
        this.dirty = true;
      }
    }
  }

  /** Writes the list if it changed (temporary file, rename). Rejects on a write error. */
  async save(): Promise<void> {
    if (!this.dirty || !this.file) {
      return;
    }
    this.dirty = false;
    const temporary = `${this.file}.tmp`;
    await fs.writeFile(temporary, JSON.stringify(Object.fromEntries(this.byName)), { mode: 0o600 });
    await fs.rename(temporary, this.file);
  }
}

/**
 * Whether files are pictures by their first bytes (`isPictureFile`), remembered by path with the
 * file's size, modification and change times and inode, so that counting the pending photos
 * every few seconds reads again only the files that are new or have changed since (a folder of
 * a trip's 500 photos was opened 500 times per count). A file changed between its stat and its
 * read is remembered with the older stat, so it is read again at the next count.
 */
export class PictureHeaders {
  private readonly checked = new Map<string, HeaderCheck>();

  /**
   * Whether `file` is a JPEG, PNG or HEIC picture now; false for a file that is gone, is not a
   * regular file or cannot be read. Reads its header only when no check of the file as it is now
   * is remembered.
   */
  async isPicture(file: string): Promise<boolean> {
    const stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) {
      this.checked.delete(file);
      return false;
    }
    const known = this.checked.get(file);
    if (
      known &&
      known.size === stat.size &&
      known.mtimeMs === stat.mtimeMs &&
      known.ctimeMs === stat.ctimeMs &&
      known.ino === stat.ino
    ) {
      return known.picture;
    }
    const picture = await isPictureFile(file);
    const { size, mtimeMs, ctimeMs, ino } = stat;
    this.checked.set(file, { size, mtimeMs, ctimeMs, ino, picture });
    return picture;
  }

  /** Forgets every file but `files` (those still in the folder), so the memory stays its size. */
  keepOnly(files: readonly string[]): void {
    const present = new Set(files);
    for (const file of this.checked.keys()) {
      if (!present.has(file)) {
        this.checked.delete(file);
      }
    }
  }
}

/**
 * Whether a file's first bytes are a JPEG, PNG or HEIC picture (photoKindOf), as the upload
 * checks before sending. False for a file that is gone or cannot be read.
 */
async function isPictureFile(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r').catch(() => null);
  if (!handle) {
    return false;
  }
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return photoKindOf(head.subarray(0, bytesRead)) !== null;
  } finally {
    await handle.close();
  }
}
