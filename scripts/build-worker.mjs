/**
 * `npm run build:worker`: the node worker as one CommonJS bundle (dist/node/worker.bundle.cjs) and the small
 * loader that runs it (dist/runtime/worker-loader.cjs), both from tsc's output in dist/.
 *
 * Every node is a worker thread with its own V8 isolate, so whatever a worker loads, compiles and runs at
 * start-up is paid once per node (64 nodes on 2 cores must be up in ≤ 5 s). Hence (the measurements are in
 * docs/decisions.md, "Every node starts from one V8 code cache, made by a rehearsal" and "What else a node
 * does not pay at start-up"):
 * - one bundle, not ~200 module files to resolve and read;
 * - CommonJS, so the loader can compile it with a V8 code cache (`vm.Script` `cachedData`; ES modules take
 *   none in Node 20) and a worker skips the ESM loader's own start-up;
 * - memory-level is bundled instead of `require`d from node_modules, and so is classic-level (LevelDB, what
 *   `npm run simulate` uses by default; its addon still loads from node_modules); pino-pretty (nodes do not
 *   format logs: the manager does) and the native addons stay outside and load on first use;
 * - fastify's `node:https` and `node:http2` (which load TLS) are required on first use instead of at start-up:
 *   a node serves plain HTTP/1.1 only.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath, URL } from 'node:url';
import { build } from 'esbuild';

const external = [
  'pino-pretty',
  '@napi-rs/nice',
  'chainsim-native',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  'fast-json-stringify',
  'ajv',
  'ajv-formats',
  // Its CommonJS build reads its .wasm file next to itself; loaded on the first signature verification.
  'tiny-secp256k1',
];

/**
 * `node:https` and `node:http2` as proxies that require the real module on first property access.
 * @type {import('esbuild').Plugin}
 */
const lazyTlsModules = {
  name: 'lazy-tls-modules',
  setup(b) {
    b.onResolve({ filter: /^node:(https|http2)$/ }, (args) =>
      // The proxy's own require of the module is the real one.
      args.namespace === 'lazy-builtin'
        ? { path: args.path, external: true }
        : { path: args.path, namespace: 'lazy-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
module.exports = new Proxy({}, {
  get: (_t, key) => load()[key],
  has: (_t, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_t, key) => {
    const d = Object.getOwnPropertyDescriptor(load(), key);
    if (d) d.configurable = true;
    return d;
  },
});`,
    }));
  },
};

/**
 * classic-level (LevelDB) into the bundle: its JavaScript then compiles once per node from the bundle, and it
 * shares the bundle's abstract-level (memory-level's) instead of loading a second copy from node_modules. Two
 * rewrites make that work: the store's lazy `createRequire(...)('classic-level')` becomes a plain `require`
 * that esbuild follows (still run on first use only), and classic-level's `binding.js`, which finds its
 * prebuilt addon next to itself (`__dirname`), looks in the installed package instead.
 * @type {import('esbuild').Plugin}
 */
const bundledClassicLevel = {
  name: 'bundled-classic-level',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]store[\\/]store\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const lazy = "requireCjs('classic-level')";
      // Exactly once: a second spelling (in a comment, say) would take the rewrite and leave the real call
      // loading classic-level from node_modules in every worker (about 1 MB and 5 ms more per node).
      const count = source.split(lazy).length - 1;
      if (count !== 1)
        throw new Error(`${args.path} must load classic-level with ${lazy} exactly once, found ${count}`);
      return { contents: source.replace(lazy, "require('classic-level')"), loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]node_modules[\\/]classic-level[\\/]binding\.js$/ }, () => ({
      contents: `const { dirname } = require('node:path');
module.exports = require('node-gyp-build')(dirname(require.resolve('classic-level/package.json')));`,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // The sources are ES modules: `import.meta.url` becomes the bundle's own URL.
  inject: [fileURLToPath(new URL('./import-meta-url.mjs', import.meta.url))],
  define: { 'import.meta.url': 'importMetaUrl' },
};

await build({
  ...common,
  entryPoints: ['dist/node/worker.js'],
  outfile: 'dist/node/worker.bundle.cjs',
  external: [...external, 'node-gyp-build', 'classic-level/package.json'],
  plugins: [lazyTlsModules, bundledClassicLevel],
});
await build({
  ...common,
  entryPoints: ['dist/runtime/worker-loader.js'],
  outfile: 'dist/runtime/worker-loader.cjs',
});
