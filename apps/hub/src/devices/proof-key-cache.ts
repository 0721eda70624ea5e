// The parsed public keys that device proofs are checked against, kept because parsing a
// certificate costs more than checking a proof. Bounded (issue 8 item 21: it only grew): one key
// per device, the certificate it came from replacing the one before; a revoked device's key is
// dropped; and past `capacity` devices the least recently used key goes.
import type { KeyObject } from 'node:crypto';

/** Enough for every device of a large school at once: a storm should not parse keys twice. */
export const PROOF_KEY_CACHE_CAPACITY = 50_000;

export class ProofKeyCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  private readonly keys = new Map<string, { certificateSerial: string; key: KeyObject }>();

  /** @param capacity most devices whose keys are kept (at least 1) */
  constructor(private readonly capacity = PROOF_KEY_CACHE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('capacity must be a whole number of at least 1');
    }
  }

  get size(): number {
    return this.keys.size;
  }

  /**
   * The device's key for the certificate it holds now, parsed by `parse` when not kept (or kept
   * for an older certificate: a re-enrolled device).
   */
  keyFor(deviceId: string, certificateSerial: string, parse: () => KeyObject): KeyObject {
    const known = this.keys.get(deviceId);
    this.keys.delete(deviceId);
    const entry =
      known?.certificateSerial === certificateSerial ? known : { certificateSerial, key: parse() };
    this.keys.set(deviceId, entry);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next().value as string;
      this.keys.delete(oldest);
    }
    return entry.key;
  }

  /** Forgets a device's key (it was revoked). */
  drop(deviceId: string): void {
    this.keys.delete(deviceId);
  }

  has(deviceId: string): boolean {
    return this.keys.has(deviceId);
  }
}
