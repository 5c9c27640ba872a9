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
  model: () => import('./model.ts'),
};

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
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
