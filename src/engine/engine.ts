/**
 * The discrete-event engine: one virtual clock, one queue of events (event-queue.ts), no timers and no threads.
 * Nodes are views over one shared block store (views.ts, store.ts) and talk through the very network model the
 * live relay asks (net/model/): every block push, fetch and tip exchange after a heal is one `decide()` on it.
 * What the run did goes into the same block ledger the live manager keeps (results/ledger.ts), so a virtual run
 * writes the same summary.json and blocks.csv.
 *
 * Mining. Each node's time to its next block is exponential with rate share / interval, and the exponential is
 * memoryless, so "redraw a node's clock whenever its tip changes" and "draw the network's next block from the
 * total rate, then its miner by share" give the same distribution of who mines when on what. The engine does the
 * second (one pending mining event instead of one per node); the block is built on the miner's tip at that moment.
 * The rate does not follow a block's bits: the hash power is taken to be what the difficulty expects.
 *
 * Messages. A transport carries them (transport.ts): push-transport.ts pushes whole blocks through the generic
 * network model as the live relay does, inv-transport.ts runs SimBlock's inv/getdata/block exchange for the
 * bitcoin-2019 preset. A block whose parent a node lacks (a lost or overtaken message) waits here while the
 * transport fetches the parent from the sender; when a link comes back (a heal), its ends exchange tips.
 *
 * Randomness. The topology comes from stream 0 of the run's seed (makeSettings), every network draw from
 * stream 1, mining from MINING_STREAM: the same seed and settings give the same run, event for event.
 */
import type { NetworkParams } from '../consensus/index.ts';
import {
  createRng,
  groupsOf,
  type NetworkSettings,
  type RegionalNetwork,
  type Rng,
} from '../net/model/index.ts';
import { type BlockLedger, createBlockLedger, type StoredBlockReport } from '../results/ledger.ts';
import { EventQueue, type QueuedEvent } from './event-queue.ts';
import { BlockStore, type VirtualBlock } from './store.ts';
import { invTransport } from './inv-transport.ts';
import { pushTransport } from './push-transport.ts';
import { HONEST, type MinerStrategy } from './strategy.ts';
import type { Transport, TransportHost } from './transport.ts';
import { NodeViews } from './views.ts';

/** The mining generator's stream of the run's seed (the network model's is 1, the topology's 0). */
export const MINING_STREAM = 0x6d696e65;

const MINE = 0;
const NETWORK = 1;

export interface EngineProgress {
  readonly virtualMs: number;
  readonly bestHeight: number;
  readonly blocksMined: number;
  readonly events: number;
}

export interface EngineOptions {
  readonly params: NetworkParams;
  /** The network, as makeSettings builds it (node i is index i; addresses are only names here). */
  readonly settings: NetworkSettings;
  /** Hash power by node, any positive scale (0 for a node that does not mine). */
  readonly shares: readonly number[];
  /** The mean time between the network's blocks; default the params' target spacing. */
  readonly intervalMs?: number;
  /** Mining stops once a block this high is mined, or at this virtual time; then the queue drains. */
  readonly stop: { readonly blocks?: number; readonly virtualSeconds?: number };
  /** Changes of the network at virtual times (a partition, a heal, link settings), in time order. */
  readonly timeline?: ReadonlyArray<{ readonly atMs: number; readonly settings: NetworkSettings }>;
  /**
   * How blocks travel: pushed through the generic model of `settings` (default), or SimBlock's inv/getdata
   * exchange over a bitcoin-2019 network (whose links must be `settings`' edges; partitions come from `settings`).
   */
  readonly network?:
    { readonly kind: 'push' } | { readonly kind: 'bitcoin-2019'; readonly net: RegionalNetwork };
  /** Strategies by node; a node without one is honest. */
  readonly strategies?: ReadonlyMap<number, MinerStrategy>;
  readonly onProgress?: (p: EngineProgress) => void;
  /** Events between two onProgress calls. */
  readonly progressEvery?: number;
}

export interface EngineResult {
  readonly ledger: BlockLedger;
  readonly store: BlockStore;
  readonly views: NodeViews;
  readonly events: number;
  /** Blocks a node fetched from a peer because it lacked them (a lost or overtaken push, a heal). */
  readonly fetches: number;
  /** Virtual time of the last event. */
  readonly virtualMs: number;
  /** The most-work tip among the nodes (between equal work, the one most nodes are on, then the first mined). */
  readonly bestTip: VirtualBlock;
  readonly endedBy: 'blocks' | 'duration';
  /** Virtual ms to Unix epoch ms: the run starts at its genesis block's time. */
  readonly epochMs: (virtualMs: number) => number;
}

export function runEngine(o: EngineOptions): EngineResult {
  const n = o.settings.nodes.length;
  if (o.shares.length !== n) throw new RangeError(`${o.shares.length} shares for ${n} nodes`);
  const total = o.shares.reduce((s, x) => s + x, 0);
  if (!(total > 0) || o.shares.some((s) => !(s >= 0)))
    throw new RangeError('hash-power shares must be 0 or more, and not all 0');
  const cumulative = new Float64Array(n);
  o.shares.reduce((s, x, i) => (cumulative[i] = s + x / total), 0);
  const intervalMs = o.intervalMs ?? o.params.targetSpacing * 1000;
  const stopHeight = o.stop.blocks ?? Number.POSITIVE_INFINITY;
  const stopMs = (o.stop.virtualSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  const timeline = o.timeline ?? [];

  const store = new BlockStore(o.params);
  const views = new NodeViews(n, store);
  const mining: Rng = createRng(o.settings.seed, MINING_STREAM);
  const queue = new EventQueue();
  const epochMs = (ms: number): number => store.startSeconds * 1000 + ms;
  let settings = o.settings;

  /** How many nodes sit on each tip (block id), for agreement and the best tip. */
  const onTip = new Map<number, number>([[0, n]]);
  const allNodes = Array.from({ length: n }, (_, i) => i);
  let group = groupsOf(settings);
  const ledger = createBlockLedger({
    eligible: (miner) =>
      settings.partition === null ? allNodes : allNodes.filter((i) => group[i] === group[miner]),
    // Distinct tips are enough: the ledger only asks whether they are all one.
    upTips: () => [...onTip.keys()].map((id) => store.get(id).hash),
  });

  const strategyOf = (node: number): MinerStrategy => o.strategies?.get(node) ?? HONEST;
  /** Parent id * n + node -> the blocks (and who sent them) waiting at that node for that parent. */
  const orphans = new Map<number, Array<{ block: number; from: number }>>();
  let events = 0;
  let now = 0;
  let blocksMined = 0;
  let bestHeight = 0;
  let stillMining = true;
  let endedBy = 'blocks' as 'blocks' | 'duration';

  const host: TransportHost = {
    nodes: n,
    queue,
    views,
    store,
    now: () => now,
    receive: (node, block, from) => receive(node, block, from),
  };
  const transport: Transport =
    o.network === undefined || o.network.kind === 'push'
      ? pushTransport(host, settings)
      : invTransport(host, o.network.net, settings, createRng(settings.seed, 1));

  const report = (block: VirtualBlock, mined: boolean): StoredBlockReport => ({
    hash: block.hash,
    prev: block.prev!.hash,
    height: block.height,
    time: block.time,
    at: epochMs(now),
    mined,
  });

  const setTip = (node: number, old: number, block: VirtualBlock, disconnected: number): void => {
    const left = onTip.get(old)! - 1;
    if (left === 0) onTip.delete(old);
    else onTip.set(old, left);
    onTip.set(block.id, (onTip.get(block.id) ?? 0) + 1);
    ledger.onTip(node, { hash: block.hash, height: block.height, at: epochMs(now), disconnected });
  };

  /** The node stores `block` (its parent is there): fork choice, the ledger, announcing, its waiting children. */
  const connect = (node: number, block: VirtualBlock, from: number, mined: boolean): void => {
    const before = views.best[node]!;
    const result = views.accept(node, block);
    if (result.tipChanged) setTip(node, before, block, result.disconnected);
    ledger.onBlock(node, report(block, mined));
    const strategy = strategyOf(node);
    const out = mined ? strategy.onMined(node, block, views) : strategy.onHeard(node, block, views);
    for (const b of out) {
      // The block just stored is announced only if it became the tip, where the transport says so; what else a
      // strategy releases (blocks it withheld) is announced as it asks.
      if (b === block && transport.tipsOnly && views.best[node] !== b.id) continue;
      transport.announce(node, b, from);
    }
    if (views.holders(block) === n) transport.forget(block);
    const key = block.id * n + node;
    const waiting = orphans.get(key);
    if (waiting) {
      orphans.delete(key);
      for (const w of waiting)
        if (!views.has(node, store.get(w.block))) connect(node, store.get(w.block), w.from, false);
    }
  };

  /** A block reached `node`: connected, or kept until its parent comes (which the node asks the sender for). */
  const receive = (node: number, block: VirtualBlock, from: number): void => {
    if (views.has(node, block)) return;
    const parent = block.prev!;
    if (!views.has(node, parent)) {
      const key = parent.id * n + node;
      const waiting = orphans.get(key);
      if (waiting) waiting.push({ block: block.id, from });
      else orphans.set(key, [{ block: block.id, from }]);
      transport.fetch(node, from, parent);
      return;
    }
    connect(node, block, from, false);
  };

  const scheduleMining = (): void => {
    const next = now - intervalMs * Math.log(1 - mining());
    if (next > stopMs) {
      stillMining = false;
      endedBy = 'duration';
      return;
    }
    queue.push(next, MINE);
  };

  const mineOne = (): void => {
    const u = mining();
    let miner = 0;
    while (miner < n - 1 && cumulative[miner]! <= u) miner++;
    const strategy = strategyOf(miner);
    const block = store.mine(strategy.mineOn(miner, views), miner, now);
    blocksMined++;
    if (block.height > bestHeight) bestHeight = block.height;
    connect(miner, block, -1, true);
    if (block.height >= stopHeight) {
      stillMining = false;
      endedBy = 'blocks';
    } else scheduleMining();
  };

  const changeNetwork = (index: number): void => {
    const before = settings;
    settings = timeline[index]!.settings;
    group = groupsOf(settings);
    const kind =
      settings.partition === null && before.partition !== null
        ? 'heal'
        : settings.partition !== before.partition
          ? 'partition'
          : 'links';
    ledger.onNetwork(kind, epochMs(now));
    transport.update(before, settings);
  };

  for (const [i, change] of timeline.entries()) queue.push(change.atMs, NETWORK, i);
  scheduleMining();
  const every = o.progressEvery ?? 1 << 16;
  const event: QueuedEvent = { time: 0, kind: 0, a: 0, b: 0, c: 0 };
  while (queue.pop(event)) {
    now = event.time;
    events++;
    if (event.kind === MINE) {
      if (stillMining) mineOne();
    } else if (event.kind === NETWORK) changeNetwork(event.a);
    else transport.handle(event.kind, event.a, event.b, event.c);
    if (events % every === 0) o.onProgress?.({ virtualMs: now, bestHeight, blocksMined, events });
  }
  // A run that ends by duration covered all of it, though its last event may come before the end.
  if (endedBy === 'duration' && now < stopMs) now = stopMs;
  o.onProgress?.({ virtualMs: now, bestHeight, blocksMined, events });

  let best = store.genesis;
  for (const [id, holders] of onTip) {
    const tip = store.get(id);
    if (
      tip.chainwork > best.chainwork ||
      (tip.chainwork === best.chainwork && holders > (onTip.get(best.id) ?? 0))
    )
      best = tip;
  }
  return {
    ledger,
    store,
    views,
    events,
    fetches: transport.fetches,
    virtualMs: now,
    bestTip: best,
    endedBy,
    epochMs,
  };
}
