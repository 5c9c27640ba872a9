/**
 * The simulation's measurement: the block ledger fed from the simulation's events, its metrics for GET /network
 * and Prometheus, the `stopAfter` watch, and the results files written when the run ends (before the nodes go
 * down). The Simulation makes one (manager.ts) and calls `finish` from its shutdown.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { httpJSON } from '../net/http-client.ts';
import type { NetworkSettings } from '../net/model/types.ts';
import {
  type BlockLedger,
  createBlockLedger,
  eligiblePorts,
  type LedgerMetrics,
  mostWorkTip,
} from '../results/ledger.ts';
import { addLedgerMetrics } from './measure-metrics.ts';
import type { NetworkModelView } from './network-control.ts';
import type { SimMetrics } from './metrics.ts';
import { buildSummary, writeResults } from '../results/results.ts';
import type { NodeHandle, SimEvents, SimulationOptions } from './types.ts';

/** What the measurement needs of the Simulation (an interface, so manager.ts and this file do not import each other). */
export interface MeasuredSimulation extends EventEmitter<SimEvents> {
  readonly opts: SimulationOptions;
  readonly nodes: readonly NodeHandle[];
  readonly metrics: SimMetrics;
  readonly log: Logger;
  /** The network model's current settings and their description (network-control.ts). */
  readonly network: { readonly settings: NetworkSettings; view(): NetworkModelView };
}

export type EndReason = 'shutdown' | 'duration' | 'blocks';

export interface Measurement {
  readonly ledger: BlockLedger;
  /** Epoch ms when the simulation was made. */
  readonly startedAt: number;
  /** Why the run is ending, once it is (set by the stopAfter watch; `shutdown` otherwise). */
  endedBy: EndReason;
  /** The metrics now, for GET /network (the best chain: the most-work tip the nodes report). */
  current(): LedgerMetrics;
  /** Blocks mined by the node on `port` in this run (a restart never resets it). */
  minedBy(port: number): number;
  /** When the node's tip block was mined (ms): its miner's store time, else its header time; undefined: unknown. */
  tipMinedAt(node: NodeHandle): number | undefined;
  /** Writes the results (once) and resolves with their folder; null when the run writes none or writing failed. */
  finish(): Promise<string | null>;
}

const FINAL_TIP_TIMEOUT_MS = 2000;

export function createMeasurement(sim: MeasuredSimulation): Measurement {
  const startedAt = Date.now();
  const up = (): NodeHandle[] => sim.nodes.filter((n) => n.state === 'up');
  const portsOf = (indices: readonly number[]): number[] =>
    indices.flatMap((i) => (sim.nodes[i] ? [sim.nodes[i].port] : []));
  const partition = (): number[][] | null => sim.network.settings.partition?.map((g) => portsOf(g)) ?? null;
  const metricsHooks = addLedgerMetrics(sim.metrics.registry, { current: () => measurement.current() });
  const ledger = createBlockLedger({
    eligible: (miner) =>
      eligiblePorts(
        miner,
        up().map((n) => n.port),
        partition(),
      ),
    upTips: () => up().map((n) => n.status?.tip ?? ''),
    observe: metricsHooks.observePropagation,
    observeReorg: metricsHooks.observeReorg,
  });
  sim.on('block', (node, block) => ledger.onBlock(node.port, block));
  sim.on('tip', (node, tip) => ledger.onTip(node.port, tip));
  sim.on('network', (change) => ledger.onNetwork(change.kind, change.at));
  sim.on('down', () => ledger.checkAgreement(Date.now()));
  sim.on('up', () => ledger.checkAgreement(Date.now()));

  const shares = (): Map<number, number> => new Map(sim.nodes.map((n) => [n.port, n.share]));
  let finishing: Promise<string | null> | null = null;

  const finalTip = async (): Promise<string | null> => {
    // A node's last tip message may still be on its way: ask every up node itself.
    const answers = await Promise.all(
      up().map(async (n) => {
        try {
          const info = await httpJSON<{ tip: string; chainwork: string; height: number }>(
            `http://${n.address}/node/id`,
            { timeoutMs: FINAL_TIP_TIMEOUT_MS, token: sim.opts.token },
          );
          return { tip: info.tip, chainwork: info.chainwork, height: info.height };
        } catch {
          return n.status
            ? { tip: n.status.tip, chainwork: n.status.chainwork, height: n.status.height }
            : null;
        }
      }),
    );
    const tips = answers.filter((a) => a !== null);
    if (tips.length > 0) return mostWorkTip(tips);
    return mostWorkTip(sim.nodes.flatMap((n) => (n.status ? [n.status] : [])));
  };

  const write = async (): Promise<string | null> => {
    const root = sim.opts.results;
    if (!root) return null;
    const endedAt = Date.now();
    const best = await finalTip();
    const m = ledger.metrics(best, shares());

    const summary = buildSummary({
      runId: sim.opts.runId ?? new Date(startedAt).toISOString().replace(/[:.]/g, '-'),
      seed: sim.network.settings.seed,
      nodes: sim.nodes.length,
      network: sim.opts.network,
      settings: { ...sim.network.view() },
      startedAt,
      endedAt,
      endedBy: measurement.endedBy,
      metrics: m,
    });
    try {
      const dir = await writeResults(root, summary, ledger.rows(best));
      sim.log.info({ results: dir, blocks: m.blocksMined, stale: m.staleBlocks }, `results in ${dir}`);
      return dir;
    } catch (err) {
      const message = `the results cannot be written to ${root}: ${(err as Error).message}`;
      sim.log.warn(message);
      sim.emit('warning', message);
      return null;
    }
  };

  const measurement: Measurement = {
    ledger,
    startedAt,
    endedBy: 'shutdown',
    current() {
      const tips = up().flatMap((n) => (n.status ? [n.status] : []));
      return ledger.metrics(mostWorkTip(tips), shares());
    },
    minedBy: (port) => ledger.minedBy(port),
    tipMinedAt(node) {
      const tip = node.status?.tip;
      const b = tip === undefined ? undefined : ledger.block(tip);
      if (!b) return undefined;
      return b.minedAt ?? b.time * 1000;
    },
    finish() {
      finishing ??= write();
      return finishing;
    },
  };
  return measurement;
}

/**
 * Ends the run by itself (`stop`) after `durationS` seconds, or once some node's tip has `blocks` of this run's
 * blocks below it. Returns a function that cancels the watch.
 */
export function watchStopAfter(
  sim: MeasuredSimulation & { readonly measure: Measurement },
  stopAfter: SimulationOptions['stopAfter'],
  stop: () => void,
): () => void {
  if (!stopAfter) return () => undefined;
  let done = false;
  const end = (reason: EndReason): void => {
    if (done) return;
    done = true;
    cancel();
    sim.measure.endedBy = reason;
    sim.log.info({ reason }, `the run ends by itself (${reason})`);
    stop();
  };
  const timer =
    stopAfter.durationS === undefined ? null : setTimeout(() => end('duration'), stopAfter.durationS * 1000);
  const blocks = stopAfter.blocks;
  const onTip: (...args: SimEvents['tip']) => void = (_node, tip) => {
    if (blocks !== undefined && sim.measure.ledger.runBlocksBelow(tip.hash, blocks) >= blocks) end('blocks');
  };
  if (blocks !== undefined) sim.on('tip', onTip);
  const cancel = (): void => {
    if (timer) clearTimeout(timer);
    sim.off('tip', onTip);
  };
  return cancel;
}
