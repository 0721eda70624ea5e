// Jest global teardown for the end-to-end specs: drops the PostgreSQL databases this run made
// that no spec dropped itself (hubs restarted over a data directory the spec kept).
import { dropRunDatabases } from './test-database';

export default async function globalTeardown(): Promise<void> {
  await dropRunDatabases();
}
