/**
 * One simulator in its own process, for `bench/network.ts`: starts N nodes (sim network), prints one JSON
 * line with the start-up time and memory, then waits to be shut down over HTTP (`GET /shutdown/all`).
 *
 * It runs what `npm run simulate` runs by default: every node keeps its chain in LevelDB and logs at info
 * level to its own file (here under a fresh temporary directory, removed at the end). With `--in-memory` (argv
 * 4) the nodes keep their chains in memory and log nothing, as the tests do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulation } from '../dist/sim/run.js';
import { createFileLogger, silentLogger } from '../dist/runtime/logger.js';

const nodes = Number(process.argv[2]);
const base = Number(process.argv[3]);
const inMemory = process.argv[4] === '--in-memory';
const dir = mkdtempSync(join(tmpdir(), 'chainsim-bench-network-'));
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const run = await runSimulation({
  nodes,
  port: base,
  basePort: base + 1,
  host: '127.0.0.1',
  network: 'sim',
  kernel: 'auto',
  logDir: inMemory ? null : join(dir, 'logs'),
  logLevel: inMemory ? 'silent' : 'info',
  logger: inMemory
    ? silentLogger()
    : createFileLogger({
        file: join(dir, 'logs', 'manager.log'),
        level: 'info',
        onError: (err) => console.error(`manager.log: ${err.message}`),
      }).logger,
  dataDir: inMemory ? null : join(dir, 'data'),
  startTimeoutMs: 120_000,
});
const startSeconds = (performance.now() - t0) / 1000;
// Let start-up garbage settle before reading memory.
await new Promise((r) => setTimeout(r, 1500));
const rss = process.memoryUsage().rss;
process.stdout.write(
  `${JSON.stringify({ nodes, inMemory, startSeconds, rssBeforeMB: rss0 / 1e6, rssMB: rss / 1e6, perNodeMB: (rss - rss0) / 1e6 / nodes, kernel: run.sim.kernelName })}\n`,
);
await run.stopped;
rmSync(dir, { recursive: true, force: true });
process.exit(0);
