/**
 * `npm run bench -- virtual`: virtual-time runs as a user starts them (`simulate --virtual`, a new process each,
 * so process start counts), under the bitcoin-2019 model and under the generic model, at growing sizes.
 * Targets (issue 16): 1,000 nodes x 100 blocks under bitcoin-2019 in at most 0.75 s of wall time, 10,000 x 100
 * in at most 10 s with a peak RSS under 700 MB; the cost per block should grow linearly with the nodes.
 * Reports wall time (process), engine time, events per second, µs per node and block (linear scaling keeps it
 * flat), peak RSS, and the propagation p50 of t50/t90/t100; then the engine's retained memory per node and block
 * (heap and buffers after a full GC, 10,000 nodes, 100 and 200 blocks, in its own process).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearProgress, machine, median, printTable, progress, round, writeResults } from './lib.ts';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const RSS = fileURLToPath(new URL('./rss-report.mjs', import.meta.url));
const MEMORY = fileURLToPath(new URL('./virtual-memory.mjs', import.meta.url));
const BLOCKS = 100;

interface Run {
  model: string;
  nodes: number;
  wallS: number;
  engineS: number;
  events: number;
  rssMB: number;
  t50: number | null;
  t90: number | null;
  t100: number | null;
  stale: number;
}

function once(model: 'bitcoin-2019' | 'generic', nodes: number): Run {
  const dir = mkdtempSync(join(tmpdir(), 'chainsim-bench-virtual-'));
  try {
    const flags =
      model === 'bitcoin-2019'
        ? ['--model', 'bitcoin-2019']
        : ['--topology', 'random:8', '--latency', 'pareto:100ms'];
    const args = [
      '--import',
      RSS,
      CLI,
      'simulate',
      '--virtual',
      '--nodes',
      String(nodes),
      '--blocks',
      String(BLOCKS),
    ];
    const started = performance.now();
    const r = spawnSync(process.execPath, [...args, ...flags, '--seed', '1', '--results', dir], {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    const wallS = (performance.now() - started) / 1000;
    if (r.status !== 0) throw new Error(`simulate --virtual failed: ${r.stderr}`);
    const rss = /bench-max-rss-kb (\d+)/.exec(r.stderr);
    const [run] = readdirSync(dir);
    const s = JSON.parse(readFileSync(join(dir, run!, 'summary.json'), 'utf8')) as {
      wallSeconds: number;
      events: number;
      staleBlocks: number;
      propagation: Record<'t50Ms' | 't90Ms' | 't100Ms', { p50: number | null }>;
    };
    return {
      model,
      nodes,
      wallS,
      engineS: s.wallSeconds,
      events: s.events,
      rssMB: rss ? Number(rss[1]) / 1024 : Number.NaN,
      t50: s.propagation.t50Ms.p50,
      t90: s.propagation.t90Ms.p50,
      t100: s.propagation.t100Ms.p50,
      stale: s.staleBlocks,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median-wall run of `reps` (its other figures with it). */
function measure(model: 'bitcoin-2019' | 'generic', nodes: number, reps: number): Run {
  const runs: Run[] = [];
  for (let i = 0; i < reps; i++) {
    progress(`virtual: ${model}, ${nodes} nodes x ${BLOCKS} blocks, run ${i + 1} of ${reps}`);
    runs.push(once(model, nodes));
  }
  const mid = median(runs.map((r) => r.wallS));
  return runs.find((r) => r.wallS === mid) ?? runs[0]!;
}

export function run(): void {
  const plan: Array<['bitcoin-2019' | 'generic', number, number]> = [
    ['bitcoin-2019', 1000, 5],
    ['bitcoin-2019', 2000, 3],
    ['bitcoin-2019', 5000, 3],
    ['bitcoin-2019', 6000, 1],
    ['bitcoin-2019', 10000, 3],
    ['generic', 1000, 3],
    ['generic', 10000, 1],
  ];
  const runs = plan.map(([model, nodes, reps]) => measure(model, nodes, reps));
  clearProgress();
  const rows = runs.map((r) => ({
    ...r,
    eventsPerS: r.events / r.engineS,
    usPerNodeBlock: (r.engineS * 1e6) / (r.nodes * BLOCKS),
  }));
  const memory = [100, 200].map((blocks) => {
    progress(`virtual: retained memory, 10000 nodes x ${blocks} blocks`);
    const r = spawnSync(process.execPath, ['--expose-gc', MEMORY, '10000', String(blocks)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`virtual-memory failed: ${r.stderr}`);
    const m = JSON.parse(r.stdout) as { nodes: number; blocks: number; retainedBytes: number };
    return { ...m, bytesPerNodeBlock: m.retainedBytes / (m.nodes * m.blocks) };
  });
  clearProgress();
  printTable(
    `simulate --virtual, ${BLOCKS} blocks, seed 1 (wall includes process start)`,
    [
      'model',
      'nodes',
      'wall s',
      'engine s',
      'events',
      'events/s',
      'µs/node/block',
      'peak RSS MB',
      't50 p50 ms',
      't90 p50 ms',
      'stale',
    ],
    rows.map((r) => [
      r.model,
      r.nodes,
      round(r.wallS, 2),
      round(r.engineS, 2),
      r.events,
      Math.round(r.eventsPerS),
      round(r.usPerNodeBlock, 2),
      Math.round(r.rssMB),
      r.t50 === null ? '-' : Math.round(r.t50),
      r.t90 === null ? '-' : Math.round(r.t90),
      r.stale,
    ]),
  );
  printTable(
    'engine memory retained after the run (bitcoin-2019, seed 1)',
    ['nodes', 'blocks', 'retained MB', 'bytes per node per block'],
    memory.map((m) => [m.nodes, m.blocks, round(m.retainedBytes / 1e6, 1), round(m.bytesPerNodeBlock, 1)]),
  );
  const path = writeResults('virtual', { machine: machine(), blocks: BLOCKS, seed: 1, runs: rows, memory });
  console.log(`wrote ${path}`);
}
