// Jest global setup for the end-to-end specs: one prefix for the PostgreSQL databases this run
// makes (test-database.ts), shared with every worker through the environment; and the hub
// compiled for the specs that start it as its own process (built-hub.ts).
import * as crypto from 'node:crypto';
import { buildHubIfStale } from './built-hub';

export default function globalSetup(): void {
  process.env.HUB_TEST_RUN = crypto.randomBytes(4).toString('hex');
  buildHubIfStale();
}
