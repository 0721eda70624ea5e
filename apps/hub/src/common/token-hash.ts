// Secrets handed out once (sign-in tokens, enrolment tokens) are stored only as this hash.
import { createHash } from 'node:crypto';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
