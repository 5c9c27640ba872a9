/** summary.json's shape (results.ts writes it, report.ts draws it). */
import type { LedgerMetrics } from './ledger.ts';

export interface RunSummary extends Omit<LedgerMetrics, 'bestTip'> {
  readonly schema: number;
  /** `live` (wall clock, worker threads) or `virtual` (the discrete-event engine, src/engine/). */
  readonly mode: 'live' | 'virtual';
  readonly runId: string;
  readonly seed: number | null;
  /** How many nodes the run had. */
  readonly nodes: number;
  /** The parameter preset (sim, regtest, bitcoin). */
  readonly network: string;
  /** The network model's settings at the end of the run: topology, link settings, partition, shares. */
  readonly settings: Record<string, unknown>;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly wallSeconds: number;
  /** Why the run ended: `shutdown` (GET /shutdown/all, Ctrl-C), `duration` or `blocks` (stopAfter). */
  readonly endedBy: string;
  /** The best chain's tip at the end (the most-work tip among the nodes). */
  readonly bestTip: { readonly hash: string; readonly height: number | null } | null;
  /** Virtual runs: the virtual time the run covered, and the events the engine processed. */
  readonly virtualSeconds?: number;
  readonly events?: number;
  /** One entry per strategic miner (scenarios): what it did and what it earned (docs/results.md). */
  readonly strategies?: readonly StrategyEntry[];
}

export interface StrategyEntry {
  readonly name: string;
  readonly node: number;
  readonly strategy: string;
  /** Its hash-power share at the start, a fraction. */
  readonly share: number;
  readonly params: Readonly<Record<string, number>>;
  /** Its blocks in the best chain over the best chain's blocks mined in the run. */
  readonly revenueShare: number;
  readonly attempts?: number;
  readonly successes?: number;
  readonly successRate?: number | null;
  /** Double spends: the success its give-up rule can hide, (q/p)^giveUpBehind. */
  readonly hiddenByGivingUp?: number;
}
