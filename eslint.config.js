import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import stella from './eslint-rules/layers.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.stella/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { stella },
    rules: {
      'stella/layers': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/shared/**', '../../shared/*'], message: 'tests and code must not read ../shared at run time' }] }],
    },
  },
  {
    // The pure core does no I/O: no fs, network or processes outside tests.
    files: ['src/versions/**/*.ts', 'src/cvss/**/*.ts', 'src/advisories/**/*.ts', 'src/match/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['node:fs', 'node:fs/*', 'fs', 'node:net', 'node:http', 'node:https', 'node:child_process', 'child_process'], message: 'the pure core does no I/O (docs/ARCHITECTURE.md)' }],
      }],
    },
  },
);
