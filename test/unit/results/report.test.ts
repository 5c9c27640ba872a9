/**
 * report.html: self-contained (no script, nothing fetched), the charts the runs have data for, and the theory
 * beside each strategic miner's measurement.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkVirtualArgs, computeVirtual } from '../../../src/cli/simulate-virtual.ts';
import { renderReport, theoryFor } from '../../../src/results/report.ts';
import type { StrategicMiner } from '../../../src/cli/virtual-timeline.ts';
import { doubleSpendSuccess, selfishRevenue } from '../../../src/results/theory.ts';

const given = (raw: Record<string, unknown>): Set<string> =>
  new Set(Object.keys(raw).map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)));

function virtual(raw: Record<string, unknown>, strategies: readonly StrategicMiner[]) {
  const r = { results: false, network: 'regtest', topology: 'full', ...raw };
  return computeVirtual({ ...checkVirtualArgs(r, given(r)), strategies });
}

test('a selfish run: its point, the theory curve and the table with R beside the measured share', () => {
  const { summary, rows } = virtual(
    { nodes: 5, blocks: 400, seed: 1, hashPower: '35,16.25,16.25,16.25,16.25' },
    [{ node: 0, spec: { strategy: 'selfish', gamma: 0.5 } }],
  );
  const html = renderReport({ title: 'run', summaries: [summary], rows });
  assert.doesNotMatch(html, /<script|<link|@import|url\(|src=/i, 'nothing to run or fetch');
  assert.doesNotMatch(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', ''), /https?:\/\//);
  assert.match(html, /Selfish mining: revenue share against hash share/);
  assert.match(html, /Propagation: time until 90% of the nodes had a block/);
  assert.match(html, /Stale rate against link latency/);
  assert.doesNotMatch(html, /Double spends/, 'no double-spender, no chart for one');
  const r = selfishRevenue(0.35, 0.5);
  assert.match(html, new RegExp(`<td>${(r * 100).toFixed(2)}%</td>`), 'the theory value in the table');
  assert.match(html, new RegExp(`<td>${(summary.strategies![0]!.revenueShare * 100).toFixed(2)}%</td>`));
  assert.ok((html.match(/<circle /g)?.length ?? 0) >= 2, 'the measured point and the stale point');
});

test('double spends: Rosenfeld and Nakamoto curves and the measured point with its interval', () => {
  const { summary } = virtual({ nodes: 3, blocks: 600, seed: 2, hashPower: '25,37.5,37.5' }, [
    { node: 0, spec: { strategy: 'double-spend', confirmations: 2, giveUpBehind: 20 } },
  ]);
  const e = summary.strategies![0]!;
  assert.deepEqual(theoryFor(e)?.theory, doubleSpendSuccess(0.25, 2));
  const html = renderReport({ title: 'ds', summaries: [summary] });
  assert.match(html, /Double spends: success against confirmations/);
  assert.match(html, /Rosenfeld, q 0.25/);
  assert.match(html, /Nakamoto&#39;s approximation, q 0.25/);
  assert.match(html, /stroke-dasharray/);
  assert.match(html, new RegExp(`${e.successes} of ${e.attempts}`));
});

test('honest runs only: no strategy table, still the runs table', () => {
  const { summary } = virtual({ nodes: 3, blocks: 20, seed: 3 }, []);
  const html = renderReport({ title: 'plain', summaries: [summary] });
  assert.doesNotMatch(html, /Strategic miners/);
  assert.match(html, new RegExp(summary.runId));
});
