// Lint for the TypeScript in apps/ (the console's .tsx too), libs/, test/, bench/ and scripts/: typescript-eslint's recommended
// rules plus the type-aware checks that catch a forgotten await, and braces on every block.
// @ts-check
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/dist/',
    '**/node_modules/',
    'coverage/',
    'data/',
    'bench/results/',
    // Tool configuration in plain JavaScript (Jest, this file).
    '*.{js,cjs,mjs}',
    'test/*.{js,cjs,mjs}',
  ]),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    // The console's .tsx and its Vite config are checked against its own tsconfig
    // (apps/teacher-console/tsconfig.json: DOM, JSX, bundler resolution), found by projectService.
    files: [
      'apps/**/*.ts',
      'apps/**/*.tsx',
      'apps/teacher-console/vite.config.mts',
      'libs/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.ts',
    ],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      curly: ['error', 'all'],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Configuration is read once, in config/hub-config.ts; nothing else in the hub reads the
    // environment (../shared/engineering.md).
    files: ['apps/hub/src/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings from HubConfig (config/hub-config.ts), not process.env.',
        },
      ],
    },
  },
  {
    // TypeORM's createIndices makes a table's indexes all at once (Promise.all); on SQLite one
    // index's read of the table meets another's half made ("reading 'sql'"), and the hub's start
    // fails now and then. Migrations make them one at a time with createIndex.
    files: ['apps/hub/src/database/migrations/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='createIndices']",
          message: 'Make indexes one at a time with createIndex (createIndices runs them at once).',
        },
      ],
    },
  },
);
