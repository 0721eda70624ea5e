// One part of the Linux agent's policy enforcement: the settings it claims (which must be the
// ones PLATFORM_SUPPORT in @app/policy gives it, a unit test checks that) and how it puts them
// into effect through the SystemWriter.

import {
  settingRestricts,
  type LinuxEnforcerName,
  type PolicySettings,
  type SettingPath,
} from '@app/policy';
import type { SystemWriter } from '../system-writer';

/** A setting the device could not enforce this time, and why, in a few words. */
export interface Unenforced {
  path: SettingPath;
  reason: string;
}

export interface SettingEnforcer {
  readonly name: LinuxEnforcerName;
  /** The settings this enforcer puts into effect. */
  readonly settings: readonly SettingPath[];
  /**
   * Puts the settings into effect, or takes its configuration away when they ask for nothing.
   * Resolves with those of its settings that ask for something and are not enforced; never
   * rejects for a failing program (that setting is reported instead).
   */
  apply(settings: PolicySettings, system: SystemWriter): Promise<Unenforced[]>;
  /** Takes away everything it wrote (the device was unenrolled). */
  remove(system: SystemWriter): Promise<void>;
}

/** The enforcer's settings that ask for something under `settings`. */
export function wanted(
  enforcer: Pick<SettingEnforcer, 'settings'>,
  settings: PolicySettings,
): SettingPath[] {
  return enforcer.settings.filter((path) => settingRestricts(path, settings));
}

/** Every path in `paths`, not enforced for `reason`. */
export function allUnenforced(paths: readonly SettingPath[], reason: string): Unenforced[] {
  return paths.map((path) => ({ path, reason }));
}

export const NOT_ROOT = 'the agent is not running as root';

/** What `beginApply` found: the settings to enforce and the program's path, or the answer now. */
export type ApplyStart =
  | { ready: true; paths: SettingPath[]; program: string }
  | { ready: false; unenforced: Unenforced[] };

/**
 * The start every enforcer's `apply` shares: settings that ask for nothing take its configuration
 * away (answer: nothing unenforced); without root, or without `program` on the PATH, every
 * wanted setting is unenforced with the reason (`missing`, default "<program> is not installed").
 */
export async function beginApply(
  enforcer: SettingEnforcer,
  settings: PolicySettings,
  system: SystemWriter,
  program: string,
  missing = `${program} is not installed`,
): Promise<ApplyStart> {
  const paths = wanted(enforcer, settings);
  if (paths.length === 0) {
    await enforcer.remove(system);
    return { ready: false, unenforced: [] };
  }
  if (!system.isRoot) {
    return { ready: false, unenforced: allUnenforced(paths, NOT_ROOT) };
  }
  const found = await system.which(program);
  if (!found) {
    return { ready: false, unenforced: allUnenforced(paths, missing) };
  }
  return { ready: true, paths, program: found };
}

/** The header of every file the agent writes, so a person finding it knows where it came from. */
export function writtenBy(what: string, comment = '#'): string {
  return (
    `${comment} Written by the classroom device agent from the school's policy (${what}).\n` +
    `${comment} It is rewritten or removed when the policy changes; do not edit it by hand.\n`
  );
}
