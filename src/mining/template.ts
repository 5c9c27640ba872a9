/**
 * Block templates (pure): the coinbase, the merkle root and the header a miner searches nonces over.
 * Rolling the extra-nonce changes the coinbase, so its txid, so the merkle root: a fresh 2^32 nonce space.
 */
import {
  type Block,
  type BlockHeader,
  blockMerkleRoot,
  type ChainView,
  type DisplayHash,
  heightScript,
  medianTimePast,
  type NetworkParams,
  nextWorkRequired,
  SEQUENCE_FINAL,
  type Transaction,
  type TxOutput,
  ZERO_HASH,
  NULL_INDEX,
} from '../consensus/index.ts';
import { concatBytes, utf8 } from '../util/bytes.ts';

/** The parent a template builds on: its hash plus what the retarget and time rules read. */
export interface TemplateParent extends ChainView {
  readonly hash: DisplayHash;
}

export interface CoinbaseOptions {
  readonly height: number;
  readonly extraNonce?: bigint;
  /** Up to a few dozen bytes of text, like Satoshi's headline (the script is capped at 100 bytes). */
  readonly message?: string;
  readonly outputs: readonly TxOutput[];
}

/** A coinbase whose script is `<height> <8-byte extra-nonce> [message]` (BIP-34 first). */
export function createCoinbase(opts: CoinbaseOptions): Transaction {
  const extra = new Uint8Array(8);
  new DataView(extra.buffer).setBigUint64(0, opts.extraNonce ?? 0n, true);
  const parts = [heightScript(opts.height), Uint8Array.of(8), extra];
  if (opts.message) {
    const text = utf8(opts.message).subarray(0, 60);
    parts.push(Uint8Array.of(text.length), text);
  }
  return {
    version: 1,
    inputs: [
      {
        prevout: { txid: ZERO_HASH, vout: NULL_INDEX },
        script: concatBytes(...parts),
        sequence: SEQUENCE_FINAL,
      },
    ],
    outputs: opts.outputs,
    lockTime: 0,
  };
}

/** The earliest valid time for a child of `parent`, and `now` if later (Core's UpdateTime). */
export function templateTime(parent: ChainView, params: NetworkParams, now: number): number {
  return Math.max(medianTimePast(parent, params) + 1, now);
}

export interface TemplateOptions {
  readonly parent: TemplateParent;
  readonly params: NetworkParams;
  /** Unix seconds. */
  readonly now: number;
  readonly coinbaseOutputs: readonly TxOutput[];
  /** Transactions after the coinbase, already selected. */
  readonly txs?: readonly Transaction[];
  readonly extraNonce?: bigint;
  readonly message?: string;
  readonly version?: number;
}

/** A block ready for the nonce search: nonce 0, header committing to the coinbase and `txs`. */
export function createBlockTemplate(opts: TemplateOptions): Block {
  const height = opts.parent.height + 1;
  const coinbase = createCoinbase({
    height,
    outputs: opts.coinbaseOutputs,
    ...(opts.extraNonce === undefined ? {} : { extraNonce: opts.extraNonce }),
    ...(opts.message === undefined ? {} : { message: opts.message }),
  });
  const txs = [coinbase, ...(opts.txs ?? [])];
  const header: BlockHeader = {
    version: opts.version ?? 0x20000000,
    prevHash: opts.parent.hash,
    merkleRoot: blockMerkleRoot(txs).root,
    time: templateTime(opts.parent, opts.params, opts.now),
    bits: nextWorkRequired(opts.parent, opts.params),
    nonce: 0,
  };
  return { header, txs };
}
