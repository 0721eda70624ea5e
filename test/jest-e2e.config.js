// End-to-end specs: the real AppModule, a real SQLite file, real HTTP and Socket.IO.
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
  testTimeout: 30000,
  maxWorkers: 2,
};
