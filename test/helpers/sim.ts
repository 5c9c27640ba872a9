/** A quiet test simulation: regtest, in memory, one pool thread, no logs, on a free run of ports. */
import { silentLogger } from '../../src/runtime/logger.ts';
import { runSimulation, type RunningSimulation } from '../../src/sim/run.ts';
import type { SimulationOptions } from '../../src/sim/types.ts';
import { freePortRun } from './ports.ts';

/** Starts `nodes` nodes (the manager on the first port of the run); `extra` overrides any option. */
export async function startQuietSim(
  nodes: number,
  extra: Partial<SimulationOptions> = {},
): Promise<RunningSimulation> {
  const base = extra.port ?? (await freePortRun(nodes + 1));
  return runSimulation({
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
    ...extra,
  });
}
