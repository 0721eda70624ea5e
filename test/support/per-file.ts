// Runs after each end-to-end spec file's own hooks are set up: once the file's tests are done,
// drops the PostgreSQL databases of the hubs it closed (test-database.ts). Nothing on SQLite.
import { dropClosedDatabases } from './test-database';

afterAll(async () => {
  await dropClosedDatabases();
});
