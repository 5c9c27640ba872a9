/**
 * SimBlock's Bitcoin network parameters, the `bitcoin-2019` preset, as data: a field-for-field copy of
 * test/vectors/models/bitcoin-2019.json (test/unit/net/model/bitcoin-2019.test.ts checks they deep-equal), kept
 * in TypeScript because the pure model cannot read files.
 *
 * Provenance: SimBlock (dsg-titech/simblock, commit 5fc7f9f), simulator/src/main/java/simblock/settings/
 * NetworkConfiguration.java (regions, LATENCY_2019, DOWNLOAD_ and UPLOAD_BANDWIDTH_2019, REGION_DISTRIBUTION_
 * BITCOIN_2019, DEGREE_DISTRIBUTION_BITCOIN_2015) and SimulationConfiguration.java (INTERVAL, BLOCK_SIZE,
 * COMPACT_BLOCK_SIZE, CBR_USAGE_RATE, CHURN_NODE_RATE, CBR_FAILURE_RATE_*, CBR_FAILURE_BLOCK_SIZE_DISTRIBUTION_*,
 * AVERAGE_ and STDEV_OF_MINING_POWER), the message model from simulator/Network.java and node/Node.java. SimBlock's
 * authors took them from measurements of the Bitcoin network in 2019 (Aoki et al., "SimBlock: A Blockchain Network
 * Simulator", IEEE INFOCOM Workshops 2019, arXiv 1901.09777). SimBlock writes each failure size distribution as an
 * array of repeated fractions drawn by a uniform index; `weight` is how often a fraction repeats there.
 *
 * bitcoin-2019-network.ts builds a network from them and draws its messages.
 */

/** One fraction of blockSizeBytes a failed compact block asks for, and its relative weight. */
export interface FractionWeight {
  readonly fraction: number;
  readonly weight: number;
}

/** By the kind of node: one that stays connected (control) or one that causes churn. */
export interface ByNodeKind<T> {
  readonly controlNode: T;
  readonly churnNode: T;
}

export interface Bitcoin2019Parameters {
  readonly name: 'bitcoin-2019';
  readonly provenance: string;
  readonly regions: readonly string[];
  /** [from][to], milliseconds. */
  readonly latencyMeanMs: readonly (readonly number[])[];
  readonly latencyDraw: string;
  /** By region. */
  readonly downloadBitsPerSecond: readonly number[];
  readonly uploadBitsPerSecond: readonly number[];
  readonly linkBandwidth: string;
  /** Share of the nodes in each region (sums to 1). */
  readonly regionDistribution: readonly number[];
  /** Entry i: P(outbound links <= i + 1). */
  readonly outboundDegreeCumulative: readonly number[];
  readonly outboundDegreeNote: string;
  readonly blockIntervalSeconds: number;
  readonly blockSizeBytes: number;
  readonly compactBlockSizeBytes: number;
  readonly compactBlockRelayUsageRate: number;
  readonly churnNodeRate: number;
  readonly compactBlockFailureRate: ByNodeKind<number>;
  readonly failedCompactBlockSizeFraction: ByNodeKind<readonly FractionWeight[]>;
  readonly processingTimeMs: number;
  readonly miningPower: { readonly mean: number; readonly stdev: number; readonly note: string };
  readonly messageModel: readonly string[];
}

/** Freezes a plain JSON-shaped value and everything in it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The preset's parameters (frozen). */
export const BITCOIN_2019: Bitcoin2019Parameters = deepFreeze({
  name: 'bitcoin-2019',
  provenance:
    "Parameters of SimBlock (dsg-titech/simblock, commit 5fc7f9f), files simulator/src/main/java/simblock/settings/NetworkConfiguration.java and SimulationConfiguration.java, and the message model in simulator/Network.java and node/Node.java. SimBlock's authors took them from measurements of the Bitcoin network in 2019 (Aoki et al., 'SimBlock: A Blockchain Network Simulator', IEEE INFOCOM Workshops 2019, arXiv 1901.09777). Values copied exactly; field names are ours.",
  regions: ['NORTH_AMERICA', 'EUROPE', 'SOUTH_AMERICA', 'ASIA_PACIFIC', 'JAPAN', 'AUSTRALIA'],
  latencyMeanMs: [
    [32, 124, 184, 198, 151, 189],
    [124, 11, 227, 237, 252, 294],
    [184, 227, 88, 325, 301, 322],
    [198, 237, 325, 85, 58, 198],
    [151, 252, 301, 58, 12, 126],
    [189, 294, 322, 198, 126, 16],
  ],
  latencyDraw:
    'per message: round(scale / u^(1/shape)) ms with u uniform in (0,1], shape = 0.2 * mean, scale = mean - 5 (a Pareto draw whose mean is the matrix entry); mean is latencyMeanMs[fromRegion][toRegion]',
  downloadBitsPerSecond: [52000000, 40000000, 18000000, 22800000, 22800000, 29900000],
  uploadBitsPerSecond: [19200000, 20700000, 5800000, 15700000, 10200000, 11300000],
  linkBandwidth: "min(upload of the sender's region, download of the receiver's region), in bits per second",
  regionDistribution: [0.3316, 0.4998, 0.009, 0.1177, 0.0224, 0.0195],
  outboundDegreeCumulative: [
    0.025, 0.05, 0.075, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.97, 0.98, 0.99,
    0.995, 1,
  ],
  outboundDegreeNote:
    'entry i is P(outbound links <= i + 1); each node opens that many outbound links to random distinct nodes; links are two-way (the other end records an inbound link); SimBlock uses the 2015 degree distribution together with the 2019 latencies and bandwidths',
  blockIntervalSeconds: 600,
  blockSizeBytes: 535000,
  compactBlockSizeBytes: 18000,
  compactBlockRelayUsageRate: 0.964,
  churnNodeRate: 0.976,
  compactBlockFailureRate: {
    controlNode: 0.13,
    churnNode: 0.27,
  },
  failedCompactBlockSizeFraction: {
    controlNode: [{ fraction: 0.01, weight: 210 }],
    churnNode: [
      { fraction: 0.01, weight: 546 },
      { fraction: 0.02, weight: 66 },
      { fraction: 0.03, weight: 39 },
      { fraction: 0.04, weight: 27 },
      { fraction: 0.05, weight: 21 },
      { fraction: 0.06, weight: 17 },
      { fraction: 0.07, weight: 14 },
      { fraction: 0.08, weight: 12 },
      { fraction: 0.09, weight: 11 },
      { fraction: 0.1, weight: 10 },
      { fraction: 0.11, weight: 9 },
      { fraction: 0.12, weight: 8 },
      { fraction: 0.13, weight: 7 },
      { fraction: 0.14, weight: 7 },
      { fraction: 0.15, weight: 6 },
      { fraction: 0.16, weight: 6 },
      { fraction: 0.17, weight: 5 },
      { fraction: 0.18, weight: 5 },
      { fraction: 0.19, weight: 5 },
      { fraction: 0.2, weight: 4 },
      { fraction: 0.21, weight: 4 },
      { fraction: 0.22, weight: 4 },
      { fraction: 0.23, weight: 4 },
      { fraction: 0.24, weight: 4 },
      { fraction: 0.25, weight: 3 },
      { fraction: 0.26, weight: 3 },
      { fraction: 0.27, weight: 3 },
      { fraction: 0.28, weight: 3 },
      { fraction: 0.29, weight: 3 },
      { fraction: 0.3, weight: 3 },
      { fraction: 0.31, weight: 3 },
      { fraction: 0.32, weight: 3 },
      { fraction: 0.33, weight: 2 },
      { fraction: 0.34, weight: 2 },
      { fraction: 0.35, weight: 2 },
      { fraction: 0.36, weight: 2 },
      { fraction: 0.37, weight: 2 },
      { fraction: 0.38, weight: 2 },
      { fraction: 0.39, weight: 2 },
      { fraction: 0.4, weight: 2 },
      { fraction: 0.41, weight: 2 },
      { fraction: 0.42, weight: 2 },
      { fraction: 0.43, weight: 2 },
      { fraction: 0.44, weight: 2 },
      { fraction: 0.45, weight: 2 },
      { fraction: 0.46, weight: 2 },
      { fraction: 0.47, weight: 2 },
      { fraction: 0.48, weight: 2 },
      { fraction: 0.49, weight: 1 },
      { fraction: 0.5, weight: 1 },
      { fraction: 0.51, weight: 1 },
      { fraction: 0.52, weight: 1 },
      { fraction: 0.53, weight: 1 },
      { fraction: 0.54, weight: 1 },
      { fraction: 0.55, weight: 1 },
      { fraction: 0.56, weight: 1 },
      { fraction: 0.57, weight: 1 },
      { fraction: 0.58, weight: 1 },
      { fraction: 0.59, weight: 1 },
      { fraction: 0.6, weight: 1 },
      { fraction: 0.61, weight: 1 },
      { fraction: 0.62, weight: 1 },
      { fraction: 0.63, weight: 1 },
      { fraction: 0.64, weight: 1 },
      { fraction: 0.65, weight: 1 },
      { fraction: 0.66, weight: 1 },
      { fraction: 0.67, weight: 1 },
      { fraction: 0.68, weight: 1 },
      { fraction: 0.69, weight: 1 },
      { fraction: 0.7, weight: 1 },
      { fraction: 0.71, weight: 1 },
      { fraction: 0.72, weight: 1 },
      { fraction: 0.73, weight: 1 },
      { fraction: 0.74, weight: 1 },
      { fraction: 0.75, weight: 1 },
      { fraction: 0.76, weight: 1 },
      { fraction: 0.77, weight: 1 },
      { fraction: 0.78, weight: 1 },
      { fraction: 0.79, weight: 1 },
      { fraction: 0.8, weight: 1 },
      { fraction: 0.81, weight: 1 },
      { fraction: 0.82, weight: 1 },
      { fraction: 0.83, weight: 1 },
      { fraction: 0.84, weight: 1 },
      { fraction: 0.85, weight: 1 },
      { fraction: 0.86, weight: 1 },
      { fraction: 0.87, weight: 1 },
      { fraction: 0.88, weight: 1 },
      { fraction: 0.89, weight: 1 },
      { fraction: 0.9, weight: 1 },
      { fraction: 0.91, weight: 1 },
      { fraction: 0.92, weight: 1 },
      { fraction: 0.93, weight: 1 },
      { fraction: 0.94, weight: 1 },
      { fraction: 0.95, weight: 1 },
      { fraction: 0.96, weight: 1 },
    ],
  },
  processingTimeMs: 2,
  miningPower: {
    mean: 400000,
    stdev: 100000,
    note: "each node's hash power (hashes per millisecond) is max(1, floor(gaussian * stdev + mean)), drawn once per node; the difficulty is fixed so that the whole network finds a block every blockIntervalSeconds on average; a node's time to its next block is exponential with rate = its power / difficulty, restarted whenever its tip changes",
  },
  messageModel: [
    'A node that accepts a new block sends inv to every neighbour; an inv takes latency + 10 ms.',
    'A neighbour that lacks the block answers with a request (getdata); it also takes latency + 10 ms.',
    'The holder sends block messages one at a time (an upload queue per node): transfer time = size * 8 / (linkBandwidth / 1000) ms + processingTimeMs, plus latency.',
    'If both ends use compact block relay, the block is sent as a compact block of compactBlockSizeBytes; the receiver fails to reconstruct it with compactBlockFailureRate (churn or control node) and then requests the missing transactions, which come as a block message of failedCompactBlockSizeFraction * blockSizeBytes (a draw from that distribution).',
    'Otherwise the full blockSizeBytes is sent.',
    'Whether a node uses compact block relay and whether it is a churn node are drawn once per node with the rates above.',
  ],
} as const);
