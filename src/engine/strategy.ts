/**
 * What a miner does with the chain, as the engine asks it: which block to mine on, and what to announce when it
 * mines or hears a block. Honest is the only strategy so far; selfish and double-spending miners (the scenarios
 * issue) implement the same three calls: a strategy sees its node's view (its tip, the blocks it has) and may
 * withhold a block it mined and release it later, from onHeard.
 */
import type { VirtualBlock } from './store.ts';
import type { NodeViews } from './views.ts';

export interface MinerStrategy {
  readonly name: string;
  /** The block `node` mines its next block on. */
  mineOn(node: number, views: NodeViews): VirtualBlock;
  /** `node` mined `block` (already in its view): the blocks to announce to its neighbours now. */
  onMined(node: number, block: VirtualBlock, views: NodeViews): readonly VirtualBlock[];
  /** `node` accepted `block` from a peer: the blocks to announce now (an honest node relays it). */
  onHeard(node: number, block: VirtualBlock, views: NodeViews): readonly VirtualBlock[];
}

/** Mines on its best tip, announces every block it mines or accepts at once. */
export const HONEST: MinerStrategy = Object.freeze({
  name: 'honest',
  mineOn: (node: number, views: NodeViews) => views.bestOf(node),
  onMined: (_node: number, block: VirtualBlock) => [block],
  onHeard: (_node: number, block: VirtualBlock) => [block],
});
