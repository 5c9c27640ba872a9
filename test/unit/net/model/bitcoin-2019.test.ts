/**
 * The bitcoin-2019 preset: its constants are the copied SimBlock vector, and the networks and messages it draws
 * follow SimBlock's distributions (binomial bounds of six standard deviations, KS at significance 1e-6), with
 * SimBlock's quirks where they differ from independent draws (quotas, integer transfer times, which node's kind
 * picks each compact block rate).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BITCOIN_2019,
  bitcoin2019BandwidthBps,
  bitcoin2019BlockMessage,
  bitcoin2019LatencyMs,
  bitcoin2019TransferMs,
  buildBitcoin2019,
  createRng,
} from '../../../../src/net/model/index.ts';
import type { RegionalNetwork } from '../../../../src/net/model/index.ts';
import { testSeed } from '../../../helpers/seed.ts';
import { readVector } from '../../../helpers/vectors.ts';
import { refuses } from './helpers.ts';

const seed = testSeed();
const P = BITCOIN_2019;
const N = 10_000;
let big: RegionalNetwork | undefined;
/** One 10,000-node network for the statistical tests (about 50 ms to build). */
const net10k = (): RegionalNetwork => (big ??= buildBitcoin2019(N, seed));

/** |observed - n p| within six binomial standard deviations. */
function binomial(observed: number, n: number, p: number, what: string): void {
  const sd = Math.sqrt(n * p * (1 - p));
  assert.ok(
    Math.abs(observed - n * p) <= 6 * sd + 1e-9,
    `${what}: ${observed} of ${n}, expected ${(n * p).toFixed(1)} ± ${(6 * sd).toFixed(1)} (seed ${seed})`,
  );
}

function neighbours(net: RegionalNetwork, i: number): number[] {
  return [...net.adjacency.subarray(net.offsets[i], net.offsets[i + 1])];
}

/** The structural guarantees of any network: edges unique, a < b, sorted; the CSR is the same graph. */
function checkStructure(net: RegionalNetwork, what: string): void {
  const n = net.nodes;
  const keys = new Set<number>();
  let previous = -1;
  for (const [a, b] of net.edges) {
    assert.ok(Number.isInteger(a) && Number.isInteger(b) && 0 <= a && a < b && b < n, `${what}: ${a}-${b}`);
    const key = a * n + b;
    assert.ok(key > previous, `${what}: edges sorted and unique at ${a}-${b}`);
    previous = key;
    keys.add(key);
  }
  assert.equal(net.offsets.length, n + 1);
  assert.equal(net.offsets[n], 2 * net.edges.length, `${what}: every edge twice in the CSR`);
  let outbound = 0;
  for (let i = 0; i < n; i++) {
    const nb = neighbours(net, i);
    assert.equal(new Set(nb).size, nb.length, `${what}: node ${i} lists a neighbour twice`);
    for (const j of nb) assert.ok(j !== i && keys.has(i < j ? i * n + j : j * n + i), `${what}: ${i}-${j}`);
    if (n >= 2) assert.ok(nb.length >= 1, `${what}: node ${i} has no link`);
    assert.ok(net.outbound[i]! <= nb.length);
    outbound += net.outbound[i]!;
    // Outbound links first, then inbound ones in the order their nodes joined (ascending): each outbound
    // neighbour lists i among its inbound links.
    const inbound = nb.slice(net.outbound[i]);
    assert.deepEqual(
      inbound,
      [...inbound].sort((x, y) => x - y),
      `${what}: node ${i}'s inbound order`,
    );
    for (const j of nb.slice(0, net.outbound[i]))
      assert.ok(
        net.adjacency.subarray(net.offsets[j], net.offsets[j + 1]).indexOf(i) >= net.outbound[j]!,
        `${what}: ${i} opened ${i}-${j}`,
      );
  }
  assert.equal(outbound, net.edges.length, `${what}: each edge is one node's outbound link`);
}

test('the constants are the copied SimBlock vector, field for field, and frozen', () => {
  const vector: unknown = JSON.parse(readVector('models/bitcoin-2019.json').toString('utf8'));
  assert.deepStrictEqual(BITCOIN_2019, vector);
  assert.ok(Object.isFrozen(BITCOIN_2019) && Object.isFrozen(BITCOIN_2019.latencyMeanMs[2]));
  assert.ok(Object.isFrozen(BITCOIN_2019.failedCompactBlockSizeFraction.churnNode[5]));
});

test('the same seed builds the same network; another seed another one', () => {
  const a = buildBitcoin2019(1000, seed);
  assert.deepStrictEqual(buildBitcoin2019(1000, seed), a);
  const b = buildBitcoin2019(1000, seed + 1);
  assert.notDeepStrictEqual(b.regionOf, a.regionOf);
  assert.notDeepStrictEqual(b.edges, a.edges);
  assert.notDeepStrictEqual(b.miningPower, a.miningPower);
  checkStructure(a, `1000 nodes, seed ${seed}`);
});

test('10,000 nodes: region counts are SimBlock quotas (within 1 of n x share), so within binomial bounds', () => {
  const net = net10k();
  assert.deepEqual(net.regions, P.regions);
  const counts = new Array<number>(P.regions.length).fill(0);
  for (const r of net.regionOf) counts[r]!++;
  P.regionDistribution.forEach((p, r) => {
    binomial(counts[r]!, N, p, P.regions[r]!);
    assert.ok(Math.abs(counts[r]! - N * p) <= 1, `${P.regions[r]}: ${counts[r]} is not a quota of ${N * p}`);
  });
});

test('10,000 nodes: outbound degrees follow the cumulative distribution, 1 to 20, none of 16', () => {
  const net = net10k();
  const counts = new Array<number>(21).fill(0);
  for (const d of net.outbound) counts[d]!++;
  assert.equal(counts[0], 0);
  const cdf = P.outboundDegreeCumulative;
  for (let d = 1; d <= 20; d++) {
    const p = cdf[d - 1]! - (d === 1 ? 0 : cdf[d - 2]!);
    binomial(counts[d]!, N, p, `degree ${d}`);
  }
  assert.equal(counts[16], 0, 'P(16) is 0.97 - 0.97');
  checkStructure(net, `10,000 nodes, seed ${seed}`);
});

test('links as BitcoinCoreTable makes them: a pair linked by the other end is skipped, small networks link all they can', () => {
  // Two nodes: node 0 opens its link to 1; node 1 finds its only candidate already linked and opens none.
  const two = buildBitcoin2019(2, seed);
  assert.deepEqual(two.edges, [[0, 1]]);
  assert.deepEqual([...two.outbound], [1, 0]);
  assert.deepEqual(buildBitcoin2019(1, seed).edges, []);
  for (let n = 3; n <= 24; n++) {
    for (let s = 0; s < 3; s++) {
      const net = buildBitcoin2019(n, seed + s);
      checkStructure(net, `${n} nodes, seed ${seed + s}`);
      // Node 0 links first, to min(its degree, n - 1) others, and every later node meets its degree or is full.
      for (let i = 0; i < n; i++) {
        const links = net.offsets[i + 1]! - net.offsets[i]!;
        assert.ok(links === n - 1 || net.outbound[i]! >= 1, `${n} nodes: node ${i}`);
      }
    }
  }
});

/** sup |F_n - G| for an integer sample and the CDF G of a distribution on the integers. */
function ksDiscrete(sample: readonly number[], cdf: (k: number) => number): number {
  const xs = [...sample].sort((a, b) => a - b);
  let d = 0;
  let i = 0;
  for (let k = xs[0]! - 1; k <= xs[xs.length - 1]!; k++) {
    while (i < xs.length && xs[i]! <= k) i++;
    d = Math.max(d, Math.abs(i / xs.length - cdf(k)));
  }
  return d;
}

/** round(X) for SimBlock's Pareto of this mean and shape: P(round(X) <= k) = F(k + 0.5). */
const roundedPareto = (mean: number, shape: number, scale: number) => (k: number) =>
  k + 0.5 <= scale ? 0 : 1 - Math.pow(scale / (k + 0.5), shape);

test("latency draws follow SimBlock's Pareto of every matrix entry, with its mean, and not the generic shape-5 one", () => {
  const rng = createRng(seed, 1);
  const DRAWS = 20_000;
  const critical = Math.sqrt(-Math.log(1e-6 / 2) / 2) / Math.sqrt(DRAWS);
  for (let from = 0; from < 6; from++) {
    for (let to = 0; to < 6; to++) {
      const mean = P.latencyMeanMs[from]![to]!;
      const [shape, scale] = [0.2 * mean, mean - 5];
      const sample = Array.from({ length: DRAWS }, () => bitcoin2019LatencyMs(from, to, rng));
      const what = `${P.regions[from]} -> ${P.regions[to]} (mean ${mean}, seed ${seed})`;
      assert.ok(
        sample.every((x) => Number.isInteger(x) && x >= Math.round(scale)),
        what,
      );
      const d = ksDiscrete(sample, roundedPareto(mean, shape, scale));
      assert.ok(d < critical, `${what}: KS D = ${d.toFixed(4)} >= ${critical.toFixed(4)}`);
      if (shape < 5) continue; // means 11, 12, 16: a tail too heavy for a tight bound on the sample mean
      // Var = scale^2 shape / ((shape - 1)^2 (shape - 2)), plus at most 1/4 from rounding.
      const sd = Math.sqrt((scale * scale * shape) / ((shape - 1) ** 2 * (shape - 2)) + 0.25);
      const avg = sample.reduce((s, x) => s + x, 0) / DRAWS;
      assert.ok(Math.abs(avg - mean) < (6 * sd) / Math.sqrt(DRAWS), `${what}: mean ${avg}`);
      if (mean === 124) {
        const generic = ksDiscrete(sample, roundedPareto(mean, 5, (mean * 4) / 5));
        assert.ok(generic >= critical, `${what}: the shape-5 Pareto should not fit (D = ${generic})`);
      }
    }
  }
});

test("bandwidth is min(sender's upload, receiver's download); transfer is SimBlock's whole milliseconds", () => {
  assert.equal(bitcoin2019BandwidthBps(0, 2), 18_000_000); // NA up 19.2 Mbit/s, SA down 18
  assert.equal(bitcoin2019BandwidthBps(2, 0), 5_800_000); // SA up 5.8, NA down 52
  assert.equal(bitcoin2019BandwidthBps(1, 1), 20_700_000);
  assert.equal(bitcoin2019BandwidthBps(4, 5), 10_200_000);
  for (let from = 0; from < 6; from++)
    for (let to = 0; to < 6; to++)
      assert.equal(
        bitcoin2019BandwidthBps(from, to),
        Math.min(P.uploadBitsPerSecond[from]!, P.downloadBitsPerSecond[to]!),
      );
  // 535,000 bytes at 5,800 bit/ms: 737.9 ms, truncated as Java's long division, + 2 ms of processing.
  assert.equal(bitcoin2019TransferMs(535_000, 2, 0), 739);
  // 18,000 bytes at 19,200 bit/ms: 7.5 -> 7, + 2.
  assert.equal(bitcoin2019TransferMs(18_000, 0, 1), 9);
  assert.equal(bitcoin2019TransferMs(0, 3, 3), 2);
  refuses(() => bitcoin2019LatencyMs(6, 0, createRng(seed, 1)), /region index from 0 to 5, got 6/);
  refuses(() => bitcoin2019BandwidthBps(0, -1), /region index from 0 to 5, got -1/);
  refuses(() => bitcoin2019TransferMs(-1, 0, 0), /whole number of bytes, got -1/);
  refuses(() => buildBitcoin2019(0, seed), /1 to 16777216 nodes, got 0/);
  refuses(() => bitcoin2019BlockMessage(buildBitcoin2019(3, seed), 0, 3, createRng(seed, 1)), /got 3/);
});

test('10,000 nodes: compact relay and churn are quotas of their rates; mining power is max(1, floor(normal))', () => {
  const net = net10k();
  const sum = (a: Uint8Array): number => a.reduce((s, x) => s + x, 0);
  // SimBlock: i < n x rate in float, so ceil(10,000 x 0.964) = 9,640 and 9,760 exactly.
  assert.equal(sum(net.compact), 9640);
  assert.equal(sum(net.churn), 9760);
  binomial(sum(net.compact), N, P.compactBlockRelayUsageRate, 'compact relay');
  binomial(sum(net.churn), N, P.churnNodeRate, 'churn');
  const { mean, stdev } = P.miningPower;
  const power = [...net.miningPower];
  assert.ok(power.every((h) => Number.isInteger(h) && h >= 1));
  const avg = power.reduce((s, x) => s + x, 0) / N;
  const sd = Math.sqrt(power.reduce((s, x) => s + (x - avg) ** 2, 0) / (N - 1));
  assert.ok(Math.abs(avg - mean) < (6 * stdev) / Math.sqrt(N), `mean power ${avg} (seed ${seed})`);
  // The sample sd of a normal has a standard error of sigma / sqrt(2 (n - 1)).
  assert.ok(Math.abs(sd - stdev) < (6 * stdev) / Math.sqrt(2 * (N - 1)), `power sd ${sd} (seed ${seed})`);
});

/** The first node with these flags (compact relay on). */
function nodeWith(net: RegionalNetwork, churn: 0 | 1): number {
  const i = net.churn.findIndex((c, k) => c === churn && net.compact[k] === 1);
  assert.ok(i >= 0);
  return i;
}

test("block messages: full unless both use compact relay; the receiver's kind sets the failure rate, the sender's the missing size", () => {
  const net = net10k();
  const rng = createRng(seed, 2);
  const legacy = net.compact.findIndex((c) => c === 0);
  assert.deepEqual(bitcoin2019BlockMessage(net, legacy, nodeWith(net, 1), rng), {
    bytes: 535_000,
    compact: false,
    missingBytes: 0,
  });
  assert.equal(bitcoin2019BlockMessage(net, nodeWith(net, 0), legacy, rng).compact, false);
  const [control, churn] = [nodeWith(net, 0), nodeWith(net, 1)];
  const churn2 = net.churn.findIndex((c, k) => c === 1 && net.compact[k] === 1 && k !== churn);
  const control2 = net.churn.findIndex((c, k) => c === 0 && net.compact[k] === 1 && k !== control);
  const DRAWS = 20_000;
  const sizes = (from: number, to: number): number[] =>
    Array.from({ length: DRAWS }, () => {
      const m = bitcoin2019BlockMessage(net, from, to, rng);
      assert.ok(m.compact && m.bytes === 18_000);
      return m.missingBytes;
    });
  const weights = P.failedCompactBlockSizeFraction.churnNode;
  const total = weights.reduce((s, w) => s + w.weight, 0);
  const allowed = new Set(weights.map((w) => Math.round(535_000 * w.fraction)));
  for (const [from, to, rate, senderChurn] of [
    [churn, control, 0.13, true],
    [control, churn, 0.27, false],
    [churn, churn2, 0.27, true],
    [control, control2, 0.13, false],
  ] as const) {
    const missing = sizes(from, to).filter((b) => b > 0);
    const what = `${senderChurn ? 'churn' : 'control'} sender, rate ${rate}`;
    binomial(missing.length, DRAWS, rate, `${what}: failed compact blocks`);
    if (!senderChurn) {
      assert.ok(
        missing.every((b) => b === 5350),
        `${what}: a control node always sends 1% of the block`,
      );
      continue;
    }
    assert.ok(
      missing.every((b) => allowed.has(b)),
      `${what}: sizes from the table`,
    );
    binomial(missing.filter((b) => b === 5350).length, missing.length, 546 / total, `${what}: 1%`);
    binomial(missing.filter((b) => b === 10_700).length, missing.length, 66 / total, `${what}: 2%`);
    const meanFraction = weights.reduce((s, w) => s + w.fraction * w.weight, 0) / total;
    const sdFraction = Math.sqrt(
      weights.reduce((s, w) => s + (w.fraction - meanFraction) ** 2 * w.weight, 0) / total,
    );
    const avg = missing.reduce((s, b) => s + b, 0) / missing.length / 535_000;
    assert.ok(
      Math.abs(avg - meanFraction) < (6 * sdFraction) / Math.sqrt(missing.length) + 1e-5,
      `${what}: mean missing fraction ${avg}, expected ${meanFraction} (seed ${seed})`,
    );
  }
});
