/**
 * Package fee-rate maths over the pool's entries: a transaction with its in-pool descendants or ancestors,
 * compared by fee rate exactly. Eviction goes by lowest descendant fee rate (Core's TrimToSize); block
 * templates go by highest ancestor fee rate (Core's CreateNewBlock, ancestor packages). Pure reads of the
 * entries: the pool applies what these return.
 */
import type { Transaction } from '../consensus/index.ts';
import type { MempoolEntry } from './entry.ts';
import { PolicyError } from './policy.ts';

export type Entries = ReadonlyMap<string, MempoolEntry>;

export interface Selection {
  readonly txs: Transaction[];
  readonly fees: bigint;
  readonly bytes: number;
}

/** A full pool's use and limit, in serialised bytes. */
export interface PoolSpace {
  readonly bytes: number;
  readonly maxBytes: number;
}

/** A transaction asking for room: its size, fee and in-pool parents. */
export interface Newcomer {
  readonly size: number;
  readonly fee: bigint;
  readonly parents: ReadonlySet<string>;
}

/** Compares fee rates a/b and c/d exactly, in bigint: negative when a/b < c/d. */
function compareRate(feeA: bigint, sizeA: number, feeB: bigint, sizeB: number): number {
  const l = feeA * BigInt(sizeB);
  const r = feeB * BigInt(sizeA);
  return l < r ? -1 : l > r ? 1 : 0;
}

/** `id` and every in-pool transaction that spends from it, directly or not. */
export function descendants(entries: Entries, id: string, into = new Set<string>()): Set<string> {
  const stack = [id];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (into.has(cur)) continue;
    into.add(cur);
    for (const c of entries.get(cur)?.children ?? []) stack.push(c);
  }
  return into;
}

/** Every in-pool transaction `id` spends from, directly or not (not `id` itself). */
export function ancestors(entries: Entries, id: string, into = new Set<string>()): Set<string> {
  const stack = [...(entries.get(id)?.parents ?? [])];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (into.has(cur)) continue;
    into.add(cur);
    for (const p of entries.get(cur)?.parents ?? []) stack.push(p);
  }
  return into;
}

/**
 * What must go so a newcomer of `size` bytes fits: entries by lowest descendant fee rate (Core's eviction
 * order), each with its descendants. Throws `mempool full` when the newcomer would rate lowest itself, or
 * needs a parent that would go. Changes nothing.
 */
export function planEviction(entries: Entries, space: PoolSpace, newcomer: Newcomer): string[] {
  const { bytes, maxBytes } = space;
  const { size, fee, parents } = newcomer;
  if (bytes + size <= maxBytes) return [];
  if (size > maxBytes)
    throw new PolicyError(
      'mempool full',
      `the transaction's ${size} bytes exceed the whole pool (${maxBytes})`,
    );
  const scored = [...entries.values()].map((e) => {
    let f = 0n;
    let s = 0;
    for (const d of descendants(entries, e.txid)) {
      const x = entries.get(d)!;
      f += x.fee;
      s += x.size;
    }
    return { id: e.txid, fee: f, size: s };
  });
  scored.sort((a, b) => compareRate(a.fee, a.size, b.fee, b.size));
  const gone = new Set<string>();
  const victims: string[] = [];
  let freed = 0;
  for (const c of scored) {
    if (bytes - freed + size <= maxBytes) break;
    if (gone.has(c.id)) continue;
    if (compareRate(fee, size, c.fee, c.size) <= 0) {
      throw new PolicyError('mempool full', 'the fee rate is too low to evict anything from the full pool');
    }
    victims.push(c.id);
    for (const d of descendants(entries, c.id)) {
      if (!gone.has(d)) freed += entries.get(d)!.size;
      gone.add(d);
    }
  }
  for (const p of parents) {
    if (gone.has(p)) throw new PolicyError('mempool full', `making room would evict its parent ${p}`);
  }
  return victims;
}

/**
 * Transactions for a block of at most `maxBytes` of them, by ancestor fee rate: each candidate comes with
 * its not-yet-selected ancestors, in arrival order, so a parent always precedes its child.
 */
export function selectByAncestorFeeRate(entries: Entries, maxBytes: number): Selection {
  const pkg = new Map<string, { fee: bigint; size: number; ancestors: Set<string> }>();
  for (const e of entries.values()) {
    const ancs = ancestors(entries, e.txid);
    let fee = e.fee;
    let size = e.size;
    for (const a of ancs) {
      const x = entries.get(a)!;
      fee += x.fee;
      size += x.size;
    }
    pkg.set(e.txid, { fee, size, ancestors: ancs });
  }
  const order = [...entries.values()].sort((a, b) => {
    const pa = pkg.get(a.txid)!;
    const pb = pkg.get(b.txid)!;
    return compareRate(pb.fee, pb.size, pa.fee, pa.size) || a.seq - b.seq;
  });
  const selected = new Set<string>();
  const chosen: MempoolEntry[] = [];
  let bytes = 0;
  let fees = 0n;
  for (const e of order) {
    if (selected.has(e.txid)) continue;
    const group = [...pkg.get(e.txid)!.ancestors]
      .filter((a) => !selected.has(a))
      .map((a) => entries.get(a)!)
      .concat(e)
      .sort((a, b) => a.seq - b.seq);
    const size = group.reduce((n, x) => n + x.size, 0);
    if (bytes + size > maxBytes) continue;
    for (const x of group) {
      selected.add(x.txid);
      chosen.push(x);
      bytes += x.size;
      fees += x.fee;
    }
  }
  return { txs: chosen.map((x) => x.tx), fees, bytes };
}
