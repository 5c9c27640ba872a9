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
import { createStrategy } from './strategies/index.ts';
import type { StrategyReport } from './strategies/spec.ts';
import { HONEST, type MinerStrategy } from './strategy.ts';
import type { EngineChange, TimedChange } from './timeline.ts';
import type { Transport, TransportHost } from './transport.ts';
import { NodeViews } from './views.ts';

/** The mining generator's stream of the run's seed (the network model's is 1, the topology's 0). */
export const MINING_STREAM = 0x6d696e65;
/** The stream of the honest nodes' gamma coin in a tie with a selfish miner's block. */
export const TIE_STREAM = 0x74696573;

const MINE = 0;
const CHANGE = 1;

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
  /**
   * Changes during the run (timeline.ts): the network's settings, a node down or up, shares, strategies; at a
   * virtual time, or once a node has a block of some height. Changes at the same moment apply in list order.
   */
  readonly changes?: readonly TimedChange[];
  /**
   * How blocks travel: pushed through the generic model of `settings` (default), or SimBlock's inv/getdata
   * exchange over a bitcoin-2019 network (whose links must be `settings`' edges; partitions come from `settings`).
   */
  readonly network?:
    { readonly kind: 'push' } | { readonly kind: 'bitcoin-2019'; readonly net: RegionalNetwork };
  /** Strategies by node at the start; a node without one is honest. */
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
  /** What each strategic miner did, in the order the strategies started (one node may have had several). */
  readonly strategies: ReadonlyArray<{ readonly node: number; readonly report: StrategyReport }>;
}

export function runEngine(o: EngineOptions): EngineResult {
  const n = o.settings.nodes.length;
  const checkShares = (shares: readonly number[]): void => {
    if (shares.length !== n) throw new RangeError(`${shares.length} shares for ${n} nodes`);
    if (!(shares.reduce((s, x) => s + x, 0) > 0) || shares.some((s) => !(s >= 0)))
      throw new RangeError('hash-power shares must be 0 or more, and not all 0');
  };
  checkShares(o.shares);
  for (const c of o.changes ?? [])
    if (c.change.kind === 'shares' && typeof c.change.shares !== 'function') checkShares(c.change.shares);
  const intervalMs = o.intervalMs ?? o.params.targetSpacing * 1000;
  const stopHeight = o.stop.blocks ?? Number.POSITIVE_INFINITY;
  const stopMs = (o.stop.virtualSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  const changes = o.changes ?? [];

  const store = new BlockStore(o.params);
  const views = new NodeViews(n, store);
  const mining: Rng = createRng(o.settings.seed, MINING_STREAM);
  const tie: Rng = createRng(o.settings.seed, TIE_STREAM);
  const queue = new EventQueue();
  const epochMs = (ms: number): number => store.startSeconds * 1000 + ms;
  /** The network as set (userSettings) and as it acts, with every down node cut off alone (settings). */
  let userSettings = o.settings;
  let settings = o.settings;
  const down = new Uint8Array(n);
  let shares = o.shares;
  /** Cumulative shares of the up nodes, and the fraction of all hash power they hold (the rate's scale). */
  const cumulative = new Float64Array(n);
  let rateScale = 1;
  const weigh = (): void => {
    const total = shares.reduce((s, x) => s + x, 0);
    const up = shares.reduce((s, x, i) => s + (down[i] ? 0 : x), 0);
    rateScale = up / total;
    shares.reduce((s, x, i) => (cumulative[i] = s + (down[i] ? 0 : x) / (up || 1)), 0);
  };
  weigh();

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

  const strategies = new Map(o.strategies ?? []);
  const started: Array<{ node: number; strategy: MinerStrategy }> = [...strategies].map(
    ([node, strategy]) => ({
      node,
      strategy,
    }),
  );
  const strategyOf = (node: number): MinerStrategy => strategies.get(node) ?? HONEST;
  /** Parent id * n + node -> the blocks (and who sent them) waiting at that node for that parent. */
  const orphans = new Map<number, Array<{ block: number; from: number }>>();
  let events = 0;
  let now = 0;
  let blocksMined = 0;
  let bestHeight = 0;
  let stillMining = true;
  let endedBy = 'blocks' as 'blocks' | 'duration';
  /** Only the mining event of the latest draw counts (a change of hash power draws again). */
  let generation = 0;

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
    let result = views.accept(node, block);
    if (!result.tipChanged && !mined && tieGoesTo(node, block)) result = views.prefer(node, block);
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

  /**
   * Gamma: an honest node whose tip has as much work as a block it hears from a miner with a gamma (selfish)
   * switches to that block with chance gamma, instead of keeping the first it saw.
   */
  const tieGoesTo = (node: number, block: VirtualBlock): boolean => {
    if (strategies.size === 0) return false;
    const gamma = strategyOf(block.miner).gamma ?? 0;
    if (gamma === 0 || strategies.has(node)) return false;
    const tip = views.bestOf(node);
    if (tip.chainwork !== block.chainwork || (strategyOf(tip.miner).gamma ?? 0) > 0) return false;
    return tie() < gamma;
  };

  /** A block reached `node`: connected, or kept until its parent comes (which the node asks the sender for). */
  const receive = (node: number, block: VirtualBlock, from: number): void => {
    if (down[node] || views.has(node, block)) return;
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
    generation++;
    if (rateScale === 0) return; // every miner is down: the next change that brings one up draws again
    const next = now - (intervalMs / rateScale) * Math.log(1 - mining());
    if (next > stopMs) {
      stillMining = false;
      endedBy = 'duration';
      return;
    }
    queue.push(next, MINE, generation);
  };

  const mineOne = (): void => {
    const u = mining();
    let miner = 0;
    while (miner < n - 1 && cumulative[miner]! <= u) miner++;
    // Rounding can leave u above the last up miner's sum: take the last one that mines.
    while (miner > 0 && (down[miner] || shares[miner] === 0)) miner--;
    const strategy = strategyOf(miner);
    const block = store.mine(strategy.mineOn(miner, views), miner, now);
    blocksMined++;
    if (block.height > bestHeight) {
      bestHeight = block.height;
      while (nextByHeight < byHeight.length && byHeight[nextByHeight]!.height <= bestHeight)
        queue.push(now, CHANGE, byHeight[nextByHeight++]!.index);
    }
    connect(miner, block, -1, true);
    if (block.height >= stopHeight) {
      stillMining = false;
      endedBy = 'blocks';
    } else scheduleMining();
  };

  /** The settings as they act: down nodes are each alone, whatever partition is set. */
  const acting = (): NetworkSettings => {
    if (!down.includes(1)) return userSettings;
    const groups = (userSettings.partition ?? [allNodes]).map((g) => g.filter((i) => !down[i]));
    return { ...userSettings, partition: groups.filter((g) => g.length > 0) };
  };
  const apply = (change: EngineChange): void => {
    const before = settings;
    if (change.kind === 'network') {
      const was = userSettings;
      userSettings = typeof change.settings === 'function' ? change.settings(was) : change.settings;
      const kind =
        userSettings.partition === null && was.partition !== null
          ? 'heal'
          : userSettings.partition !== was.partition
            ? 'partition'
            : 'links';
      ledger.onNetwork(kind, epochMs(now));
    } else if (change.kind === 'strategy') {
      const strategy = createStrategy(change.spec, change.node);
      if (strategy === HONEST) strategies.delete(change.node);
      else {
        strategies.set(change.node, strategy);
        started.push({ node: change.node, strategy });
      }
      return;
    } else {
      if (change.kind === 'shares') {
        shares = typeof change.shares === 'function' ? change.shares(shares) : change.shares;
        checkShares(shares);
      } else down[change.node] = change.up ? 0 : 1;
      weigh();
      if (stillMining) scheduleMining();
    }
    settings = acting();
    if (settings !== before) {
      group = groupsOf(settings);
      transport.update(before, settings);
    }
  };

  const byHeight: Array<{ height: number; index: number }> = [];
  for (const [index, c] of changes.entries()) {
    if ('ms' in c.at) queue.push(c.at.ms, CHANGE, index);
    else byHeight.push({ height: c.at.height, index });
  }
  byHeight.sort((x, y) => x.height - y.height || x.index - y.index);
  let nextByHeight = 0;
  scheduleMining();
  const every = o.progressEvery ?? 1 << 16;
  const event: QueuedEvent = { time: 0, kind: 0, a: 0, b: 0, c: 0 };
  while (queue.pop(event)) {
    now = event.time;
    events++;
    if (event.kind === MINE) {
      if (stillMining && event.a === generation) mineOne();
    } else if (event.kind === CHANGE) apply(changes[event.a]!.change);
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
    strategies: started.flatMap(({ node, strategy }) =>
      strategy.report ? [{ node, report: strategy.report() }] : [],
    ),
  };
}
