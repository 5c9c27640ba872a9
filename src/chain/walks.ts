/**
 * Walks over block entries through their `prev` links: ancestors, the fork of two branches, the reorg path
 * between them, the chain from genesis, getchaintips and block locators. Pure reads; they never change an entry.
 */
import type { DisplayHash } from '../consensus/index.ts';
import type { BlockEntry } from './entry.ts';

/**
 * What the walks below need of a block: its height and its parent. A live node's BlockEntry has it, and so does
 * a block of the virtual-time engine's shared store, so both walk their chains with the same code.
 */
export interface Linked<E> {
  readonly height: number;
  readonly prev: E | null;
}

export interface ReorgPath<E = BlockEntry> {
  readonly fork: E;
  /** Blocks to disconnect, tip first. */
  readonly disconnect: E[];
  /** Blocks to connect, lowest first. */
  readonly connect: E[];
}

export interface ChainTip {
  readonly hash: DisplayHash;
  readonly height: number;
  /** Blocks from the tip down to the fork with the active chain (0 for the active tip). */
  readonly branchlen: number;
  readonly status: 'active' | 'valid-fork' | 'valid-headers' | 'invalid';
}

/** The ancestor of `entry` at `height`. */
export function ancestor<E extends Linked<E>>(entry: E, height: number): E {
  if (height < 0 || height > entry.height)
    throw new RangeError(`no ancestor at height ${height} of ${entry.height}`);
  let cur: E = entry;
  while (cur.height > height) cur = cur.prev!;
  return cur;
}

/** The last common ancestor of two entries (Core LastCommonAncestor). */
export function findFork<E extends Linked<E>>(a: E, b: E): E {
  let x = a.height > b.height ? ancestor(a, b.height) : a;
  let y = b.height > a.height ? ancestor(b, a.height) : b;
  while (x !== y) {
    x = x.prev!;
    y = y.prev!;
  }
  return x;
}

/** What to disconnect and connect to move the chain from `from` to `to`. */
export function reorgPath<E extends Linked<E>>(from: E, to: E): ReorgPath<E> {
  const fork = findFork(from, to);
  const disconnect: E[] = [];
  for (let e: E = from; e !== fork; e = e.prev!) disconnect.push(e);
  const connect: E[] = [];
  for (let e: E = to; e !== fork; e = e.prev!) connect.push(e);
  connect.reverse();
  return { fork, disconnect, connect };
}

/** True when `entry` is on the chain that ends at `tip`. */
export function isOnChain(entry: BlockEntry, tip: BlockEntry): boolean {
  return entry.height <= tip.height && ancestor(tip, entry.height) === entry;
}

/** The chain from genesis to `tip`, indexed by height. */
export function chainTo(tip: BlockEntry): BlockEntry[] {
  const out: BlockEntry[] = new Array<BlockEntry>(tip.height + 1);
  for (let e: BlockEntry | null = tip; e; e = e.prev) out[e.height] = e;
  return out;
}

/**
 * Every leaf and the active tip `best`, like Core's getchaintips, highest first. `forkOf` finds where a leaf
 * meets the active chain.
 */
export function chainTips(
  leaves: ReadonlySet<BlockEntry>,
  best: BlockEntry,
  forkOf: (e: BlockEntry) => BlockEntry,
): ChainTip[] {
  const out: ChainTip[] = [];
  const list = leaves.has(best) ? [...leaves] : [best, ...leaves];
  for (const e of list) {
    const fork = forkOf(e);
    const status =
      e === best
        ? 'active'
        : e.status === 'invalid'
          ? 'invalid'
          : e.status === 'valid'
            ? 'valid-fork'
            : 'valid-headers';
    out.push({ hash: e.hash, height: e.height, branchlen: e.height - fork.height, status });
  }
  return out.sort((a, b) => b.height - a.height);
}

/**
 * A block locator for `entry` (Core CChain::GetLocator): the last 10 hashes one by one, then doubling steps
 * back, always ending with genesis.
 */
export function locator(entry: BlockEntry): DisplayHash[] {
  const out: DisplayHash[] = [];
  let step = 1;
  let e: BlockEntry | null = entry;
  while (e) {
    out.push(e.hash);
    if (e.height === 0) break;
    const h = Math.max(e.height - step, 0);
    e = ancestor(e, h);
    if (out.length > 10) step *= 2;
  }
  return out;
}
