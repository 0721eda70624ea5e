// A full disk for the specs about one: a small tmpfs mounted in a folder of the spec's, every
// block of it taken, so that the next write there fails with ENOSPC as on a school's full
// server. Mounting needs root with CAP_SYS_ADMIN; where the specs have not, those specs fail,
// saying why.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Why a spec cannot mount a tmpfs here, or null when it can. */
export const cannotMountDisk: string | null = (() => {
  if (process.getuid?.() !== 0) {
    return 'the specs do not run as root, so they cannot mount a small disk';
  }
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-disk-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return null;
  } catch {
    return 'mounting a tmpfs is not allowed here (no CAP_SYS_ADMIN)';
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
})();

/**
 * `describe` when a small disk can be mounted here, else one failing test naming why (never a
 * skipped block: CI would pass without them).
 */
export function onFullDisk(name: string, body: () => void): void {
  if (cannotMountDisk === null) {
    describe(name, body);
  } else {
    // Never skipped in silence: the run fails here, saying what this machine lacks.
    const reason = cannotMountDisk;
    describe(name, () => {
      it('can run on this machine', () => {
        throw new Error(`These specs cannot run here: ${reason}`);
      });
    });
  }
}

/**
 * Mounts a 1 MB tmpfs on `folder` (an empty folder of the spec's) and fills it, leaving one file,
 * `filler`, that holds every block; folders can still be made on it, files cannot be written.
 *
 * @returns what unmounts it (call it before removing `folder`)
 */
export function mountFullDisk(folder: string): () => void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', folder], { stdio: 'ignore' });
  const filler = fs.openSync(path.join(folder, 'filler'), 'w');
  try {
    for (;;) {
      fs.writeSync(filler, Buffer.alloc(64 * 1024));
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') {
      throw error;
    }
  } finally {
    fs.closeSync(filler);
  }
  return () => execFileSync('umount', [folder], { stdio: 'ignore' });
}
