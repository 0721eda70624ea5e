// End-to-end specs: the real AppModule, a real SQLite file (or PostgreSQL with HUB_TEST_DB), real
// HTTP and Socket.IO.
process.env.TZ = 'UTC';
const path = require('path');
const root = path.join(__dirname, '..');

module.exports = {
  rootDir: root,
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.e2e-spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.spec.json') }] },
  moduleNameMapper: require(path.join(root, 'jest.paths')),
  testEnvironment: 'node',
  // HUB_TEST_DB=postgres://... (npm run test:postgres): one prefix for the run's databases.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/per-file.ts'],
  // On PostgreSQL, the specs about SQLite itself are left out, each for its reason: its WAL file,
  // its query plans, its one shared connection, and the backup of its file and the admin
  // commands' refusals of its paths (PostgreSQL is backed up with pg_dump).
  testPathIgnorePatterns: process.env.HUB_TEST_DB
    ? [
        '/node_modules/',
        '/test/sqlite-wal\\.e2e-spec\\.ts$',
        '/test/command-queue-indexes\\.e2e-spec\\.ts$',
        '/test/transaction-queue\\.e2e-spec\\.ts$',
        '/test/backup-restore\\.e2e-spec\\.ts$',
        '/test/backup-refusals\\.e2e-spec\\.ts$',
        '/test/admin-path-refusals\\.e2e-spec\\.ts$',
      ]
    : // On SQLite, the specs that need a PostgreSQL server: the copy from SQLite to PostgreSQL.
      ['/node_modules/', '/test/copy-to-postgres\\.e2e-spec\\.ts$'],
  testTimeout: 30000,
  maxWorkers: 2,
};
