/**
 * The virtual-time engine's blocks, stored once and shared by every node's view (views.ts): each is a real block
 * with an 80-byte header on its parent, the bits the retarget rule requires, the virtual time as its timestamp
 * and a coinbase committing to its height under the merkle root. Only the nonce is not searched: the block is
 * marked as virtually mined (VIRTUAL_MARK in its coinbase) and its proof of work is never checked, here or
 * anywhere; a live node refuses any block that carries the mark (consensus/block.ts).
 */
import {
  type Block,
  type BlockHeader,
  blockHash,
  blockSize,
  blockSubsidy,
  blockWork,
  type ChainView,
  decodeBlock,
  type DisplayHash,
  type NetworkParams,
  VIRTUAL_MARK,
} from '../consensus/index.ts';
import { createBlockTemplate } from '../mining/template.ts';

export interface VirtualBlock extends ChainView {
  /** Index in the store (genesis: 0). */
  readonly id: number;
  readonly hash: DisplayHash;
  readonly header: BlockHeader;
  readonly prev: VirtualBlock | null;
  readonly chainwork: bigint;
  /** The node that mined it; -1 for genesis. */
  readonly miner: number;
  /** Virtual milliseconds since the run began, when it was mined. */
  readonly minedAtMs: number;
  /** Its serialised size in bytes (what a link with a bandwidth carries). */
  readonly bytes: number;
}

/** An output every virtual coinbase pays its subsidy to: OP_TRUE (the engine keeps no UTXO set). */
const ANYONE = Uint8Array.of(0x51);

/**
 * The block `miner` mines on `parent` at Unix time `atSeconds`: the header the retarget and time rules require,
 * nonce 0, a coinbase paying the subsidy with the height and VIRTUAL_MARK in its script.
 */
export function virtualBlock(
  parent: ChainView & { readonly hash: DisplayHash },
  miner: number,
  atSeconds: number,
  params: NetworkParams,
): Block {
  const height = parent.height + 1;
  return createBlockTemplate({
    parent,
    params,
    now: Math.floor(atSeconds),
    coinbaseOutputs: [{ value: blockSubsidy(height, params), script: ANYONE }],
    message: `${VIRTUAL_MARK} node ${miner}`,
  });
}

export class BlockStore {
  readonly blocks: VirtualBlock[] = [];
  readonly genesis: VirtualBlock;
  /** The genesis block's time in Unix seconds: virtual time 0. */
  readonly startSeconds: number;

  constructor(readonly params: NetworkParams) {
    const block = decodeBlock(params.genesisBlock);
    const header = block.header;
    this.genesis = this.add({
      id: 0,
      hash: blockHash(block),
      header,
      height: 0,
      time: header.time,
      bits: header.bits,
      prev: null,
      chainwork: blockWork(header.bits),
      miner: -1,
      minedAtMs: 0,
      bytes: blockSize(block),
    });
    this.startSeconds = header.time;
  }

  get(id: number): VirtualBlock {
    return this.blocks[id]!;
  }

  get size(): number {
    return this.blocks.length;
  }

  /** `miner` finds a block on `parent` at virtual time `atMs`: a real block, with no nonce search. */
  mine(parent: VirtualBlock, miner: number, atMs: number): VirtualBlock {
    return this.put(
      virtualBlock(parent, miner, this.startSeconds + atMs / 1000, this.params),
      parent,
      miner,
      atMs,
    );
  }

  /** Stores a block on `parent` (its header names it; the caller checks) as mined by `miner` at `atMs`. */
  put(block: Block, parent: VirtualBlock, miner: number, atMs: number): VirtualBlock {
    const header = block.header;
    return this.add({
      id: this.blocks.length,
      hash: blockHash(block),
      header,
      height: parent.height + 1,
      time: header.time,
      bits: header.bits,
      prev: parent,
      chainwork: parent.chainwork + blockWork(header.bits),
      miner,
      minedAtMs: atMs,
      bytes: blockSize(block),
    });
  }

  private add(block: VirtualBlock): VirtualBlock {
    this.blocks.push(block);
    return block;
  }
}
