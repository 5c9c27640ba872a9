/**
 * Bitcoin's merkle tree (Core consensus/merkle.cpp): hash256 of concatenated pairs, the last hash of an odd
 * level paired with itself. That rule lets [a, b, c] and [a, b, c, c] share a root (CVE-2012-2459), so the
 * computation reports `mutated` when a level holds two equal adjacent hashes; such a block is rejected
 * without being remembered as invalid.
 */
import { concatBytes, equalBytes } from '../util/bytes.ts';
import {
  type DisplayHash,
  type InternalHash,
  displayFromInternal,
  hash256,
  internalFromDisplay,
  ZERO_HASH,
} from './hash.ts';

export interface MerkleResult<H> {
  readonly root: H;
  readonly mutated: boolean;
}

/** Root over internal-order leaves. An empty list gives the zero hash, as in Core. */
export function merkleRootInternal(leaves: readonly Uint8Array[]): MerkleResult<InternalHash> {
  if (leaves.length === 0) return { root: new Uint8Array(32) as InternalHash, mutated: false };
  let level: Uint8Array[] = leaves.slice();
  let mutated = false;
  while (level.length > 1) {
    for (let i = 0; i + 1 < level.length; i += 2) {
      if (equalBytes(level[i]!, level[i + 1]!)) mutated = true;
    }
    if (level.length & 1) level.push(level[level.length - 1]!);
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hash256(concatBytes(level[i]!, level[i + 1]!)));
    level = next;
  }
  return { root: level[0] as InternalHash, mutated };
}

/** Root over display-order txids (library API). */
export function merkleRoot(txids: readonly string[]): MerkleResult<DisplayHash> {
  if (txids.length === 0) return { root: ZERO_HASH, mutated: false };
  const { root, mutated } = merkleRootInternal(txids.map((t, i) => internalFromDisplay(t, `txids[${i}]`)));
  return { root: displayFromInternal(root), mutated };
}

/** A merkle branch (proof) for one leaf: the sibling hashes from the leaf level up, display order. */
export interface MerkleBranch {
  readonly index: number;
  readonly siblings: readonly DisplayHash[];
}

export function merkleBranch(txids: readonly string[], index: number): MerkleBranch {
  if (!Number.isInteger(index) || index < 0 || index >= txids.length) {
    throw new RangeError(`index must be in [0, ${txids.length}), got ${index}`);
  }
  let level: Uint8Array[] = txids.map((t, i) => internalFromDisplay(t, `txids[${i}]`));
  const siblings: DisplayHash[] = [];
  let pos = index;
  while (level.length > 1) {
    if (level.length & 1) level.push(level[level.length - 1]!);
    siblings.push(displayFromInternal(level[pos ^ 1]!));
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hash256(concatBytes(level[i]!, level[i + 1]!)));
    level = next;
    pos >>>= 1;
  }
  return { index, siblings };
}

/** The root a branch leads to from `leaf`; compare it with the header's merkleRoot. */
export function rootFromBranch(leaf: string, branch: MerkleBranch): DisplayHash {
  let acc: Uint8Array = internalFromDisplay(leaf, 'leaf');
  let pos = branch.index;
  for (const sibling of branch.siblings) {
    const s = internalFromDisplay(sibling, 'sibling');
    acc = pos & 1 ? hash256(concatBytes(s, acc)) : hash256(concatBytes(acc, s));
    pos >>>= 1;
  }
  return displayFromInternal(acc);
}

export function verifyMerkleBranch(leaf: string, branch: MerkleBranch, root: string): boolean {
  if (branch.index >= 2 ** branch.siblings.length) return false;
  return rootFromBranch(leaf, branch) === root.toLowerCase();
}
