/**
 * `npm run bench -- <name...>`: runs the named benchmarks (all when none is named). Each prints a table and
 * writes bench/results/<name>.json. Benchmarks run against the built code (`npm run bench` builds first).
 */
const benches: Record<string, () => Promise<{ run: () => void | Promise<void> }>> = {
  headers: () => import('./headers.ts'),
  mining: () => import('./mining.ts'),
  propagation: () => import('./propagation.ts'),
  network: () => import('./network.ts'),
  tx: () => import('./tx.ts'),
  store: () => import('./store.ts'),
  hostile: () => import('./hostile.ts'),
  stale: () => import('./stale.ts'),
  model: () => import('./model.ts'),
  virtual: () => import('./virtual.ts'),
};

// Names come first; what follows the first option belongs to the benchmarks (`stale --nodes 64`).
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const names = firstOption < 0 ? args : args.slice(0, firstOption);
const unknown = names.filter((n) => !(n in benches));
if (unknown.length > 0 || process.argv.includes('--help')) {
  console.error(`usage: npm run bench -- [${Object.keys(benches).join('|')}]...`);
  if (unknown.length > 0) console.error(`unknown benchmark(s): ${unknown.join(', ')}`);
  process.exit(unknown.length > 0 ? 2 : 0);
}
for (const name of names.length > 0 ? names : Object.keys(benches)) {
  const mod = await benches[name]!();
  await mod.run();
}
