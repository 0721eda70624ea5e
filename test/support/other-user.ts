// The specs run as root, whom file modes do not stop: root reads a 0600 file of anyone's. A spec
// about a permission runs the hub or the admin CLI as another user instead, `nobody`, through
// util-linux's setpriv, from the compiled dist/ (built-hub.ts), over the files the spec gives that
// user (`giveTo`). Where the specs are not root, or setpriv is missing, those specs fail,
// saying why.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtEntryPoint, ROOT } from './built-hub';

/** The user the permission specs run the hub or the admin CLI as. */
export const OTHER_USER = { name: 'nobody', uid: 65534, gid: 65534 } as const;

/** Why a spec cannot run a process as OTHER_USER here, or null when it can. */
export const cannotRunAsOtherUser: string | null = (() => {
  if (process.getuid?.() !== 0) {
    return 'the specs do not run as root, so they cannot run a process as another user';
  }
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'setpriv (util-linux) is not installed';
  }
  return null;
})();

/**
 * `describe` when a process can be run as OTHER_USER here, else one failing test naming why (never a
 * skipped block: CI would pass without them).
 */
export function asOtherUser(name: string, body: () => void): void {
  if (cannotRunAsOtherUser === null) {
    describe(name, body);
  } else {
    // Never skipped in silence: the run fails here, saying what this machine lacks.
    const reason = cannotRunAsOtherUser;
    describe(name, () => {
      it('can run on this machine', () => {
        throw new Error(`These specs cannot run here: ${reason}`);
      });
    });
  }
}

/** Makes `paths` (and everything under them) OTHER_USER's, as the hub's user's own files are. */
export function giveTo(...paths: string[]): void {
  const own = (at: string) => {
    fs.lchownSync(at, OTHER_USER.uid, OTHER_USER.gid);
    if (fs.lstatSync(at).isDirectory()) {
      for (const entry of fs.readdirSync(at)) {
        own(path.join(at, entry));
      }
    }
  };
  paths.forEach(own);
}

/** What one process did: its exit code and everything it wrote. */
export interface EntryPointRun {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs one of the repository's entry points (`apps/hub/src/admin.ts`, `apps/hub/src/main.ts`)
 * from dist/ with exactly `env` (plus PATH), as this user or, with `otherUser`, as OTHER_USER;
 * resolves when it exits, or after `timeoutMs` with it killed (a hub that started instead of
 * refusing).
 */
export function runEntryPoint(
  entry: string,
  args: readonly string[],
  env: Record<string, string>,
  options: { otherUser?: boolean; timeoutMs?: number } = {},
): Promise<EntryPointRun> {
  const command = [process.execPath, builtEntryPoint(entry), ...args];
  const asUser = options.otherUser
    ? ['setpriv', `--reuid=${OTHER_USER.uid}`, `--regid=${OTHER_USER.gid}`, '--clear-groups']
    : [];
  const [program, ...rest] = [...asUser, ...command];
  const child = spawn(program, rest, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    }),
  );
}
