// Browser specs: Debian's Chromium through playwright-core against a real hub process serving
// the built console (built first if stale). Two files at a time, each with its own hub and
// browser: a file spends most of its time waiting on its pages, not on the cores.
process.env.TZ = 'UTC';
const path = require('path');
const root = path.join(__dirname, '..');

module.exports = {
  rootDir: root,
  roots: ['<rootDir>/test/browser'],
  testRegex: '.*\\.browser-spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.spec.json') }] },
  moduleNameMapper: require(path.join(root, 'jest.paths')),
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/browser-global-setup.ts',
  // Drops the PostgreSQL databases this run's hubs made (on HUB_TEST_DB), as the e2e run does.
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
  // A timer a client library leaves behind would keep Jest (and CI) waiting for ever
  // after the last spec; the specs close what they open, this only ends the run.
  forceExit: true,
};
