// The schools' password rule: at least six characters (more if configured) with upper and
// lower case, a number and a symbol.
import { randomBytes } from 'node:crypto';

export function passwordProblems(password: string, minLength: number): string[] {
  const problems: string[] = [];
  if (password.length < minLength) {
    problems.push(`at least ${minLength} characters`);
  }
  if (password.length > 256) {
    problems.push('at most 256 characters');
  }
  if (!/[a-z]/.test(password) || !/[A-Z]/.test(password)) {
    problems.push('upper and lower case letters');
  }
  if (!/[0-9]/.test(password)) {
    problems.push('a number');
  }
  if (!/[^A-Za-z0-9]/.test(password)) {
    problems.push('a symbol');
  }
  return problems;
}

export function describePasswordProblems(field: string, problems: string[]): string {
  return `${field} must have ${problems.join(', ')}`;
}

/**
 * A password that meets the rule: base64url letters and digits (at least `minLength` of them,
 * 16 at least), and a suffix that guarantees every class the rule asks for.
 */
export function generatePassword(minLength = 6): string {
  const bytes = Math.max(12, Math.ceil((minLength * 3) / 4));
  return `${randomBytes(bytes).toString('base64url')}-Aa1`;
}
