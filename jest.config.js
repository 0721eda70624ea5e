// Unit specs: beside the code in apps/ and libs/, and the console's components (`*.spec.tsx`,
// rendered with react-dom/server; the console's other files are its own, under Vite).
process.env.TZ = 'UTC';
const path = require('path');

module.exports = {
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testRegex: ['.*\\.spec\\.ts$', '/apps/teacher-console/.*\\.spec\\.tsx$'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  // One ts-jest for both (it keeps one set of compiler options per run): the console's specs
  // need only JSX on top, and tsconfig.spec.json compiles each file alone (isolatedModules).
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.spec.json') }],
  },
  moduleNameMapper: require('./jest.paths'),
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/apps/teacher-console/.*\\.ts$'],
};
