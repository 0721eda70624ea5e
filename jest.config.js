// Unit specs: beside the code in apps/ and libs/.
process.env.TZ = 'UTC';
const path = require('path');

module.exports = {
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testRegex: '.*\\.spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.spec.json') }] },
  moduleNameMapper: require('./jest.paths'),
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/apps/teacher-console/'],
};
