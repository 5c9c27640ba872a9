/**
 * What a miner does with the chain, as the engine asks it: which block to mine on, and what to announce when it
 * mines or hears a block. A strategy sees its node's view (its tip, the blocks it has) and may withhold a block
 * it mined and release it later, from onHeard. Honest is here; the adversaries (selfish, double-spend,
 * withhold, eclipse) are in strategies/.
 */
import type { StrategyReport } from './strategies/spec.ts';
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
  /**
   * Selfish mining's gamma: the chance that an honest node whose tip has the same work as this miner's block
   * switches to it when it hears it. Absent: 0 (first seen wins, as in Bitcoin).
   */
  readonly gamma?: number;
  /** What it did, for the results (absent: honest). */
  report?(): StrategyReport;
}

/** Mines on its best tip, announces every block it mines or accepts at once. */
export const HONEST: MinerStrategy = Object.freeze({
  name: 'honest',
  mineOn: (node: number, views: NodeViews) => views.bestOf(node),
  onMined: (_node: number, block: VirtualBlock) => [block],
  onHeard: (_node: number, block: VirtualBlock) => [block],
});
