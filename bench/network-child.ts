/**
 * One simulator in its own process, for `bench/network.ts`: starts N nodes (sim network), prints one JSON
 * line with the start-up time and memory, then waits to be shut down over HTTP (`GET /shutdown/all`).
 */
import { runSimulation } from '../dist/sim/run.js';
import { silentLogger } from '../dist/util/logger.js';

const nodes = Number(process.argv[2]);
const base = Number(process.argv[3]);
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const run = await runSimulation({
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
  startTimeoutMs: 120_000,
});
const startSeconds = (performance.now() - t0) / 1000;
// Let start-up garbage settle before reading memory.
await new Promise((r) => setTimeout(r, 1500));
const rss = process.memoryUsage().rss;
process.stdout.write(
  `${JSON.stringify({ nodes, startSeconds, rssBeforeMB: rss0 / 1e6, rssMB: rss / 1e6, perNodeMB: (rss - rss0) / 1e6 / nodes, kernel: run.sim.kernelName })}\n`,
);
await run.stopped;
process.exit(0);
