/**
 * Running a simulation as one unit: the manager's HTTP server first (so a busy port fails before any node
 * starts), then the pool and the nodes. `stopped` resolves once `/shutdown/all` (or `shutdown()`, or the end
 * `stopAfter` sets) finished; its report names the results folder.
 */
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { advertisedAddress } from '../net/address.ts';
import { buildManagerServer } from './http.ts';
import { watchStopAfter } from './measure.ts';
import {
  createSimulation,
  type ShutdownReport,
  type Simulation,
  SimulationError,
  type SimulationOptions,
} from './manager.ts';

export interface RunningSimulation {
  readonly sim: Simulation;
  readonly app: FastifyInstance;
  readonly managerUrl: string;
  /** Resolves with the shutdown report once every node and the manager have stopped. */
  readonly stopped: Promise<ShutdownReport>;
  /** Same as `GET /shutdown/all`. */
  shutdown(): Promise<ShutdownReport>;
}

export async function runSimulation(opts: SimulationOptions): Promise<RunningSimulation> {
  if (opts.logDir) mkdirSync(opts.logDir, { recursive: true });
  const sim = createSimulation(opts);
  let resolveStopped!: (r: ShutdownReport) => void;
  const stopped = new Promise<ShutdownReport>((r) => (resolveStopped = r));
  let closing: Promise<ShutdownReport> | null = null;
  const app = await buildManagerServer({
    sim,
    onShutdown: (report) => void closeAll(report),
  });
  const closeAll = async (report: ShutdownReport): Promise<ShutdownReport> => {
    await app.close();
    resolveStopped(report);
    return report;
  };
  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      throw new SimulationError(
        `port ${opts.port} is already in use: choose another manager port with --port`,
      );
    }
    throw err;
  }
  try {
    await sim.start();
  } catch (err) {
    await app.close();
    throw err;
  }
  const shutdown = (): Promise<ShutdownReport> => {
    closing ??= sim.shutdownAll().then(closeAll);
    return closing;
  };
  // --duration / --blocks: the run ends by itself, as a shutdown would end it (results first).
  const unwatch = watchStopAfter(sim, opts.stopAfter, () => void shutdown());
  void stopped.then(unwatch);
  return {
    sim,
    app,
    managerUrl: `http://${advertisedAddress(opts.host, opts.port, opts.advertise)}`,
    stopped,
    shutdown,
  };
}
