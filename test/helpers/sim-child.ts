/**
 * A simulation in a process of its own, for tests that change that process's limits (test/sim/connections.test.ts
 * lowers its open-file limit): 2 nodes, regtest, in memory, on free ports. Prints one JSON line
 * `{ manager, nodes, maxConnections }` once every node is up, and shuts down when its stdin closes.
 */
import { runSimulation } from '../../src/sim/run.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { freePortRun } from './ports.ts';

const nodes = 2;
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
});
process.stdout.write(
  `${JSON.stringify({
    manager: run.managerUrl,
    nodes: run.sim.nodes.map((n) => ({ port: n.port, url: `http://${n.address}` })),
    maxConnections: run.sim.maxConnections,
  })}\n`,
);
process.stdin.resume();
process.stdin.on('end', () => {
  void run.shutdown().then(() => process.exit(0));
});
