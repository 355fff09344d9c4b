// Lint settings: the recommended JavaScript and typescript-eslint rules, plus the type-aware rules that catch
// promises nobody awaits or handles (an unhandled rejection crashes a run or hides a failed request).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Globals of the report's browser script (it runs in the page, not in Node). */
const browserGlobals = Object.fromEntries(
  'document window history location URL URLSearchParams Blob Response Option DecompressionStream TextDecoder atob setTimeout console'
    .split(' ')
    .map((name) => [name, 'readonly']),
);
/** Globals of the plain JavaScript files that run in Node (bin/, this file). */
const nodeGlobals = Object.fromEntries(
  'process console URL setTimeout clearTimeout'.split(' ').map((name) => [name, 'readonly']),
);

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'runs/', '.goodhart/', 'bench/.cache/', 'bench/.*.tmp.ts', 'test-output/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `const { id: _id, ...rest } = item` drops a field on purpose; `_`-prefixed names are deliberately unused.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      // The build's tsconfig.json plus scripts/, which the build leaves out.
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Tests and benchmarks read protocol JSON from fakes and servers as `any` on purpose; the code under test is typed.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['src/report/assets/**/*.js'], languageOptions: { sourceType: 'script', globals: browserGlobals } },
  { files: ['bin/**/*.js', '*.js'], languageOptions: { globals: nodeGlobals } },
);
