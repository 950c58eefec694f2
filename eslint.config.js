// ESLint flat config (ESLint 10 + typescript-eslint, recommended rules, not type-checked).
//
// Besides the recommended rules this file enforces the layer boundaries of DESIGN.md
// ("each folder imports only folders listed above it") with the core rule
// `no-restricted-imports`. Imports between folders are relative ('../../db/index.js'), so
// for every folder and every nesting depth below it a config object is generated whose
// patterns match exactly the `../` count that climbs back to src/: a file in
// src/services/users/ reaches the db layer as '../../db/…', never as '../db/…' (that
// would be a subfolder of services/). Edit LAYERS below to change who may import what.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TS = '*.{ts,mts,cts,tsx}';

/** Top-level folders of src/ and the folders each one may import (besides itself). */
const LAYERS = {
  core: [],
  config: ['core'],
  db: ['core', 'config'],
  storage: ['core', 'config'],
  auth: ['core', 'config'],
  vfs: ['core', 'config', 'db', 'storage', 'auth'],
  // DESIGN.md: jobs/ sits between vfs/ and services/; services queue work and handle it.
  jobs: ['core', 'config', 'db', 'storage', 'auth', 'vfs'],
  services: ['core', 'config', 'db', 'storage', 'auth', 'vfs', 'jobs'],
  // dav/ and api/ never touch db/ or storage/: they go through vfs/ and services/.
  dav: ['core', 'config', 'auth', 'vfs', 'services', 'jobs'],
  api: ['core', 'config', 'auth', 'vfs', 'services', 'jobs', 'dav'],
  // Issue 14: Nextcloud's client surface, on top of dav/ and services/.
  nextcloud: ['core', 'config', 'auth', 'vfs', 'services', 'jobs', 'dav'],
  http: ['core', 'config', 'auth', 'vfs', 'services', 'jobs', 'dav', 'api', 'nextcloud', 'app'],
  cli: ['core', 'config', 'db', 'storage', 'auth', 'vfs', 'services', 'jobs', 'dav', 'api', 'http', 'nextcloud', 'app'],
};
/** src/app.ts, the composition root; only the layers listed with 'app' above may import it. */
const APP = 'app';
const FOLDERS = Object.keys(LAYERS);

/** npm packages that only src/db/ may import (everything else goes through the db layer). */
const DB_DRIVERS = ['kysely', 'pg', 'better-sqlite3'];

/** How deep below src/<folder>/ the exact per-depth rules go; deeper files get an approximate rule. */
const MAX_DEPTH = 6;

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Regex prefix for an import that climbs `ups` levels: '../../', also written './../../'. */
const up = (ups) => (ups === null ? '^(?:\\./)?(?:\\.\\./)+' : `^(?:\\./)?(?:\\.\\./){${ups}}`);

/** no-restricted-imports options for a file in src/<folder>/ that climbs `ups` levels to reach src/. */
function importRule(folder, ups) {
  const allowed = LAYERS[folder];
  const forbidden = FOLDERS.filter((f) => f !== folder && !allowed.includes(f));
  const allowedFolders = allowed.filter((f) => f !== APP);
  const patterns = [];
  if (forbidden.length > 0) {
    patterns.push({
      regex: `${up(ups)}(?:${forbidden.map(escape).join('|')})(?:/|$)`,
      message: allowed.length
        ? `src/${folder}/ may import only ${allowed.join(', ')} (layer boundaries, DESIGN.md).`
        : `src/${folder}/ imports no other folder of src/ (layer boundaries, DESIGN.md).`,
    });
  }
  if (!allowed.includes(APP)) {
    patterns.push({
      regex: `${up(ups)}app(?:\\.js|\\.ts)?$`,
      message: `src/app.ts is the composition root: only ${FOLDERS.filter((f) => LAYERS[f].includes(APP)).join(' and ')} import it (DESIGN.md).`,
    });
  }
  if (allowedFolders.length > 0) {
    patterns.push({
      regex: `${up(ups)}(?:${allowedFolders.map(escape).join('|')})/(?!index\\.js$)`,
      message: "A folder's public surface is its index.ts: import '…/<folder>/index.js', not its internals (DESIGN.md).",
    });
  }
  const paths =
    folder === 'db'
      ? []
      : DB_DRIVERS.map((name) => ({ name, message: 'Only src/db/ talks to the database driver; use a repository from db/ (DESIGN.md).' }));
  return ['error', { paths, patterns }];
}

/** One config object per folder and depth; the approximate `**` fallback comes first so the exact ones win. */
function layerConfigs() {
  const configs = [];
  for (const folder of FOLDERS) {
    configs.push({
      name: `cumulus/layers/${folder}`,
      files: [`src/${folder}/**/${TS}`],
      rules: { 'no-restricted-imports': importRule(folder, null) },
    });
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      configs.push({
        name: `cumulus/layers/${folder}/depth-${depth}`,
        files: [`src/${folder}/${'*/'.repeat(depth)}${TS}`],
        rules: { 'no-restricted-imports': importRule(folder, depth + 1) },
      });
    }
  }
  // The composition root imports every layer, but through their index.ts.
  configs.push({
    name: 'cumulus/layers/app',
    files: [`src/${TS}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^\\./(?:${FOLDERS.join('|')})/(?!index\\.js$)`,
              message: "A folder's public surface is its index.ts: import './<folder>/index.js', not its internals (DESIGN.md).",
            },
          ],
        },
      ],
    },
  });
  return configs;
}

export default defineConfig(
  globalIgnores(['**/node_modules/', 'dist/', 'web/dist/', 'data/', 'coverage/', '.tmp/', 'test-results/']),
  {
    name: 'cumulus/typescript',
    files: [`{src,test,bench,web}/**/${TS}`, `*.config.{ts,mts}`],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  ...layerConfigs(),
  {
    // The browser UI (web/, built by Vite): the rules of hooks on top of the TypeScript rules above.
    name: 'cumulus/web',
    files: [`web/**/${TS}`],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    name: 'cumulus/config-owns-env',
    files: [`src/**/${TS}`],
    ignores: [`src/config/**`],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'src/config/ is the only reader of process.env: add a config key (DESIGN.md).' },
      ],
    },
  },
);
