// Before the browser specs: builds the console (vite) when dist/console is missing or older than
// any of its sources, so `npm run test:browser` tests what the sources say; and the hub that
// serves it, compiled when stale (built-hub.ts). On PostgreSQL (HUB_TEST_DB, as CI sets it) one
// prefix names the databases this run's hubs make, shared with every worker through the
// environment, so that the global teardown drops them all (test-database.ts).
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildHubIfStale } from './built-hub';

const ROOT = path.join(__dirname, '..', '..');
const SOURCES = ['apps/teacher-console', 'libs/hub-api/src', 'libs/devices/src', 'libs/policy/src'];

function newest(dir: string): number {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      latest = Math.max(latest, newest(full));
    } else {
      latest = Math.max(latest, fs.statSync(full).mtimeMs);
    }
  }
  return latest;
}

export default function buildConsoleIfStale(): void {
  process.env.HUB_TEST_RUN = crypto.randomBytes(4).toString('hex');
  buildHubIfStale();
  const index = path.join(ROOT, 'dist', 'console', 'index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map((dir) => newest(path.join(ROOT, dir))));
  if (built > sources) {
    return;
  }
  process.stdout.write('\nBuilding the console for the browser specs…\n');
  execFileSync(
    path.join(ROOT, 'node_modules', '.bin', 'vite'),
    ['build', '--config', 'apps/teacher-console/vite.config.mts', '--logLevel', 'warn'],
    { cwd: ROOT, stdio: 'inherit' },
  );
}
