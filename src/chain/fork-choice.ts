/**
 * Bitcoin's fork choice, the one rule every chainsim node follows: a live node's block tree (block-tree.ts) and
 * each node's view in the virtual-time engine (engine/views.ts) both call it. The most cumulative work wins,
 * never the most blocks; between equal work the block this node had first stays (Core's nSequenceId, which is
 * why two nodes that heard a race in different orders stay on different tips until the next block).
 */

/** Is a block with `work` that arrived `seq`-th better than the current tip (`thanWork`, `thanSeq`)? */
export function isBetterTip(work: bigint, seq: number, thanWork: bigint, thanSeq: number): boolean {
  return work !== thanWork ? work > thanWork : seq < thanSeq;
}
