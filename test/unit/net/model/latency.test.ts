/**
 * Goodness of fit: the delays the model decides follow the distribution the user chose. A one-sample
 * Kolmogorov-Smirnov test per distribution, on draws made through NetworkModel.decide (the path every message
 * takes), against the distribution's exact CDF; and the same statistic rejects a neighbouring distribution, so the
 * test can fail.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNetworkModel, makeSettings, parseLatency } from '../../../../src/net/model/index.ts';
import type { LinkSettings } from '../../../../src/net/model/index.ts';
import { testSeed } from '../../../helpers/seed.ts';
import { simNodes } from './helpers.ts';

const seed = testSeed();
const DRAWS = 20_000;

/**
 * The KS critical value at significance 1e-6 (so a correct model fails once in a million runs):
 * sqrt(-ln(alpha / 2) / 2) / sqrt(n), 0.019 for 20,000 draws.
 */
const CRITICAL = Math.sqrt(-Math.log(1e-6 / 2) / 2) / Math.sqrt(DRAWS);

/** DRAWS delays of block pushes on one link of a 2-node network with these settings, one second apart. */
function delays(link: Partial<LinkSettings>, stream = 1): number[] {
  const settings = makeSettings({
    seed,
    nodes: simNodes(2).nodes,
    topology: { kind: 'full' },
    defaults: link,
    partition: null,
  });
  const model = createNetworkModel(settings, stream);
  return Array.from({ length: DRAWS }, (_, i) => {
    const d = model.decide(0, 1, 'block', 1000, i * 1000);
    assert.ok(d.pass, `blocked: ${JSON.stringify(d)}`);
    return d.delayMs;
  });
}

/** sup |F_n(x) - F(x)| over the sorted sample: the largest gap on either side of each step. */
function ksStatistic(sample: readonly number[], cdf: (x: number) => number): number {
  const xs = [...sample].sort((a, b) => a - b);
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, far under the critical value). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

const uniformCdf = (a: number, b: number) => (x: number) => (x <= a ? 0 : x >= b ? 1 : (x - a) / (b - a));
const normalCdf = (mean: number, sd: number) => (x: number) =>
  0.5 * (1 + erf((x - mean) / (sd * Math.SQRT2)));
/** SimBlock's Pareto: scale = mean (shape - 1) / shape, F(x) = 1 - (scale / x)^shape above the scale. */
const paretoCdf = (mean: number, shape: number) => {
  const scale = (mean * (shape - 1)) / shape;
  return (x: number) => (x <= scale ? 0 : 1 - Math.pow(scale / x, shape));
};

function fits(sample: readonly number[], cdf: (x: number) => number, what: string): void {
  const d = ksStatistic(sample, cdf);
  assert.ok(d < CRITICAL, `${what}: KS D = ${d.toFixed(4)} >= ${CRITICAL.toFixed(4)} (seed ${seed})`);
}

function rejects(sample: readonly number[], cdf: (x: number) => number, what: string): void {
  const d = ksStatistic(sample, cdf);
  assert.ok(d >= CRITICAL, `${what}: KS D = ${d.toFixed(4)} should reject (seed ${seed})`);
}

test('uniform:10ms-50ms: the delays fit the uniform distribution, and not a narrower one', () => {
  const sample = delays({ latency: parseLatency('uniform:10ms-50ms') });
  assert.ok(Math.min(...sample) >= 10 && Math.max(...sample) <= 50);
  fits(sample, uniformCdf(10, 50), 'uniform 10-50');
  rejects(sample, uniformCdf(12, 50), 'uniform 12-50');
});

test('normal:100ms,20ms: the delays fit the normal distribution, and not one with a 5% larger mean', () => {
  const sample = delays({ latency: parseLatency('normal:100ms,20ms') });
  fits(sample, normalCdf(100, 20), 'normal 100,20');
  rejects(sample, normalCdf(105, 20), 'normal 105,20');
  rejects(sample, normalCdf(100, 24), 'normal 100,24');
});

test('normal:10ms,20ms is clamped at 0: the mass below 0 sits at 0, the rest is normal', () => {
  const sample = delays({ latency: parseLatency('normal:10ms,20ms') });
  assert.ok(sample.every((x) => x >= 0));
  // P(X <= 0) = Phi(-0.5) = 0.3085: a binomial bound of six standard deviations on the count of zeros.
  const zeros = sample.filter((x) => x === 0).length;
  const p = normalCdf(10, 20)(0);
  const sd = Math.sqrt(DRAWS * p * (1 - p));
  assert.ok(Math.abs(zeros - DRAWS * p) < 6 * sd, `${zeros} zeros of ${DRAWS}, expected ${DRAWS * p}`);
  fits(
    sample.filter((x) => x > 0),
    (x) => (normalCdf(10, 20)(x) - p) / (1 - p),
    'normal 10,20 above 0',
  );
});

test('pareto:100ms (shape 5, as SimBlock draws it): the delays fit, their mean is 100 ms, other shapes do not fit', () => {
  const sample = delays({ latency: parseLatency('pareto:100ms') });
  fits(sample, paretoCdf(100, 5), 'pareto 100 shape 5');
  const mean = sample.reduce((s, x) => s + x, 0) / DRAWS;
  // The standard deviation of shape 5 is 100 x sqrt(5/3)/4 = 32.3 ms: the mean of 20,000 draws is within 1.5 ms.
  assert.ok(Math.abs(mean - 100) < 1.5, `mean ${mean} (seed ${seed})`);
  rejects(sample, paretoCdf(100, 4), 'pareto 100 shape 4');
  rejects(sample, paretoCdf(100, 7), 'pareto 100 shape 7');
  fits(delays({ latency: parseLatency('pareto:200ms,40') }), paretoCdf(200, 40), 'pareto 200 shape 40');
});

test('jitter adds a uniform draw on top of the latency; bandwidth a fixed transfer time', () => {
  const jittered = delays({ latency: parseLatency('30ms'), jitterMs: 20 });
  fits(jittered, uniformCdf(30, 50), 'fixed 30 + jitter 20');
  rejects(jittered, uniformCdf(30, 48), 'fixed 30 + jitter 18');
  // 1000 bytes at 100 kB/s: 10 ms of transfer before the uniform latency (the pushes are a second apart, so the
  // link's queue is always empty).
  const sent = delays({ latency: parseLatency('uniform:0ms-10ms'), bandwidth: 100_000 });
  fits(sent, uniformCdf(10, 20), 'transfer 10 + uniform 0-10');
});

test('two streams of one seed are independent draws of the same distribution', () => {
  const a = delays({ latency: parseLatency('pareto:100ms') }, 1);
  const b = delays({ latency: parseLatency('pareto:100ms') }, 2);
  assert.notDeepEqual(a.slice(0, 10), b.slice(0, 10));
  fits(b, paretoCdf(100, 5), 'pareto stream 2');
  // Pearson correlation of the two streams' draws, pairwise: |r| < 6 / sqrt(n) for independent streams.
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < DRAWS; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  const r = sab / Math.sqrt(saa * sbb);
  assert.ok(Math.abs(r) < 6 / Math.sqrt(DRAWS), `correlation ${r} (seed ${seed})`);
});
