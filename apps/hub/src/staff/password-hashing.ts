// How staff passwords are hashed: argon2id, at the cost HUB_PASSWORD_HASH names.
import * as argon2 from 'argon2';
import type { PasswordHashCost } from '../config/hub-config';

/**
 * argon2id's settings for each cost:
 * - `standard` (the default): 64 MiB of memory, 3 passes, 4 lanes, the argon2 package's own
 *   defaults (about 0.15 s and 0.18 s of CPU a hash on the test machine);
 * - `minimum`: 19 MiB, 2 passes, 1 lane, the first of the OWASP Password Storage Cheat Sheet's
 *   argon2id configurations, its stated minimum (about 0.03 s of CPU): for a small hub where 64
 *   MiB per sign-in is too much memory, and for the test suites.
 */
const OPTIONS: Record<
  PasswordHashCost,
  { memoryCost: number; timeCost: number; parallelism: number }
> = {
  standard: { memoryCost: 65536, timeCost: 3, parallelism: 4 },
  minimum: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
};

/**
 * Hashes `password` with argon2id at `cost` (a PHC string such as `$argon2id$v=19$m=65536,...`,
 * which carries its own settings, so a hash made at either cost verifies whatever the setting is
 * later). Rejects only if the native module fails.
 */
export function hashPassword(password: string, cost: PasswordHashCost): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...OPTIONS[cost] });
}

/** Whether `password` matches `hash` (any argon2 PHC string); false for a malformed hash. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
