/**
 * The adversaries of the virtual engine against the published formulas (results/theory.ts): selfish mining's
 * relative revenue (Eyal-Sirer) and the double spend's success (Rosenfeld), each measured in a seeded run and
 * compared through a 99.9% confidence interval computed from the run's trials; both numbers are printed. Regtest
 * (no retargeting), so every block has the same work, as both papers assume.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { networks } from '../../../src/consensus/index.ts';
import { type EngineResult, runEngine } from '../../../src/engine/index.ts';
import { createStrategy, type StrategySpec } from '../../../src/engine/strategies/index.ts';
import { makeSettings } from '../../../src/net/model/index.ts';
import {
  batchMeansInterval,
  doubleSpendSuccess,
  type Interval,
  selfishRevenue,
  selfishThreshold,
  wilsonInterval,
} from '../../../src/results/theory.ts';

const LEVEL = 0.999;

/** Node 0 follows `spec` with hash share `share`; the others mine honestly with equal shares of the rest. */
function attack(nodes: number, share: number, spec: StrategySpec, blocks: number): EngineResult {
  const settings = makeSettings({
    seed: 1,
    nodes: Array.from({ length: nodes }, (_, i) => `node-${i}`),
    topology: { kind: 'full' },
    defaults: {},
    partition: null,
  });
  return runEngine({
    params: networks.regtest,
    settings,
    shares: [share, ...Array.from({ length: nodes - 1 }, () => (1 - share) / (nodes - 1))],
    intervalMs: 600_000,
    stop: { blocks },
    strategies: new Map([[0, createStrategy(spec, 0)]]),
  });
}

/** 1 for each best-chain block node 0 mined, 0 for the others', in height order. */
function attackerSeries(run: EngineResult): number[] {
  const out: number[] = [];
  for (let b = run.bestTip; b.prev !== null; b = b.prev) out.push(b.miner === 0 ? 1 : 0);
  return out.reverse();
}

const shown = (ci: Interval): string =>
  `${ci.estimate.toFixed(4)} (${(ci.level * 100).toFixed(1)}% CI ${ci.low.toFixed(4)}-${ci.high.toFixed(4)})`;

for (const [alpha, gamma] of [
  [0.25, 0],
  [0.35, 0],
  [0.25, 1],
  [0.35, 1],
] as const) {
  test(`selfish mining at alpha ${alpha}, gamma ${gamma}: its revenue share is Eyal-Sirer's R`, (t) => {
    const run = attack(6, alpha, { strategy: 'selfish', gamma }, 30_000);
    const ci = batchMeansInterval(attackerSeries(run), 20, LEVEL);
    const theory = selfishRevenue(alpha, gamma);
    t.diagnostic(`measured ${shown(ci)}, theory ${theory.toFixed(4)}`);
    assert.ok(ci.low <= theory && theory <= ci.high, `theory ${theory} outside ${shown(ci)}`);
    // Below the threshold selfish mining earns less than honest mining (alpha); above it, more.
    if (alpha < selfishThreshold(gamma)) assert.ok(ci.high < alpha, `${shown(ci)} is not below ${alpha}`);
    else assert.ok(ci.low > alpha, `${shown(ci)} is not above ${alpha}`);
  });
}

for (const q of [0.1, 0.25]) {
  test(`double spends at q ${q}, 1 to 4 confirmations: the success rate is Rosenfeld's`, (t) => {
    for (let n = 1; n <= 4; n++) {
      const run = attack(3, q, { strategy: 'double-spend', confirmations: n, giveUpBehind: 20 }, 30_000);
      const { report } = run.strategies[0]!;
      assert.equal(report.strategy, 'double-spend');
      const ci = wilsonInterval(report.successes!, report.attempts!, LEVEL);
      const theory = doubleSpendSuccess(q, n);
      t.diagnostic(`n=${n}: ${report.attempts} attempts, measured ${shown(ci)}, theory ${theory.toFixed(4)}`);
      assert.ok(report.attempts! >= 500, `${report.attempts} attempts`);
      assert.ok(ci.low <= theory && theory <= ci.high, `n=${n}: theory ${theory} outside ${shown(ci)}`);
    }
  });
}

test('a majority double-spender always wins (q >= p: r = 1)', () => {
  const run = attack(3, 0.6, { strategy: 'double-spend', confirmations: 6, giveUpBehind: 20 }, 5_000);
  const { report } = run.strategies[0]!;
  assert.ok(report.attempts! > 100, `${report.attempts} attempts`);
  assert.equal(report.successes, report.attempts! - (attemptOpen(run) ? 1 : 0));
});

/** Whether the run ended in the middle of an attempt (the last one is then neither won nor lost). */
function attemptOpen(run: EngineResult): boolean {
  return run.views.bestOf(0) !== run.bestTip || run.views.bestOf(1) !== run.views.bestOf(0);
}

test('withhold: the miner never publishes, so none of its blocks is in anyone else’s chain', () => {
  const run = attack(4, 0.3, { strategy: 'withhold' }, 500);
  assert.ok(attackerSeries(run).length > 0);
  for (let node = 1; node < 4; node++)
    for (let b = run.views.bestOf(node); b.prev !== null; b = b.prev) assert.notEqual(b.miner, 0);
  // It mined, on its own chain, which the others never saw.
  assert.ok(run.ledger.metrics(run.bestTip.hash, new Map()).staleBlocks > 50);
});
