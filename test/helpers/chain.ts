/** Test helpers: build and mine real blocks (trivial difficulty) on a block tree. */
import {
  type Block,
  blockHash,
  type BlockHeader,
  hashHeader,
  meetsTarget,
  type NetworkParams,
  networks,
  type Transaction,
  type TxOutput,
} from '../../src/consensus/index.ts';
import type { BlockTree, BlockEntry } from '../../src/chain/block-tree.ts';
import { createBlockTemplate } from '../../src/mining/template.ts';

/** A pay-to-x-only-key style output (OP_1 <32 bytes>) to a dummy key. */
export const PAYOUT: TxOutput = {
  value: 50n * 100_000_000n,
  script: Uint8Array.of(0x51, 0x20, ...new Uint8Array(32).fill(7)),
};

/** regtest with Bitcoin's retarget rule every 4 blocks of 10 s: difficulty moves quickly in tests. */
export const retargetParams: NetworkParams = Object.freeze({
  ...networks.regtest,
  noRetarget: false,
  retargetInterval: 4,
  targetSpacing: 10,
});

/** Searches nonces from 0 until the header meets its own target. */
export function solve(header: BlockHeader, params: NetworkParams): BlockHeader {
  for (let nonce = 0; nonce <= 0xffffffff; nonce++) {
    const h = { ...header, nonce };
    if (meetsTarget(hashHeader(h), h.bits, params)) return h;
  }
  throw new Error('nonce space exhausted');
}

export interface MineOptions {
  time?: number;
  extraNonce?: bigint;
  mutate?: (block: Block) => Block;
  /** Transactions after the coinbase. */
  txs?: readonly Transaction[];
  /** Coinbase outputs (default: PAYOUT, the full initial subsidy). */
  payout?: readonly TxOutput[];
}

/**
 * Distinct blocks on one parent, the same in every run: counted up from far above the small extra-nonces
 * tests pass themselves.
 */
let nextExtraNonce = 1n << 40n;

/** A valid block on `parent` (mined), with its time `parent.time + 1` unless given. */
export function mineOn(parent: BlockEntry, params: NetworkParams, opts: MineOptions = {}): Block {
  const template = createBlockTemplate({
    parent,
    params,
    now: opts.time ?? parent.time + 1,
    coinbaseOutputs: opts.payout ?? [PAYOUT],
    ...(opts.txs ? { txs: opts.txs } : {}),
    extraNonce: opts.extraNonce ?? nextExtraNonce++,
  });
  const header = opts.time === undefined ? template.header : { ...template.header, time: opts.time };
  let block: Block = { header: solve(header, params), txs: template.txs };
  if (opts.mutate) block = opts.mutate(block);
  return block;
}

/** Mines `n` blocks on `parent` into `tree`, `spacing` seconds apart; returns the last entry. */
export function extend(
  tree: BlockTree,
  parent: BlockEntry,
  n: number,
  spacing = 1,
  now = 2_000_000_000,
): BlockEntry {
  let cur = parent;
  for (let i = 0; i < n; i++) {
    const block = mineOn(cur, tree.params, { time: cur.time + spacing });
    cur = tree.addBlock(block, now).entry;
  }
  return cur;
}

/**
 * A valid block on `parent` with a nonce whose hash misses regtest's target (`high-hash`, ban score 50): the
 * smallest provably invalid block a peer can send.
 */
export function missTarget(parent: BlockEntry, params: NetworkParams): Block {
  const next = mineOn(parent, params);
  for (let nonce = 1; ; nonce++) {
    const header = { ...next.header, nonce };
    if (!meetsTarget(hashHeader(header), header.bits, params)) return { ...next, header };
  }
}

export { blockHash };
