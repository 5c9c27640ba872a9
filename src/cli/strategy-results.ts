/** summary.json's `strategies`: each strategic miner's report beside its share and what it earned. */
import type { StrategyReport } from '../engine/index.ts';
import type { NodeRevenue } from '../results/ledger.ts';
import type { StrategyEntry } from '../results/results.ts';
import { hiddenByGivingUp } from '../results/theory.ts';

export function strategyEntries(
  reports: ReadonlyArray<{ readonly node: number; readonly report: StrategyReport }>,
  percent: readonly number[],
  revenue: readonly NodeRevenue[],
  names: (node: number) => string = (node) => `node ${node}`,
): StrategyEntry[] {
  return reports.map(({ node, report }) => {
    const share = (percent[node] ?? 0) / 100;
    const entry: StrategyEntry = {
      name: names(node),
      node,
      strategy: report.strategy,
      share: Math.round(share * 1e6) / 1e6,
      params: report.params,
      revenueShare: revenue.find((r) => r.node === node)?.revenueShare ?? 0,
    };
    if (report.attempts === undefined) return entry;
    const attempts = report.attempts;
    const successes = report.successes ?? 0;
    return {
      ...entry,
      attempts,
      successes,
      successRate: attempts === 0 ? null : successes / attempts,
      hiddenByGivingUp: hiddenByGivingUp(share, report.params.giveUpBehind ?? Number.POSITIVE_INFINITY),
    };
  });
}
