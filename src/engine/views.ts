/**
 * Every node's view of the shared blocks (store.ts): which blocks it has, in what order they reached it, and its
 * best tip, chosen by the same fork choice a live node's block tree uses (chain/fork-choice.ts: most work, then
 * first seen) with the same chain walks (chain/walks.ts). Per node and block it costs 4 bytes (the arrival
 * order); headers are never copied.
 */
import { isBetterTip } from '../chain/fork-choice.ts';
import { findFork } from '../chain/walks.ts';
import type { BlockStore, VirtualBlock } from './store.ts';

export interface Accepted {
  /** The node's best tip changed to the block. */
  readonly tipChanged: boolean;
  /** Blocks its old tip's branch lost (0: the block extends the old tip, or the tip did not change). */
  readonly disconnected: number;
}

const UNCHANGED: Accepted = Object.freeze({ tipChanged: false, disconnected: 0 });
const EXTENDED: Accepted = Object.freeze({ tipChanged: true, disconnected: 0 });

export class NodeViews {
  /** Each node's best tip (a block id). */
  readonly best: Int32Array;
  private readonly nextSeq: Int32Array;
  /** Per block id: 1 + the order it reached each node in (0: the node does not have it). */
  private readonly arrival: Int32Array[] = [];
  /** Per block id: how many nodes have it. */
  private readonly count: number[] = [];

  constructor(
    readonly nodes: number,
    private readonly store: BlockStore,
  ) {
    this.best = new Int32Array(nodes);
    this.nextSeq = new Int32Array(nodes).fill(1);
    this.arrival.push(new Int32Array(nodes).fill(1)); // every node has genesis, first
    this.count.push(nodes);
  }

  has(node: number, block: VirtualBlock): boolean {
    const row = this.arrival[block.id];
    return row !== undefined && row[node] !== 0;
  }

  bestOf(node: number): VirtualBlock {
    return this.store.get(this.best[node]!);
  }

  /** How many nodes have the block. */
  holders(block: VirtualBlock): number {
    return this.count[block.id] ?? 0;
  }

  /**
   * The node stores a block whose parent it has (the caller checks): it is the node's next arrival, and its tip
   * if it is better than the tip it has.
   */
  accept(node: number, block: VirtualBlock): Accepted {
    let row = this.arrival[block.id];
    while (row === undefined) {
      this.arrival.push(new Int32Array(this.nodes));
      this.count.push(0);
      row = this.arrival[block.id];
    }
    if (row[node] !== 0) return UNCHANGED;
    this.count[block.id]!++;
    const seq = this.nextSeq[node]!++;
    row[node] = seq + 1;
    const tip = this.store.get(this.best[node]!);
    const tipSeq = this.arrival[tip.id]![node]! - 1;
    if (!isBetterTip(block.chainwork, seq, tip.chainwork, tipSeq)) return UNCHANGED;
    return this.moveTo(node, block, tip);
  }

  /**
   * The node makes a block it has its tip though its fork choice kept another of equal work: selfish mining's
   * gamma, which the engine decides (engine.ts), not this fork choice.
   */
  prefer(node: number, block: VirtualBlock): Accepted {
    return this.moveTo(node, block, this.store.get(this.best[node]!));
  }

  private moveTo(node: number, block: VirtualBlock, tip: VirtualBlock): Accepted {
    this.best[node] = block.id;
    if (block.prev === tip) return EXTENDED;
    return { tipChanged: true, disconnected: tip.height - findFork(block, tip).height };
  }
}
