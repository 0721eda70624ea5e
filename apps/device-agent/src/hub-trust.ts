// How the agent and the simulator decide which certificate authority to trust for an https://
// hub (issue 9), and where the agent keeps that decision between enrolment and every later run.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  certificateFingerprint,
  fetchPinnedCa,
  HubTrustError,
  normaliseFingerprint,
  trustCa,
  type HubTrust,
} from '@app/devices';
import { writePrivateFile } from './agent-state';

/** The CA the agent trusts for its hub, saved at enrolment beside the identity. */
export const HUB_CA_FILE = 'hub-ca.pem';

export interface TrustChoice {
  hubUrl: string;
  /** `--ca FILE`, or HUB_CA_FILE from the environment. */
  caFile?: string;
  /** `--ca-fingerprint`: fetch GET /api/ca.pem and trust it only if this is its SHA-256. */
  caFingerprint?: string;
  signal?: AbortSignal;
}

/**
 * The trust for a hub URL:
 * - http://: none (and a CA or fingerprint given for it is a mistake, refused);
 * - https:// with `--ca FILE`: that CA, on top of Node's built-in roots (with a fingerprint as
 *   well, the file must match it);
 * - https:// with only `--ca-fingerprint`: the hub's own CA from GET /api/ca.pem, if it matches;
 * - https:// with neither: undefined, so Node's built-in roots alone (a certificate from a public
 *   CA, such as a reverse proxy's).
 *
 * @throws HubTrustError for a CA that cannot be read, is not a CA, or does not match
 */
export async function chooseTrust(choice: TrustChoice): Promise<HubTrust | undefined> {
  const https = new URL(choice.hubUrl).protocol === 'https:';
  if (!https) {
    if (choice.caFingerprint !== undefined) {
      throw new HubTrustError('--ca-fingerprint is for an https:// hub');
    }
    return undefined;
  }
  if (choice.caFile !== undefined) {
    let pem: string;
    try {
      pem = await readFile(choice.caFile, 'utf8');
    } catch (error) {
      throw new HubTrustError(
        `cannot read the CA file ${choice.caFile}: ${(error as Error).message}`,
      );
    }
    const trust = trustCa(pem);
    if (
      choice.caFingerprint !== undefined &&
      certificateFingerprint(pem) !== normaliseFingerprint(choice.caFingerprint)
    ) {
      throw new HubTrustError(`${choice.caFile} does not have the fingerprint given`);
    }
    return trust;
  }
  if (choice.caFingerprint !== undefined) {
    return fetchPinnedCa(choice.hubUrl, choice.caFingerprint, choice.signal);
  }
  return undefined;
}

/** Keeps the enrolment's trust for later runs, or removes an older one when there is none. */
export async function saveTrust(stateDir: string, trust: HubTrust | undefined): Promise<void> {
  const file = join(stateDir, HUB_CA_FILE);
  if (trust) {
    await writePrivateFile(file, trust.caPems.join('\n'));
  } else {
    await rm(file, { force: true });
  }
}

/** The trust saved at enrolment, if any. */
export async function loadTrust(stateDir: string): Promise<HubTrust | undefined> {
  try {
    return trustCa(await readFile(join(stateDir, HUB_CA_FILE), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}
