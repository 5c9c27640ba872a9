/**
 * The ledger's Prometheus metrics, in the simulation's registry (metrics.ts): stale blocks and rate, forks, the
 * reorg depth histogram, the propagation histograms (t50/t90/t100, by `level`) and, per node, blocks on the best
 * chain and revenue share beside the hash-power share.
 */
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { LedgerMetrics, PropagationLevel } from '../results/ledger.ts';

export interface LedgerMetricHooks {
  readonly observePropagation: (level: PropagationLevel, ms: number) => void;
  readonly observeReorg: (depth: number) => void;
}

export function addLedgerMetrics(
  registry: Registry,
  o: { readonly current: () => LedgerMetrics },
): LedgerMetricHooks {
  // One computation per scrape, shared by the gauges collected in it.
  let cached: { at: number; m: LedgerMetrics } | null = null;
  const now = (): LedgerMetrics => {
    const t = Date.now();
    if (!cached || t - cached.at > 200) cached = { at: t, m: o.current() };
    return cached.m;
  };
  const gauge = (name: string, help: string, value: (m: LedgerMetrics) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value(now()));
      },
    });
  };
  gauge(
    'chainsim_stale_blocks',
    'Blocks mined in this run that are not on the best chain',
    (m) => m.staleBlocks,
  );
  gauge('chainsim_stale_rate', 'Stale blocks over blocks mined in this run', (m) => m.staleRate);
  gauge('chainsim_forks', 'Heights with two or more blocks mined in this run', (m) => m.forks);
  gauge('chainsim_blocks_on_best_chain', "This run's blocks on the best chain", (m) => m.blocksOnBestChain);
  const perNode = (
    name: string,
    help: string,
    value: (r: LedgerMetrics['revenue'][number]) => number,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames: ['node'],
      registers: [registry],
      collect() {
        for (const r of now().revenue) this.set({ node: String(r.node) }, value(r));
      },
    });
  };
  perNode(
    'chainsim_revenue_share',
    "A node's blocks on the best chain over all of this run's blocks on it (0-1)",
    (r) => r.revenueShare,
  );
  perNode('chainsim_hash_share', "A node's hash-power share of the pool (0-1)", (r) => r.share);
  perNode(
    'chainsim_node_blocks_on_best_chain',
    "A node's blocks on the best chain",
    (r) => r.blocksOnBestChain,
  );
  const reorgDepth = new Histogram({
    name: 'chainsim_reorg_depth',
    help: 'Blocks disconnected by each reorganisation',
    buckets: [1, 2, 3, 4, 6, 8, 12, 16, 32],
    registers: [registry],
  });
  const reach = new Histogram({
    name: 'chainsim_block_reach_seconds',
    help: 'Per block: from mined until 50%, 90% or 100% (label level) of the nodes not partitioned away from its miner had it',
    labelNames: ['level'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const LABEL: Record<PropagationLevel, string> = { t50Ms: 't50', t90Ms: 't90', t100Ms: 't100' };
  return {
    observePropagation: (level, ms) => reach.observe({ level: LABEL[level] }, ms / 1000),
    observeReorg: (depth) => reorgDepth.observe(depth),
  };
}
