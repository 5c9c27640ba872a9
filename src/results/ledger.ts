/**
 * The block ledger: what the network did, block by block, as the manager hears it. Fed by the nodes' `block`
 * messages (a node stored a block: who mined it, when each node first had it) and `tip` messages (reorgs, and the
 * tips that decide agreement after a heal), it computes the run's metrics under the names summary.json uses
 * (docs/results.md). No I/O and no clock: every time is an argument (epoch ms, the workers' preciseNow()).
 *
 * Only this run's blocks count: a block is this run's once its miner reported it (`mined: true`); blocks a node
 * stored that nobody mined in this run (an older chain fetched from a peer) are kept only to walk the chain.
 */
/** A node stored a block: the ledger's input (a live node's `block` message, StoredBlock, has this shape). */
export interface StoredBlockReport {
  readonly hash: string;
  readonly prev: string;
  readonly height: number;
  /** The header's timestamp (seconds). */
  readonly time: number;
  /** When the node stored it (ms: epoch ms live, virtual ms in virtual time). */
  readonly at: number;
  /** This node mined it. */
  readonly mined: boolean;
}

export type PropagationLevel = 't50Ms' | 't90Ms' | 't100Ms';
export const PROPAGATION_LEVELS: readonly PropagationLevel[] = ['t50Ms', 't90Ms', 't100Ms'];
const FRACTION: Record<PropagationLevel, number> = { t50Ms: 0.5, t90Ms: 0.9, t100Ms: 1 };

export interface LedgerOptions {
  /**
   * The ports that should get a block `minerPort` mines now (its miner included): the nodes that are up and not
   * partitioned away from it. Asked once per block, when its miner reports it.
   */
  eligible(minerPort: number): readonly number[];
  /** The tip hash of every node that is up now. */
  upTips(): readonly string[];
  /** Told when a block's t50/t90/t100 becomes known (Prometheus histograms). */
  observe?(level: PropagationLevel, ms: number): void;
  /** Told on every reorg with its depth. */
  observeReorg?(depth: number): void;
}

export interface LedgerBlock {
  readonly hash: string;
  readonly height: number;
  readonly parent: string;
  /** Header time, seconds. */
  readonly time: number;
  /** The port of the node whose `block` message said it mined it; null: not mined in this run (so far). */
  miner: number | null;
  /** When its miner stored it (ms). */
  minedAt: number | null;
  /** The ports that count for its propagation (fixed when its miner reports it; dropped with `reached`). */
  eligible: ReadonlySet<number> | null;
  /** Port -> when that node first stored it; dropped once every eligible node has it (bounded memory). */
  reached: Map<number, number> | null;
  /** How many eligible nodes are in `reached` (so a level is computed only when enough have it). */
  reachedEligible: number;
  t50Ms: number | null;
  t90Ms: number | null;
  t100Ms: number | null;
}

export interface Percentiles {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  /** Blocks that reached the level (the percentiles are over these). */
  readonly count: number;
}

export interface NodeRevenue {
  readonly node: number;
  /** Hash-power share, a fraction of the pool (0-1). */
  readonly share: number;
  readonly blocksMined: number;
  readonly blocksOnBestChain: number;
  readonly staleBlocks: number;
  /** blocksOnBestChain over all of this run's blocks on the best chain (0-1). */
  readonly revenueShare: number;
}

/** The ledger's part of summary.json and GET /network, under the same names. */
export interface LedgerMetrics {
  readonly bestTip: { readonly hash: string; readonly height: number | null } | null;
  readonly blocksMined: number;
  /** This run's blocks on the best chain. */
  readonly blocksOnBestChain: number;
  readonly staleBlocks: number;
  readonly staleRate: number;
  readonly forks: number;
  readonly reorgs: {
    readonly count: number;
    readonly maxDepth: number;
    /** Depth (blocks disconnected) -> how many reorgs had it. */
    readonly depths: Record<string, number>;
  };
  readonly propagation: Record<PropagationLevel, Percentiles>;
  readonly revenue: readonly NodeRevenue[];
  /** One entry per heal: ms until every up node reported the same tip; null while they have not (yet). */
  readonly timeToAgreementMs: ReadonlyArray<number | null>;
}

/** One row of blocks.csv. */
export interface BlockRow {
  readonly hash: string;
  readonly height: number;
  readonly parent: string;
  readonly miner: number;
  readonly minedAt: number;
  readonly t50Ms: number | null;
  readonly t90Ms: number | null;
  readonly t100Ms: number | null;
  readonly bestChain: boolean;
}

export interface TipReport {
  readonly hash: string;
  readonly height: number;
  readonly at: number;
  readonly disconnected: number;
}

export interface BlockLedger {
  /** A node stored a block (its `block` message). */
  onBlock(port: number, block: StoredBlockReport): void;
  /** A node's tip changed (its `tip` message). */
  onTip(port: number, tip: TipReport): void;
  /** The network model changed; a heal starts a time-to-agreement measurement. */
  onNetwork(kind: string, at: number): void;
  /** Checks agreement again (the set of up nodes changed). */
  checkAgreement(at: number): void;
  block(hash: string): LedgerBlock | undefined;
  /** Blocks this run mined, per miner port (never reset by a node's restart). */
  minedBy(port: number): number;
  minedTotal(): number;
  /** How many of this run's blocks lie on the chain ending at `tip`, counting at most `limit`. */
  runBlocksBelow(tip: string, limit?: number): number;
  /** The metrics with `bestTip` as the final best chain; `shares` maps a port to its hash-power share. */
  metrics(bestTip: string | null, shares: ReadonlyMap<number, number>): LedgerMetrics;
  /** One row per block of this run, by height then time mined. */
  rows(bestTip: string | null): BlockRow[];
}

export function createBlockLedger(opts: LedgerOptions): BlockLedger {
  const blocks = new Map<string, LedgerBlock>();
  const mined = new Map<number, number>();
  let minedTotal = 0;
  /** Height -> how many of this run's blocks are at it. */
  const atHeight = new Map<number, number>();
  const reorgDepths = new Map<number, number>();
  let reorgCount = 0;
  const heals: Array<{ at: number; ms: number | null }> = [];

  /** The levels not known yet, if enough eligible nodes have the block for the lowest of them: O(1) otherwise. */
  const evaluate = (b: LedgerBlock): void => {
    if (b.minedAt === null || !b.eligible || !b.reached) return;
    const pending = PROPAGATION_LEVELS.find((level) => b[level] === null);
    if (pending === undefined) return;
    if (b.reachedEligible < Math.max(1, Math.ceil(FRACTION[pending] * b.eligible.size - 1e-9))) return;
    const times: number[] = [];
    for (const [port, at] of b.reached) if (b.eligible.has(port)) times.push(at);
    times.sort((x, y) => x - y);
    const n = b.eligible.size;
    for (const level of PROPAGATION_LEVELS) {
      if (b[level] !== null) continue;
      const need = Math.max(1, Math.ceil(FRACTION[level] * n - 1e-9));
      if (times.length < need) continue;
      const ms = Math.max(0, times[need - 1]! - b.minedAt);
      b[level] = ms;
      opts.observe?.(level, ms);
    }
    if (b.t100Ms !== null) {
      // Every eligible node has it: what was kept to time it can go (bounded memory at 10,000 nodes).
      b.reached = null;
      b.eligible = null;
    }
  };

  const agreementCheck = (at: number): void => {
    if (!heals.some((h) => h.ms === null)) return;
    const tips = opts.upTips();
    if (tips.length === 0 || tips.some((t) => t !== tips[0])) return;
    for (const h of heals) if (h.ms === null) h.ms = Math.max(0, at - h.at);
  };

  /** This run's blocks on the chain ending at `tip` (walked back by parent through the known blocks). */
  const bestChain = (tip: string | null): Set<string> => {
    const on = new Set<string>();
    for (let b = tip === null ? undefined : blocks.get(tip); b; b = blocks.get(b.parent)) {
      if (on.has(b.hash)) break;
      on.add(b.hash);
    }
    for (const h of on) if (blocks.get(h)!.miner === null) on.delete(h);
    return on;
  };

  const runBlocks = (): LedgerBlock[] => [...blocks.values()].filter((b) => b.miner !== null);

  return {
    onBlock(port, sb) {
      let b = blocks.get(sb.hash);
      if (!b) {
        b = {
          hash: sb.hash,
          height: sb.height,
          parent: sb.prev,
          time: sb.time,
          miner: null,
          minedAt: null,
          eligible: null,
          reached: new Map(),
          reachedEligible: 0,
          t50Ms: null,
          t90Ms: null,
          t100Ms: null,
        };
        blocks.set(sb.hash, b);
      }
      if (sb.mined && b.miner === null) {
        b.miner = port;
        b.minedAt = sb.at;
        const eligible = new Set([port, ...opts.eligible(port)]);
        b.eligible = eligible;
        if (b.reached) for (const p of b.reached.keys()) if (eligible.has(p)) b.reachedEligible++;
        mined.set(port, (mined.get(port) ?? 0) + 1);
        minedTotal++;
        atHeight.set(b.height, (atHeight.get(b.height) ?? 0) + 1);
      }
      if (b.reached && !b.reached.has(port)) {
        b.reached.set(port, sb.at);
        if (b.eligible?.has(port)) b.reachedEligible++;
      }
      evaluate(b);
    },
    onTip(_port, tip) {
      if (tip.disconnected > 0) {
        reorgCount++;
        reorgDepths.set(tip.disconnected, (reorgDepths.get(tip.disconnected) ?? 0) + 1);
        opts.observeReorg?.(tip.disconnected);
      }
      agreementCheck(tip.at);
    },
    onNetwork(kind, at) {
      if (kind !== 'heal') return;
      heals.push({ at, ms: null });
      agreementCheck(at);
    },
    checkAgreement: agreementCheck,
    block: (hash) => blocks.get(hash),
    minedBy: (port) => mined.get(port) ?? 0,
    minedTotal: () => minedTotal,
    runBlocksBelow(tip, limit = Number.POSITIVE_INFINITY) {
      let n = 0;
      let steps = 0;
      for (let b = blocks.get(tip); b && n < limit && steps <= blocks.size; b = blocks.get(b.parent)) {
        if (b.miner !== null) n++;
        steps++;
      }
      return n;
    },
    metrics(bestTip, shares) {
      const on = bestChain(bestTip);
      const own = runBlocks();
      const best = new Map<number, number>();
      const stale = new Map<number, number>();
      for (const b of own) {
        const into = on.has(b.hash) ? best : stale;
        into.set(b.miner!, (into.get(b.miner!) ?? 0) + 1);
      }
      const staleBlocks = own.length - on.size;
      const totalShare = [...shares.values()].reduce((s, x) => s + x, 0);
      const ports = [...new Set([...shares.keys(), ...mined.keys()])].sort((a, b) => a - b);
      const depths: Record<string, number> = {};
      for (const [d, n] of [...reorgDepths].sort((a, b) => a[0] - b[0])) depths[String(d)] = n;
      const tipBlock = bestTip === null ? undefined : blocks.get(bestTip);
      return {
        bestTip: bestTip === null ? null : { hash: bestTip, height: tipBlock?.height ?? null },
        blocksMined: minedTotal,
        blocksOnBestChain: on.size,
        staleBlocks,
        staleRate: minedTotal === 0 ? 0 : staleBlocks / minedTotal,
        forks: [...atHeight.values()].filter((n) => n >= 2).length,
        reorgs: { count: reorgCount, maxDepth: Math.max(0, ...reorgDepths.keys()), depths },
        propagation: {
          t50Ms: percentiles(own.map((b) => b.t50Ms)),
          t90Ms: percentiles(own.map((b) => b.t90Ms)),
          t100Ms: percentiles(own.map((b) => b.t100Ms)),
        },
        revenue: ports.map((node) => ({
          node,
          share: totalShare > 0 ? (shares.get(node) ?? 0) / totalShare : 0,
          blocksMined: mined.get(node) ?? 0,
          blocksOnBestChain: best.get(node) ?? 0,
          staleBlocks: stale.get(node) ?? 0,
          revenueShare: on.size === 0 ? 0 : (best.get(node) ?? 0) / on.size,
        })),
        timeToAgreementMs: heals.map((h) => h.ms),
      };
    },
    rows(bestTip) {
      const on = bestChain(bestTip);
      return runBlocks()
        .sort((a, b) => a.height - b.height || a.minedAt! - b.minedAt!)
        .map((b) => ({
          hash: b.hash,
          height: b.height,
          parent: b.parent,
          miner: b.miner!,
          minedAt: b.minedAt!,
          t50Ms: b.t50Ms,
          t90Ms: b.t90Ms,
          t100Ms: b.t100Ms,
          bestChain: on.has(b.hash),
        }));
    },
  };
}

/** Nearest-rank percentiles (the smallest value with at least p of the values at or below it) of the non-null values. */
export function percentiles(values: ReadonlyArray<number | null>): Percentiles {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  const at = (p: number): number | null => (v.length === 0 ? null : v[Math.ceil(p * v.length) - 1]!);
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: v.length === 0 ? null : v[v.length - 1]!,
    count: v.length,
  };
}

/**
 * The most-work tip among the nodes' reports (chainwork as hex); a tie goes to the tip more nodes hold, then to
 * the greater height. Null when no node reported one.
 */
export function mostWorkTip(
  tips: ReadonlyArray<{ readonly tip: string; readonly chainwork: string; readonly height: number }>,
): string | null {
  const holders = new Map<string, number>();
  for (const t of tips) holders.set(t.tip, (holders.get(t.tip) ?? 0) + 1);
  let best: { tip: string; work: bigint; height: number } | null = null;
  for (const t of tips) {
    if (!t.tip) continue;
    const work = /^[0-9a-f]{1,64}$/i.test(t.chainwork) ? BigInt(`0x${t.chainwork}`) : 0n;
    if (
      !best ||
      work > best.work ||
      (work === best.work &&
        (holders.get(t.tip)! > holders.get(best.tip)! ||
          (holders.get(t.tip) === holders.get(best.tip) && t.height > best.height)))
    )
      best = { tip: t.tip, work, height: t.height };
  }
  return best?.tip ?? null;
}

/**
 * The ports a block mined by `miner` should reach: the up nodes in its partition group (a node in no listed group
 * is alone), or every up node when there is no partition. `partition` holds port groups.
 */
export function eligiblePorts(
  miner: number,
  upPorts: readonly number[],
  partition: ReadonlyArray<readonly number[]> | null,
): number[] {
  if (!partition) return [...upPorts];
  const group = partition.find((g) => g.includes(miner));
  if (!group) return upPorts.includes(miner) ? [miner] : [];
  return upPorts.filter((p) => group.includes(p));
}
