/**
 * A mempool entry: one accepted transaction with its size, fee, arrival and its in-pool parents and children.
 * Types only; the pool (mempool.ts) makes entries, the package maths (packages.ts) reads them.
 */
import type { Transaction } from '../consensus/index.ts';

export interface MempoolEntry {
  readonly tx: Transaction;
  readonly txid: string;
  readonly size: number;
  readonly fee: bigint;
  /** Unix seconds of arrival. */
  readonly time: number;
  /** Arrival order: a parent always has a lower one than its children. */
  readonly seq: number;
  /** In-pool transactions this one spends from / that spend from it. */
  readonly parents: Set<string>;
  readonly children: Set<string>;
}
