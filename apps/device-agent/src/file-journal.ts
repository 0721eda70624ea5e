// The agent's command journal on disk: one JSON line per final answer, appended and synced before
// the answer is sent, so a command redelivered after a crash or reboot is not carried out twice.

import { chmod, open, readFile, type FileHandle } from 'node:fs/promises';
import {
  COMMAND_ANSWER_STATUSES,
  JOURNAL_CAPACITY,
  MemoryJournal,
  type CommandAnswer,
  type CommandJournal,
} from '@app/devices';
import { writePrivateFile } from './agent-state';

interface JournalLine {
  id: string;
  answer: CommandAnswer;
  at: string;
}

export class FileJournal implements CommandJournal {
  private readonly memory: MemoryJournal;
  private handle: FileHandle | null = null;
  private lines = 0;
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    readonly capacity: number,
    private readonly now: () => Date,
  ) {
    this.memory = new MemoryJournal(capacity);
  }

  /** Loads the journal at `path` (a missing file is an empty journal) and opens it for appending. */
  static async open(
    path: string,
    capacity = JOURNAL_CAPACITY,
    now: () => Date = () => new Date(),
  ): Promise<FileJournal> {
    const journal = new FileJournal(path, capacity, now);
    await journal.load();
    return journal;
  }

  get size(): number {
    return this.memory.size;
  }

  get(id: string): CommandAnswer | undefined {
    return this.memory.get(id);
  }

  record(id: string, answer: CommandAnswer): Promise<void> {
    this.memory.record(id, answer);
    const line: JournalLine = { id, answer, at: this.now().toISOString() };
    const write = this.writes.then(() => this.append(`${JSON.stringify(line)}\n`));
    this.writes = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    await this.writes;
    await this.handle?.close();
    this.handle = null;
  }

  private async load(): Promise<void> {
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error;
      }
    }
    let damaged = false;
    for (const raw of text.split('\n')) {
      const line = parseLine(raw);
      if (line) {
        this.memory.record(line.id, line.answer);
        this.lines += 1;
      } else if (raw.trim() !== '') {
        damaged = true;
      }
    }
    // A last line cut short by a crash has no newline; appending to it would damage the next
    // entry too, so rewrite the file clean first.
    if (this.lines > this.capacity || damaged || (text !== '' && !text.endsWith('\n'))) {
      await this.compact();
    } else {
      await this.reopen();
    }
  }

  private async append(text: string): Promise<void> {
    if (!this.handle) {
      await this.reopen();
    }
    const handle = this.handle as FileHandle;
    await handle.appendFile(text, 'utf8');
    await handle.datasync();
    this.lines += 1;
    // Rewriting on every answer past the capacity would be wasteful; let it grow to twice that.
    if (this.lines > 2 * this.capacity) {
      await this.compact();
    }
  }

  /** Rewrites the file with only the newest `capacity` entries. */
  private async compact(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    const at = this.now().toISOString();
    const entries = this.memory.entries();
    const text = entries.map(([id, answer]) => `${JSON.stringify({ id, answer, at })}\n`).join('');
    await writePrivateFile(this.path, text);
    this.lines = entries.length;
    await this.reopen();
  }

  private async reopen(): Promise<void> {
    await this.handle?.close();
    this.handle = await open(this.path, 'a', 0o600);
    await chmod(this.path, 0o600);
  }
}

/** A line cut short by a crash, or otherwise damaged, is skipped. */
function parseLine(raw: string): JournalLine | undefined {
  if (raw.trim() === '') {
    return undefined;
  }
  try {
    const line = JSON.parse(raw) as Partial<JournalLine>;
    const status = line.answer?.status;
    if (
      typeof line.id === 'string' &&
      typeof status === 'string' &&
      status !== 'not_now' &&
      (COMMAND_ANSWER_STATUSES as readonly string[]).includes(status)
    ) {
      const detail = line.answer?.detail;
      const unenforced = line.answer?.unenforced;
      const answer: CommandAnswer = typeof detail === 'string' ? { status, detail } : { status };
      if (Array.isArray(unenforced) && unenforced.every((path) => typeof path === 'string')) {
        answer.unenforced = unenforced;
      }
      return { id: line.id, answer, at: String(line.at) };
    }
  } catch {
    // fall through
  }
  return undefined;
}
