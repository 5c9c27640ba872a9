/**
 * The published formulas chainsim's adversaries are checked against, and the intervals the checks use. Pure.
 *
 * - Selfish mining: Eyal and Sirer, "Majority is not enough: Bitcoin mining is vulnerable" (2014), eq. (8) and
 *   the profitability threshold of section 4.
 * - Double spends: Rosenfeld, "Analysis of hashrate-based double spending" (2014), eq. (1), which assumes the
 *   attacker has pre-mined one block; and Nakamoto's approximation, "Bitcoin: A Peer-to-Peer Electronic Cash
 *   System" (2008), section 11.
 */

/** Relative revenue of a selfish pool with hash share `a` and tie share `g` (Eyal-Sirer eq. 8). */
export function selfishRevenue(a: number, g: number): number {
  return (a * (1 - a) ** 2 * (4 * a + g * (1 - 2 * a)) - a ** 3) / (1 - a * (1 + (2 - a) * a));
}

/** The hash share above which selfish mining pays more than honest mining, for tie share `g`. */
export function selfishThreshold(g: number): number {
  return (1 - g) / (3 - 2 * g);
}

/** C(n, k) as a float (exact for the small arguments used here). */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/**
 * Rosenfeld's exact probability that a double spend by an attacker with hash share `q` succeeds against a
 * merchant who waits for `n` confirmations (n >= 1): 1 - sum_{m=0..n} C(m+n-1, m) (p^n q^m - q^n p^m); 1 when
 * q >= p.
 */
export function doubleSpendSuccess(q: number, n: number): number {
  const p = 1 - q;
  if (q >= p) return 1;
  let sum = 0;
  for (let m = 0; m <= n; m++) sum += choose(m + n - 1, m) * (p ** n * q ** m - q ** n * p ** m);
  return 1 - sum;
}

/** Nakamoto's approximation (whitepaper section 11): the attacker's progress is Poisson with mean z q / p. */
export function nakamotoSuccess(q: number, z: number): number {
  const p = 1 - q;
  if (q >= p) return 1;
  const lambda = (z * q) / p;
  let sum = 1;
  let poisson = Math.exp(-lambda);
  for (let k = 0; k <= z; k++) {
    if (k > 0) poisson *= lambda / k;
    sum -= poisson * (1 - (q / p) ** (z - k));
  }
  return sum;
}

/** The success a give-up rule hides: the chance to catch up from `behind` blocks behind, (q/p)^behind. */
export function hiddenByGivingUp(q: number, behind: number): number {
  const p = 1 - q;
  return q >= p ? 1 : (q / p) ** behind;
}

export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** The confidence level, e.g. 0.99. */
  readonly level: number;
}

/** The normal quantile for a two-sided `level` (0.9, 0.95, 0.99 or 0.999). */
function zFor(level: number): number {
  const z: Record<string, number> = { '0.9': 1.6449, '0.95': 1.96, '0.99': 2.5758, '0.999': 3.2905 };
  const v = z[String(level)];
  if (v === undefined) throw new RangeError(`no quantile for level ${level}: use 0.9, 0.95, 0.99 or 0.999`);
  return v;
}

/** Wilson's score interval for `successes` out of `trials` independent trials. */
export function wilsonInterval(successes: number, trials: number, level = 0.99): Interval {
  if (trials <= 0) return { estimate: Number.NaN, low: 0, high: 1, level };
  const z = zFor(level);
  const phat = successes / trials;
  const z2 = (z * z) / trials;
  const centre = (phat + z2 / 2) / (1 + z2);
  const half = (z * Math.sqrt((phat * (1 - phat)) / trials + z2 / (4 * trials))) / (1 + z2);
  return { estimate: phat, low: Math.max(0, centre - half), high: Math.min(1, centre + half), level };
}

/**
 * An interval for the mean of a long correlated series (a miner's share of consecutive best-chain blocks) by
 * batch means: the series is cut into `batches` runs, whose means are close to independent when the runs are
 * long; the interval is their mean plus or minus z standard errors.
 */
export function batchMeansInterval(series: ArrayLike<number>, batches = 20, level = 0.99): Interval {
  const size = Math.floor(series.length / batches);
  if (size < 1) throw new RangeError(`${series.length} values are too few for ${batches} batches`);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let s = 0;
    for (let i = b * size; i < (b + 1) * size; i++) s += series[i]!;
    means.push(s / size);
  }
  const mean = means.reduce((s, x) => s + x, 0) / batches;
  const variance = means.reduce((s, x) => s + (x - mean) ** 2, 0) / (batches - 1);
  const half = zFor(level) * Math.sqrt(variance / batches);
  return { estimate: mean, low: mean - half, high: mean + half, level };
}
