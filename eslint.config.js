// Layers are enforced here (VS Code style): shared/ is pure, renderer/ is a web app,
// and only main/electron/ may load electron at run time.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const electronOnlyInShell = {
  name: 'electron',
  message: 'Only main/electron/ may import electron at run time; use `import type` elsewhere.',
  allowTypeImports: true,
};
// Exact names (not patterns): a builtin such as `domain` must not match `../domain/x.js`.
const noNode = nodeBuiltins.map((name) => ({ name, message: 'This layer runs without Node.' }));
// main/ is layered bottom-up; a layer imports only the layers below it (shells are on top).
const MAIN_LAYERS = [
  ['common', ['**/local-db/**', '**/sync/**', '**/runtime/**', '**/bridge/**', '**/launch/**']],
  ['local-db', ['**/sync/**', '**/runtime/**', '**/bridge/**', '**/launch/**']],
  ['sync', ['**/runtime/**', '**/bridge/**', '**/launch/**']],
  ['runtime', ['**/bridge/**', '**/launch/**']],
  ['bridge', ['**/launch/**']],
];
const mainShells = ['**/electron/**', '**/demo/**', '**/cli.js'];
const mainBase = {
  group: ['**/renderer/**', '**/cloud/**'],
  message: 'main/ talks to the hub over the wire.',
};
const layer = (files, patterns, extraPaths = []) => ({
  files,
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      { paths: [electronOnlyInShell, ...extraPaths], patterns },
    ],
  },
});

const hubDependsOnSharedOnly = {
  group: ['**/main/**', '**/renderer/**', '**/drivers/**'],
  message: 'The hub depends on shared/ only.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'test-results/',
      'playwright-report/',
      '.lineup/',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
    },
  },
  layer(['**/*.ts', '**/*.tsx', '**/*.js'], []),
  layer(
    ['shared/**'],
    [
      { group: ['react', 'react-dom'], message: 'shared/ is pure TypeScript.' },
      {
        group: ['**/main/**', '**/cloud/**', '**/drivers/**', '**/renderer/**'],
        message: 'shared/ depends on nothing else in Lineup.',
      },
    ],
    noNode,
  ),
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', '__dirname', 'window', 'document', 'navigator'].map(
          (name) => ({ name, message: 'shared/ has no Node or DOM.' }),
        ),
      ],
    },
  },
  layer(
    ['renderer/**'],
    [
      {
        group: ['**/main/**', '**/cloud/**', '**/drivers/**'],
        message: 'The renderer talks only to the appliance API (shared/api).',
      },
    ],
    noNode,
  ),
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  layer(
    ['drivers/**'],
    [
      {
        group: ['**/main/**', '**/cloud/**', '**/renderer/**'],
        message: 'drivers/ depend on shared/ only.',
      },
    ],
  ),
  layer(['cloud/**'], [hubDependsOnSharedOnly]),
  // Storage is behind the repo port (cloud/db/hub-repo.ts): only cloud/db/ knows SQLite.
  {
    ...layer(
      ['cloud/**'],
      [
        hubDependsOnSharedOnly,
        { group: ['**/db/hub-db*'], message: 'Use the repo port (cloud/db/hub-repo.ts).' },
      ],
      [{ name: 'better-sqlite3', message: 'Only cloud/db/ knows SQLite: use the repo port.' }],
    ),
    ignores: ['cloud/db/**'],
  },
  layer(['main/**'], [mainBase]),
  ...MAIN_LAYERS.map(([name, above]) =>
    layer(
      [`main/${name}/**`],
      [
        mainBase,
        {
          group: [...above, ...mainShells],
          message: `main/${name} imports only the layers below it (common → local-db → sync → runtime → bridge → launch → shells).`,
        },
      ],
    ),
  ),
  {
    files: ['main/electron/**'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  // The hub's storage port is asynchronous: a forgotten `await` would let a write escape its
  // transaction or a refusal go unseen. Typed rules catch it where the hub is called.
  {
    files: [
      'cloud/**/*.ts',
      'bench/**/*.ts',
      'test/unit/cloud/**/*.ts',
      'test/integration/{hub,bloom,agent,notify,ombori,health}/**/*.ts',
    ],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['*.config.{js,ts}', '**/*.config.{js,ts}'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  prettier,
);
