// Lint: the layer fences of the architecture (who may import whom), floating promises, and the recommended
// TypeScript checks. A fence that fails means the code is in the wrong layer: move the code, do not silence it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Import paths a layer must not use, as glob patterns over the specifier. */
const ours = (...layers) => layers.map((l) => [`../${l}/*`, `../../${l}/*`, `../${l}`, `../../${l}`]).flat();
const fence = (message, groups, options = {}) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: groups, message, ...options }] }],
});
const nodeIo = [
  'node:fs',
  'node:fs/*',
  'node:net',
  'node:http',
  'node:https',
  'node:child_process',
  'node:dgram',
  'fs',
  'fs/*',
  'child_process',
  'net',
  'http',
  'https',
];
const temporal = ['@temporalio/*'];
const dataLibraries = ['@duckdb/*', 'apache-arrow', 'apache-arrow/*'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.rareflow/**', 'test/fixtures/**', 'schema/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { project: ['./tsconfig.eslint.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['core/**/*.ts'],
    rules: fence('core/ is pure: no I/O, no Temporal, nothing of ours outside core/', [
      ...ours('data', 'stages', 'activities', 'workflows', 'worker', 'client', 'infra', 'bench'),
      ...temporal,
      ...dataLibraries,
      ...nodeIo,
    ]),
  },
  {
    files: ['data/**/*.ts'],
    rules: fence('data/ sits on core/ only: no Temporal, no stages, activities, workflows or anything above', [
      ...ours('stages', 'activities', 'workflows', 'worker', 'client', 'infra', 'bench'),
      ...temporal,
    ]),
  },
  {
    files: ['stages/**/*.ts'],
    rules: fence('stages/ run one pipeline step on core/ and data/, without Temporal', [
      ...ours('activities', 'workflows', 'worker', 'client', 'infra', 'bench'),
      ...temporal,
    ]),
  },
  {
    files: ['activities/**/*.ts'],
    rules: fence('activities/ adapt stages/ to Temporal: nothing from workflows (but the contract), worker, client or infra', [
      '../workflows/!(contract).js',
      ...ours('worker', 'client', 'infra', 'bench'),
      '@temporalio/workflow',
      '@temporalio/client',
      '@temporalio/worker',
    ]),
  },
  {
    files: ['workflows/**/*.ts'],
    rules: fence(
      'workflow code is deterministic and bundled: values only from @temporalio/workflow, the contract and pure core modules',
      [
        ...ours('data', 'stages', 'activities', 'worker', 'client', 'infra', 'bench'),
        '../core/neighbors/*',
        '@temporalio/activity',
        '@temporalio/client',
        '@temporalio/worker',
        '@temporalio/testing',
        'node:*',
        ...dataLibraries,
        'hnswlib-node',
      ],
      { allowTypeImports: true },
    ),
  },
  {
    files: ['client/**/*.ts', 'bench/**/*.ts', 'infra/**/*.ts'],
    rules: fence('the CLI, bench and infra run pipeline steps through stages/, never through Temporal activities', [...ours('activities')]),
  },
  {
    files: ['test/**/*.ts', 'test/**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
