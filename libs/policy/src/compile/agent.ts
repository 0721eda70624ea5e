// Compiles a resolved policy into the payload of the `policy.apply` command (protocol section 3),
// which the reference agent and native apps apply as a whole.

import type { ResolvedPolicy } from '../resolve';
import { validateSettings, type PolicySettings } from '../settings';
import { policyVersion } from '../version';

export interface PolicyApplyPayload {
  policyVersion: string;
  settings: PolicySettings;
}

/** A ResolvedPolicy whose version is not the hash of its settings: stale, or edited after resolving. */
export class PolicyVersionMismatchError extends Error {
  override readonly name = 'PolicyVersionMismatchError';
}

export function compileAgentPayload(resolved: ResolvedPolicy): PolicyApplyPayload {
  const settings = validateSettings(resolved.settings);
  const version = policyVersion(settings);
  // A device reports the version back in its state; a version that does not match the settings
  // would make the hub re-send the policy for ever, so refuse a stale or edited ResolvedPolicy.
  if (version !== resolved.version) {
    throw new PolicyVersionMismatchError(
      `resolved policy version ${resolved.version} does not match its settings (${version})`,
    );
  }
  return { policyVersion: version, settings };
}
