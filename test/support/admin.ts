// The admin CLI (apps/hub/src/admin.ts, `npm run admin -- ...`) run in the test's own process:
// quicker than a process per call, and the same entry the command line calls.
import { runAdmin } from '../../apps/hub/src/admin';

/** What one admin command did: its exit code and everything it wrote to stdout and stderr. */
export interface AdminRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs one admin command (`args`, as after `npm run admin --`) with `env` as its environment
 * (HUB_LOG_LEVEL defaults to `silent`), collecting what it writes.
 *
 * @returns its exit code (0 done, 1 refused or failed) and its output; never throws for a refusal
 */
export async function runAdminHere(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<AdminRun> {
  let out = '';
  let err = '';
  const code = await runAdmin(
    args,
    { HUB_LOG_LEVEL: 'silent', ...env },
    { out: (text) => (out += text), err: (text) => (err += text) },
  );
  return { code, out, err };
}
