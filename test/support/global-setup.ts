// Jest global setup for the end-to-end specs: one prefix for the PostgreSQL databases this run
// makes (test-database.ts), shared with every worker through the environment.
import * as crypto from 'node:crypto';

export default function globalSetup(): void {
  process.env.HUB_TEST_RUN = crypto.randomBytes(4).toString('hex');
}
