/**
 * `npm run bench -- propagation`: how fast a block reaches every node, and how fast a fresh node syncs.
 * Targets: median ≤ 10 ms for 6 nodes (where the old Python project took 1.74 s), ≤ 100 ms for 32 nodes; a
 * fresh node syncs a 5,000-block chain in ≤ 3 s.
 *
 * Propagation runs the real simulator (one worker thread per node, full mesh, regtest so mining is
 * instant): GET /mine on a random node, then the time from that node connecting its block until the last
 * node has it as its tip, from the nodes' own timestamps (performance.timeOrigin + now(), comparable
 * across threads). Each size runs twice: with the nodes pushing blocks to each other through the manager's
 * message ports (the default), and over HTTP (`--relay http`, as between nodes in separate processes). Sync
 * runs two nodes in this process: one with a 5,000-block chain, one fresh that gets `GET /block/new`.
 */
import { runSimulation } from '../dist/sim/run.js';
import { silentLogger } from '../dist/runtime/logger.js';
import { httpJSON } from '../dist/net/http-client.js';
import { startNode } from '../dist/node/start.js';
import { createPowScheduler } from '../dist/mining/scheduler.js';
import { createInlineExecutor } from '../dist/mining/executors.js';
import { selectKernel } from '../dist/mining/kernels/index.js';
import { networks } from '../dist/consensus/index.js';
import {
  clearProgress,
  freePortRun,
  machine,
  median,
  percentile,
  printTable,
  progress,
  round,
  writeResults,
} from './lib.ts';
import { regtestBlockOn } from './regtest.ts';

async function propagation(nodes: number, blocks: number, relay: 'ports' | 'http') {
  const base = await freePortRun(nodes + 1);
  const run = await runSimulation({
    nodes,
    port: base,
    basePort: base + 1,
    host: '127.0.0.1',
    network: 'regtest',
    kernel: 'auto',
    threads: 1,
    logDir: null,
    logLevel: 'silent',
    logger: silentLogger(),
    dataDir: null,
    relay,
  });
  const samples: number[] = [];
  const perHop: number[] = [];
  try {
    for (let i = 0; i < blocks; i++) {
      const node = run.sim.nodes[Math.floor(Math.random() * nodes)]!;
      const res = await httpJSON<{ block: { hash: string } }>(`http://${node.address}/mine`, {
        timeoutMs: 60_000,
      });
      const hash = res.block.hash;
      // Wait (bounded) until every node reported the block.
      const until = Date.now() + 10_000;
      let rec = run.sim.metrics.propagation.get(hash);
      while ((!rec || rec.reached.size < nodes) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 5));
        rec = run.sim.metrics.propagation.get(hash);
      }
      if (!rec || rec.reached.size < nodes) throw new Error(`block ${hash} did not reach all ${nodes} nodes`);
      const times = [...rec.reached.values()].map((t) => t - rec.minedAt);
      samples.push(Math.max(...times));
      perHop.push(...times.filter((t) => t > 0));
      progress(`propagation, ${nodes} nodes, ${relay}: block ${i + 1}/${blocks}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    clearProgress();
    await run.shutdown();
  }
  return {
    nodes,
    relay,
    blocks,
    medianMs: round(median(samples)),
    p90Ms: round(percentile(samples, 90)),
    maxMs: round(Math.max(...samples)),
    perNodeMedianMs: round(median(perHop)),
  };
}

async function fullSync(length: number) {
  const params = networks.regtest;
  const kernel = selectKernel('auto').kernel;
  const scheduler = createPowScheduler({ executor: createInlineExecutor(kernel) });
  const logger = silentLogger();
  const { node: a, close: closeA } = await startNode({
    params,
    pow: scheduler.addClient({ name: 'a' }),
    logger,
    listen: { port: 0 },
  });
  // Build the chain directly (regtest: about two hashes per block).
  let t0 = performance.now();
  for (let i = 0; i < length; i++) {
    a.chain.acceptBlock(regtestBlockOn(a.chain.tip, BigInt(i)), Math.floor(Date.now() / 1000));
    if (i % 500 === 0) progress(`building a ${length}-block chain: ${i}`);
  }
  clearProgress();
  // Built past the node's own path: mark it stored (in memory), so the node reports it.
  await a.persist();
  const buildS = (performance.now() - t0) / 1000;
  const b = await startNode({
    params,
    pow: scheduler.addClient({ name: 'b' }),
    logger,
    listen: { port: 0 },
  });
  b.node.peers.register([{ id: a.id, address: a.address }]);
  t0 = performance.now();
  const res = await httpJSON<{ blocksAdded: number; height: number }>(`http://${b.node.address}/block/new`, {
    timeoutMs: 600_000,
  });
  const syncS = (performance.now() - t0) / 1000;
  if (res.height !== length) throw new Error(`fresh node reached ${res.height}, expected ${length}`);
  await closeA();
  await b.close();
  await scheduler.close();
  return {
    blocks: length,
    buildSeconds: round(buildS),
    syncSeconds: round(syncS),
    blocksPerSecond: Math.round(length / syncS),
  };
}

export async function run(): Promise<void> {
  const runs = [];
  for (const [nodes, blocks] of [
    [6, 40],
    [32, 25],
  ] as const) {
    for (const relay of ['ports', 'http'] as const) runs.push(await propagation(nodes, blocks, relay));
  }
  const sync = await fullSync(5000);
  const results = {
    targets: { median6Ms: 10, median32Ms: 100, sync5000Seconds: 3, oldPythonMedian6Ms: 1740 },
    propagation: runs,
    sync,
    machine: machine(),
    date: new Date().toISOString(),
  };
  printTable(
    'block propagation: mined -> every node has it (targets: 6 nodes <= 10 ms, 32 nodes <= 100 ms median)',
    ['nodes', 'relay', 'blocks', 'median ms', 'p90 ms', 'max ms', 'per-node median ms'],
    runs.map((p) => [p.nodes, p.relay, p.blocks, p.medianMs, p.p90Ms, p.maxMs, p.perNodeMedianMs]),
  );
  printTable(
    'fresh node sync by locator (target: 5,000 blocks <= 3 s)',
    ['blocks', 'sync s', 'blocks/s'],
    [[sync.blocks, sync.syncSeconds, sync.blocksPerSecond]],
  );
  console.log(`wrote ${writeResults('propagation', results)}`);
}
