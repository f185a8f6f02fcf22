// @ts-check
/**
 * Lint gate run by CI: typescript-eslint's recommended rules and eslint-plugin-regexp, whose
 * `no-super-linear-backtracking` and `no-super-linear-move` rules catch regexes whose time
 * grows with the square of the input (a 300 KB line must never freeze the service).
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

export default tseslint.config(
  { ignores: ['node_modules/', '.probe/', 'cdk.out/', 'coverage/', '.imr-data/', 'scans/', 'inbox/', 'schema/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  regexp.configs['flat/recommended'],
  {
    files: ['bin/**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', module: 'writable' } },
  },
  {
    rules: {
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      'regexp/no-super-linear-move': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
