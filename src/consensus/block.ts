/**
 * A block: the 80-byte header, then a CompactSize count and the transactions (Bitcoin's block serialisation).
 * `checkBlock` holds the rules that need no chain (Core CheckBlock); `checkBlockContext` those that need the
 * block's height (Core ContextualCheckBlock).
 */
import { hexToBytes, utf8 } from '../util/bytes.ts';
import { ByteReader, ByteWriter, varintSize } from './encoding.ts';
import { ConsensusError } from './errors.ts';
import { type DisplayHash, displayFromInternal, hash256 } from './hash.ts';
import {
  type BlockHeader,
  decodeHeader,
  encodeHeader,
  HEADER_SIZE,
  hashHeader,
  headerFromFields,
} from './header.ts';
import { merkleRootInternal } from './merkle.ts';
import type { NetworkParams } from './params.ts';
import { checkProofOfWork } from './pow.ts';
import {
  array,
  asEncodingError,
  checkTransaction,
  coinbaseCommitsToHeight,
  encodeTx,
  isCoinbase,
  readTx,
  record,
  type Transaction,
  type TransactionJSON,
  txFromJSON,
  txToJSON,
  writeTx,
} from './tx.ts';

export interface Block {
  readonly header: BlockHeader;
  readonly txs: readonly Transaction[];
}

export function encodeBlock(block: Block): Uint8Array {
  const w = new ByteWriter(HEADER_SIZE + 256 * block.txs.length);
  w.bytes(encodeHeader(block.header));
  w.varint(block.txs.length);
  for (const tx of block.txs) writeTx(w, tx);
  return w.finish();
}

/** Smallest transaction: version, 1-byte counts, lockTime. */
const MIN_TX_SIZE = 10;

export function decodeBlock(bytes: Uint8Array | string): Block {
  const buf = typeof bytes === 'string' ? asEncodingError(() => hexToBytes(bytes, 'block hex')) : bytes;
  const r = new ByteReader(buf, 'block');
  const header = decodeHeader(r.bytes(HEADER_SIZE));
  const n = r.count(MIN_TX_SIZE);
  const txs: Transaction[] = [];
  for (let i = 0; i < n; i++) txs.push(readTx(r));
  r.end();
  return { header, txs };
}

export function blockHash(block: Block): DisplayHash {
  return hashHeader(block.header);
}

export function blockSize(block: Block): number {
  return encodeBlock(block).length;
}

export function txidsOf(txs: readonly Transaction[]): Uint8Array[] {
  return txs.map((tx) => hash256(encodeTx(tx)));
}

/** Merkle root of the block's transactions and whether the tree is mutated (CVE-2012-2459). */
export function blockMerkleRoot(txs: readonly Transaction[]): { root: DisplayHash; mutated: boolean } {
  const { root, mutated } = merkleRootInternal(txidsOf(txs));
  return { root: displayFromInternal(root), mutated };
}

/**
 * Context-free block checks, in Core's order: proof-of-work, merkle root (and mutation), size, coinbase
 * placement, then every transaction's CheckTransaction.
 */
export function checkBlock(block: Block, params: NetworkParams, hash: DisplayHash = blockHash(block)): void {
  checkProofOfWork(hash, block.header.bits, params);
  // Each transaction is serialised once: its bytes give the txid (merkle), its size, and the block size.
  const raws = block.txs.map(encodeTx);
  const { root: rootInternal, mutated } = merkleRootInternal(raws.map((raw) => hash256(raw)));
  const root = displayFromInternal(rootInternal);
  if (root !== block.header.merkleRoot) {
    throw new ConsensusError(
      'bad-txnmrklroot',
      `header commits to ${block.header.merkleRoot}, transactions hash to ${root}`,
    );
  }
  if (mutated) throw new ConsensusError('bad-txns-duplicate', 'duplicate transaction in the merkle tree');
  if (block.txs.length === 0) throw new ConsensusError('bad-blk-length', 'a block needs at least a coinbase');
  const size = raws.reduce((sum, raw) => sum + raw.length, HEADER_SIZE + varintSize(raws.length));
  if (size > params.maxBlockSize) {
    throw new ConsensusError('bad-blk-length', `${size} bytes exceeds the ${params.maxBlockSize}-byte limit`);
  }
  if (!isCoinbase(block.txs[0]!))
    throw new ConsensusError('bad-cb-missing', 'the first transaction is not a coinbase');
  for (let i = 1; i < block.txs.length; i++) {
    if (isCoinbase(block.txs[i]!))
      throw new ConsensusError('bad-cb-multiple', `transaction ${i} is a coinbase`);
  }
  block.txs.forEach((tx, i) => checkTransaction(tx, params.maxBlockSize, raws[i]!.length));
}

/**
 * The text the virtual-time engine (engine/store.ts) puts in the coinbase of every block it makes. Those blocks
 * carry no proof of work (their nonce is never searched), so a live node refuses any block whose coinbase holds it.
 */
export const VIRTUAL_MARK = 'chainsim:virtual';
const VIRTUAL_MARK_BYTES = utf8(VIRTUAL_MARK);

/** Whether `script` contains the virtual-time engine's mark. */
export function hasVirtualMark(script: Uint8Array): boolean {
  const m = VIRTUAL_MARK_BYTES;
  outer: for (let i = 0; i + m.length <= script.length; i++) {
    for (let j = 0; j < m.length; j++) if (script[i + j] !== m[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Rules that need the block's height: the coinbase commits to it (BIP-34). And chainsim's own: a block the
 * virtual-time engine made is never valid (VIRTUAL_MARK).
 */
export function checkBlockContext(block: Block, height: number): void {
  const coinbase = block.txs[0];
  if (!coinbase || !coinbaseCommitsToHeight(coinbase, height)) {
    throw new ConsensusError('bad-cb-height', `the coinbase does not start with height ${height}`);
  }
  if (coinbase.inputs.some((input) => hasVirtualMark(input.script))) {
    throw new ConsensusError(
      'virtual-block',
      'this block was made by the virtual-time engine without proof of work; only a virtual run accepts it',
    );
  }
}

// --- JSON (for HTTP and files; the block hash is recomputed from the canonical bytes) ---

export interface BlockJSON {
  hash?: string;
  height?: number;
  version: number;
  prevHash: string;
  merkleRoot: string;
  time: number;
  bits: number;
  nonce: number;
  transactions: TransactionJSON[];
}

export function blockToJSON(block: Block, height?: number): BlockJSON & { hash: string } {
  return {
    hash: blockHash(block),
    ...(height === undefined ? {} : { height }),
    ...block.header,
    transactions: block.txs.map(txToJSON),
  };
}

/**
 * Parses a block from JSON; a malformed or missing field throws `bad-encoding` naming it. `hash` and `height`
 * are ignored: they are derived, so a tampered field shows up as the consensus failure it causes
 * (a changed nonce as `high-hash`, a changed transaction as `bad-txnmrklroot`).
 */
export function blockFromJSON(json: unknown, where = 'block'): Block {
  const obj = asEncodingError(() => record(json, where));
  const header = asEncodingError(() => headerFromFields(obj as never));
  const txs = asEncodingError(() => array(obj.transactions, `${where}.transactions`)).map((t, i) =>
    txFromJSON(t, `${where}.transactions[${i}]`),
  );
  return { header, txs };
}
