// Cluster specs (`npm run test:cluster`, issue 10): several real hub processes on one PostgreSQL
// database (HUB_TEST_DB) and one Redis (HUB_TEST_REDIS), each spec file with its own database and
// Redis channel prefix (test/support/cluster.ts). One file at a time: each starts its own hubs.
process.env.TZ = 'UTC';
const path = require('path');
const root = path.join(__dirname, '..');

module.exports = {
  rootDir: root,
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.cluster-spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.spec.json') }] },
  moduleNameMapper: require(path.join(root, 'jest.paths')),
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/per-file.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 60000,
  maxWorkers: 1,
  // In band, a timer a client library leaves behind would keep Jest (and CI) waiting for ever
  // after the last spec; the specs close what they open, this only ends the run.
  forceExit: true,
};
