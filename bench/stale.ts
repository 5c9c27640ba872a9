/**
 * `npm run bench -- stale [--nodes 64] [--blocks 200] [--latency pareto:100ms] [--topology random:8] [--seed 1]`:
 * what latency does to a live network. The real simulator on the `sim` network (5-second blocks after the first
 * retargets), in memory, every node mining continuously by equal share, until this run added `--blocks` blocks to
 * the best chain; then the run's own results (summary.json) give the propagation percentiles (t50/t90/t100: from a
 * block being mined until 50%, 90%, 100% of the nodes had it) and the stale rate. Takes about 5 s per block.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulation } from '../dist/sim/run.js';
import { silentLogger } from '../dist/runtime/logger.js';
import { parseLatency, parseTopology } from '../dist/net/model/index.js';
import { clearProgress, freePortRun, machine, printTable, progress, round, writeResults } from './lib.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface Summary {
  seed: number;
  blocksMined: number;
  staleBlocks: number;
  staleRate: number;
  propagation: { t50Ms: Percentiles; t90Ms: Percentiles; t100Ms: Percentiles };
  reorgs: { count: number; maxDepth: number };
  wallSeconds: number;
}

export async function run(): Promise<void> {
  const nodes = Number(arg('nodes', '64'));
  const blocks = Number(arg('blocks', '200'));
  const latency = arg('latency', 'pareto:100ms');
  const topology = arg('topology', 'random:8');
  const seed = Number(arg('seed', '1'));
  const results = mkdtempSync(join(tmpdir(), 'chainsim-bench-stale-'));
  const base = await freePortRun(nodes + 1);
  const started = Date.now();
  const sim = await runSimulation({
    nodes,
    port: base,
    basePort: base + 1,
    host: '127.0.0.1',
    network: 'sim',
    kernel: 'auto',
    logDir: null,
    logLevel: 'silent',
    logger: silentLogger(),
    dataDir: null,
    model: { seed, topology: parseTopology(topology), defaults: { latency: parseLatency(latency) } },
    results,
    runId: 'bench',
    stopAfter: { blocks },
  });
  const timer = setInterval(() => {
    const heights = sim.sim.nodes.map((n) => n.status?.height ?? 0);
    progress(
      `stale: ${nodes} nodes, best height ${Math.max(...heights)}/${blocks}, ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }, 2000);
  sim.sim.startContinuous();
  try {
    await sim.stopped;
  } finally {
    clearInterval(timer);
    clearProgress();
  }
  const summary = JSON.parse(readFileSync(join(results, 'bench', 'summary.json'), 'utf8')) as Summary;
  rmSync(results, { recursive: true, force: true });
  const p = summary.propagation;
  const row = (name: string, q: Percentiles): Array<string | number> => [
    name,
    round(q.p50, 1),
    round(q.p90, 1),
    round(q.p99, 1),
    round(q.max, 1),
  ];
  printTable(
    `Propagation, ${nodes} nodes, ${topology}, latency ${latency}, seed ${seed} (ms after the block was mined)`,
    ['until', 'p50', 'p90', 'p99', 'max'],
    [row('50% of nodes', p.t50Ms), row('90% of nodes', p.t90Ms), row('100% of nodes', p.t100Ms)],
  );
  printTable(
    'Stale blocks',
    ['blocks mined', 'stale', 'stale rate', 'reorgs', 'deepest', 'wall s'],
    [
      [
        summary.blocksMined,
        summary.staleBlocks,
        `${round(summary.staleRate * 100, 2)}%`,
        summary.reorgs.count,
        summary.reorgs.maxDepth,
        round(summary.wallSeconds, 0),
      ],
    ],
  );
  const file = writeResults('stale', { machine: machine(), nodes, blocks, topology, latency, seed, summary });
  console.log(`\nwrote ${file}`);
}
