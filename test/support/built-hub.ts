// The hub's compiled JavaScript for the specs that start it as its own process (hub-process.ts):
// dist/ as `npm run build` makes it (tsc, then tsc-alias for the @app/* paths), built once per
// Jest run by the suites' global set-up when any TypeScript source is newer than the last build.
// A hub process loads from dist/ in about 1.3 s of CPU, against about 10 s through ts-node
// (transpiling some 400 files at every start), and the suites start over a hundred of them.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

/** What tsconfig.build.json compiles, and the settings it reads. */
const SOURCES = ['apps/hub/src', 'apps/device-agent/src', 'libs', 'bench', 'scripts'];
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** Written after a build that completed; its time is the build's. */
const STAMP = path.join(ROOT, 'dist', '.built-for-tests');

function newest(file: string): number {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) {
    return file.endsWith('.ts') || SETTINGS.includes(path.basename(file)) ? stat.mtimeMs : 0;
  }
  let latest = 0;
  for (const entry of fs.readdirSync(file)) {
    if (entry !== 'node_modules') {
      latest = Math.max(latest, newest(path.join(file, entry)));
    }
  }
  return latest;
}

/**
 * Compiles the hub, agent, scripts and benches into dist/ (`tsc -p tsconfig.build.json` then
 * `tsc-alias`, as `npm run build` does without the console) unless the last build is newer than
 * every TypeScript source and setting. Throws (failing the run before any spec) if tsc does.
 */
export function buildHubIfStale(): void {
  const built = fs.existsSync(STAMP) ? fs.statSync(STAMP).mtimeMs : 0;
  const sources = Math.max(
    ...SOURCES.map((dir) => newest(path.join(ROOT, dir))),
    ...SETTINGS.map((file) => newest(path.join(ROOT, file))),
  );
  if (built > sources) {
    return;
  }
  process.stdout.write('\nCompiling the hub for the specs that start it as a process…\n');
  const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
  fs.rmSync(STAMP, { force: true });
  execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  fs.writeFileSync(STAMP, '');
}

/**
 * The compiled file for one of this repository's TypeScript entry points, relative to the root:
 * `apps/hub/src/main.ts` → `dist/apps/hub/src/main.js`. Throws if it was not built.
 */
export function builtEntryPoint(entry: string): string {
  const built = path.join(ROOT, 'dist', entry.replace(/\.ts$/, '.js'));
  if (!fs.existsSync(built)) {
    throw new Error(`${built} is missing: the suite's global set-up compiles it (buildHubIfStale)`);
  }
  return built;
}
