// The one place the @app/* aliases reach Jest: read from tsconfig.json, used by both Jest configs.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

module.exports = pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' });
