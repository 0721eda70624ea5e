// The schools' password rule: at least six characters (more if configured) with upper and
// lower case, a number and a symbol.
import { randomBytes } from 'node:crypto';

// The rule itself lives in @app/hub-api, so the console shows the same rule as someone types.
export { describePasswordProblems, passwordProblems } from '@app/hub-api';

/**
 * A password that meets the rule: base64url letters and digits (at least `minLength` of them,
 * 16 at least), and a suffix that guarantees every class the rule asks for.
 */
export function generatePassword(minLength = 6): string {
  const bytes = Math.max(12, Math.ceil((minLength * 3) / 4));
  return `${randomBytes(bytes).toString('base64url')}-Aa1`;
}
