/**
 * A node's chain: the block tree plus the active chain and its events. Stateful, no I/O; time comes in as
 * `now`. Everything a node learns goes through `acceptBlock`, which validates, chooses the most-work tip,
 * and reports whether the tip moved and how (the reorg path).
 */
import type { Block, DisplayHash, NetworkParams } from '../consensus/index.ts';
import { type BlockEntry, BlockTree, type ChainTip, type ReorgPath } from './block-tree.ts';

export interface AcceptResult {
  readonly entry: BlockEntry;
  /** False when the block was already known (valid). */
  readonly accepted: boolean;
  /** Set when the active tip moved: what was disconnected and connected. */
  readonly reorg: ReorgPath | null;
}

export type TipListener = (tip: BlockEntry, path: ReorgPath) => void;

export interface ChainOptions {
  readonly params: NetworkParams;
}

export class Chain {
  readonly tree: BlockTree;
  private readonly listeners = new Set<TipListener>();
  private active: BlockEntry[];

  constructor(opts: ChainOptions) {
    this.tree = new BlockTree({ params: opts.params });
    this.active = [this.tree.genesis];
  }

  get params(): NetworkParams {
    return this.tree.params;
  }

  get tip(): BlockEntry {
    return this.active[this.active.length - 1]!;
  }

  get height(): number {
    return this.active.length - 1;
  }

  get genesis(): BlockEntry {
    return this.tree.genesis;
  }

  onTip(listener: TipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates and adds a block; moves the tip if it now has the most work. Throws ConsensusError. */
  acceptBlock(block: Block, now: number): AcceptResult {
    const { entry, isNew } = this.tree.addBlock(block, now);
    if (!isNew) return { entry, accepted: false, reorg: null };
    return { entry, accepted: true, reorg: this.follow() };
  }

  /** Moves the active chain to the tree's best tip, if it changed. */
  private follow(): ReorgPath | null {
    const best = this.tree.tip;
    if (best === this.tip) return null;
    const path = this.tree.reorgPath(this.tip, best);
    this.active.length = path.fork.height + 1;
    for (const e of path.connect) this.active.push(e);
    for (const l of this.listeners) l(best, path);
    return path;
  }

  /** The active-chain entry at `height`, if any. */
  at(height: number): BlockEntry | undefined {
    return this.active[height];
  }

  get(hash: string): BlockEntry | undefined {
    return this.tree.get(hash);
  }

  getBlock(hash: string): Block | undefined {
    return this.tree.getBlock(hash);
  }

  isActive(entry: BlockEntry): boolean {
    return this.active[entry.height] === entry;
  }

  /** Active entries from `from` (inclusive), at most `limit`. */
  range(from = 0, limit = Number.POSITIVE_INFINITY): BlockEntry[] {
    return this.active.slice(from, limit === Number.POSITIVE_INFINITY ? undefined : from + limit);
  }

  locator(): DisplayHash[] {
    return this.tree.locator(this.tip);
  }

  /**
   * The fork point for a peer's locator (Core FindForkInGlobalIndex): the first locator hash on our active
   * chain, else genesis.
   */
  forkPoint(locator: readonly string[]): BlockEntry {
    for (const hash of locator) {
      const e = this.tree.get(hash);
      if (e && this.isActive(e)) return e;
    }
    return this.tree.genesis;
  }

  tips(): ChainTip[] {
    return this.tree.tips();
  }
}

export function createChain(opts: ChainOptions): Chain {
  return new Chain(opts);
}
