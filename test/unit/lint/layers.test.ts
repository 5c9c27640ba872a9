/**
 * The layer map is enforced by `npm run lint`: an import that points up (or sideways) the map fails, one that
 * points down passes. Checked with the project's own ESLint config, on source text ESLint is given as if it
 * were a file of that folder.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../..', import.meta.url));
// eslint.config.js is JavaScript without type declarations: a path held in a string is not resolved by tsc,
// so the import is typed here.
const config: string = '../../../eslint.config.js';
const { LAYERS } = (await import(config)) as { LAYERS: readonly string[] };
const eslint = new ESLint({ cwd: root });

/** The layer-rule messages ESLint reports for `code` linted as the file `path` (relative to the root). */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('every folder of src/ may import the layers below it and no other', async () => {
  // A real file of each folder, so the type-aware config sees it as part of the project.
  const fileOf: Record<string, string> = {
    util: 'src/util/bytes.ts',
    runtime: 'src/runtime/logger.ts',
    consensus: 'src/consensus/pow.ts',
    store: 'src/store/store.ts',
    chain: 'src/chain/chain.ts',
    mempool: 'src/mempool/mempool.ts',
    mining: 'src/mining/miner.ts',
    wallet: 'src/wallet/wallet.ts',
    net: 'src/net/relay.ts',
    results: 'src/results/ledger.ts',
    engine: 'src/engine/engine.ts',
    http: 'src/http/errors.ts',
    node: 'src/node/node.ts',
    sim: 'src/sim/manager.ts',
    cli: 'src/cli/main.ts',
  };
  // The map itself, bottom first (docs/architecture.md): changing it is a design change, made here too.
  assert.deepEqual(LAYERS, Object.keys(fileOf));
  const layers: readonly string[] = LAYERS;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    for (let j = 0; j < layers.length; j++) {
      const other = layers[j]!;
      if (other === layer) continue;
      const errors = await layerErrors(fileOf[layer]!, `export * from '../${other}/anything.ts';\n`);
      const allowed: boolean = j < i && !(layer === 'consensus' && other === 'runtime');
      assert.equal(
        errors.length,
        allowed ? 0 : 1,
        `${layer}/ importing ${other}/ should ${allowed ? 'pass' : 'fail'}: ${errors.join('; ')}`,
      );
    }
  }
});

test('the rule holds in nested folders and names what is allowed', async () => {
  const errors = await layerErrors(
    'src/node/http/server.ts',
    "export { Simulation } from '../../sim/manager.ts';\n",
  );
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /node\/ may import only util\/, runtime\/, .*net\//);
  const down = await layerErrors('src/node/http/server.ts', "export * from '../../chain/chain.ts';\n");
  assert.deepEqual(down, []);
});

test('consensus/ imports neither runtime/ nor I/O', async () => {
  const errors = await layerErrors(
    'src/consensus/pow.ts',
    "import { readFileSync } from 'node:fs';\nexport * from '../runtime/logger.ts';\nexport { readFileSync };\n",
  );
  assert.equal(errors.length, 2, errors.join('; '));
});

/** Every rule message ESLint reports for `code` linted as the file `path`, as `rule: message`. */
async function allErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result!.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

test('net/model/ is pure: no node built-ins, no runtime/, no clocks, timers or Math.random', async () => {
  const path = 'src/net/model/model.ts';
  const impure = [
    "import { readFileSync } from 'node:fs';",
    "import { performance as perf } from 'node:perf_hooks';",
    "export * from '../../runtime/logger.ts';",
    "export * from '../../store/store.ts';",
    'export const r = Math.random();',
    'export const t = Date.now();',
    'export const p = performance.now();',
    'setTimeout(() => undefined, 1);',
    'export { readFileSync, perf };',
  ].join('\n');
  const errors = await allErrors(path, `${impure}\n`);
  const count = (rule: string): number => errors.filter((e) => e.startsWith(`${rule}:`)).length;
  assert.equal(count('no-restricted-imports'), 4, errors.join('\n'));
  assert.equal(count('no-restricted-properties'), 3, errors.join('\n'));
  assert.ok(count('no-restricted-globals') >= 2, errors.join('\n')); // setTimeout, and performance itself
  // What the model does import passes: util/, its own files, pure-rand.
  const pure = [
    "export { ChainsimError } from '../../util/errors.ts';",
    "export type { Rng } from './types.ts';",
    "export { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';",
  ].join('\n');
  assert.deepEqual(await allErrors(path, `${pure}\n`), []);
  // The rest of net/ keeps net/'s rule (runtime/ allowed).
  assert.deepEqual(await layerErrors('src/net/relay.ts', "export * from '../runtime/logger.ts';\n"), []);
});
