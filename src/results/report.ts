/**
 * report.html: one self-contained page (inline SVG and CSS, no script, nothing fetched) beside a run's or a
 * sweep's results, with the charts the scenarios issue names: revenue share against hash share with Eyal and
 * Sirer's curve, double-spend success against confirmations with Rosenfeld's and Nakamoto's curves, stale rate
 * against latency, and the propagation distribution. A chart appears when the runs have something to put in it.
 */
import { meanLatencyMs, parseLatency } from '../net/model/index.ts';
import type { BlockRow } from './ledger.ts';
import type { RunSummary, StrategyEntry } from './summary.ts';
import { escapeXml, type Series, svgChart } from './svg-chart.ts';
import {
  doubleSpendSuccess,
  nakamotoSuccess,
  selfishRevenue,
  selfishThreshold,
  wilsonInterval,
} from './theory.ts';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** The theory value for a strategic miner's measured one: R for selfish, Rosenfeld's r for double spends. */
export function theoryFor(e: StrategyEntry): { theory: number; nakamoto?: number } | null {
  if (e.strategy === 'selfish') return { theory: selfishRevenue(e.share, e.params.gamma ?? 0) };
  if (e.strategy === 'double-spend') {
    const n = e.params.confirmations ?? 1;
    return { theory: doubleSpendSuccess(e.share, n), nakamoto: nakamotoSuccess(e.share, n) };
  }
  return null;
}

/** A run's default link latency in ms (its mean), or null when the summary does not say. */
export function latencyOf(s: RunSummary): number | null {
  const links = s.settings.links as { defaults?: { latency?: string } } | undefined;
  const text = links?.defaults?.latency;
  if (typeof text !== 'string') return null;
  try {
    return meanLatencyMs(parseLatency(text));
  } catch {
    return null;
  }
}

const range = (from: number, to: number, steps: number): number[] =>
  Array.from({ length: steps + 1 }, (_, i) => from + ((to - from) * i) / steps);

function selfishChart(entries: StrategyEntry[]): string | null {
  const selfish = entries.filter((e) => e.strategy === 'selfish');
  if (selfish.length === 0) return null;
  const gammas = [...new Set(selfish.map((e) => e.params.gamma ?? 0))].sort();
  const series: Series[] = [
    {
      name: 'honest mining (revenue = share)',
      kind: 'line',
      colour: '#888',
      dashed: true,
      points: range(0, 0.5, 10).map((a) => ({ x: a, y: a })),
    },
    ...gammas.map((g, i): Series => ({
      name: `Eyal-Sirer R(alpha, gamma ${g}); pays above ${(selfishThreshold(g) * 100).toFixed(1)}%`,
      kind: 'line',
      colour: COLOURS[i % COLOURS.length]!,
      points: range(0, 0.5, 50).map((a) => ({ x: a, y: Math.max(0, selfishRevenue(a, g)) })),
    })),
    ...gammas.map((g, i): Series => ({
      name: `measured, gamma ${g}`,
      kind: 'points',
      colour: COLOURS[i % COLOURS.length]!,
      points: selfish
        .filter((e) => (e.params.gamma ?? 0) === g)
        .map((e) => ({ x: e.share, y: e.revenueShare })),
    })),
  ];
  return svgChart({
    title: 'Selfish mining: revenue share against hash share',
    xLabel: 'hash share (alpha)',
    yLabel: 'share of the best chain',
    series,
    x: [0, 0.5],
    y: [0, 1],
    xPercent: true,
    yPercent: true,
  });
}

function doubleSpendChart(entries: StrategyEntry[]): string | null {
  const ds = entries.filter((e) => e.strategy === 'double-spend' && e.attempts !== undefined);
  if (ds.length === 0) return null;
  const qs = [...new Set(ds.map((e) => e.share))].sort();
  const most = Math.max(6, ...ds.map((e) => e.params.confirmations ?? 1));
  const ns = Array.from({ length: most }, (_, i) => i + 1);
  const series: Series[] = qs.flatMap((q, i): Series[] => {
    const colour = COLOURS[i % COLOURS.length]!;
    return [
      {
        name: `Rosenfeld, q ${q}`,
        kind: 'line',
        colour,
        points: ns.map((n) => ({ x: n, y: doubleSpendSuccess(q, n) })),
      },
      {
        name: `Nakamoto's approximation, q ${q}`,
        kind: 'line',
        colour,
        dashed: true,
        points: ns.map((n) => ({ x: n, y: nakamotoSuccess(q, n) })),
      },
      {
        name: `measured (99% interval), q ${q}`,
        kind: 'points',
        colour,
        points: ds
          .filter((e) => e.share === q)
          .map((e) => {
            const ci = wilsonInterval(e.successes ?? 0, e.attempts ?? 0);
            return { x: e.params.confirmations ?? 1, y: e.successRate ?? 0, low: ci.low, high: ci.high };
          }),
      },
    ];
  });
  return svgChart({
    title: 'Double spends: success against confirmations',
    xLabel: 'confirmations the merchant waits for',
    yLabel: 'success rate',
    series,
    x: [1, most],
    yLog: true,
    yPercent: true,
  });
}

function staleChart(summaries: readonly RunSummary[]): string | null {
  const points = summaries.flatMap((s) => {
    const l = latencyOf(s);
    return l === null ? [] : [{ x: l, y: s.staleRate }];
  });
  if (points.length === 0) return null;
  return svgChart({
    title: 'Stale rate against link latency',
    xLabel: 'mean link latency (ms)',
    yLabel: 'stale blocks / blocks mined',
    series: [
      { name: 'measured', kind: 'points', colour: COLOURS[0]!, points: points.sort((a, b) => a.x - b.x) },
    ],
    yPercent: true,
  });
}

function propagationChart(rows: readonly BlockRow[]): string | null {
  const t90 = rows.map((r) => r.t90Ms).filter((v): v is number => v !== null);
  if (t90.length === 0) return null;
  const max = Math.max(...t90);
  const bins = 20;
  const width = max > 0 ? max / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of t90) counts[Math.min(bins - 1, Math.floor(v / width))]!++;
  return svgChart({
    title: 'Propagation: time until 90% of the nodes had a block',
    xLabel: 't90 (ms)',
    yLabel: 'blocks',
    series: [
      {
        name: `${t90.length} blocks`,
        kind: 'bars',
        colour: COLOURS[0]!,
        points: counts.map((c, i) => ({ x: (i + 0.5) * width, y: c })),
      },
    ],
    x: [0, max > 0 ? max : 1],
    y: [0, Math.max(1, ...counts)],
  });
}

const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '-' : `${(v * 100).toFixed(2)}%`;

function strategyTable(entries: StrategyEntry[]): string {
  if (entries.length === 0) return '';
  const body = entries
    .map((e) => {
      const t = theoryFor(e);
      const measured = e.strategy === 'double-spend' ? e.successRate : e.revenueShare;
      const params = Object.entries(e.params)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      const trials = e.attempts === undefined ? '' : `${e.successes} of ${e.attempts}`;
      return `<tr><td>${escapeXml(e.name)}</td><td>${escapeXml(e.strategy)}</td><td>${escapeXml(params)}</td><td>${pct(e.share)}</td><td>${pct(e.revenueShare)}</td><td>${trials}</td><td>${pct(measured)}</td><td>${t ? pct(t.theory) : '-'}</td><td>${t?.nakamoto === undefined ? '-' : pct(t.nakamoto)}</td></tr>`;
    })
    .join('');
  return `<h2>Strategic miners</h2><table><thead><tr><th>miner</th><th>strategy</th><th>parameters</th><th>hash share</th><th>revenue share</th><th>successes</th><th>measured</th><th>theory</th><th>Nakamoto</th></tr></thead><tbody>${body}</tbody></table><p class="note">Measured: revenue share for selfish mining, success rate for double spends. Theory: Eyal and Sirer's R(alpha, gamma) (2014), Rosenfeld's exact success probability (2014); Nakamoto's approximation from the whitepaper's section 11.</p>`;
}

export interface ReportInput {
  readonly title: string;
  /** One run, or every point of a sweep. */
  readonly summaries: readonly RunSummary[];
  /** blocks.csv's rows of a single run (the propagation chart). */
  readonly rows?: readonly BlockRow[];
}

export function renderReport(input: ReportInput): string {
  const entries = input.summaries.flatMap((s) => s.strategies ?? []);
  const charts = [
    selfishChart(entries),
    doubleSpendChart(entries),
    staleChart(input.summaries),
    propagationChart(input.rows ?? []),
  ].filter((c): c is string => c !== null);
  const runs = input.summaries
    .map(
      (s) =>
        `<tr><td>${escapeXml(s.runId)}</td><td>${s.mode}</td><td>${s.nodes}</td><td>${s.seed ?? '-'}</td><td>${s.blocksMined}</td><td>${s.staleBlocks} (${pct(s.staleRate)})</td><td>${s.reorgs.count}</td><td>${s.bestTip?.height ?? '-'}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(input.title)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;color:#222;margin:1.5rem auto;max-width:1200px;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1rem}
svg{width:100%;height:auto;background:#fff;border:1px solid #ddd}
svg text{font-size:11px;fill:#333}svg .title{font-size:14px;font-weight:600}
svg .grid{stroke:#eee}svg .axis{stroke:#555}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}.note{color:#555;font-size:.9rem}
</style></head><body>
<h1>${escapeXml(input.title)}</h1>
${strategyTable(entries)}
${charts.length > 0 ? `<h2>Charts</h2><div class="charts">${charts.join('\n')}</div>` : ''}
<h2>Runs</h2><table><thead><tr><th>run</th><th>mode</th><th>nodes</th><th>seed</th><th>blocks mined</th><th>stale</th><th>reorgs</th><th>best height</th></tr></thead><tbody>${runs}</tbody></table>
<p class="note">Written by chainsim with the run's summary.json (and blocks.csv); every figure here comes from those files.</p>
</body></html>
`;
}
