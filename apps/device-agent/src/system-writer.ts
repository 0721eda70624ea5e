// The one way the Linux agent changes the computer it runs on: files it writes or removes under
// /etc, and programs it runs (udevadm, nmcli, dconf). Everything goes through a root prefix, so
// tests point it at a temporary folder and read back exactly what would be written.

import { execFile } from 'node:child_process';
import {
  access,
  chmod,
  constants,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Runs a program without a shell and resolves with its output; rejects if it fails. */
export type CommandRunner = (file: string, args: string[]) => Promise<{ stdout: string }>;

export const execFileRunner: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        reject(Object.assign(error, { stderr: String(stderr) }));
      } else {
        resolve({ stdout: String(stdout) });
      }
    });
  });

/** Where a root service finds programs (systemd's default PATH), searched in this order. */
export const SYSTEM_PATH = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
];

/** What an enforcer may do to the system. Paths are absolute system paths (`/etc/...`). */
export interface SystemWriter {
  /** Whether the agent may change system configuration: it runs as root. */
  readonly isRoot: boolean;
  /** Writes a whole file in one rename, with `mode` (e.g. 0o600), making its folders (0755). */
  writeFile(path: string, content: string, mode: number): Promise<void>;
  /** Removes a file; nothing happens when it is not there. */
  removeFile(path: string): Promise<void>;
  /** A file's text, or null when there is none. */
  readFile(path: string): Promise<string | null>;
  /** Whether a file or folder is there. */
  exists(path: string): Promise<boolean>;
  /** The names in a folder; empty when it is not there. */
  list(dir: string): Promise<string[]>;
  /** The absolute path of an installed program (searched in SYSTEM_PATH), or null. */
  which(program: string): Promise<string | null>;
  /** Runs a program without a shell; rejects when it fails or exits non-zero. */
  run(file: string, args: string[]): Promise<{ stdout: string }>;
}

export interface RootedSystemWriterOptions {
  /** The folder that stands for `/`; `/` on a real computer. */
  root?: string;
  /** Defaults to whether this process runs as uid 0. */
  isRoot?: boolean;
  run?: CommandRunner;
}

/** The SystemWriter on a real computer, or (with `root`) on a folder standing for one. */
export class RootedSystemWriter implements SystemWriter {
  readonly isRoot: boolean;
  private readonly root: string;
  private readonly runner: CommandRunner;

  constructor(opts: RootedSystemWriterOptions = {}) {
    this.root = opts.root ?? '/';
    this.isRoot = opts.isRoot ?? process.getuid?.() === 0;
    this.runner = opts.run ?? execFileRunner;
  }

  async writeFile(path: string, content: string, mode: number): Promise<void> {
    const target = this.at(path);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    const temporary = `${target}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w', mode);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open's mode passes through the umask.
    await chmod(temporary, mode);
    await rename(temporary, target);
  }

  async removeFile(path: string): Promise<void> {
    await rm(this.at(path), { force: true });
  }

  async readFile(path: string): Promise<string | null> {
    return readFile(this.at(path), 'utf8').catch(() => null);
  }

  async exists(path: string): Promise<boolean> {
    return access(this.at(path)).then(
      () => true,
      () => false,
    );
  }

  async list(dir: string): Promise<string[]> {
    return readdir(this.at(dir)).catch(() => []);
  }

  async which(program: string): Promise<string | null> {
    for (const dir of SYSTEM_PATH) {
      const path = `${dir}/${program}`;
      if (
        await access(this.at(path), constants.X_OK).then(
          () => true,
          () => false,
        )
      ) {
        return path;
      }
    }
    return null;
  }

  run(file: string, args: string[]): Promise<{ stdout: string }> {
    return this.runner(file, args);
  }

  private at(path: string): string {
    return join(this.root, path);
  }
}

/** A failed program in a few words: not installed, its first line of stderr, or its exit code. */
export function describeFailure(program: string, error: unknown): string {
  const failure = error as NodeJS.ErrnoException & { code?: string | number; stderr?: string };
  if (failure.code === 'ENOENT') {
    return `${program} is not installed`;
  }
  const stderr = typeof failure.stderr === 'string' ? failure.stderr.trim().split('\n')[0] : '';
  if (stderr) {
    return `${program} failed: ${stderr.slice(0, 200)}`;
  }
  return typeof failure.code === 'number'
    ? `${program} exited with ${failure.code}`
    : `${program} failed`;
}
