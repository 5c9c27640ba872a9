/**
 * Simplified payment verification (Bitcoin paper §8), offline: a transaction is in a block whose header meets
 * its proof-of-work, and more headers were built on it. Checks the header's hash against its bits and the
 * network's powLimit, the merkle branch from the txid to the header's merkle root (with the branch length the
 * transaction count implies, so an inner node cannot pose as a leaf), and that each following header links to
 * the one before and meets its own target. What it cannot check without the chain from genesis: that the bits
 * are the ones the retarget rule requires, and that no heavier chain exists (`chainsim headers verify` does the
 * first, given the headers).
 */
import { bitsToTarget, blockWork } from './pow.ts';
import type { ConsensusError } from './errors.ts';
import { decodeHeader, hashHeader } from './header.ts';
import { hashToBigInt, parseDisplayHash } from './hash.ts';
import { verifyMerkleBranch } from './merkle.ts';
import type { NetworkParams } from './params.ts';
import { hexToBytes } from '../util/bytes.ts';

/** What `GET /tx/:txid/proof` answers. */
export interface TxProof {
  readonly network?: string;
  readonly txid: string;
  readonly blockHash?: string;
  readonly height?: number;
  readonly header: string;
  readonly txCount: number;
  readonly index: number;
  readonly branch: readonly string[];
  readonly headers?: readonly string[];
}

export type ProofResult =
  | {
      readonly ok: true;
      readonly txid: string;
      readonly blockHash: string;
      readonly confirmations: number;
      /** Work of the block and the headers on top of it. */
      readonly work: bigint;
    }
  | { readonly ok: false; readonly reason: string; readonly message: string };

function fail(reason: string, message: string): ProofResult {
  return { ok: false, reason, message };
}

/** Depth of Bitcoin's merkle tree over `n` leaves: the length of every branch. */
export function merkleDepth(n: number): number {
  let depth = 0;
  while (2 ** depth < n) depth++;
  return depth;
}

function checkPow(headerHex: string, params: NetworkParams, what: string) {
  const bytes = hexToBytes(headerHex, what);
  const header = decodeHeader(bytes);
  const hash = hashHeader(header);
  let target: bigint;
  try {
    target = bitsToTarget(header.bits);
  } catch (err) {
    return { error: fail('bad-diffbits', `${what}: ${(err as ConsensusError).message}`) } as const;
  }
  if (target === 0n || target > params.powLimit) {
    return {
      error: fail('bad-diffbits', `${what}: target is zero or above ${params.name}'s powLimit`),
    } as const;
  }
  if (hashToBigInt(hash) > target)
    return { error: fail('high-hash', `${what}: hash ${hash} is above its target`) } as const;
  return { header, hash, work: blockWork(header.bits) } as const;
}

/** Verifies a proof under `params`; never throws for bad data (malformed fields are `bad-encoding`). */
export function verifyTxProof(proof: TxProof, params: NetworkParams): ProofResult {
  try {
    const txid = parseDisplayHash(proof.txid, 'txid');
    const first = checkPow(proof.header, params, 'header');
    if ('error' in first) return first.error;
    if (proof.blockHash !== undefined && proof.blockHash.toLowerCase() !== first.hash) {
      return fail('bad-encoding', `the header hashes to ${first.hash}, not ${proof.blockHash}`);
    }
    const { txCount, index } = proof;
    if (
      !Number.isSafeInteger(txCount) ||
      txCount < 1 ||
      !Number.isSafeInteger(index) ||
      index < 0 ||
      index >= txCount
    ) {
      return fail('bad-encoding', `index ${index} is not within txCount ${txCount}`);
    }
    if (!Array.isArray(proof.branch) || proof.branch.length !== merkleDepth(txCount)) {
      return fail(
        'bad-txnmrklroot',
        `a block of ${txCount} transaction(s) needs a branch of ${merkleDepth(txCount)}`,
      );
    }
    const siblings = (proof.branch as readonly unknown[]).map((s, i) =>
      parseDisplayHash(s as string, `branch[${i}]`),
    );
    if (!verifyMerkleBranch(txid, { index, siblings }, first.header.merkleRoot)) {
      return fail(
        'bad-txnmrklroot',
        `the branch does not lead from ${txid} to the merkle root ${first.header.merkleRoot}`,
      );
    }
    let prev = first.hash;
    let work = first.work;
    for (const [i, hex] of (proof.headers ?? []).entries()) {
      const next = checkPow(hex, params, `headers[${i}]`);
      if ('error' in next) return next.error;
      if (next.header.prevHash !== prev) {
        return fail('prev-blk-not-found', `headers[${i}] does not build on ${prev}`);
      }
      prev = next.hash;
      work += next.work;
    }
    return { ok: true, txid, blockHash: first.hash, confirmations: 1 + (proof.headers?.length ?? 0), work };
  } catch (err) {
    return fail('bad-encoding', (err as Error).message);
  }
}
