/**
 * The block tree's entry: one header or block the node has seen, with its height, cumulative work, arrival
 * order and validation status. Types only; the tree (block-tree.ts) makes entries, the walks (walks.ts) read them.
 */
import type { BlockHeader, ChainView, DisplayHash } from '../consensus/index.ts';

export type EntryStatus = 'valid-header' | 'valid' | 'invalid';

export interface BlockEntry extends ChainView {
  readonly hash: DisplayHash;
  readonly header: BlockHeader;
  readonly chainwork: bigint;
  readonly prev: BlockEntry | null;
  /** Arrival order of the header. */
  readonly seq: number;
  /** Arrival order of the block data (ties between equal-work tips go to the lower). */
  dataSeq: number;
  status: EntryStatus;
  readonly children: BlockEntry[];
}
