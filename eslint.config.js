// One linter (ESLint + typescript-eslint, type-aware) and one formatter (Prettier, run by `npm run lint`).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// consensus/ is pure and synchronous: no I/O, clocks, loggers, randomness, workers or HTTP (DESIGN.md "Layers").
const consensusForbidden = [
  'fs',
  'fs/promises',
  'net',
  'results',
  'engine',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'child_process',
  'cluster',
  'worker_threads',
  'crypto',
  'os',
  'process',
  'readline',
  'timers',
  'timers/promises',
  'perf_hooks',
  'stream',
  'tty',
  'v8',
  'vm',
].flatMap((m) => [m, `node:${m}`]);

/**
 * The layer map (DESIGN.md, docs/architecture.md), bottom first: each folder of src/ may import only the folders
 * below it. One rule per folder, so an upward or sideways import fails `npm run lint`
 * (test/unit/lint/layers.test.ts checks that it does).
 */
export const LAYERS = [
  'util',
  'runtime',
  'consensus',
  'store',
  'chain',
  'mempool',
  'mining',
  'wallet',
  'net',
  'results',
  'engine',
  'http',
  'node',
  'sim',
  'cli',
];

/** Folders a layer may not import although they are below it: consensus/ is pure, so not even runtime/. */
const ALSO_FORBIDDEN = /** @type {Record<string, string[] | undefined>} */ ({ consensus: ['runtime'] });

/** Packages consensus/ may not import (besides the node: built-ins): loggers, servers, pools, databases. */
const consensusPackages = ['pino*', 'fastify*', 'piscina', 'undici', '*level*'];

/** One `no-restricted-imports` block per folder (the top one, cli/, may import every other). */
/** @type {import("eslint").Linter.Config[]} */
export const layerRules = [];
for (const [i, layer] of LAYERS.entries()) {
  const below = LAYERS.slice(0, i).filter((l) => !(ALSO_FORBIDDEN[layer] ?? []).includes(l));
  const forbidden = LAYERS.filter((l) => l !== layer && !below.includes(l));
  if (forbidden.length === 0) continue;
  const allowed = below.length === 0 ? 'no other folder of src/' : below.map((l) => `${l}/`).join(', ');
  const patterns = [
    {
      group: forbidden.map((l) => `**/${l}/**`),
      message: `${layer}/ may import only ${allowed} (imports point down the layer map: docs/architecture.md).`,
    },
  ];
  if (layer === 'consensus') {
    patterns.push({
      group: consensusPackages,
      message: 'consensus/ is pure: no loggers, servers, pools or databases.',
    });
  }
  // engine/ (virtual time) is pure too: a run is a function of its seed and settings; the CLI does its I/O.
  const paths =
    layer === 'consensus' || layer === 'engine'
      ? consensusForbidden.map((name) => ({
          name,
          message: `${layer}/ is pure: take I/O, clocks and randomness as arguments.`,
        }))
      : [];
  layerRules.push({
    files: [`src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
  });
}

// net/model/ (the network model) is pure like consensus/: no node built-ins, no runtime/, no I/O packages,
// time and randomness as arguments, so the live relay and the virtual-time engine get the same answers from a
// seed. It may import util/ and consensus/ only. (A later block for the same files replaces net/'s layer rule,
// so this one includes net/'s own restrictions.)
const MODEL_ALLOWED = ['util', 'consensus'];
layerRules.push({
  files: ['src/net/model/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: consensusForbidden.map((name) => ({
          name,
          message: 'net/model/ is pure: take time and randomness as arguments.',
        })),
        patterns: [
          {
            // Every layer but these two (and net/ itself): net/'s upward imports and runtime/ to storage.
            group: LAYERS.filter((l) => !MODEL_ALLOWED.includes(l) && l !== 'net').map((l) => `**/${l}/**`),
            message: 'net/model/ is pure: it may import only util/ and consensus/ (docs/architecture.md).',
          },
          {
            group: consensusPackages,
            message: 'net/model/ is pure: no loggers, servers, pools or databases.',
          },
        ],
      },
    ],
  },
});

/** Globals and properties a pure folder may not use (consensus/ and net/model/). */
const impureGlobals = (/** @type {string} */ folder) => ({
  'no-restricted-globals': [
    'error',
    { name: 'Date', message: `${folder} takes \`now\` as an argument.` },
    { name: 'setTimeout', message: `${folder} is synchronous.` },
    { name: 'setInterval', message: `${folder} is synchronous.` },
    { name: 'setImmediate', message: `${folder} is synchronous.` },
    { name: 'fetch', message: `${folder} does no I/O.` },
    { name: 'process', message: `${folder} does no I/O.` },
    { name: 'console', message: `${folder} does not log.` },
    { name: 'performance', message: `${folder} takes \`now\` as an argument.` },
  ],
  'no-restricted-properties': [
    'error',
    {
      object: 'Math',
      property: 'random',
      message: `${folder} is deterministic: take randomness as an argument.`,
    },
    { object: 'Date', property: 'now', message: `${folder} takes \`now\` as an argument.` },
    { object: 'performance', property: 'now', message: `${folder} takes \`now\` as an argument.` },
  ],
});

export default tseslint.config(
  {
    // assembly/ is AssemblyScript (its own types, checked by asc via assembly/tsconfig.json), not TypeScript.
    ignores: [
      'dist/',
      'node_modules/',
      'data/',
      'logs/',
      'bench/results/',
      'build/',
      'native/build/',
      'assembly/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', 'native/*.mjs', 'bench/*.mjs', 'scripts/*.mjs'],
          // Nine such files (scripts/postman.mjs was the ninth); the default cap is 8.
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 16,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after'],
              package: 'node:test',
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  ...layerRules,
  { files: ['src/consensus/**/*.ts'], rules: impureGlobals('consensus/') },
  { files: ['src/net/model/**/*.ts'], rules: impureGlobals('net/model/') },
  { files: ['src/engine/**/*.ts'], rules: impureGlobals('engine/') },
  {
    // The CLI is the only layer that prints (DESIGN.md); bench and test scripts report to the terminal too.
    files: ['src/cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
);
