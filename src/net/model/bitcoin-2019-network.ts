/**
 * The `bitcoin-2019` preset at work: a network of n nodes built as SimBlock builds it (Main.java
 * constructNetworkWithAllNodes), and SimBlock's draws for one message (Network.java getLatency, getBandwidth;
 * Node.java receiveMessage, sendNextBlockMessage, getFailedBlockSize), from the parameters in bitcoin-2019.ts.
 * Pure: every draw comes from an Rng; the network from stream 0 of its seed (the topology's stream, as for the
 * generic topologies: types.ts NetworkSettings).
 *
 * Choices the description (the JSON's notes) leaves open, with SimBlock's answer (dsg-titech/simblock, files under
 * simulator/src/main/java/simblock/) unless it says otherwise:
 * 1. Regions and outbound degrees are quotas, not independent draws (simulator/Main.java
 *    makeRandomListFollowDistribution): category k fills a list while its length is <= n x (cumulative share up
 *    to k), which gives floor(n x share) entries per category, one more for the first, n + 1 in all when the shares
 *    sum to 1; the list is shuffled (Fisher-Yates, as Collections.shuffle) and node i takes entry i. So a region's
 *    count is within 1 of n x its share. Were the list shorter than n, SimBlock pads it with the category after
 *    the last (an index out of range); we pad with the last one (never reached with these shares).
 * 2. Outbound degree = entry index + 1 (Main.java: degreeList.get(id - 1) + 1), so 1 to 20 links.
 * 3. Compact relay and churn are quotas too (Main.java makeRandomList): the first ceil(n x rate) of a list are
 *    true, then it is shuffled. The product n x rate is taken in 32-bit float as Java's `int * float` does
 *    (Math.fround), so the count is SimBlock's for every n.
 * 4. Draw order from the one stream: the region list, the degree list, the compact list, the churn list, each
 *    node's mining power in node order, then each node's links in node order (SimBlock's order; SimBlock draws the
 *    links from an unseeded java.util.Random of its own, BitcoinCoreTable.initTable, so its topology is not
 *    reproducible; ours is).
 * 5. Links (node/routing/BitcoinCoreTable.java initTable, addNeighbor): node i, in node order, takes candidates
 *    in random order and adds one unless it is i itself or already linked to i either way (i's outbound or
 *    inbound), until it has its degree of outbound links. So edges are never duplicated, a pair linked by the
 *    other end is skipped (not counted), and a node whose degree cannot be reached (fewer unlinked others left, in
 *    a small network) links to all it can. We draw candidates uniformly with rejection, which picks the same
 *    uniformly random subset; when no more than the degree are left, we take them all in a shuffled order.
 *    Inbound links are unlimited. The graph is not checked for connectedness (SimBlock does not check either;
 *    every node has at least one link from n = 2, and at 1,000 nodes a split is vanishingly unlikely).
 * 6. Neighbour order (adjacency): outbound links in the order chosen, then inbound ones in the order they were
 *    made (BitcoinCoreTable.getNeighbors: outbound then inbound); SimBlock sends inv to neighbours in that order.
 *    `edges` are sorted by (a, b).
 * 7. Mining power (Main.java genMiningPower): max(1, (int)(gaussian x stdev + mean)); (int) truncates towards zero,
 *    which equals floor wherever the result is above 1. The gaussian is Marsaglia's polar method with its second
 *    value kept for the next node, as java.util.Random.nextGaussian.
 * 8. Latency (simulator/Network.java getLatency): round(scale / u^(1 / shape)), shape = 0.2 x mean,
 *    scale = mean - 5, rounded half up (Java's Math.round, as JavaScript's for positive numbers). SimBlock's u is
 *    nextDouble() in [0, 1), which can be 0 (an infinite latency); ours is 1 - rng(), in (0, 1].
 * 9. Transfer (node/Node.java sendNextBlockMessage) is Java long arithmetic: floor(bytes x 8 / floor(bandwidth /
 *    1000)) + processingTimeMs, whole milliseconds. (Every bandwidth here is a multiple of 1000 bit/s.)
 * 10. Compact block failure (Node.java receiveMessage): the receiver fails when u <= its rate (SimBlock succeeds
 *    when nextDouble() > rate), the rate as a 32-bit float (SimBlock's `float` constants); the receiver's churn
 *    flag picks the rate.
 * 11. The missing transactions' size (Node.java getFailedBlockSize) is drawn by the node that answers, the
 *    compact block's sender, from the distribution of ITS kind (SimBlock's code, although its configuration
 *    comment describes the distribution a node "receives"): (long)(BLOCK_SIZE x fraction) with a float fraction,
 *    so floor(fround(535000 x fround(fraction))) bytes.
 * 12. Compact relay is used only if both ends use it (sendNextBlockMessage: the requester's and the holder's
 *    flags); otherwise the full block is sent.
 * For the engine (not drawn here): in SimBlock the holder's next upload starts when a block message ARRIVES
 * (BlockMessageTask.run calls sendNextBlockMessage), so an upload occupies the sender for transfer plus latency;
 * inv, getdata and getblocktxn each take a latency draw + 10 ms (AbstractMessageTask.getInterval); a failed
 * compact block's getblocktxn joins the holder's upload queue like a getdata.
 */
import type { Edge, NetworkSettings, Rng } from './types.ts';
import { BITCOIN_2019 } from './bitcoin-2019.ts';
import { badValue, shown } from './errors.ts';
import { createRng } from './rng.ts';
import { makeSettings } from './settings.ts';

export interface RegionalNetwork {
  readonly name: 'bitcoin-2019';
  readonly nodes: number;
  readonly regions: readonly string[];
  /** Region index of each node (drawn from regionDistribution). */
  readonly regionOf: Uint8Array;
  /** Two-way links, each [a, b] with a < b, no duplicates, no self links (from the outbound degree draw). */
  readonly edges: readonly Edge[];
  /** Neighbours of each node as CSR: neighbours of i are adjacency[offsets[i] .. offsets[i+1]). */
  readonly offsets: Uint32Array;
  readonly adjacency: Uint32Array;
  /** Outbound links node i opened: its degree draw (fewer only when a small network has no more to offer). */
  readonly outbound: Uint8Array;
  /** Per node, drawn once: uses compact block relay; is a churn node. */
  readonly compact: Uint8Array;
  readonly churn: Uint8Array;
  /** Per node hash power (hashes per ms) as miningPower says: max(1, floor(gaussian*stdev + mean)). */
  readonly miningPower: Float64Array;
}

/** What one block push costs; `missingBytes` > 0: the compact block failed and a second round trip follows. */
export interface BlockMessage {
  readonly bytes: number;
  readonly compact: boolean;
  readonly missingBytes: number;
}

/** The largest network: node counts stay exact in Java's float arithmetic (choice 3) up to 2^24. */
export const BITCOIN_2019_MAX_NODES = 2 ** 24;

const P = BITCOIN_2019;
const R = P.regions.length;
/** [from * R + to]: mean, 1 / shape and scale of the latency draw (choice 8). */
const MEAN = Float64Array.from(P.latencyMeanMs.flat());
const INV_SHAPE = MEAN.map((m) => 1.0 / (0.2 * m));
const SCALE = MEAN.map((m) => m - 5);
const UPLOAD = Float64Array.from(P.uploadBitsPerSecond);
const DOWNLOAD = Float64Array.from(P.downloadBitsPerSecond);

const FULL_BLOCK: BlockMessage = Object.freeze({ bytes: P.blockSizeBytes, compact: false, missingBytes: 0 });
const COMPACT_OK: BlockMessage = Object.freeze({
  bytes: P.compactBlockSizeBytes,
  compact: true,
  missingBytes: 0,
});
const FAIL_RATE = {
  control: Math.fround(P.compactBlockFailureRate.controlNode),
  churn: Math.fround(P.compactBlockFailureRate.churnNode),
};

/** A failure size distribution: cumulative weights and the answer for each entry (choice 11). */
interface MissingTable {
  readonly total: number;
  readonly upTo: Uint32Array;
  readonly messages: readonly BlockMessage[];
}

function missingTable(entries: readonly { fraction: number; weight: number }[]): MissingTable {
  const upTo = new Uint32Array(entries.length);
  let total = 0;
  const messages = entries.map((e, i) => {
    total += e.weight;
    upTo[i] = total;
    const missingBytes = Math.floor(Math.fround(Math.fround(P.blockSizeBytes) * Math.fround(e.fraction)));
    return Object.freeze({ bytes: P.compactBlockSizeBytes, compact: true, missingBytes });
  });
  return { total, upTo, messages };
}

const MISSING = {
  control: missingTable(P.failedCompactBlockSizeFraction.controlNode),
  churn: missingTable(P.failedCompactBlockSizeFraction.churnNode),
};

/** Collections.shuffle's order: for i from the end, swap i - 1 with a uniform index below i. */
function shuffle(list: Uint8Array, rng: Rng): void {
  for (let i = list.length; i > 1; i--) {
    const j = Math.floor(rng() * i);
    const t = list[i - 1]!;
    list[i - 1] = list[j]!;
    list[j] = t;
  }
}

/** SimBlock's makeRandomListFollowDistribution (choice 1): n shuffled category indices. */
function quotaList(shares: readonly number[], cumulative: boolean, n: number, rng: Rng): Uint8Array {
  const ends: number[] = [];
  let size = 0;
  let acc = 0;
  for (const share of shares) {
    acc = cumulative ? share : acc + share;
    if (size <= n * acc) size = Math.floor(n * acc) + 1;
    ends.push(size);
  }
  const list = new Uint8Array(Math.max(size, n)).fill(shares.length - 1);
  for (let k = 0, from = 0; k < ends.length; from = ends[k]!, k++) list.fill(k, from, ends[k]);
  shuffle(list, rng);
  return list.slice(0, n);
}

/** SimBlock's makeRandomList (choice 3): i < n x rate in 32-bit float, shuffled. */
function rateList(rate: number, n: number, rng: Rng): Uint8Array {
  const threshold = Math.fround(Math.fround(n) * Math.fround(rate));
  const list = new Uint8Array(n);
  for (let i = 0; i < n && Math.fround(i) < threshold; i++) list[i] = 1;
  shuffle(list, rng);
  return list;
}

/** Standard normal draws by Marsaglia's polar method, two per accepted pair (choice 7). */
function gaussians(rng: Rng): () => number {
  let spare = 0;
  let haveSpare = false;
  return () => {
    if (haveSpare) {
      haveSpare = false;
      return spare;
    }
    let v1: number, v2: number, s: number;
    do {
      v1 = 2 * rng() - 1;
      v2 = 2 * rng() - 1;
      s = v1 * v1 + v2 * v2;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v2 * m;
    haveSpare = true;
    return v1 * m;
  };
}

/** The outbound links, in the order made (choices 5 and 6): `to[e]` chosen by `from[e]`. */
function drawLinks(n: number, degree: Uint8Array, rng: Rng) {
  let capacity = 0;
  for (let i = 0; i < n; i++) capacity += degree[i]!;
  const from = new Uint32Array(capacity);
  const to = new Uint32Array(capacity);
  const outbound = new Uint8Array(n);
  const inbound = new Uint32Array(n);
  // Each node's inbound edges as a linked list through nextIn (edge index + 1; 0 ends it).
  const firstIn = new Uint32Array(n);
  const nextIn = new Uint32Array(capacity);
  // mark[j] === i + 1: j is i itself or already linked to i.
  const mark = new Uint32Array(n);
  let e = 0;
  const link = (i: number, j: number): void => {
    from[e] = i;
    to[e] = j;
    mark[j] = i + 1;
    nextIn[e] = firstIn[j]!;
    firstIn[j] = ++e;
    outbound[i]!++;
    inbound[j]!++;
  };
  for (let i = 0; i < n; i++) {
    const stamp = i + 1;
    mark[i] = stamp;
    for (let x = firstIn[i]!; x !== 0; x = nextIn[x - 1]!) mark[from[x - 1]!] = stamp;
    const left = n - 1 - inbound[i]!;
    const want = degree[i]!;
    if (left <= want) {
      const rest = new Uint32Array(left);
      for (let j = 0, k = 0; j < n; j++) if (mark[j] !== stamp) rest[k++] = j;
      for (let k = left; k > 1; k--) {
        const r = Math.floor(rng() * k);
        const t = rest[k - 1]!;
        rest[k - 1] = rest[r]!;
        rest[r] = t;
      }
      for (const j of rest) link(i, j);
      continue;
    }
    for (let c = 0; c < want;) {
      const j = Math.floor(rng() * n);
      if (mark[j] === stamp) continue;
      link(i, j);
      c++;
    }
  }
  return { from, to, count: e, outbound, inbound };
}

/**
 * The indices 0..m-1 of `key` (values below n) in stable order of key, taking them in the order `within` gives
 * (null: 0..m-1). Twice, low key after high, sorts edges by (a, b) in O(m + n): 1 ms for 86,000 edges against 8 ms
 * for Float64Array.sort of a * n + b (measured, 10,000 nodes).
 */
function countingSort(key: Uint32Array, n: number, within: Uint32Array | null): Uint32Array {
  const m = key.length;
  const start = new Uint32Array(n + 1);
  for (let x = 0; x < m; x++) start[key[x]! + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const out = new Uint32Array(m);
  for (let x = 0; x < m; x++) {
    const k = within === null ? x : within[x]!;
    out[start[key[k]!]!++] = k;
  }
  return out;
}

/**
 * A bitcoin-2019 network of `nodes` nodes from `seed` (stream 0 of it), as SimBlock builds one (see the module's
 * choices). 10,000 nodes (86,000 edges): 7 ms at best and 14 ms median once compiled, about 50 ms for the
 * first call of a process (measured on 2 busy cores); 1,000 nodes: under 1 ms.
 */
export function buildBitcoin2019(nodes: number, seed: number): RegionalNetwork {
  if (!Number.isSafeInteger(nodes) || nodes < 1 || nodes > BITCOIN_2019_MAX_NODES)
    throw badValue(`a bitcoin-2019 network needs 1 to ${BITCOIN_2019_MAX_NODES} nodes, got ${shown(nodes)}`);
  const n = nodes;
  const rng = createRng(seed, 0);
  const regionOf = quotaList(P.regionDistribution, false, n, rng);
  const degree = quotaList(P.outboundDegreeCumulative, true, n, rng).map((k) => k + 1);
  const compact = rateList(P.compactBlockRelayUsageRate, n, rng);
  const churn = rateList(P.churnNodeRate, n, rng);
  const gaussian = gaussians(rng);
  const { mean, stdev } = P.miningPower;
  const miningPower = new Float64Array(n);
  for (let i = 0; i < n; i++) miningPower[i] = Math.max(1, Math.floor(gaussian() * stdev + mean));

  const { from, to, count, outbound, inbound } = drawLinks(n, degree, rng);
  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + outbound[i]! + inbound[i]!;
  const adjacency = new Uint32Array(offsets[n]!);
  const outCursor = offsets.slice(0, n);
  const inCursor = new Uint32Array(n);
  for (let i = 0; i < n; i++) inCursor[i] = offsets[i]! + outbound[i]!;
  const lo = new Uint32Array(count);
  const hi = new Uint32Array(count);
  for (let x = 0; x < count; x++) {
    const a = from[x]!;
    const b = to[x]!;
    adjacency[outCursor[a]!++] = b;
    adjacency[inCursor[b]!++] = a;
    lo[x] = a < b ? a : b;
    hi[x] = a < b ? b : a;
  }
  const order = countingSort(lo, n, countingSort(hi, n, null));
  const edges: Edge[] = [];
  for (let x = 0; x < count; x++) {
    const k = order[x]!;
    edges.push([lo[k]!, hi[k]!]);
  }
  return {
    name: 'bitcoin-2019',
    nodes: n,
    regions: P.regions,
    regionOf,
    edges,
    offsets,
    adjacency,
    outbound,
    compact,
    churn,
    miningPower,
  };
}

function region(r: number, what: string): number {
  if (r >>> 0 === r && r < R) return r;
  throw badValue(`${what} must be a region index from 0 to ${R - 1}, got ${shown(r)}`);
}

/** One message's latency in ms between two nodes' regions, SimBlock's draw (see latencyDraw), rounded. */
export function bitcoin2019LatencyMs(fromRegion: number, toRegion: number, rng: Rng): number {
  const k = region(fromRegion, 'the sender region') * R + region(toRegion, 'the receiver region');
  return Math.round(SCALE[k]! / Math.pow(1 - rng(), INV_SHAPE[k]!));
}

/** The link's bandwidth in bits per second: min(upload of sender's region, download of receiver's). */
export function bitcoin2019BandwidthBps(fromRegion: number, toRegion: number): number {
  return Math.min(
    UPLOAD[region(fromRegion, 'the sender region')]!,
    DOWNLOAD[region(toRegion, 'the receiver region')]!,
  );
}

/** Transfer time in ms of `bytes` over a link: bytes*8 / (bandwidth/1000) + processingTimeMs (choice 9). */
export function bitcoin2019TransferMs(bytes: number, fromRegion: number, toRegion: number): number {
  if (!(bytes >= 0) || !Number.isSafeInteger(bytes))
    throw badValue(`a message's size must be a whole number of bytes, got ${shown(bytes)}`);
  const bitsPerMs = Math.floor(bitcoin2019BandwidthBps(fromRegion, toRegion) / 1000);
  return Math.floor((bytes * 8) / bitsPerMs) + P.processingTimeMs;
}

function node(net: RegionalNetwork, i: number, what: string): void {
  if (i >>> 0 !== i || i >= net.nodes)
    throw badValue(`the ${what} must be a node from 0 to ${net.nodes - 1}, got ${shown(i)}`);
}

/**
 * Bytes of the block message from `from` to `to` and whether it was a compact block: full blockSizeBytes unless
 * both use compact relay; compact: compactBlockSizeBytes, and with the failure rate (churn or control node
 * receiver) the receiver asks for the missing transactions: return also the extra bytes
 * (failedCompactBlockSizeFraction draw x blockSizeBytes) so the caller can model the second round trip.
 * No draw for a full block; one for a compact block that succeeds, two for one that fails (choices 10-12).
 * The answers are shared frozen objects (no allocation per message).
 */
export function bitcoin2019BlockMessage(
  net: RegionalNetwork,
  from: number,
  to: number,
  rng: Rng,
): BlockMessage {
  node(net, from, 'sender');
  node(net, to, 'receiver');
  if (net.compact[from] !== 1 || net.compact[to] !== 1) return FULL_BLOCK;
  if (rng() > (net.churn[to] === 1 ? FAIL_RATE.churn : FAIL_RATE.control)) return COMPACT_OK;
  const table = net.churn[from] === 1 ? MISSING.churn : MISSING.control;
  const pick = Math.floor(rng() * table.total);
  let k = 0;
  while (table.upTo[k]! <= pick) k++;
  return table.messages[k]!;
}

/**
 * The generic model's settings over a bitcoin-2019 network (its links as a topology file, nodes named by their
 * numbers, no link effects: the preset draws those itself), which partitions and the ledger read.
 */
export function bitcoin2019Settings(
  net: RegionalNetwork,
  seed: number,
  partition: ReadonlyArray<readonly number[]> | null = null,
): NetworkSettings {
  return makeSettings({
    seed,
    nodes: Array.from({ length: net.nodes }, (_, i) => String(i)),
    topology: { kind: 'file', path: 'bitcoin-2019' },
    fileEdges: net.edges,
    partition,
  });
}
